"""What a command did, as typed events: one frozen dataclass per kind.

`Result.events` holds these. Each class's `kind` is the wire name ("state", "image_added", …);
`to_json()` gives the dict the web layer stores and the JSON API returns, key for key as before
the classes existed, and `event_from_json` reads one back. A kind this module does not know (an
old stored record) loads as `UnknownEvent`, which keeps its dict, so nothing stored is lost.

Optional fields default to None and are left out of the JSON when unset. Two fields are named
differently from their JSON key, because `from` is a Python keyword: `from_state`/`to_state`
("from"/"to") of a state change and `old_name`/`new_name` of a rename.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import ClassVar

_KEY = "key"  # field metadata: the JSON key when it differs from the field name


def _renamed(key: str):
    return field(metadata={_KEY: key})


@dataclass(frozen=True)
class Event:
    kind: ClassVar[str] = ""

    def to_json(self) -> dict:
        out: dict = {"type": self.kind}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            if isinstance(value, tuple):
                value = [v.to_json() if isinstance(v, BuildStep) else dict(v) if isinstance(v, dict) else v
                         for v in value]
            out[f.metadata.get(_KEY, f.name)] = value
        return out

    @property
    def container_id(self) -> str:
        """The container the event is about, '' for image, layer and host events."""
        return getattr(self, "container", None) or ""


@dataclass(frozen=True)
class UnknownEvent(Event):
    """A stored event of a kind this version does not define: kept as it was."""
    data: dict = field(default_factory=dict)

    @property
    def kind(self) -> str:  # type: ignore[override]
        return str(self.data.get("type", ""))

    def to_json(self) -> dict:
        return dict(self.data)


# ---- containers -------------------------------------------------------------------------
@dataclass(frozen=True)
class ContainerAdded(Event):
    kind: ClassVar[str] = "container_added"
    container: str
    image: str


@dataclass(frozen=True)
class ContainerRemoved(Event):
    kind: ClassVar[str] = "container_removed"
    container: str
    name: str


@dataclass(frozen=True)
class ContainerStateChanged(Event):
    kind: ClassVar[str] = "state"
    container: str
    from_state: str = _renamed("from")
    to_state: str = _renamed("to")
    exit_code: int | None = None
    signal: str | None = None   # the signal that ended it, when one did
    reason: str | None = None   # "process ended": its program finished as time passed


@dataclass(frozen=True)
class ContainerRenamed(Event):
    kind: ClassVar[str] = "renamed"
    container: str
    old_name: str = _renamed("from")
    new_name: str = _renamed("to")


@dataclass(frozen=True)
class ContainerUpdated(Event):
    kind: ClassVar[str] = "container_updated"
    container: str


@dataclass(frozen=True)
class SignalSent(Event):
    kind: ClassVar[str] = "signal"
    container: str
    signal: str
    after_seconds: float | None = None   # stop's SIGKILL after the grace period


@dataclass(frozen=True)
class ProcessAdded(Event):
    kind: ClassVar[str] = "process_added"
    container: str
    pid: int
    command: str
    exec_id: str | None = None


@dataclass(frozen=True)
class ProcessRemoved(Event):
    kind: ClassVar[str] = "process_removed"
    container: str
    pid: int
    command: str


@dataclass(frozen=True)
class SessionOpened(Event):
    kind: ClassVar[str] = "session_opened"
    container: str
    exec_id: str | None = None


@dataclass(frozen=True)
class SessionDetached(Event):
    kind: ClassVar[str] = "session_detached"
    container: str


@dataclass(frozen=True)
class SessionEnded(Event):
    kind: ClassVar[str] = "session_ended"
    container: str
    exit_code: int


# ---- a container's union filesystem (container is set once the daemon knows whose fs it is) ----
@dataclass(frozen=True)
class FileEvent(Event):
    path: str
    container: str | None = None


@dataclass(frozen=True)
class FileAdded(FileEvent):
    kind: ClassVar[str] = "file_added"


@dataclass(frozen=True)
class FileChanged(FileEvent):
    kind: ClassVar[str] = "file_changed"


@dataclass(frozen=True)
class CopiedUp(FileEvent):
    kind: ClassVar[str] = "copy_up"


@dataclass(frozen=True)
class DirAdded(FileEvent):
    kind: ClassVar[str] = "dir_added"


@dataclass(frozen=True)
class OpaqueDir(FileEvent):
    kind: ClassVar[str] = "opaque_dir"


@dataclass(frozen=True)
class WhiteoutAdded(FileEvent):
    kind: ClassVar[str] = "whiteout"


@dataclass(frozen=True)
class RemovedFromUpper(FileEvent):
    kind: ClassVar[str] = "removed_from_upper"


# ---- images and layers ------------------------------------------------------------------
@dataclass(frozen=True)
class ImageAdded(Event):
    kind: ClassVar[str] = "image_added"
    image: str
    container: str | None = None   # the container a commit made it from


@dataclass(frozen=True)
class ImageRemoved(Event):
    kind: ClassVar[str] = "image_removed"
    image: str


@dataclass(frozen=True)
class Tagged(Event):
    kind: ClassVar[str] = "tagged"
    image: str
    tag: str
    container: str | None = None   # the container a commit made it from


@dataclass(frozen=True)
class Untagged(Event):
    kind: ClassVar[str] = "untagged"
    image: str
    tag: str
    container: str | None = None   # the container a commit made it from


@dataclass(frozen=True)
class LayerAdded(Event):
    kind: ClassVar[str] = "layer_added"
    layer: str
    image: str | None = None   # the image it came with (pull, load, commit)
    container: str | None = None   # the container a commit made it from


@dataclass(frozen=True)
class LayerReused(Event):
    kind: ClassVar[str] = "layer_reused"
    layer: str


@dataclass(frozen=True)
class LayerRemoved(Event):
    kind: ClassVar[str] = "layer_removed"
    layer: str


@dataclass(frozen=True)
class BuildStep:
    """One step of a finished build (FROM lines are not steps: they are the gaps in the numbering).
    present/build.py draws them; the stored form is the dict `to_json` gives, key for key."""
    number: int  # as `Step N/M` counts it
    total: int
    instruction: str  # the Dockerfile line as written
    cached: bool
    container: str = ""  # the step's container, 12 hex ('' when cached or none ran)
    changes: tuple[str, ...] = ()  # its read-write layer as `docker diff` lines: "A /app/x"
    layer: str = ""  # the DiffID it committed ('' = a history row, no layer)
    image: str = ""  # legacy builder: the intermediate image after this step

    def to_json(self) -> dict:
        return {"number": self.number, "total": self.total, "instruction": self.instruction,
                "cached": self.cached, "container": self.container, "changes": list(self.changes),
                "layer": self.layer, "image": self.image}

    @classmethod
    def from_json(cls, data: dict) -> BuildStep:
        """A stored step; keys an older record lacks take their defaults (ValueError on bad numbers)."""
        return cls(number=int(data.get("number", 0)), total=int(data.get("total", 0)),
                   instruction=str(data.get("instruction", "")), cached=bool(data.get("cached")),
                   container=str(data.get("container") or ""),
                   changes=tuple(str(c) for c in data.get("changes") or ()),
                   layer=str(data.get("layer") or ""), image=str(data.get("image") or ""))


@dataclass(frozen=True)
class BuildFinished(Event):
    """A build's steps in order (BuildStep), the image it made, and which builder ran."""
    kind: ClassVar[str] = "build"
    steps: tuple[BuildStep, ...] = ()
    image: str = ""
    legacy: bool = False


