"""Image operations shared by several commands: references, tagging and deletion (graph-driver store).

delete_image follows moby's daemon/images/image_delete.go (v28.5) rule by rule: untag first, delete
only when no reference is left, conflicts split into hard (children, running container) and soft
(stopped container, other references), and per-layer `Deleted:` records only for layers that no
other image or container still uses (the soft delete the article explains).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from engine import events as ev
from engine import refs
from engine.daemon.model import Daemon, Image
from engine.errors import Conflict, DeleteConflict
from engine.layers.fs import chain_ids

OVERLAY_ROOT = "/var/lib/docker/overlay2"

# conflict kinds (image_delete.go conflictType)
CHILD, RUNNING, ACTIVE_REF, STOPPED = 1, 2, 4, 8
HARD, SOFT = CHILD | RUNNING, ACTIVE_REF | STOPPED


# ---- references ----------------------------------------------------------------------------

def full_ref(ref: str) -> str:
    """'alpine:latest' -> 'docker.io/library/alpine:latest' (what the reference store sorts by)."""
    try:
        return refs.parse(ref).full_name
    except refs.InvalidReference:
        return ref


def references(image: Image) -> list[str]:
    """Tags and digest references of an image, sorted like moby's refStore.References (lexical)."""
    return sorted(image.repo_tags + image.repo_digests, key=full_ref)


def repo_name(ref: str) -> str:
    return refs.parse(ref).repository


def is_canonical(ref: str) -> bool:
    return "@" in ref


def resolve_image(daemon: Daemon, ref: str) -> Image:
    """GetImage: a malformed reference is the daemon's 400 error, an unknown one No such image."""
    if not ref.startswith("sha256:") and not refs.looks_like_id(ref):
        refs.parse_or_daemon_error(ref)
    return daemon.find_image(ref)


def remove_reference(image: Image, ref: str) -> None:
    if ref in image.repo_tags:
        image.repo_tags.remove(ref)
    if ref in image.repo_digests:
        image.repo_digests.remove(ref)


def add_tag(daemon: Daemon, image: Image, tagged: str, events: list[ev.Event]) -> None:
    """referenceStore.AddTag(force=true): the tag moves from whichever image had it."""
    previous = daemon.image_by_tag(tagged)
    if previous is image:
        return
    if previous is not None:
        previous.repo_tags.remove(tagged)
        events.append(ev.Untagged(previous.id, tagged))
    image.repo_tags.append(tagged)
    events.append(ev.Tagged(image.id, tagged))


def tag_image(daemon: Daemon, image: Image, tagged: str, events: list[ev.Event]) -> None:
    """`docker tag` (ImageService.TagImage): add the tag and record LastTagTime."""
    add_tag(daemon, image, tagged, events)
    image.last_tag_time = daemon.now


# ---- overlay2 paths --------------------------------------------------------------------------

def layer_cache_id(chain_id: str) -> str:
    """The overlay2 directory name of a layer (layerdb cache-id). Random in Docker; here derived from
    the chain id so that it never changes while the layer exists."""
    return hashlib.sha256(("cache:" + chain_id).encode()).hexdigest()


def image_graph_driver_data(diff_ids: list[str]) -> dict | None:
    """overlay2 GetMetadata of the image's top layer; LowerDir lists the nearest lower layer first."""
    chains = chain_ids(diff_ids)
    if not chains:
        return None
    top = f"{OVERLAY_ROOT}/{layer_cache_id(chains[-1])}"
    data = {}
    if len(chains) > 1:
        data["LowerDir"] = ":".join(f"{OVERLAY_ROOT}/{layer_cache_id(c)}/diff" for c in reversed(chains[:-1]))
    data["MergedDir"] = top + "/merged"
    data["UpperDir"] = top + "/diff"
    data["WorkDir"] = top + "/work"
    return data


# ---- deletion --------------------------------------------------------------------------------

@dataclass
class DeleteResult:
    records: list[tuple[str, str]] = field(default_factory=list)  # ("Untagged", ref) | ("Deleted", id)
    events: list[ev.Event] = field(default_factory=list)
    freed_bytes: int = 0  # sizes of the freed layers (image prune's SpaceReclaimed)

    def lines(self) -> list[str]:
        return [f"{kind}: {value}" for kind, value in self.records]


