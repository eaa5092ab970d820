"""The stage's view model: engine state + the last command's events -> cards placed on a canvas."""
from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from .cards import (ContainerCard, Ghost, ImageCard, container_card, ghosts, image_card, layer_users,
                    status_text)
from .explain import command_kind
from .highlight import Changes, read_events
from .i18n import _, ngettext
from .layout import CANVAS_W, arrange, ground_lines


@dataclass
class StageView:
    width: float
    height: float
    images: list[ImageCard]
    containers: list[ContainerCard]
    ghosts: list[Ghost]
    grounds: list[tuple[float, float, float]]
    changes: Changes
    hidden_intermediates: int = 0
    selected: str = ""
    cards: list = field(default_factory=list)   # in drawing order

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


def stage(daemon, events: list[dict] | None = None, command: str = "", selected: str = "") -> StageView:
    changes = read_events(events)
    users = layer_users(daemon)
    show_all = shows_all_images(command)
    images, containers, cards = [], [], []
    hidden = 0
    placed: set[str] = set()
    for image in daemon.images.values():
        card = image_card(daemon, image, users, changes)
        if card.intermediate and not show_all and not card.highlight:
            hidden += 1
        else:
            images.append(card)
            cards.append(card)
        for c in daemon.containers.values():
            if c.image_id == image.id:
                cards.append(container_card(daemon, c, changes))
                containers.append(cards[-1])
                placed.add(c.id)
    for c in daemon.containers.values():   # image force-removed: the container keeps its layers
        if c.id not in placed:
            cards.append(container_card(daemon, c, changes))
            containers.append(cards[-1])
    if command_kind(command) in ("stop", "restart"):
        for card in containers:
            _grace_period_escalation(daemon, card)
    for card in containers:
        if card.signals:   # what the last command sent says more than the final signal alone
            card.status_text = status_text(card, " → ".join(card.signals))
    removed = ghosts(daemon, changes)
    cards += removed
    for card in images + containers:
        card.selected = card.id == selected
    height = arrange(cards)
    return StageView(width=CANVAS_W, height=height, images=images, containers=containers, ghosts=removed,
                     grounds=ground_lines(cards), changes=changes, hidden_intermediates=hidden,
                     selected=selected, cards=cards)


def _grace_period_escalation(daemon, card: ContainerCard) -> None:
    """`docker stop` that ended in SIGKILL first sent the stop signal and waited the grace period
    (moby daemon/stop.go); the engine reports only the final signal, so show both."""
    if card.signals == ["SIGKILL"]:
        container = daemon.containers[card.id]
        first = container.config.get("StopSignal") or "SIGTERM"
        if not first.startswith("SIG") and not first.isdigit():
            first = "SIG" + first
        if first != "SIGKILL":
            card.signals = [first, "SIGKILL"]
