"""The stage's view model: engine state + the last command's events -> cards placed on a canvas."""
from __future__ import annotations

import shlex
import threading
from dataclasses import dataclass, field

from engine.daemon.rw_layer import rw_snapshot
from engine.events import Event

from .cards import (ContainerCard, Ghost, ImageCard, container_card, ghosts, image_card, layer_users,
                    status_text)
from .highlight import Changes, read_events
from .i18n import _, ngettext
from .layout import place


@dataclass
class Column:
    """An image and the containers standing on it (image None: their image was force-removed)."""

    image: ImageCard | None
    containers: list[ContainerCard] = field(default_factory=list)

    @property
    def dom_id(self) -> str:
        return f"col-{self.image.short_id}" if self.image else "col-orphans"


CROWDED = 12   # objects on a stage that draws them without an overview


@dataclass
class StageView:
    images: list[ImageCard]
    containers: list[ContainerCard]
    ghosts: list[Ghost]
    changes: Changes
    columns: list[Column] = field(default_factory=list)
    hidden_intermediates: int = 0
    selected: str = ""
    cards: list = field(default_factory=list)   # in drawing order
    focus: str = ""                             # dom id of the object the last command changed most

    @property
    def crowded(self) -> bool:
        """So many objects that the stage also lists them all on one line (its overview)."""
        return len(self.cards) > CROWDED

    @property
    def empty(self) -> bool:
        return not self.images and not self.containers and not self.ghosts

    @property
    def summary(self) -> str:
        """The diagram's aria-label: the whole picture in one sentence."""
        if self.empty:
            return _("The stage is empty: no images and no containers.")
        images = ngettext("%(num)s image", "%(num)s images", len(self.images))
        containers = ngettext("%(num)s container", "%(num)s containers", len(self.containers))
        running = sum(1 for c in self.containers if c.state == "running")
        count = len({l.chain_id for i in self.images for l in i.all_layers})
        layers = ngettext("%(num)s distinct read-only layer", "%(num)s distinct read-only layers", count)
        if running:
            return _("%(images)s built from %(layers)s; %(containers)s, %(running)s running.",
                     images=images, layers=layers, containers=containers, running=running)
        return _("%(images)s built from %(layers)s; %(containers)s.", images=images, layers=layers,
                 containers=containers)


def shows_all_images(command: str) -> bool:
    """`docker image ls -a` (the article's figure) reveals intermediate images on the stage too."""
    if "image" not in (command or ""):   # the listing names `images` or `image`: no need to split
        return False
    try:
        words = shlex.split(command or "")
    except ValueError:
        return False
    listing = words[:2] == ["docker", "images"] or words[:3] in (["docker", "image", "ls"],
                                                                  ["docker", "image", "list"])
    return listing and any(w in ("-a", "--all") or (w.startswith("-") and not w.startswith("--") and "a" in w)
                           for w in words[2:])


class Kept:
    """One sandbox's object view models from its last drawings, each with the inputs it was built
    from (its fingerprint), so the next drawing rebuilds only the objects that changed.

    Correct whatever happened in between (another process's commands, undo, a restored daemon, the
    clock moving): a kept card is used only when its fingerprint, read from the engine objects now,
    equals the one it was built from, and only for an object the last command's events do not name
    (those carry highlights, and one of them is the focus). Bounded: one entry per object on the
    stage, the rest dropped on every drawing. Whoever holds it holds it per process."""

    def __init__(self) -> None:
        self.cards: dict[str, tuple[tuple, ImageCard | ContainerCard]] = {}
        self.lock = threading.Lock()   # one drawing at a time reads and replaces `cards`
        # the last whole view, with what it was drawn from (stage(): `generation`)
        self.view: StageView | None = None
        self.view_of: tuple | None = None


def _image_fingerprint(image, users, children: set[str], standing: list, lang: str, selected: str) -> tuple:
    """Everything image_card() reads besides the events. An image's config (history, layers) is
    named by its id (content addressing); its tags, the names sharing its layers, its children and
    the containers on it are read now."""
    image_users, container_users = users
    chains = image.chain_ids
    return (lang, image.id == selected, image.id, tuple(image.repo_tags), image.id in children,
            tuple(c.name for c in standing),
            tuple(tuple(image_users.get(ch, ())) for ch in chains),
            tuple(tuple(container_users.get(ch, ())) for ch in chains))


def _container_fingerprint(daemon, c, lang: str, selected: str) -> tuple:
    """Everything container_card() reads besides the events. The R/W entries as a snapshot that no
    later write changes (engine/daemon/rw_layer.py): while the layer is unwritten, the same dict, so
    comparing it costs one identity test however many files it holds."""
    return (lang, c.id == selected, c.id, c.name, c.status, c.exit_code, c.last_signal, c.image_id,
            c.image_ref, c.image_id in daemon.images, tuple(c.diff_ids), c.pid,
            tuple((p.pid, p.exec_id, p.command) for p in c.processes), rw_snapshot(c))


