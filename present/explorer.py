"""The union-filesystem explorer: an image's or a container's layers, one layer's own changes
(as its tar holds them: `.wh.` whiteouts, copy-ups), the merged view up to a layer with each
path's source layer, `docker diff`, and wasted space (bytes a later layer hid).
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass, field

from engine.layers.diff import diff
from engine.layers.fs import DIR, FILE, OPAQUE_MARKER, SYMLINK, WHITEOUT, WHITEOUT_PREFIX, Layer
from engine.layers.unionfs import UnionFS

from .i18n import _
from .text import instruction, short_digest, size_text

RW = "rw"
MARKERS = {"A": "+", "M": "~", "D": "−", "C": "~"}


def marker_word(marker: str) -> str:
    return {"A": _("added"), "M": _("modified"), "D": _("deleted"), "C": _("changed")}[marker]


@dataclass
class LayerRow:
    key: str            # diff id, or "rw"
    index: int
    short_id: str
    instruction: str
    size_text: str
    selected: bool = False


@dataclass
class ChangeRow:
    marker: str         # A | M | D
    path: str           # the path in the merged tree
    tar_name: str       # the name inside the layer tar ('etc/.wh.motd', 'var/cache/')
    kind: str           # file | dir | symlink | whiteout | opaque
    size_text: str = ""
    note: str = ""      # "copied up", "whiteout", "opaque directory"

    @property
    def symbol(self) -> str:
        return MARKERS[self.marker]

    @property
    def word(self) -> str:
        return marker_word(self.marker)


@dataclass
class TreeRow:
    path: str
    name: str
    depth: int
    kind: str
    size_text: str
    source: str         # the short id of the layer it comes from, or "R/W"
    source_key: str
    in_selected: bool   # comes from the selected layer itself


@dataclass
class Explorer:
    target_id: str
    target_kind: str    # image | container
    title: str
    layers: list[LayerRow]
    selected: str
    view: str           # layer | merged
    changes: list[ChangeRow] = field(default_factory=list)
    tree: list[TreeRow] = field(default_factory=list)
    docker_diff: list[tuple[str, str]] = field(default_factory=list)
    total_size: str = ""
    wasted: int = 0
    wasted_text: str = ""
    wasted_paths: list[tuple[str, str, str]] = field(default_factory=list)  # (path, size, layer)

    @property
    def selected_row(self) -> LayerRow | None:
        return next((row for row in self.layers if row.selected), None)


def _resolve(daemon, target: str):
    """('image', Image) or ('container', Container) or (None, None); never raises."""
    for c in daemon.containers.values():
        if target in (c.id, c.name):
            return "container", c
    image = daemon.images.get(target)
    if image is None:
        try:
            image = daemon.image_or_none(target)
        except Exception:
            image = None
    return ("image", image) if image is not None else (None, None)


def _layer_rows(daemon, diff_ids: list[str], history: list[dict]) -> list[LayerRow]:
    steps = [h for h in history if not h.get("empty_layer")]
    rows = []
    for index, diff_id in enumerate(diff_ids):
        created_by = steps[index].get("created_by", "") if index < len(steps) else ""
        rows.append(LayerRow(diff_id, index, short_digest(diff_id), instruction(created_by) or _("(no history)"),
                             size_text(daemon.layer(diff_id).size)))
    return rows


def explore(daemon, target: str, layer: str = "", view: str = "layer") -> Explorer | None:
    kind, obj = _resolve(daemon, target)
    if obj is None:
        return None
    view = view if view in ("layer", "merged") else "layer"
    if kind == "image":
        rows = _layer_rows(daemon, obj.diff_ids, obj.history)
        title, diff_ids, upper = (obj.repo_tags[0] if obj.repo_tags else obj.short_id), obj.diff_ids, None
    else:
        image = daemon.images.get(obj.image_id)
        rows = _layer_rows(daemon, obj.diff_ids, image.history if image else [])
        rows.append(LayerRow(RW, len(rows), "R/W", _("the container's read-write layer"),
                             size_text(daemon.rw_size(obj))))
        title, diff_ids, upper = obj.name, obj.diff_ids, obj.rw
    keys = [r.key for r in rows]
    selected = layer if layer in keys else (keys[-1] if keys else "")
    for row in rows:
        row.selected = row.key == selected
    ex = Explorer(obj.id, kind, title, rows, selected, view)
    layers = daemon.layers_of(diff_ids)
    upto = keys.index(selected) if selected in keys else len(keys) - 1
    below = daemon.merged(diff_ids[:min(upto, len(diff_ids))])
    if selected == RW:
        ex.changes = layer_changes(upper or {}, below, rw=True)
    elif selected:
        ex.changes = layer_changes(daemon.layer(selected).changes, below)
    ex.tree = merged_tree(layers[:upto + 1] if selected != RW else layers, upper if selected == RW else None,
                          rows, selected)
    if kind == "container":
        ex.docker_diff = diff(daemon.merged(diff_ids), obj.rw)
    total = sum(l.size for l in layers) + (daemon.rw_size(obj) if kind == "container" else 0)
    ex.total_size = size_text(total)
    ex.wasted, ex.wasted_paths = wasted_space(layers, upper, rows)
    ex.wasted_text = size_text(ex.wasted)
    return ex


def tar_name(path: str, entry) -> str:
    rel = path.lstrip("/")
    if entry.kind == WHITEOUT:
        head, tail = posixpath.split(rel)
        return posixpath.join(head, WHITEOUT_PREFIX + tail)
    return rel + "/" if entry.kind == DIR else rel


def layer_changes(changes: dict, below: dict, rw: bool = False) -> list[ChangeRow]:
    """One layer's own entries against the merged view below it, as its tar lists them."""
    rows = []
    for path in sorted(changes, key=lambda p: p.split("/")):
        entry = changes[path]
        existed = path in below
        if entry.kind == WHITEOUT:
            rows.append(ChangeRow("D", path, tar_name(path, entry), "whiteout", note=_("whiteout")))
            continue
        size = size_text(entry.size) if entry.kind in (FILE, SYMLINK) else ""
        if entry.kind == DIR:
            if entry.opaque:
                rows.append(ChangeRow("M", path, tar_name(path, entry), "dir", note=_("opaque directory")))
                rows.append(ChangeRow("M", path, posixpath.join(path.lstrip("/"), OPAQUE_MARKER), "opaque",
                                      note=_("hides everything below it in lower layers")))
                continue
            if existed:
                continue   # a parent directory carried along, not a change of its own
            rows.append(ChangeRow("A", path, tar_name(path, entry), "dir"))
            continue
        note = _("copied up, then changed") if rw and existed else ""
        rows.append(ChangeRow("M" if existed else "A", path, tar_name(path, entry), entry.kind, size, note))
    return rows


