"""The stage's view model: engine state + the last command's events -> cards placed on a canvas."""
from __future__ import annotations

import shlex
from dataclasses import dataclass, field

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
    try:
        words = shlex.split(command or "")
    except ValueError:
        return False
    listing = words[:2] == ["docker", "images"] or words[:3] in (["docker", "image", "ls"],
                                                                  ["docker", "image", "list"])
    return listing and any(w in ("-a", "--all") or (w.startswith("-") and not w.startswith("--") and "a" in w)
                           for w in words[2:])


def stage(daemon, events: list[Event] | None = None, command: str = "", selected: str = "") -> StageView:
    changes = read_events(events)
    users = layer_users(daemon)
    show_all = shows_all_images(command)
    images, containers, columns = [], [], []
    hidden = 0
    placed: set[str] = set()
    for image in daemon.images.values():
        card = image_card(daemon, image, users, changes)
        standing = [container_card(daemon, c, changes) for c in daemon.containers.values()
                    if c.image_id == image.id]
        placed.update(c.id for c in standing)
        if card.intermediate and not show_all and not card.highlight and not standing:
            hidden += 1
            continue
        images.append(card)
        containers += standing
        columns.append(Column(card, standing))
    orphans = [container_card(daemon, c, changes) for c in daemon.containers.values() if c.id not in placed]
    if orphans:   # image force-removed: the containers keep its layers
        containers += orphans
        columns.append(Column(None, orphans))
    for card in containers:
        if card.signals:   # what the last command sent says more than the final signal alone
            card.status_text = status_text(card, " → ".join(card.signals))
    removed = ghosts(daemon, changes)
    for card in images + containers:
        card.selected = card.id == selected
    cards = [c for col in columns for c in ([col.image] if col.image else []) + col.containers] + removed
    for card in cards:
        place(card)
    focus = _focus(images, containers, removed, changes)
    if focus is not None:
        focus.changed = True
    return StageView(images=images, containers=containers, ghosts=removed, changes=changes, columns=columns,
                     hidden_intermediates=hidden, selected=selected, cards=cards,
                     focus=focus.dom_id if focus is not None else "")


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

