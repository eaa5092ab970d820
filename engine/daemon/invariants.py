"""What must always hold in a daemon's state, whatever commands ran: `check(daemon) -> [problems]`.

Each rule is one small function returning readable problem strings; an empty list means the state
is sound. The property and fuzz tests call `check` after every command.

Rules (and why):
- layers: every layer an image or container names is in the layer store; the store keeps no layer
  that nothing uses, except the layers BuildKit's build cache records (Docker keeps those until
  `docker builder prune`: a failed BuildKit build leaves cached steps whose layers no image uses);
- images: the id is the sha256 of the config bytes (content addressing); `rootfs.diff_ids` has one
  entry per history entry without `empty_layer` (image-spec config.md); a parent exists (the daemon
  refuses to delete an image with children: "image has dependent child images", a hard conflict);
  a tag or digest reference names one image only and is stored in its normalised form;
- containers: names are unique and valid; processes exist only in running containers, and a
  running one has its PID 1; paused and restarting imply running, dead excludes it (moby
  container/state.go); a stopped container has Pid 0 and no exec sessions; live PIDs are unique;
  the read-write layer holds nothing below one of its own whiteouts or files (overlayfs);
- limits: the counts stay within engine/limits.py.
"""
from __future__ import annotations

from engine import limits, refs
from engine.daemon.model import Daemon, image_id_of
from engine.layers.fs import DIR, WHITEOUT, parent_dirs


def check(daemon: Daemon) -> list[str]:
    problems: list[str] = []
    for rule in RULES:
        problems.extend(rule(daemon))
    return problems


# ---- layers ---------------------------------------------------------------------------------------
def _used_layers(daemon: Daemon) -> dict[str, str]:
    """diff_id -> who uses it first (for messages)."""
    used: dict[str, str] = {}
    for image in daemon.images.values():
        for diff_id in image.diff_ids:
            used.setdefault(diff_id, f"image {image.short_id}")
    for c in daemon.containers.values():
        for diff_id in c.diff_ids:
            used.setdefault(diff_id, f"container {c.name}")
    return used


def referenced_layers_exist(daemon: Daemon) -> list[str]:
    return [f"layer {d[7:19]} used by {who} is not in the layer store"
            for d, who in _used_layers(daemon).items() if d not in daemon.layers]


def cached_layers(daemon: Daemon) -> set[str]:
    return {entry.get("layer") for entry in daemon.build_cache.values() if entry.get("layer")}


def no_unreferenced_layers(daemon: Daemon) -> list[str]:
    keep = set(_used_layers(daemon)) | cached_layers(daemon)
    return [f"layer {d[7:19]} is stored but no image, container or build cache entry uses it"
            for d in daemon.layers if d not in keep]


def layers_are_what_their_id_says(daemon: Daemon) -> list[str]:
    return [f"layer {d[7:19]} is stored under another layer's id ({layer.diff_id[7:19]})"
            for d, layer in daemon.layers.items() if layer.diff_id != d]


# ---- images ---------------------------------------------------------------------------------------
def image_ids_are_config_digests(daemon: Daemon) -> list[str]:
    problems = []
    for key, image in daemon.images.items():
        if key != image.id:
            problems.append(f"image {image.short_id} is stored under the key {key[:19]}")
        if image_id_of(image.config) != image.id:
            problems.append(f"image {image.short_id}: id is not the sha256 of its config")
    return problems


def history_matches_layers(daemon: Daemon) -> list[str]:
    problems = []
    for image in daemon.images.values():
        non_empty = sum(1 for h in image.history if not h.get("empty_layer"))
        if image.history and non_empty != len(image.diff_ids):
            problems.append(f"image {image.short_id}: {len(image.diff_ids)} layers but {non_empty} "
                            "non-empty history entries")
    return problems


def parents_exist(daemon: Daemon) -> list[str]:
    return [f"image {image.short_id}: parent {image.parent[7:19]} does not exist"
            for image in daemon.images.values() if image.parent and image.parent not in daemon.images]


