"""`docker diff`: go-archive's ChangesDirs between an image's merged layers and a container's
merged view (A added, C changed, D deleted), as the daemon computes it for overlay2."""
from __future__ import annotations

import posixpath

from engine.layers.fs import DIR, WHITEOUT, Entry, parent_dirs
from engine.layers.view import overlay


_IMPLICIT_DIR = Entry.dir()  # entries are frozen: one shared value for every implied directory


def _with_implicit_dirs(tree: dict[str, Entry]) -> dict[str, Entry]:
    full = dict(tree)
    for path in tree:
        for ancestor in parent_dirs(path):
            if ancestor not in full:
                full[ancestor] = _IMPLICIT_DIR
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
    new = _with_implicit_dirs({p: e for p, (e, _) in overlay(lower_merged, upper).items()})
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
