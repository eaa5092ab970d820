"""The merged (overlay2) view of a container's filesystem, read side: lower layers are read-only
image layers, the upper layer is the container's read-write layer (a dict), and what a process sees
is the lower layers merged in order with the upper one over them: whiteouts hide, an opaque
directory hides everything below it, a file replacing a directory hides its children. Lookups
follow symlinks as Linux does (docs storage/drivers/overlayfs-driver.md).
"""
from __future__ import annotations

import posixpath

from engine import budget
from engine.errors import FsError
from engine.layers.fs import DIR, SYMLINK, WHITEOUT, Entry, Layer, is_below, normpath, parent_dirs, placeholder_bytes

MAX_SYMLINK_HOPS = 40  # Linux MAXSYMLINKS


def _path_key(path: str) -> list[str]:
    return path.split("/")


def drop_below(tree: dict, path: str, *, including: bool = False) -> None:
    for key in [k for k in tree if is_below(k, path) or (including and k == path)]:
        del tree[key]


def _apply(tree: dict, changes: dict[str, Entry], source) -> None:
    """Lay one layer's changes over `tree` (path -> (entry, source)), as overlayfs would show it."""
    for path in sorted(changes, key=_path_key):
        entry = changes[path]
        below = tree.get(path)
        had_children = below is not None and below[0].kind == DIR
        if entry.kind == WHITEOUT:
            tree.pop(path, None)
            if had_children:
                drop_below(tree, path)
            continue
        # A file replacing a directory hides its children; so does an opaque directory.
        if had_children and (entry.kind != DIR or entry.opaque):
            drop_below(tree, path)
        tree[path] = (entry, source)


def merge(layers: list[Layer]) -> dict[str, tuple[Entry, int]]:
    """Merged tree of the given layers: path -> (entry, index of the layer it comes from)."""
    tree: dict[str, tuple[Entry, int]] = {}
    for index, layer in enumerate(layers):
        _apply(tree, layer.changes, index)
    return tree


def overlay(lower_merged: dict, upper: dict[str, Entry] | None) -> dict:
    tree = dict(lower_merged)
    if upper:
        _apply(tree, upper, "rw")
    return {p: tree[p] for p in sorted(tree, key=_path_key)}


class MergedView:
    """Lower layers + an upper dict, read through overlayfs's rules. UnionFS adds the writes."""

    def __init__(self, lower: list[Layer], upper: dict[str, Entry] | None = None,
                 lower_merged=None):
        self.lower = lower
        self.upper = upper
        self.lower_merged = lower_merged if lower_merged is not None else merge(lower)

    # ---------------------------------------------------------------- reading
    def _hidden_by_upper(self, path: str) -> bool:
        """True when an upper ancestor (whiteout, non-dir or opaque dir) hides lower `path`."""
        if not self.upper:
            return False
        for ancestor in parent_dirs(path):
            entry = self.upper.get(ancestor)
            if entry is not None and (entry.kind != DIR or entry.opaque):
                return True
        return False

    def _lookup_with_source(self, path: str):
        path = normpath(path)
        if path == "/":
            return Entry.dir(), None
        if self.upper is not None and path in self.upper:
            entry = self.upper[path]
            if entry.kind == WHITEOUT:
                return None, None
            # an upper entry under a lower-only dir that was whited out cannot exist: writes
            # replace the whiteout first, so no further check is needed here
            return entry, "rw"
        if self._hidden_by_upper(path):
            return None, None
        found = self.lower_merged.get(path)
        return (found[0], found[1]) if found else (None, None)

    def lookup(self, path: str) -> Entry | None:
        return self._lookup_with_source(path)[0]

    def source(self, path: str) -> int | str | None:
        return self._lookup_with_source(path)[1]

    def resolve(self, path: str, *, follow_last: bool = True) -> str:
        """The path with every symlink component followed (missing tails are kept as given)."""
        pending = [p for p in normpath(path).split("/") if p]
        current, hops = "/", 0
        while pending:
            name = pending.pop(0)
            # posixpath.join(current, name) for a name without "/": the shell resolves every path
            candidate = current + name if current.endswith("/") else current + "/" + name
            entry = self.lookup(candidate)
            if entry is None or entry.kind != SYMLINK or (not pending and not follow_last):
                current = candidate
                continue
            hops += 1
            if hops > MAX_SYMLINK_HOPS:
                raise FsError("ELOOP", path)
            target = normpath(entry.target, current)
            pending = [p for p in target.split("/") if p] + pending
            current = "/"
        return current

    def _resolve_parent(self, path: str) -> str:
        """Resolve symlinks in the directories above `path`, not in its last component."""
        path = normpath(path)
        if path == "/":
            return path
        head, tail = posixpath.split(path)
        return posixpath.join(self.resolve(head), tail)

    def _check_parents(self, real: str) -> None:
        for ancestor in parent_dirs(real):
            entry = self.lookup(ancestor)
            if entry is None:
                raise FsError("ENOENT", real)
            if entry.kind != DIR:
                raise FsError("ENOTDIR", real)

    def stat(self, path: str) -> Entry:
        real = self.resolve(path)
        self._check_parents(real)
        entry = self.lookup(real)
        if entry is None:
            raise FsError("ENOENT", normpath(path))
        return entry

    def exists(self, path: str) -> bool:
        try:
            self.stat(path)
            return True
        except FsError:
            return False

    def is_dir(self, path: str) -> bool:
        try:
            return self.stat(path).kind == DIR
        except FsError:
            return False

    def listdir(self, path: str) -> list[str]:
        real = self.resolve(path)
        if self.stat(real).kind != DIR:
            raise FsError("ENOTDIR", normpath(path))
        names = set()
        for candidate in self._children_candidates(real):
            if self.lookup(candidate) is not None:
                names.add(posixpath.basename(candidate))
        return sorted(names)

    def _children_candidates(self, real: str):
        prefix = "/" if real == "/" else real + "/"
        budget.step((len(self.lower_merged) + len(self.upper or ())) // budget.KEYS_PER_STEP)  # scans every path
        for tree in (self.lower_merged, self.upper or {}):
            for key in tree:
                if key.startswith(prefix) and "/" not in key[len(prefix):]:
                    yield key

    def read(self, path: str) -> str:
        real = self.resolve(path)
        entry = self.stat(real)
        if entry.kind == DIR:
            raise FsError("EISDIR", normpath(path))
        if entry.content is None:
            return placeholder_bytes(real, entry).decode()
        return entry.content

    def walk(self) -> dict[str, Entry]:
        return {p: e for p, (e, _) in self.walk_with_sources().items()}

    def walk_with_sources(self) -> dict[str, tuple[Entry, int | str]]:
        budget.step((len(self.lower_merged) + len(self.upper or ())) // budget.ENTRIES_PER_STEP)  # merges and sorts all
        return overlay(self.lower_merged, self.upper)
