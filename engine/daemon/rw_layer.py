"""A container's R/W layer, shared until written (copy-on-write).

The sandbox forks the daemon before every command (undo), and the stage keeps each container's
entries to tell whether its drawing is still current. Copying every container's entries for that
was most of a fork on a sandbox with thousands of files, so the two sides share the one dict
instead, and whoever writes first copies it (entries are frozen: a shallow copy). A container
knows the dict it alone holds (`_rw_own`, not a dataclass field, so never stored); any other dict
in its `rw` is treated as shared. Every write to a container's R/W layer asks writable_rw() first:
Daemon.container_fs, through which commands write, and restore_rw(), which undoes a refused one.
"""
from __future__ import annotations

from engine.layers.fs import Entry


def writable_rw(container) -> dict[str, Entry]:
    """The container's R/W entries, to write to: its own dict, copied first if anything shares it."""
    if container.__dict__.get("_rw_own") is not container.rw:
        container.rw = container._rw_own = dict(container.rw)
    return container.rw


def share_rw(*containers) -> None:
    """The containers' dicts are held elsewhere too (a fork and its original): the next write copies."""
    for container in containers:
        container._rw_own = None


def rw_snapshot(container) -> dict[str, Entry]:
    """The R/W entries as they are now, to keep and compare by identity: no later write changes
    this dict (the next one copies it), and while nothing is written the same dict comes back."""
    share_rw(container)
    return container.rw


def restore_rw(container, entries: dict[str, Entry]) -> None:
    """Put back the entries a command refused as a whole started from (a sandbox limit: its earlier
    writes are undone), in the dict its writes went to, never in one a fork or snapshot holds."""
    rw = writable_rw(container)
    rw.clear()
    rw.update(entries)