def _names_image(changes: Changes, image) -> bool:
    """Do the events say anything image_card() draws for this image?"""
    return (image.id in changes.images_added or any(i == image.id for i, _t in changes.tags_added)
            or any(i == image.id for i, _t in changes.tags_removed)
            or any(changes.layer_highlight(image.id, d) for d in image.diff_ids))


def _names_container(changes: Changes, cid: str) -> bool:
    """Do the events say anything container_card() (or the signals below) draws for it?"""
    return (cid in changes.containers_added or cid in changes.states or cid in changes.sent
            or cid in changes.files or cid in changes.processes_added or cid in changes.processes_removed)


def stage(daemon, events: list[Event] | None = None, command: str = "", selected: str = "",
          kept: Kept | None = None, lang: str = "", generation: int | None = None) -> StageView:
    """The stage's view model. With `kept` (and the language the labels are in), objects whose
    inputs did not change since it last drew them are not rebuilt: their view model is reused.
    With the sandbox's `generation` too (engine/sandbox.py: it moves with every change of state),
    the whole last view is reused while it stands: the same daemon, unchanged, no news then or now
    (a run of looks: ps, inspect, logs…), the same selection, language and listing."""
    changes = read_events(events)
    show_all = shows_all_images(command)
    drawn_from = ((daemon, generation, show_all, selected, lang)
                  if kept is not None and generation is not None and not changes.anything else None)
    if drawn_from is not None and kept.view_of is not None and kept.view_of[0] is daemon \
            and kept.view_of[1:] == drawn_from[1:]:
        return kept.view
    users = layer_users(daemon)
    old = kept.cards if kept is not None else {}
    new: dict[str, tuple[tuple, ImageCard | ContainerCard]] = {}

    def build(obj, fingerprint, named, make):
        found = old.get(obj.id)
        if found is not None and not named and found[0] == fingerprint:
            new[obj.id] = found
            return found[1]
        card = make()
        if isinstance(card, ContainerCard) and card.signals:
            # what the last command sent says more than the final signal alone
            card.status_text = status_text(card, " → ".join(card.signals))
        card.selected = card.id == selected
        place(card)
        if kept is not None and not named:   # a card the events name is drawn once, as news
            new[obj.id] = (fingerprint, card)
        return card

    children = {i.parent for i in daemon.images.values() if i.parent}
    on_image: dict[str, list] = {}
    for c in daemon.containers.values():
        on_image.setdefault(c.image_id, []).append(c)

    def container(c):
        fingerprint = _container_fingerprint(daemon, c, lang, selected) if kept is not None else ()
        return build(c, fingerprint, _names_container(changes, c.id),
                     lambda: container_card(daemon, c, changes))

    images, containers, columns = [], [], []
    hidden = 0
    for image in daemon.images.values():
        on = on_image.get(image.id, [])
        fingerprint = _image_fingerprint(image, users, children, on, lang, selected) if kept is not None else ()
        card = build(image, fingerprint, _names_image(changes, image),
                     lambda: image_card(daemon, image, users, changes))
        standing = [container(c) for c in on]
        if card.intermediate and not show_all and not card.highlight and not standing:
            hidden += 1
            continue
        images.append(card)
        containers += standing
        columns.append(Column(card, standing))
    orphans = [container(c) for c in daemon.containers.values() if c.image_id not in daemon.images]
    if orphans:   # image force-removed: the containers keep its layers
        containers += orphans
        columns.append(Column(None, orphans))
    if kept is not None:
        kept.cards = new
    removed = ghosts(daemon, changes)
    for ghost in removed:
        place(ghost)
    cards = [c for col in columns for c in ([col.image] if col.image else []) + col.containers] + removed
    focus = _focus(images, containers, removed, changes)
    if focus is not None:
        focus.changed = True
    view = StageView(images=images, containers=containers, ghosts=removed, changes=changes, columns=columns,
                     hidden_intermediates=hidden, selected=selected, cards=cards,
                     focus=focus.dom_id if focus is not None else "")
    if kept is not None:
        kept.view, kept.view_of = view, drawn_from
    return view


def _focus(images: list[ImageCard], containers: list[ContainerCard], removed: list[Ghost], changes):
    """The object a command was about, from its events: a new image (the last one: a build's
    result, not its intermediate steps), a new container, one whose state, files or processes
    changed, an image that got a tag or a layer, else what it removed."""
    new_images = [i for i in images if i.highlight]
    if new_images:
        tagged = [i for i in new_images if i.tags]
        return (tagged or new_images)[-1]
    for test in (lambda c: c.highlight, lambda c: c.state_changed or c.signals,
                 lambda c: c.rw_flash or any(p.fresh for p in c.processes) or c.processes_ended):
        hits = [c for c in containers if test(c)]
        if hits:
            return hits[-1]
    for image in images:
        if image.new_tags or any(l.highlight for l in image.all_layers):
            return image
    return removed[0] if removed else None

