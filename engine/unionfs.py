"""The union (overlay2) view of a container's filesystem and `docker diff`.

Lower layers are read-only image layers; the upper layer is the container's read-write layer,
a dict mutated in place. Writes follow overlayfs as Docker uses it (docs
storage/drivers/overlayfs-driver.md): the first write to a lower file copies it up, a delete of a
lower path leaves a whiteout, and a directory deleted then recreated becomes opaque.
"""
from __future__ import annotations

import dataclasses
import posixpath

from engine import budget, events, limits
from engine.fs import (DIR, FILE, SYMLINK, WHITEOUT, Entry, Layer, is_below, normpath,
                       parent_dirs, placeholder_bytes)
from engine.errors import FsError

MAX_SYMLINK_HOPS = 40  # Linux MAXSYMLINKS


def _path_key(path: str) -> list[str]:
    return path.split("/")


def _drop_below(tree: dict, path: str, *, including: bool = False) -> None:
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
                _drop_below(tree, path)
            continue
        # A file replacing a directory hides its children; so does an opaque directory.
        if had_children and (entry.kind != DIR or entry.opaque):
            _drop_below(tree, path)
        tree[path] = (entry, source)


def merge(layers: list[Layer]) -> dict[str, tuple[Entry, int]]:
    """Merged tree of the given layers: path -> (entry, index of the layer it comes from)."""
    tree: dict[str, tuple[Entry, int]] = {}
    for index, layer in enumerate(layers):
        _apply(tree, layer.changes, index)
    return tree


def _overlay(lower_merged: dict, upper: dict[str, Entry] | None) -> dict:
    tree = dict(lower_merged)
    if upper:
        _apply(tree, upper, "rw")
    return {p: tree[p] for p in sorted(tree, key=_path_key)}