def references_unique_and_normalised(daemon: Daemon) -> list[str]:
    problems, owner = [], {}
    for image in daemon.images.values():
        for ref in image.repo_tags + image.repo_digests:
            if ref in owner and owner[ref] != image.id:
                problems.append(f"reference {ref} names two images: {owner[ref][7:19]} and {image.short_id}")
            owner[ref] = image.id
        for tag in image.repo_tags:
            try:
                normal = refs.parse(tag).tagged
            except Exception:  # noqa: BLE001 - an unparsable stored tag is itself the problem
                normal = None
            if normal != tag:
                problems.append(f"image {image.short_id}: tag {tag!r} is not in normalised form")
        if len(set(image.repo_tags)) != len(image.repo_tags):
            problems.append(f"image {image.short_id}: a tag is listed twice")
    return problems


# ---- containers -----------------------------------------------------------------------------------
def container_names_unique(daemon: Daemon) -> list[str]:
    problems, seen = [], set()
    for key, c in daemon.containers.items():
        if key != c.id:
            problems.append(f"container {c.name} is stored under the key {key[:12]}")
        if c.name in seen:
            problems.append(f"container name {c.name} is used twice")
        seen.add(c.name)
        if not c.name or c.name.startswith("/"):
            problems.append(f"container {c.short_id} has an invalid name {c.name!r}")
    return problems


def state_flags_consistent(daemon: Daemon) -> list[str]:
    problems = []
    for c in daemon.containers.values():
        who = f"container {c.name}"
        if c.paused and not c.running:
            problems.append(f"{who} is paused but not running")
        if c.restarting and not c.running:
            problems.append(f"{who} is restarting but not running")
        if c.dead and c.running:
            problems.append(f"{who} is dead and running")
        if c.running:
            if not any(p.pid == c.pid for p in c.processes):
                problems.append(f"{who} is running without its PID 1 ({c.pid})")
            if not c.started_at:
                problems.append(f"{who} is running but never started")
        else:
            if c.processes:
                problems.append(f"{who} is {c.status} but has processes")
            if c.pid:
                problems.append(f"{who} is {c.status} but has Pid {c.pid}")
            if c.exec_ids:
                problems.append(f"{who} is {c.status} but has exec sessions")
        live_execs = {p.exec_id for p in c.processes if p.exec_id}
        if set(c.exec_ids) - live_execs:
            problems.append(f"{who} lists exec sessions that have no process")
    return problems


def pids_unique(daemon: Daemon) -> list[str]:
    seen: set[int] = set()
    problems = []
    for c in daemon.containers.values():
        for p in c.processes:
            if p.pid in seen:
                problems.append(f"PID {p.pid} is used twice")
            seen.add(p.pid)
    return problems


def rw_layers_sound(daemon: Daemon) -> list[str]:
    problems = []
    for c in daemon.containers.values():
        for path in c.rw:
            for ancestor in parent_dirs(path):
                above = c.rw.get(ancestor)
                if above is not None and (above.kind == WHITEOUT or above.kind != DIR):
                    problems.append(f"container {c.name}: {path} lies below {ancestor}, "
                                    f"a {above.kind} in the read-write layer")
                    break
        if len(c.rw) > limits.MAX_LAYER_ENTRIES:
            problems.append(f"container {c.name}: read-write layer has {len(c.rw)} entries")
    return problems


# ---- limits ---------------------------------------------------------------------------------------
def within_limits(daemon: Daemon) -> list[str]:
    problems = []
    for what, count, limit in (("containers", len(daemon.containers), limits.MAX_CONTAINERS),
                               ("images", len(daemon.images), limits.MAX_IMAGES),
                               ("layers", len(daemon.layers), limits.MAX_LAYERS)):
        if count > limit:
            problems.append(f"{count} {what}: more than the limit of {limit}")
    return problems


def session_attached_to_a_running_shell(daemon: Daemon) -> list[str]:
    """An attached terminal belongs to a running container (and to a live exec, for exec -it)."""
    session = daemon.session
    if session is None:
        return []
    container = daemon.containers.get(session.container)
    if container is None or not container.running:
        return [f"the terminal is attached to {session.container[:12]}, which is not running"]
    if session.exec_id and session.exec_id not in container.exec_ids:
        return [f"the terminal is attached to exec {session.exec_id[:12]}, which has ended"]
    return []


RULES = (referenced_layers_exist, no_unreferenced_layers, layers_are_what_their_id_says,
         image_ids_are_config_digests, history_matches_layers, parents_exist,
         references_unique_and_normalised, container_names_unique, state_flags_consistent,
         pids_unique, rw_layers_sound, within_limits, session_attached_to_a_running_shell)
