"""The stage's objects as the article draws them: images as stacks of read-only layers, containers
as their image's layers plus a read-write layer, with the facts each drawing needs (no geometry;
present/layout.py places them).
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field, replace
from functools import lru_cache

from engine.layers.fs import chain_ids

from .actions import Action, container_actions, image_actions, image_ref
from .highlight import Changes
from .i18n import _, ngettext
from .text import instruction, short_digest, size_text

MAX_LAYERS = 6        # an image stack taller than this shows its base, "… N more", and its top
MAX_RW_LINES = 3      # changed paths listed inside a container's read-write layer
MAX_PROCESSES = 3     # process rows inside a process isolation space
PALETTE = 6           # read-only layer tints (static/stage.css .tint-0 … .tint-5)


@dataclass
class Box:
    """Something drawn at a place: the layout fills x, y, w, h (SVG units)."""

    x: float = 0
    y: float = 0
    w: float = 0
    h: float = 0


@dataclass
class LayerBox(Box):
    kind: str = "layer"          # layer | empty (metadata-only history entries) | more (collapsed)
    diff_id: str = ""
    chain_id: str = ""
    short_id: str = ""
    instruction: str = ""        # full text; the layout cuts it to fit
    label: str = ""              # what is drawn
    size: int = 0
    size_text: str = ""
    tint: int = 0
    shared_with: list[str] = field(default_factory=list)   # other images using this very layer
    used_by: list[str] = field(default_factory=list)       # containers standing on it
    highlight: str = ""          # added | reused
    empties: list[str] = field(default_factory=list)       # kind=empty: the instructions
    hidden: int = 0              # kind=more: how many layers are folded

    @property
    def shared_count(self) -> int:
        return 1 + len(self.shared_with)

    @property
    def title(self) -> str:
        if self.kind == "empty":
            return _("metadata-only history (no layer): %(steps)s", steps="; ".join(self.empties))
        if self.kind == "more":
            return ngettext("%(num)s more read-only layer (open the explorer to see them all)",
                            "%(num)s more read-only layers (open the explorer to see them all)", self.hidden)
        text = _("layer %(id)s · %(size)s · %(instruction)s", id=self.short_id, size=self.size_text,
                 instruction=self.instruction)
        if self.shared_with:
            text += _(" — the same layer is shared with %(users)s", users=", ".join(self.shared_with))
        return text


@dataclass
class ImageCard(Box):
    id: str = ""
    short_id: str = ""
    tags: list[str] = field(default_factory=list)
    ref: str = ""
    size_text: str = ""
    layers: list[LayerBox] = field(default_factory=list)      # drawn boxes, bottom (base) first
    all_layers: list[LayerBox] = field(default_factory=list)  # every real layer, for the text list
    intermediate: bool = False   # untagged parent of another image (shown by `image ls -a`)
    dangling: bool = False       # untagged, no child
    containers: list[str] = field(default_factory=list)
    highlight: str = ""          # added
    new_tags: list[str] = field(default_factory=list)
    removed_tags: list[str] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    kind: str = "image"
    selected: bool = False
    changed: bool = False        # the object the last command was about (the page brings it into view)
    baseline: float = 0
    pills: list = field(default_factory=list)
    name_text: str = ""          # the name as drawn (cut to fit)

    @property
    def dom_id(self) -> str:
        return f"obj-image-{self.short_id}"

    @property
    def name(self) -> str:
        return self.tags[0] if self.tags else "<none>"

    @property
    def primary_actions(self) -> list[Action]:
        return [a for a in self.actions if a.primary]


@dataclass
class Slice(Box):
    """One read-only layer under a container. The page draws the container standing on its image's
    stack (the same layers, not a copy); these are counted in its facts in words."""

    diff_id: str = ""
    tint: int = 0
    title: str = ""


@dataclass
class RwLine:
    marker: str      # A | C | D (docker diff)
    path: str
    label: str = ""
    fresh: bool = False   # touched by the last command
    y: float = 0


@dataclass
class ProcessRow:
    pid: int
    label: str       # "PID 1" or "exec"
    command: str
    text: str = ""
    fresh: bool = False
    y: float = 0


@dataclass
class ContainerCard(Box):
    id: str = ""
    short_id: str = ""
    name: str = ""
    state: str = ""
    exit_code: int = 0
    last_signal: str = ""
    signals: list[str] = field(default_factory=list)   # sent by the last command
    status_text: str = ""
    image_id: str = ""
    image_ref: str = ""
    image_present: bool = True
    slices: list[Slice] = field(default_factory=list)
    rw_box: Box = field(default_factory=Box)
    rw_changes: list[RwLine] = field(default_factory=list)
    rw_shown: list[RwLine] = field(default_factory=list)
    rw_size_text: str = ""
    rw_label: str = ""            # "15 changes" as drawn, and the last command's share of them:
    rw_fresh_text: str = ""       # " · +1 new" (present/layout.py)
    rw_flash: bool = False
    space_box: Box | None = None   # the process isolation space (running, paused, restarting)
    processes: list[ProcessRow] = field(default_factory=list)
    processes_shown: list[ProcessRow] = field(default_factory=list)
    processes_ended: list[str] = field(default_factory=list)
    highlight: str = ""           # added
    state_changed: bool = False
    actions: list[Action] = field(default_factory=list)
    kind: str = "container"
    selected: bool = False
    changed: bool = False
    baseline: float = 0
    pills: list = field(default_factory=list)
    name_text: str = ""

    @property
    def dom_id(self) -> str:
        return f"obj-container-{self.short_id}"

    @property
    def primary_actions(self) -> list[Action]:
        return [a for a in self.actions if a.primary][:3]

    @property
    def has_space(self) -> bool:
        return self.state in ("running", "paused", "restarting")


@dataclass
class Ghost(Box):
    """A removed object, drawn once (fading) so the learner sees what `rm`/`rmi` took away."""

    kind: str = "ghost"
    what: str = ""        # image | container | tag
    label: str = ""
    detail: str = ""
    baseline: float = 0
    key: str = ""         # what was removed (an id, or image id + tag)
    changed: bool = False

    @property
    def dom_id(self) -> str:
        return f"obj-ghost-{self.what}-{self.key}"


# ---------------------------------------------------------------- images
def _history_steps(image) -> list[tuple[str, dict]]:
    """('layer', entry) / ('empty', entry) in build order; layers without history get blank entries."""
    steps, layers_seen = [], 0
    for entry in image.history:
        if entry.get("empty_layer"):
            steps.append(("empty", entry))
        elif layers_seen < len(image.diff_ids):
            steps.append(("layer", entry))
            layers_seen += 1
    steps += [("layer", {})] * (len(image.diff_ids) - layers_seen)
    return steps


def _tint(chain_id: str) -> int:
    return int(chain_id[-6:], 16) % PALETTE if chain_id else 0


def _image_name(image) -> str:
    return image.repo_tags[0] if image.repo_tags else f"<none> ({image.short_id})"


def layer_users(daemon) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """chain id -> image names, chain id -> container names. Sharing is by ChainID: a layer is the
    same stored layer only with the same layers under it (overlay2 keys its store by ChainID)."""
    images: dict[str, list[str]] = {}
    containers: dict[str, list[str]] = {}
    for image in daemon.images.values():
        for chain in image.chain_ids:
            images.setdefault(chain, []).append(_image_name(image))
    for c in daemon.containers.values():
        for chain in chain_ids(c.diff_ids):
            containers.setdefault(chain, []).append(c.name)
    return images, containers


def image_card(daemon, image, users, changes: Changes) -> ImageCard:
    image_users, container_users = users
    name = _image_name(image)
    layers: list[LayerBox] = []
    chains = image.chain_ids
    index = 0
    for kind, entry in _history_steps(image):
        if kind == "empty":
            text = instruction(entry.get("created_by", ""))
            if layers and layers[-1].kind == "empty":
                layers[-1].empties.append(text)
            else:
                layers.append(LayerBox(kind="empty", empties=[text]))
            continue
        diff_id, chain = image.diff_ids[index], chains[index]
        index += 1
        layer = daemon.layer(diff_id)
        highlight = changes.layer_highlight(image.id, diff_id)
        layers.append(LayerBox(
            kind="layer", diff_id=diff_id, chain_id=chain, short_id=short_digest(diff_id),
            instruction=instruction(entry.get("created_by", "")) or _("(no history)"),
            size=layer.size, size_text=size_text(layer.size), tint=_tint(chain),
            shared_with=[n for n in image_users.get(chain, []) if n != name],
            used_by=container_users.get(chain, []), highlight=highlight))
    real = [l for l in layers if l.kind == "layer"]
    children = [i for i in daemon.images.values() if i.parent == image.id]
    return ImageCard(
        id=image.id, short_id=image.short_id, tags=list(image.repo_tags),
        ref=image_ref(image.repo_tags, image.short_id), size_text=size_text(daemon.image_size(image)),
        layers=collapse(layers), all_layers=real,
        intermediate=not image.repo_tags and bool(children),
        dangling=not image.repo_tags and not children,
        containers=[c.name for c in daemon.containers.values() if c.image_id == image.id],
        highlight="added" if image.id in changes.images_added else "",
        new_tags=[t for i, t in changes.tags_added if i == image.id],
        removed_tags=[t for i, t in changes.tags_removed if i == image.id],
        actions=image_actions(list(image.repo_tags), image.short_id))


def collapse(boxes: list[LayerBox]) -> list[LayerBox]:
    """Keep the base layer, the largest layer and the top layers (MAX_LAYERS boxes in all); fold each run
    of the others (and their metadata-only marks) into one "… N more" box, highlighted if a folded
    layer is news. The largest layer stays drawn: it is where an image's size comes from (nginx's
    package layer sat folded between its base and its small COPY layers)."""
    real = [i for i, b in enumerate(boxes) if b.kind == "layer"]
    if len(real) <= MAX_LAYERS:
        return boxes
    largest = max(real[1:], key=lambda i: boxes[i].size)
    kept = {real[0], largest}
    for i in reversed(real):
        if len(kept) == MAX_LAYERS - 1:   # and one "… N more" box: MAX_LAYERS boxes
            break
        kept.add(i)
    out: list[LayerBox] = []
    folded: list[LayerBox] = []
    first_kept = min(kept)
    for i, box in enumerate(boxes):
        foldable = i > first_kept and i not in kept and (box.kind == "layer" or _before_fold(boxes, i, kept))
        if foldable:
            if box.kind == "layer":
                folded.append(box)
            continue
        if folded:
            out.append(_more(folded))
            folded = []
        out.append(box)
    if folded:
        out.append(_more(folded))
    return out


def _before_fold(boxes: list[LayerBox], i: int, kept: set[int]) -> bool:
    """A metadata-only mark goes into a fold when the next real layer after it is folded too."""
    for j in range(i + 1, len(boxes)):
        if boxes[j].kind == "layer":
            return j not in kept
    return False


def _more(folded: list[LayerBox]) -> LayerBox:
    news = {b.highlight for b in folded} - {""}
    return LayerBox(kind="more", hidden=len(folded), highlight="added" if "added" in news else "".join(news))


# ---------------------------------------------------------------- containers
def status_text(c, signals: str = "") -> str:
    """Like the STATUS column, with the signal that ended it (the stage's extra fact)."""
    if c.state == "exited":
        signal = f" · {signals or c.last_signal}" if signals or c.last_signal else ""
        return f"Exited ({c.exit_code}){signal}"
    return {"created": "Created", "running": "Up", "paused": "Up (Paused)",
            "restarting": "Restarting", "dead": "Dead"}.get(c.state, c.state)


def container_card(daemon, container, changes: Changes) -> ContainerCard:
    image = daemon.images.get(container.image_id)
    changed = daemon.rw_changes(container)
    touched = changes.touched_paths(container.id)
    chains = chain_ids(container.diff_ids)
    slices = [Slice(diff_id=d, tint=_tint(ch), title=_("read-only layer %(id)s", id=short_digest(d)))
              for d, ch in zip(container.diff_ids, chains)]
    rw, shown = _rw_lines(changed, touched)
    added_pids = changes.processes_added.get(container.id, set())
    rows = []
    for proc in container.processes:
        main = proc.pid == container.pid and not proc.exec_id
        rows.append(ProcessRow(pid=proc.pid, label="PID 1" if main else "exec", command=proc.command,
                               fresh=proc.pid in added_pids))
    ended = [e.command for e in changes.processes_removed.get(container.id, [])]
    card = ContainerCard(
        id=container.id, short_id=container.short_id, name=container.name, state=container.status,
        exit_code=container.exit_code, last_signal=container.last_signal,
        signals=changes.signals(container.id),
        image_id=container.image_id,
        image_ref=container.image_ref, image_present=image is not None,
        slices=slices, rw_changes=rw, rw_size_text=size_text(daemon.rw_size(container)),
        rw_flash=bool(touched), processes=rows, processes_ended=ended,
        highlight="added" if container.id in changes.containers_added else "",
        state_changed=container.id in changes.states,
        actions=container_actions(container.name, container.status))
    card.status_text = status_text(card)
    card.rw_shown = shown
    card.processes_shown = rows[:MAX_PROCESSES]
    return card


def _rw_lines(changed: list[tuple[str, str]], touched) -> tuple[list[RwLine], list[RwLine]]:
    """(every line of `docker diff`, copies of the few drawn) for a container's read-write layer."""
    lines, shown = _rw_lines_kept(tuple(changed), frozenset(touched))
    return list(lines), [replace(line) for line in shown]


# A container's change list is redrawn after every command, and seldom changes: its lines and the few
# drawn are worked out once per (changes, paths the last command touched) in this process. The lines
# kept are shared, so never laid out: the layout writes only into the drawn copies (rw_shown).
@lru_cache(maxsize=512)
def _rw_lines_kept(changed: tuple[tuple[str, str], ...], touched: frozenset) -> tuple[tuple[RwLine, ...], list[RwLine]]:
    lines = tuple(RwLine(marker=k, path=p, fresh=p in touched) for k, p in changed)
    return lines, _rw_shown(list(lines))


def _rw_shown(lines: list[RwLine]) -> list[RwLine]:
    """What fits in the drawn R/W layer: the last command's changes first, then the rest; within
    each, changed files before the parent directories that `docker diff` lists as changed too."""
    # A path is a parent when a listed path starts with it + "/": one sort, then a binary search
    # for the few lines looked at (a container can hold thousands of changes; 3 are drawn).
    paths = sorted(l.path.rstrip("/") for l in lines)

    def is_parent(line: RwLine) -> bool:
        prefix = line.path.rstrip("/") + "/"
        at = bisect_left(paths, prefix)
        return at < len(paths) and paths[at].startswith(prefix)

    shown: list[RwLine] = []
    for group in ([l for l in lines if l.fresh], [l for l in lines if not l.fresh]):
        parents = []
        for line in group:   # diff order within a group, files first
            if len(shown) == MAX_RW_LINES:
                return shown
            if is_parent(line):
                parents.append(line)
            else:
                shown.append(line)
        shown += parents[:MAX_RW_LINES - len(shown)]
    return shown[:MAX_RW_LINES]


# ---------------------------------------------------------------- removed things
def ghosts(daemon, changes: Changes) -> list[Ghost]:
    out = []
    for event in changes.containers_removed:
        name = event.name or short_digest(event.container)
        out.append(Ghost(what="container", label=name, key=short_digest(event.container),
                         detail=_("removed: its read-write layer is deleted")))
    for event in changes.images_removed:
        image_id = event.image
        tags = [t for i, t in changes.tags_removed if i == image_id]
        layers = len(changes.layers_removed)
        detail = ngettext("deleted · %(num)s layer freed", "deleted · %(num)s layers freed", layers) \
            if layers else _("deleted")
        out.append(Ghost(what="image", label=tags[0] if tags else short_digest(image_id), detail=detail,
                         key=short_digest(image_id)))
    for image_id, tag in changes.tags_removed:
        if image_id in daemon.images:
            out.append(Ghost(what="tag", label=tag, detail=_("untagged: the image stays (still in use)"),
                             key=f"{short_digest(image_id)}-{len(out)}"))
    return out
