"""The union (overlay2) filesystem of a container, write side: the merged view
(engine/layers/view.py) plus writes as overlayfs makes them when Docker uses it (docs
storage/drivers/overlayfs-driver.md): the first write to a lower file copies it up, a delete of a
lower path leaves a whiteout, and a directory deleted then recreated becomes opaque. Every change
is recorded as a file event.
"""
from __future__ import annotations

import dataclasses
import posixpath

from engine import events, limits
from engine.errors import FsError
from engine.layers.fs import DIR, WHITEOUT, Entry, Layer, is_below, normpath, parent_dirs
from engine.layers.view import MergedView, drop_below


class UnionFS(MergedView):
    def __init__(self, lower: list[Layer], upper: dict[str, Entry] | None = None,
                 lower_merged=None):
        super().__init__(lower, upper, lower_merged)
        self.events: list[events.FileEvent] = []

    # ---------------------------------------------------------------- writing
    def _writable(self) -> dict[str, Entry]:
        if self.upper is None:
            raise FsError("EROFS", "/")
        return self.upper

    def _check_write(self, upper: dict[str, Entry], real: str, entry: Entry) -> None:
        """The sandbox's limits for one write, counting the parents that copy-up adds (raises LimitError)."""
        limits.check_write(upper, real, entry, parent_dirs(real) + [real])

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
        self._check_write(upper, real, entry)  # before anything changes (raises LimitError)
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
            self._check_write(upper, real, existing)
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
        self._check_write(upper, real, Entry.dir(mode))
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
        drop_below(upper, real, including=True)
        if in_lower:
            self._check_write(upper, real, Entry.whiteout())
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
            self._check_write(upper, real, changed)
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
                self._check_write(upper, real, entry)
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