@dataclass(frozen=True)
class BuildCachePruned(Event):
    kind: ClassVar[str] = "build_cache_pruned"
    entries: int


# ---- the host and the terminal ----------------------------------------------------------
@dataclass(frozen=True)
class HostFileWritten(Event):
    kind: ClassVar[str] = "host_file"
    path: str


@dataclass(frozen=True)
class HostFileRemoved(Event):
    kind: ClassVar[str] = "host_file_removed"
    path: str


@dataclass(frozen=True)
class Cleared(Event):
    kind: ClassVar[str] = "clear"


def _all_kinds(cls) -> list[type[Event]]:
    out = []
    for sub in cls.__subclasses__():
        out += ([sub] if sub.__dict__.get("kind") and sub is not UnknownEvent else []) + _all_kinds(sub)
    return out


BY_KIND: dict[str, type[Event]] = {cls.kind: cls for cls in _all_kinds(Event)}
FILE_KINDS = frozenset(cls.kind for cls in _all_kinds(FileEvent))


def make(kind: str, **data) -> Event:
    """The event of this kind from its JSON-named fields (the union filesystem names its kinds).
    An unknown kind or field is a bug in the engine: KeyError or TypeError, not a silent dict."""
    return _build(BY_KIND[kind], data)


def _build(cls: type[Event], data: dict) -> Event:
    names = {f.metadata.get(_KEY, f.name): f.name for f in fields(cls)}
    values = {names.get(k, k): v for k, v in data.items() if k != "type"}
    if isinstance(values.get("steps"), (list, tuple)):  # stored dicts (a step that is not one is skipped)
        values["steps"] = tuple(s if isinstance(s, BuildStep) else BuildStep.from_json(s)
                                for s in values["steps"] if isinstance(s, (dict, BuildStep)))
    return cls(**values)


def event_from_json(data: dict) -> Event:
    """One stored event back as its class; an unknown kind or shape stays a dict in UnknownEvent."""
    cls = BY_KIND.get(data.get("type", "")) if isinstance(data, dict) else None
    if cls is None:
        return UnknownEvent(dict(data) if isinstance(data, dict) else {})
    try:
        return _build(cls, data)
    except (TypeError, ValueError):  # a field this version does not know, a required one missing, a bad value
        return UnknownEvent(dict(data))


def events_from_json(items) -> list[Event]:
    return [e if isinstance(e, Event) else event_from_json(e) for e in items or []]


def events_to_json(events) -> list[dict]:
    return [e.to_json() if isinstance(e, Event) else dict(e) for e in events or []]
