"""What the last command changed, read from its events, so the stage can highlight it.

Event kinds are the engine's (engine/cli/context.py): image_added, image_removed, untagged,
tagged, layer_added, layer_reused, layer_removed, container_added, container_removed, state,
process_added, process_removed, and the union filesystem's copy_up, whiteout, file_added,
file_changed, opaque_dir (each with container=id when it happened in a container).
"""
from __future__ import annotations

from dataclasses import dataclass, field

FILE_EVENTS = {"copy_up": "C", "whiteout": "D", "file_added": "A", "file_changed": "C", "opaque_dir": "C"}


@dataclass
class Changes:
    images_added: set[str] = field(default_factory=set)
    images_removed: list[dict] = field(default_factory=list)
    tags_added: set[tuple[str, str]] = field(default_factory=set)      # (image id, tag)
    tags_removed: list[tuple[str, str]] = field(default_factory=list)
    layers_added: set[tuple[str, str]] = field(default_factory=set)     # (image id or '', diff id)
    layers_reused: set[str] = field(default_factory=set)
    layers_removed: list[str] = field(default_factory=list)             # chain or diff ids
    containers_added: set[str] = field(default_factory=set)
    containers_removed: list[dict] = field(default_factory=list)
    states: dict[str, list[dict]] = field(default_factory=dict)         # container -> its state events
    files: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # container -> [(event, path)]
    processes_added: dict[str, set[int]] = field(default_factory=dict)
    processes_removed: dict[str, list[dict]] = field(default_factory=dict)
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
            for sig in _as_list(event.get("signals")) + _as_list(event.get("signal")):
                if sig and sig not in out:
                    out.append(sig)
        return out

    def touched_paths(self, container_id: str) -> set[str]:
        return {path for _, path in self.files.get(container_id, [])}


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def read_events(events: list[dict] | None) -> Changes:
    changes = Changes()
    for event in events or []:
        kind = event.get("type")
        cid = event.get("container", "")
        if kind == "image_added":
            changes.images_added.add(event.get("image", ""))
        elif kind == "image_removed":
            changes.images_removed.append(event)
        elif kind == "tagged":
            changes.tags_added.add((event.get("image", ""), event.get("tag", "")))
        elif kind == "untagged":
            changes.tags_removed.append((event.get("image", ""), event.get("tag", "")))
        elif kind == "layer_added":
            changes.layers_added.add((event.get("image", ""), event.get("layer", "")))
        elif kind == "layer_reused":
            changes.layers_reused.add(event.get("layer", ""))
        elif kind == "layer_removed":
            changes.layers_removed.append(event.get("layer", ""))
        elif kind == "container_added":
            changes.containers_added.add(cid)
        elif kind == "container_removed":
            changes.containers_removed.append(event)
        elif kind == "state":
            changes.states.setdefault(cid, []).append(event)
        elif kind == "signal":   # a signal delivered (kill); recorded with the state changes
            changes.sent.setdefault(cid, []).append(event.get("signal", ""))
        elif kind in FILE_EVENTS and cid:
            changes.files.setdefault(cid, []).append((kind, event.get("path", "")))
        elif kind == "process_added":
            changes.processes_added.setdefault(cid, set()).add(event.get("pid"))
        elif kind == "process_removed":
            changes.processes_removed.setdefault(cid, []).append(event)
    return changes