def merged_tree(layers: list[Layer], upper: dict | None, rows: list[LayerRow], selected: str) -> list[TreeRow]:
    """The merged view up to the selected layer: every path with the layer it comes from."""
    tree = UnionFS(layers, upper).walk_with_sources()
    out = []
    for path in sorted(tree, key=lambda p: p.split("/")):
        entry, source = tree[path]
        key = RW if source == "rw" else rows[source].key
        label = "R/W" if source == "rw" else rows[source].short_id
        out.append(TreeRow(path, posixpath.basename(path) + ("/" if entry.kind == DIR else ""),
                           path.count("/") - 1, entry.kind,
                           size_text(entry.size) if entry.kind in (FILE, SYMLINK) else "",
                           label, key, key == selected))
    return out


def wasted_space(layers: list[Layer], upper: dict | None, rows: list[LayerRow]) -> tuple[int, list]:
    """Bytes of files that a later layer deleted or overwrote: still stored, never seen (like dive)."""
    final = UnionFS(layers, upper).walk_with_sources()
    wasted, paths = 0, []
    for index, layer in enumerate(layers):
        for path, entry in layer.changes.items():
            if entry.kind not in (FILE, SYMLINK) or not entry.size:
                continue
            visible = final.get(path)
            if visible is None or visible[1] != index:
                wasted += entry.size
                paths.append((entry.size, path, rows[index].short_id))
    paths.sort(key=lambda p: -p[0])
    return wasted, [(p, size_text(s), l) for s, p, l in paths[:5]]