class UnionFS:
    def __init__(self, lower: list[Layer], upper: dict[str, Entry] | None = None,
                 lower_merged=None):
        self.lower = lower
        self.upper = upper
        self.lower_merged = lower_merged if lower_merged is not None else merge(lower)
        self.events: list[events.FileEvent] = []

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
            candidate = posixpath.join(current, name)
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
        return _overlay(self.lower_merged, self.upper)

    # ---------------------------------------------------------------- writing
    def _writable(self) -> dict[str, Entry]:
        if self.upper is None:
            raise FsError("EROFS", "/")
        return self.upper

    def _event(self, kind: str, path: str) -> None:
        self.events.append(events.make(kind, path=path))

    def _copy_up_parents(self, real: str) -> None:
        """overlayfs copies the directory chain of a changed path into the upper layer."""
        upper = self._writable()
        for ancestor in parent_dirs(real):
            if ancestor not in upper:
                entry = self.lookup(ancestor)
                if entry is not None and entry.kind == DIR:
                    upper[ancestor] = Entry.dir(entry.mode)

    def _store(self, real: str, entry: Entry) -> None:
        """Put a non-directory entry at `real`, recording how the upper layer changed."""
        upper = self._writable()
        limits.check_write(upper, real, entry)  # before anything changes (raises LimitError)
        existing, source = self._lookup_with_source(real)
        if existing is None:
            self._event("file_added", real)
        elif source == "rw":
            self._event("file_changed", real)
        else:
            self._event("copy_up", real)
        self._copy_up_parents(real)
        upper[real] = entry

    def _target_for_write(self, path: str) -> tuple[str, Entry | None]:
        real = self.resolve(path)
        self._check_parents(real)
        return real, self.lookup(real)

    def write_file(self, path: str, content: str, *, append: bool = False, mode: int | None = None):
        real, existing = self._target_for_write(path)
        if existing is not None and existing.kind == DIR:
            raise FsError("EISDIR", normpath(path))
        if append and existing is not None:
            content = self.read(real) + content
        keep_mode = existing.mode if existing is not None else 0o644
        self._store(real, Entry.file(content, mode if mode is not None else keep_mode))

    def touch(self, path: str) -> None:
        real, existing = self._target_for_write(path)
        if existing is None:
            self._store(real, Entry.file(""))
        elif existing.kind == DIR:
            self._touch_dir(real, existing)
        else:  # a new mtime: copied up (or changed) with the same content
            self._store(real, existing)

    def _touch_dir(self, real: str, existing: Entry) -> None:
        upper = self._writable()
        if real != "/" and real not in upper:
            limits.check_write(upper, real, existing)
            self._copy_up_parents(real)
            upper[real] = existing
            self._event("copy_up", real)

    def mkdir(self, path: str, *, parents: bool = False, mode: int = 0o755) -> None:
        real = self._resolve_parent(path)
        if parents:
            for ancestor in parent_dirs(real):
                entry = self.stat(ancestor) if self.exists(ancestor) else None
                if entry is None:
                    self._make_dir(self.resolve(ancestor), 0o755)
                elif entry.kind != DIR:
                    raise FsError("ENOTDIR", ancestor)
            existing = self.lookup(real)
            if existing is not None:
                if self.is_dir(real):
                    return
                raise FsError("EEXIST", real)
        else:
            self._check_parents(real)
            if self.lookup(real) is not None:
                raise FsError("EEXIST", real)
        self._make_dir(real, mode)

    def _make_dir(self, real: str, mode: int) -> None:
        upper = self._writable()
        limits.check_write(upper, real, Entry.dir(mode))
        self._copy_up_parents(real)
        # A directory deleted from a lower layer and made again must not show the old children.
        if upper.get(real, Entry.dir()).kind == WHITEOUT:
            upper[real] = Entry.dir(mode, opaque=True)
            self._event("opaque_dir", real)
        else:
            upper[real] = Entry.dir(mode)
            self._event("dir_added", real)

    def symlink(self, target: str, path: str) -> None:
        real = self._resolve_parent(path)
        self._check_parents(real)
        if self.lookup(real) is not None:
            raise FsError("EEXIST", real)
        self._store(real, Entry.symlink(target))

    def _lower_visible(self, real: str) -> bool:
        return real in self.lower_merged and not self._hidden_by_upper(real)

    def remove(self, path: str, *, recursive: bool = False) -> None:
        real = self._resolve_parent(path)
        self._check_parents(real)
        entry = self.lookup(real)
        if entry is None:
            raise FsError("ENOENT", real)
        if real == "/":
            raise FsError("EINVAL", real)
        if entry.kind == DIR and not recursive:
            raise FsError("EISDIR", real)
        self._delete(real)

    def rmdir(self, path: str) -> None:
        real = self._resolve_parent(path)
        entry = self.stat(real) if self.lookup(real) is not None else None
        if entry is None:
            raise FsError("ENOENT", real)
        if self.lookup(real).kind != DIR:
            raise FsError("ENOTDIR", real)
        if self.listdir(real):
            raise FsError("ENOTEMPTY", real)
        self._delete(real)

    def _delete(self, real: str) -> None:
        upper = self._writable()
        in_lower = self._lower_visible(real)
        _drop_below(upper, real, including=True)
        if in_lower:
            limits.check_write(upper, real, Entry.whiteout())
            self._copy_up_parents(real)
            upper[real] = Entry.whiteout()
            self._event("whiteout", real)
        else:
            self._event("removed_from_upper", real)

    def _subtree(self, real: str) -> list[tuple[str, Entry]]:
        """(path, entry) of `real` and everything below it in the merged view, parents first."""
        return [(p, e) for p, e in self.walk().items() if p == real or is_below(p, real)]

    def _destination(self, src_real: str, dst: str) -> str:
        dst_norm = normpath(dst)
        if self.is_dir(dst_norm):
            return posixpath.join(self.resolve(dst_norm), posixpath.basename(src_real))
        return self._resolve_parent(dst_norm)

    def copy(self, src: str, dst: str, *, recursive: bool = False) -> str:
        """cp: copy src to dst (into dst when dst is a directory); returns the path written."""
        src_entry = self.stat(src)
        src_real = self.resolve(src)
        if src_entry.kind == DIR and not recursive:
            raise FsError("EISDIR", normpath(src))
        target = self._destination(src_real, dst)
        self._check_parents(target)
        existing = self.lookup(target)
        if src_entry.kind != DIR:
            if existing is not None and existing.kind == DIR:
                raise FsError("EISDIR", target)
            mode = existing.mode if existing is not None else src_entry.mode
            self._store(self.resolve(target), dataclasses.replace(src_entry, mode=mode))
            return target
        if target == src_real or is_below(target, src_real):
            raise FsError("EINVAL", target)
        if existing is not None and existing.kind != DIR:
            raise FsError("ENOTDIR", target)
        self._copy_tree(src_real, target)
        return target

    def _copy_tree(self, src_real: str, target: str) -> None:
        for path, entry in self._subtree(src_real):
            dest = target + path[len(src_real):]
            current = self.lookup(dest)
            if entry.kind == DIR:
                if current is None or current.kind != DIR:
                    if current is not None:
                        self._delete(dest)
                    self._make_dir(dest, entry.mode)
            else:
                if current is not None and current.kind == DIR:
                    self._delete(dest)
                self._store(dest, dataclasses.replace(entry, opaque=False))

    def move(self, src: str, dst: str) -> str:
        src_real = self._resolve_parent(src)
        self._check_parents(src_real)
        entry = self.lookup(src_real)
        if entry is None:
            raise FsError("ENOENT", normpath(src))
        target = self._destination(src_real, dst)
        if target == src_real or is_below(target, src_real):
            raise FsError("EINVAL", target)
        self._check_parents(target)
        existing = self.lookup(target)
        if existing is not None:
            if existing.kind == DIR and entry.kind != DIR:
                raise FsError("EISDIR", target)
            if existing.kind != DIR and entry.kind == DIR:
                raise FsError("ENOTDIR", target)
            if existing.kind == DIR and self.listdir(target):
                raise FsError("ENOTEMPTY", target)
            self._delete(target)
        # overlay2 cannot rename a lower directory (EXDEV); mv then copies and deletes, which
        # gives the same upper layer as a rename would.
        if entry.kind == DIR:
            self._copy_tree(src_real, target)
        else:
            self._store(target, entry)
        self._delete(src_real)
        return target

    def chmod(self, path: str, mode: int) -> None:
        real = self.resolve(path)
        entry = self.stat(real)
        changed = dataclasses.replace(entry, mode=mode)
        if entry.kind == DIR:
            upper = self._writable()
            limits.check_write(upper, real, changed)
            self._event("file_changed" if real in upper else "copy_up", real)
            self._copy_up_parents(real)
            upper[real] = changed
        else:
            self._store(real, changed)

    def put(self, path: str, entry: Entry) -> None:
        """Add or replace one entry (package installs); missing parents are made."""
        real = normpath(path)
        if entry.kind == WHITEOUT:
            if self.lookup(real) is not None:
                self._delete(real)
            return
        for ancestor in parent_dirs(real):
            if self.lookup(ancestor) is None:
                self._make_dir(ancestor, 0o755)
        existing = self.lookup(real)
        if entry.kind == DIR:
            if existing is not None and existing.kind == DIR:
                upper = self._writable()
                limits.check_write(upper, real, entry)
                self._copy_up_parents(real)
                upper[real] = dataclasses.replace(entry, opaque=upper.get(real, entry).opaque)
                return
            if existing is not None:
                self._delete(real)
            self._make_dir(real, entry.mode)
            return
        if existing is not None and existing.kind == DIR:
            self._delete(real)
        self._store(real, entry)