def _is_id_prefix(image_id: str, text: str) -> bool:
    return image_id.startswith(text) or image_id.split(":", 1)[1].startswith(text)


def _is_single_reference(ref_list: list[str]) -> bool:
    """One tag, possibly with digest references of the same repository (isSingleReference)."""
    if len(ref_list) <= 1:
        return len(ref_list) == 1
    single, canonical_repos = None, set()
    for ref in ref_list:
        if is_canonical(ref):
            canonical_repos.add(repo_name(ref))
        elif single is None:
            single = ref
        else:
            return False
    single = single or ref_list[0]
    return len(canonical_repos) == 1 and repo_name(single) in canonical_repos


def _check_conflict(daemon: Daemon, image: Image, mask: int) -> DeleteConflict | None:
    users = daemon.containers_using(image)  # creation order stands in for the store's First()
    if mask & CHILD and daemon.children(image):
        return DeleteConflict(image.short_id, True, False, "image has dependent child images")
    running = [c for c in users if c.running]
    if mask & RUNNING and running:
        return DeleteConflict(image.short_id, True, True, f"image is being used by running container {running[0].short_id}")
    if mask & ACTIVE_REF and references(image):
        return DeleteConflict(image.short_id, False, False, "image is referenced in multiple repositories")
    stopped = [c for c in users if not c.running]
    if mask & STOPPED and stopped:
        return DeleteConflict(image.short_id, False, True, f"image is being used by stopped container {stopped[0].short_id}")
    return None


def _untag(result: DeleteResult, image: Image, ref: str) -> None:
    remove_reference(image, ref)
    result.records.append(("Untagged", ref))
    result.events.append(ev.Untagged(image.id, ref))


def delete_image(daemon: Daemon, image_ref: str, force: bool = False, prune: bool = True) -> DeleteResult:
    """ImageService.ImageDelete. Raises NoSuchImage / InvalidArgument / Conflict; on error nothing changed."""
    image = resolve_image(daemon, image_ref)
    result = DeleteResult()
    ref_list = references(image)
    quiet = False
    if not _is_id_prefix(image.id, image_ref):
        if not force and _is_single_reference(ref_list):
            users = daemon.containers_using(image)
            if users:
                raise Conflict(f'conflict: unable to remove repository reference "{image_ref}" (must force) - '
                               f"container {users[0].short_id} is using its referenced image {image.short_id}")
        parsed = refs.parse(image_ref)
        _untag(result, image, parsed.tagged)
        ref_list = references(image)
        if not parsed.digest:
            same_repo_tag = any(not is_canonical(r) and repo_name(r) == parsed.repository for r in ref_list)
            if not same_repo_tag:
                for ref in [r for r in ref_list if is_canonical(r) and repo_name(r) == parsed.repository]:
                    _untag(result, image, ref)
                ref_list = references(image)
        if ref_list:
            return result
        quiet = True
    elif _is_single_reference(ref_list):
        mask = HARD if force else HARD | (SOFT & ~ACTIVE_REF)
        conflict = _check_conflict(daemon, image, mask)
        if conflict:
            raise conflict
        for ref in ref_list:
            _untag(result, image, ref)
    _delete_helper(daemon, image, result, force, prune, quiet)
    return result


def _delete_helper(daemon: Daemon, image: Image, result: DeleteResult, force: bool, prune: bool,
                   quiet: bool) -> None:
    conflict = _check_conflict(daemon, image, HARD if force else HARD | SOFT)
    if conflict:
        dangling = not references(image) and not daemon.children(image)
        if quiet and (not dangling or conflict.used):
            return
        raise conflict
    for ref in references(image):
        _untag(result, image, ref)
    sizes = {c: daemon.layer(d).size for c, d in zip(image.chain_ids, image.diff_ids)}
    del daemon.images[image.id]
    result.records.append(("Deleted", image.id))
    result.events.append(ev.ImageRemoved(image.id))
    for chain in daemon.release_layers(image.diff_ids):
        result.records.append(("Deleted", chain))
        result.events.append(ev.LayerRemoved(chain))
        result.freed_bytes += sizes.get(chain, 0)
    parent = daemon.images.get(image.parent) if image.parent else None
    if prune and parent is not None:
        _delete_helper(daemon, parent, result, False, True, True)

