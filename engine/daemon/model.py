"""The daemon's objects: images, containers, and the layer store that they share.

Images and containers point at layers by DiffID; the same layer is stored once however many
images use it, and it is freed only when nothing references its chain any more (soft delete).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields

from engine.clock import Clock, parse_rfc3339
from engine.daemon.copies import forked, plain
from engine.daemon.rw_layer import share_rw, writable_rw
from engine.errors import AmbiguousPrefix, InvalidReference, NoSuchContainer, NoSuchImage
from engine.ids import IdSource
from engine.layers.diff import diff
from engine.layers.fs import Entry, Layer, chain_ids
from engine.layers.unionfs import UnionFS
from engine.layers.view import merge
from engine.refs import looks_like_id, parse as parse_ref
from engine.registry import catalog as registry


def config_bytes(config: dict) -> bytes:
    """The image config as stored: its sha256 is the image id."""
    return json.dumps(config, separators=(",", ":"), ensure_ascii=False).encode()


def image_id_of(config: dict) -> str:
    return "sha256:" + hashlib.sha256(config_bytes(config)).hexdigest()


@dataclass
class Image:
    id: str
    config: dict  # OCI image config: architecture, config, created, history, os, rootfs
    parent: str = ""
    repo_tags: list[str] = field(default_factory=list)
    repo_digests: list[str] = field(default_factory=list)
    built_locally: bool = False  # legacy-builder cache candidates are local builds only
    build_key: str = ""  # legacy builder: the step's ContainerConfig summary the cache compares
    last_tag_time: int = 0

    @classmethod
    def from_config(cls, config: dict, **kw) -> "Image":
        return cls(image_id_of(config), config, **kw)

    @property
    def short_id(self) -> str:
        return self.id.split(":", 1)[1][:12]

    @property
    def diff_ids(self) -> list[str]:
        return list(self.config["rootfs"]["diff_ids"])

    @property
    def chain_ids(self) -> list[str]:
        return chain_ids(self.diff_ids)

    @property
    def history(self) -> list[dict]:
        return self.config.get("history", [])

    @property
    def run_config(self) -> dict:
        return self.config.get("config", {})

    @property
    def created_ns(self) -> int:
        return parse_rfc3339(self.config["created"]) if self.config.get("created") else 0

    def fork(self) -> "Image":
        """An independent copy (Daemon.fork); the config is shared: it is what the id hashes, never edited."""
        return forked(self, apart=("config",))


@dataclass
class Process:
    pid: int
    command: str
    on_sigterm: str = "ignore"  # exit0 | ignore | terminate
    ends_at: int | None = None  # virtual ns when it exits by itself (sleep N)
    exec_id: str = ""  # empty for PID 1
    extra: list[str] = field(default_factory=list)

    def fork(self) -> "Process":   # for Container.fork: the one mutable field copied, the rest shared
        twin = object.__new__(Process)
        twin.__dict__ = {**self.__dict__, "extra": list(self.extra)}
        return twin


@dataclass
class Container:
    id: str
    name: str
    image_id: str
    image_ref: str  # Config.Image, as the user typed it
    diff_ids: list[str]  # the image's layers, kept even if the image is force-removed
    created: int
    path: str
    args: list[str]
    config: dict  # Cmd, Entrypoint, Env, WorkingDir, Tty, OpenStdin, StopSignal, Labels, User...
    host_config: dict = field(default_factory=dict)  # AutoRemove, RestartPolicy
    rw: dict[str, Entry] = field(default_factory=dict)
    running: bool = False
    paused: bool = False
    restarting: bool = False
    dead: bool = False
    oom_killed: bool = False
    pid: int = 0
    exit_code: int = 0
    error: str = ""  # State.Error: why the last start failed
    started_at: int = 0
    finished_at: int = 0
    last_signal: str = ""  # the signal that ended it last (for the stage), '' if it exited itself
    processes: list[Process] = field(default_factory=list)
    logs: list[list[str]] = field(default_factory=list)  # [stream, text]
    restart_count: int = 0
    mount_id: str = ""
    exec_ids: list[str] = field(default_factory=list)

    @property
    def short_id(self) -> str:
        return self.id[:12]

    @property
    def status(self) -> str:
        """Docker's State() precedence: paused > restarting > running > dead > created > exited."""
        if self.running:
            return "paused" if self.paused else "restarting" if self.restarting else "running"
        if self.dead:
            return "dead"
        return "created" if not self.started_at else "exited"

    def to_json(self) -> dict:
        # Not asdict(): it deep-copies every Entry of the R/W layer through copy.deepcopy, the
        # slowest part of saving a sandbox. Plain JSON values are copied by plain() instead.
        data = {name: plain(getattr(self, name)) for name in _CONTAINER_FIELDS}
        data["rw"] = {p: e.to_json() for p, e in self.rw.items()}
        data["processes"] = [plain(vars(p)) for p in self.processes]
        return {name: data[name] for name in _ALL_CONTAINER_FIELDS}  # asdict's key order

    def fork(self) -> "Container":
        """An independent copy (Daemon.fork, before each command). Shared: log lines (never edited),
        `config` (written once), `host_config` (`docker update` replaces it whole), and the R/W
        layer's dict until one of the two writes to it (engine/daemon/rw_layer.py)."""
        twin = object.__new__(Container)
        twin.__dict__ = {**self.__dict__, "diff_ids": list(self.diff_ids), "args": list(self.args),
                         "exec_ids": list(self.exec_ids), "logs": list(self.logs),
                         "processes": [p.fork() for p in self.processes]}
        share_rw(self, twin)
        return twin

    @classmethod
    def from_json(cls, data: dict) -> "Container":
        data = dict(data)
        data["rw"] = {p: Entry.from_json(e) for p, e in data["rw"].items()}
        data["processes"] = [Process(**p) for p in data["processes"]]
        return cls(**data)