# -------------------------------------------------------------------- docker diff
def _with_implicit_dirs(tree: dict[str, Entry]) -> dict[str, Entry]:
    full = dict(tree)
    for path in tree:
        for ancestor in parent_dirs(path):
            full.setdefault(ancestor, Entry.dir())
    return full


def _children(tree: dict[str, Entry]) -> dict[str, list[str]]:
    kids: dict[str, list[str]] = {}
    for path in tree:
        kids.setdefault(posixpath.dirname(path), []).append(posixpath.basename(path))
    return kids


def _stat_different(old: Entry, new: Entry, in_upper: bool) -> bool:
    """go-archive statDifferent: mode for all; mtime/size only for non-directories. A
    non-directory stored in the upper layer was written, so its mtime differs."""
    if old.kind != new.kind or old.mode != new.mode:
        return True
    return new.kind != DIR and in_upper


def diff(lower_merged: dict, upper: dict[str, Entry]) -> list[tuple[str, str]]:
    """`docker diff`: go-archive ChangesDirs between the image and the container's merged view,
    siblings sorted by name (Go visits them in map order)."""
    old = _with_implicit_dirs({p: e for p, (e, _) in lower_merged.items()})
    new = _with_implicit_dirs({p: e for p, (e, _) in _overlay(lower_merged, upper).items()})
    in_upper = {p for p, e in upper.items() if e.kind != WHITEOUT}
    old_kids, new_kids = _children(old), _children(new)
    changes: list[tuple[str, str]] = []

    def visit(path: str, old_is_dir: bool, added: bool) -> None:
        start = len(changes)
        names = set(new_kids.get(path, ()))
        if old_is_dir:
            names |= set(old_kids.get(path, ()))
        for name in sorted(names):
            child = posixpath.join(path, name)
            old_entry = old.get(child) if old_is_dir else None
            new_entry = new.get(child)
            if new_entry is None:
                changes.append(("D", child))
                continue
            child_added = True
            if old_entry is None:
                changes.append(("A", child))
            elif _stat_different(old_entry, new_entry, child in in_upper):
                changes.append(("C", child))
            else:
                child_added = False
            if new_entry.kind == DIR:
                visit(child, old_entry is not None and old_entry.kind == DIR, child_added)
        # "If there were changes inside this directory, we need to add it" (go-archive)
        if len(changes) > start and path != "/" and not added:
            changes.insert(start, ("C", path))

    visit("/", True, False)
    return changes


__all__ = ["FsError", "UnionFS", "diff", "merge", "FILE", "DIR", "SYMLINK", "WHITEOUT"]
