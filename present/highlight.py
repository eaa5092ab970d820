"""What the last command changed, read from its events, so the stage can highlight it.

Events are the engine's typed ones (engine/events.py): images and tags added or removed, layers
added, reused or removed, containers added or removed, state changes, signals, processes, and the
union filesystem's copy_up, whiteout, file_added, file_changed, opaque_dir (each with the
container it happened in).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from engine import events as ev

FILE_EVENTS = {"copy_up": "C", "whiteout": "D", "file_added": "A", "file_changed": "C", "opaque_dir": "C"}


@dataclass
class Changes:
    images_added: set[str] = field(default_factory=set)
    images_removed: list[ev.ImageRemoved] = field(default_factory=list)
    tags_added: set[tuple[str, str]] = field(default_factory=set)      # (image id, tag)
    tags_removed: list[tuple[str, str]] = field(default_factory=list)
    layers_added: set[tuple[str, str]] = field(default_factory=set)     # (image id or '', diff id)
    layers_reused: set[str] = field(default_factory=set)
    layers_removed: list[str] = field(default_factory=list)             # chain or diff ids
    containers_added: set[str] = field(default_factory=set)
    containers_removed: list[ev.ContainerRemoved] = field(default_factory=list)
    states: dict[str, list[ev.ContainerStateChanged]] = field(default_factory=dict)         # container -> its state events
    files: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # container -> [(event, path)]
    processes_added: dict[str, set[int]] = field(default_factory=dict)
    processes_removed: dict[str, list[ev.ProcessRemoved]] = field(default_factory=dict)
    sent: dict[str, list[str]] = field(default_factory=dict)           # container -> signals delivered

    @property
    def anything(self) -> bool:
        return any((self.images_added, self.images_removed, self.tags_added, self.tags_removed,
                    self.layers_added, self.layers_reused, self.layers_removed, self.containers_added,
                    self.containers_removed, self.states, self.files, self.processes_added,
                    self.processes_removed, self.sent))

    def layer_highlight(self, image_id: str, diff_id: str) -> str:
        """'added' / 'reused' for a layer of this image, if the last command brought it. A reused
        layer ("Already exists") is marked in the image being pulled, not in its older users."""
        if (image_id, diff_id) in self.layers_added or ("", diff_id) in self.layers_added:
            return "added"
        if diff_id in self.layers_reused and (image_id in self.images_added or not self.images_added):
            return "reused"
        return ""

    def signals(self, container_id: str) -> list[str]:
        """Signals the last command sent to a container, in order (stop: SIGTERM then SIGKILL)."""
        out: list[str] = list(self.sent.get(container_id, []))
        for event in self.states.get(container_id, []):
            if event.signal and event.signal not in out:
                out.append(event.signal)
        return out

    def touched_paths(self, container_id: str) -> set[str]:
        return {path for _, path in self.files.get(container_id, [])}


def read_events(events: list[ev.Event] | None) -> Changes:
    changes = Changes()
    for event in events or []:
        cid = event.container_id
        if isinstance(event, ev.ImageAdded):
            changes.images_added.add(event.image)
        elif isinstance(event, ev.ImageRemoved):
            changes.images_removed.append(event)
        elif isinstance(event, ev.Tagged):
            changes.tags_added.add((event.image, event.tag))
        elif isinstance(event, ev.Untagged):
            changes.tags_removed.append((event.image, event.tag))
        elif isinstance(event, ev.LayerAdded):
            changes.layers_added.add((event.image or "", event.layer))
        elif isinstance(event, ev.LayerReused):
            changes.layers_reused.add(event.layer)
        elif isinstance(event, ev.LayerRemoved):
            changes.layers_removed.append(event.layer)
        elif isinstance(event, ev.ContainerAdded):
            changes.containers_added.add(cid)
        elif isinstance(event, ev.ContainerRemoved):
            changes.containers_removed.append(event)
        elif isinstance(event, ev.ContainerStateChanged):
            changes.states.setdefault(cid, []).append(event)
        elif isinstance(event, ev.SignalSent):   # a signal delivered (kill); recorded with the state changes
            changes.sent.setdefault(cid, []).append(event.signal)
        elif isinstance(event, ev.FileEvent) and event.kind in FILE_EVENTS and cid:
            changes.files.setdefault(cid, []).append((event.kind, event.path))
        elif isinstance(event, ev.ProcessAdded):
            changes.processes_added.setdefault(cid, set()).add(event.pid)
        elif isinstance(event, ev.ProcessRemoved):
            changes.processes_removed.setdefault(cid, []).append(event)
    return changes