_ALL_CONTAINER_FIELDS = tuple(f.name for f in fields(Container))
_CONTAINER_FIELDS = tuple(n for n in _ALL_CONTAINER_FIELDS if n not in ("rw", "processes"))


@dataclass
class Session:
    """The learner's terminal attached to a shell in a container (`run -it`, `exec -it`, `start -ai`):
    lines run there until `exit`, Ctrl+D or the Ctrl+P Ctrl+Q detach."""

    container: str  # container id
    shell: str  # 'ash' (busybox) | 'dash' | 'bash': decides the prompt and a few messages
    exec_id: str = ""  # "" when the shell is the container's PID 1 (run -it, start -ai)
    cwd: str = "/"
    vars: dict = field(default_factory=dict)  # the shell's variables between lines
    exported: list = field(default_factory=list)
    status: int = 0  # $? of the last line

    def to_json(self) -> dict:
        return dict(vars(self))


_RW_CHANGES: dict[tuple, tuple] = {}  # see Daemon.rw_changes
_RW_CHANGES_KEPT = 1024


class Daemon:
    """All of one learner's Docker state. Mutated only by commands; serialisable to JSON."""

    def __init__(self, seed: int = 0):
        self.images: dict[str, Image] = {}
        self.containers: dict[str, Container] = {}  # creation order
        self.layers: dict[str, Layer] = {}  # DiffID -> layer contents
        self.ids = IdSource(seed)
        self.clock = Clock()
        self.next_pid = 1000
        self.build_cache: dict[str, dict] = {}  # BuildKit: step cache key -> history entry + layer
        self.session: Session | None = None  # the terminal attached to a container's shell
        self._merged_cache: dict[tuple, dict] = {}

    # ---- lookups -------------------------------------------------------------------------
    def find_container(self, ref: str) -> Container:
        """By name, full id, or unique id prefix (daemon/container/view.go GetByName/prefix)."""
        if not ref:
            raise NoSuchContainer(ref)
        name = ref.lstrip("/")
        for c in self.containers.values():
            if c.name == name or c.id == ref:
                return c
        matches = [c for c in self.containers.values() if c.id.startswith(ref)]
        if len(matches) > 1:
            raise AmbiguousPrefix(ref)
        if not matches:
            raise NoSuchContainer(ref)
        return matches[0]

    def find_image(self, ref: str) -> Image:
        """By repo:tag (':latest' implied), full or prefixed id, or repo@digest."""
        image = self.image_or_none(ref)
        if image is None:
            raise NoSuchImage(self._not_found_ref(ref))
        return image

    def image_or_none(self, ref: str) -> Image | None:
        if ref.startswith("sha256:"):
            return self._by_id_prefix(ref[7:])
        try:
            parsed = parse_ref(ref)
        except InvalidReference:
            parsed = None
        if parsed is not None:
            key = parsed.tagged
            for image in self.images.values():
                if key in image.repo_tags or key in image.repo_digests:
                    return image
        if looks_like_id(ref):
            return self._by_id_prefix(ref)
        return None

    def _by_id_prefix(self, prefix: str) -> Image | None:
        matches = [i for i in self.images.values() if i.id[7:].startswith(prefix)]
        if len(matches) > 1:
            raise AmbiguousPrefix(prefix)
        return matches[0] if matches else None

    @staticmethod
    def _not_found_ref(ref: str) -> str:
        try:
            return parse_ref(ref).tagged if not looks_like_id(ref) else ref
        except InvalidReference:
            return ref

    def image_by_tag(self, tagged: str) -> Image | None:
        for image in self.images.values():
            if tagged in image.repo_tags:
                return image
        return None

    def children(self, image: Image) -> list[Image]:
        return [i for i in self.images.values() if i.parent == image.id]

    def containers_using(self, image: Image) -> list[Container]:
        return [c for c in self.containers.values() if c.image_id == image.id]

    def container_names(self) -> set[str]:
        return {c.name for c in self.containers.values()}

    # ---- layers --------------------------------------------------------------------------
    def layer(self, diff_id: str) -> Layer:
        layer = self.layers.get(diff_id) or registry.layer_by_diff_id(diff_id)
        if layer is None:
            raise KeyError(diff_id)
        return layer

    def add_layer(self, layer: Layer) -> bool:
        """Store a layer; False if an equal one was already there (content addressing)."""
        if layer.diff_id in self.layers:
            return False
        self.layers[layer.diff_id] = layer
        return True

    def layers_of(self, diff_ids: list[str]) -> list[Layer]:
        return [self.layer(d) for d in diff_ids]

    def merged(self, diff_ids: list[str]) -> dict:
        """merge() of a layer stack, cached: image views are read-only and reused a lot."""
        key = tuple(diff_ids)
        if key not in self._merged_cache:
            if len(self._merged_cache) > 64:
                self._merged_cache.clear()
            self._merged_cache[key] = merge(self.layers_of(diff_ids))
        return self._merged_cache[key]

    def rw_changes(self, container: Container) -> list[tuple[str, str]]:
        """`docker diff` of a container: [('C', '/etc'), ('A', '/etc/x'), …], memoised for the whole
        process by what it depends on (the lower layers' DiffIDs, which name their contents, and the
        R/W entries): the page redraws every container after each command, which changes one at most."""
        key = (tuple(container.diff_ids), tuple(container.rw.items()))
        found = _RW_CHANGES.get(key)
        if found is None:
            if len(_RW_CHANGES) >= _RW_CHANGES_KEPT:
                _RW_CHANGES.clear()
            found = _RW_CHANGES[key] = tuple(diff(self.merged(container.diff_ids), container.rw))
        return list(found)

    def container_fs(self, container: Container) -> UnionFS:
        return UnionFS(self.layers_of(container.diff_ids), writable_rw(container),
                       lower_merged=self.merged(container.diff_ids))

    def image_fs(self, image: Image) -> UnionFS:
        return UnionFS(self.layers_of(image.diff_ids), None, lower_merged=self.merged(image.diff_ids))

    def referenced_chains(self) -> set[str]:
        refs: set[str] = set()
        for image in self.images.values():
            refs.update(image.chain_ids)
        for container in self.containers.values():
            refs.update(chain_ids(container.diff_ids))
        return refs

    def release_layers(self, diff_ids: list[str]) -> list[str]:
        """After an image or container went: chain ids freed (top first) and drop unused contents."""
        still = self.referenced_chains()
        freed = [c for c in reversed(chain_ids(diff_ids)) if c not in still]
        used = {d for i in self.images.values() for d in i.diff_ids}
        used.update(d for c in self.containers.values() for d in c.diff_ids)
        for diff_id in list(self.layers):
            if diff_id not in used:
                del self.layers[diff_id]
        return freed

    # ---- sizes ---------------------------------------------------------------------------
    def image_size(self, image: Image) -> int:
        return sum(self.layer(d).size for d in image.diff_ids)

    def rw_size(self, container: Container) -> int:
        return sum(e.size for e in container.rw.values() if e.kind in ("file", "symlink"))

    # ---- ids and time --------------------------------------------------------------------
    def new_pid(self) -> int:
        self.next_pid += self.ids.number(1, 40, "pid")
        return self.next_pid

    @property
    def now(self) -> int:
        return self.clock.now_ns

    # ---- copies ------------------------------------------------------------------------------
    def fork(self) -> "Daemon":
        """An independent copy of the state, for undo (engine/undo_points.py): what is immutable is shared
        (content-addressed layers, frozen R/W entries, configs, build cache entries), every mutable
        container is copied, so no command on one changes the other. A field added to
        __init__ must be added here too (tests/engine/test_fork.py compares the two)."""
        twin = object.__new__(Daemon)
        twin.images = {k: i.fork() for k, i in self.images.items()}
        twin.containers = {k: c.fork() for k, c in self.containers.items()}
        twin.layers = dict(self.layers)
        twin.ids = IdSource(self.ids.seed, self.ids.counter)
        twin.clock = Clock(self.clock.now_ns)
        twin.next_pid = self.next_pid
        twin.build_cache = dict(self.build_cache)  # an entry is written once and never edited (build/stages.py)
        twin.session = forked(self.session) if self.session is not None else None
        twin._merged_cache = dict(self._merged_cache)  # a cache of layer contents: its values are never edited
        return twin

    # ---- serialisation -------------------------------------------------------------------
    def to_json(self) -> dict:
        return {
            "images": [plain(vars(i)) for i in self.images.values()],
            "containers": [c.to_json() for c in self.containers.values()],
            # registry layers are rebuilt from the catalog; only local ones are stored
            "layers": [l.to_json() for d, l in self.layers.items() if registry.layer_by_diff_id(d) is None],
            "ids": self.ids.to_json(),
            "clock": self.clock.to_json(),
            "next_pid": self.next_pid,
            "build_cache": self.build_cache,
            "session": self.session.to_json() if self.session else None,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Daemon":
        daemon = cls()
        daemon.images = {i["id"]: Image(**i) for i in data["images"]}
        daemon.containers = {c["id"]: Container.from_json(c) for c in data["containers"]}
        for layer in data["layers"]:
            daemon.layers[layer["diff_id"]] = Layer.from_json(layer)
        in_use = [d for i in daemon.images.values() for d in i.diff_ids]
        in_use += [d for c in daemon.containers.values() for d in c.diff_ids]
        for diff_id in in_use:
            if diff_id not in daemon.layers:
                daemon.layers[diff_id] = registry.layer_by_diff_id(diff_id)
        daemon.ids = IdSource.from_json(data["ids"])
        daemon.clock = Clock(data["clock"])
        daemon.next_pid = data["next_pid"]
        daemon.build_cache = data.get("build_cache", {})
        daemon.session = Session(**data["session"]) if data.get("session") else None
        return daemon

