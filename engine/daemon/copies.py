"""Copies for Daemon.fork (every dict and list copied, everything else, immutable, shared) and for
to_json() (plain JSON values)."""
from __future__ import annotations

# Scalars are told apart inline by their exact type, not by a call: Daemon.fork runs copied() through
# every image's fields and the shell session's, before each command the learner types.
_SCALARS = frozenset((str, int, bool, float, type(None)))


def copied(value):
    """A copy of every dict and list in a value; anything else (str, int, tuple, a frozen Entry…) is
    shared. A subclass of dict or list keeps its class (the slower branch)."""
    if type(value) is dict:
        return {k: v if type(v) in _SCALARS else copied(v) for k, v in value.items()}
    if type(value) is list:
        return [v if type(v) in _SCALARS else copied(v) for v in value]
    if isinstance(value, dict):
        return type(value)((k, copied(v)) for k, v in value.items())
    if isinstance(value, list):
        return type(value)(copied(v) for v in value)
    return value


def forked(obj, apart: tuple[str, ...] = ()):
    """A copy of an object of plain values (a dataclass: Process, Session, Image…), of the same class,
    every attribute copied but those named in `apart` (shared: the caller replaces or keeps them)."""
    twin = object.__new__(type(obj))
    twin.__dict__ = {k: v if type(v) in _SCALARS or k in apart else copied(v) for k, v in obj.__dict__.items()}
    return twin


def plain(value):
    """A copy of a JSON value (dicts, lists, scalars), tuples as lists: what asdict() gives for the
    to_json() of an image or container, ten times faster."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value
