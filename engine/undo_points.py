"""Undo points: forked states a sandbox keeps in memory so that undo replays nothing (engine/sandbox.py).

An undo point is a fork (Daemon.fork, HostDir.fork: an independent copy sharing only what is
immutable) of the state after some number of logged commands. The sandbox forks before each
command and keeps the fork when the command changed something; the replay of an undo forks the
states the next undos go back to. They are a cache of a cache: never stored, never in to_json, and
a missing one only means a replay from the nearest checkpoint.
"""
from __future__ import annotations

from typing import Any, NamedTuple

# The next UNDO_POINTS states an undo's replay passes on its way back are forked (~0.3 ms each for a
# 20-container sandbox), so undoing again in a row restores one instead of replaying once more.
UNDO_POINTS = 4
# At most UNDO_POINTS_KEPT are kept, the most recent positions (undo walks back from the end), within
# UNDO_POINTS_BYTES (estimated), but always the most recent one. A fork shares layers, R/W entries and
# host files with the live state; what it copies is ~145 KiB for the realistic sandbox of
# bench/realistic.py (20 containers, 2,000 files in their R/W layers), ~7 KiB for a lesson's.
UNDO_POINTS_KEPT = 6
UNDO_POINTS_BYTES = 1024 * 1024


def fork_size(containers: int, rw_entries: int, images: int) -> int:
    """What a fork copies, estimated (tracemalloc, bench/realistic.py): each R/W dict slot, each
    container's config, processes and logs, each image's tags."""
    return 48 * rw_entries + 2500 * containers + 500 * images


class UndoPoint(NamedTuple):
    """The forked state after `at` logged commands, with or without the uploads (host files written
    outside commands) made at `at`: a fork before a command holds them, a replay's forks are taken
    before them (as a checkpoint is)."""
    at: int
    daemon: Any   # engine.daemon.model.Daemon (this module imports none of the engine's layers)
    host: Any     # engine.host.HostDir
    uploads_in: bool
    size: int     # fork_size(): bytes it holds on its own, estimated


def kept(points: list[UndoPoint], point: UndoPoint) -> list[UndoPoint]:
    """The points with `point` added (replacing the one at its position), oldest first, bounded."""
    ordered = sorted([p for p in points if p.at != point.at] + [point], key=lambda p: p.at)
    newest, total = [], 0
    for candidate in reversed(ordered[-UNDO_POINTS_KEPT:]):
        total += candidate.size
        if newest and total > UNDO_POINTS_BYTES:
            break
        newest.append(candidate)
    return newest[::-1]


# Lines that only look (their transcript entry is read-only, so no undo ever goes back to the state
# before them): the sandbox does not fork before them. The list is a guess that only saves time: a
# line that changes something after all has no fork, and undoing it replays from a checkpoint.
_LOOKING = frozenset([
    "ps", "images", "inspect", "logs", "history", "diff", "top", "port", "version", "info", "search",
    "container ls", "container list", "container ps", "container inspect", "container logs", "container diff",
    "container top", "container port", "image ls", "image list", "image inspect", "image history",
    "system df", "system info", "buildx ls", "builder ls",
])
_HOST_LOOKING = frozenset(["ls", "cat", "pwd"])
_SHELL_SYNTAX = frozenset(";&|<>$`()\n\\")   # a redirection or a second command may change something


def looks_read_only(line: str) -> bool:
    """True for a plain `docker ps`, `docker image inspect x`, `ls`… (see _LOOKING)."""
    if any(ch in _SHELL_SYNTAX for ch in line):
        return False
    words = line.split()
    if words[:1] == ["docker"]:
        return " ".join(words[1:2]) in _LOOKING or " ".join(words[1:3]) in _LOOKING
    return bool(words) and words[0] in _HOST_LOOKING
