"""Where everything goes inside each object's own drawing (SVG units; templates only draw).

The stage is not one canvas any more: every image, container and ghost is its own small SVG,
and the page (static/stage.css) lays them out as the width allows. What is placed here is the
inside of one object, in its own coordinates (0, 0 at its top left):

- an image: its caption and buttons at the bottom, its read-only layers stacked upward above
  them, base lowest, as in the article's figures;
- a container: its caption and buttons on top, then its process isolation space (when it has
  processes) around its read-write layer, which touches the drawing's bottom edge: the page
  stands the container on its image's stack, so "container = image + R/W layer" is one stack.

1 SVG unit is drawn as 1/16 em of the stage's font size (static/stage.css), so the smallest text
(FONT's 12 units) is 3/4 of the stage's font size whatever the screen.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .actions import Action
from .cards import Box, ContainerCard, Ghost, ImageCard, LayerBox, MAX_RW_LINES
from .i18n import _, ngettext
from .text import fit as _fit_text, text_width as _text_width

# Labels are measured character by character; the same ones come back on every command.
fit = lru_cache(maxsize=8192)(_fit_text)
text_width = lru_cache(maxsize=8192)(_text_width)

CARD_W = 216                      # every object's drawing is this wide
PAD = 8
STACK_W = CARD_W - 2 * PAD        # a layer's width
LAYER_H, LAYER_GAP = 37, 3
EMPTY_H, MORE_H = 9, 24
RW_BASE_H, RW_LINE_H = 28, 17
SPACE_PAD, SPACE_TITLE_H, PROCESS_H = 7, 20, 19
CAPTION_H = 44                    # name + one line of facts
GHOST_H = 64
PILL_H, PILL_GAP = 24, 6
FONT = {"id": 12, "instruction": 13, "name": 15, "meta": 12.5, "pill": 13, "rw": 12.5, "process": 12.5}
UNITS_PER_EM = 16                 # the scale the page draws at (see the module's docstring)


@dataclass
class Pill:
    action: Action
    x: float
    y: float
    w: float
    h: float = PILL_H


# ---------------------------------------------------------------- heights
def _layer_height(box: LayerBox) -> float:
    return {"layer": LAYER_H, "empty": EMPTY_H, "more": MORE_H}[box.kind]


def image_stack_height(card: ImageCard) -> float:
    return sum(_layer_height(b) + LAYER_GAP for b in card.layers)


def _rw_height(card: ContainerCard) -> float:
    more = 1 if len(card.rw_changes) > len(card.rw_shown) else 0
    return RW_BASE_H + RW_LINE_H * (len(card.rw_shown) + more)


def _space_top_height(card: ContainerCard) -> float:
    more = 1 if len(card.processes) > len(card.processes_shown) else 0
    rows = max(len(card.processes_shown) + more, 1)
    return SPACE_TITLE_H + rows * PROCESS_H + 4


def _pills_height(card) -> float:
    return PILL_H + PILL_GAP if card.pills else 0


# ---------------------------------------------------------------- one object each
def place_image(card: ImageCard) -> None:
    """Layers from y=PAD down to the baseline; caption and buttons under it."""
    card.pills = _pills(card.primary_actions, PAD, 0)
    card.x, card.y, card.w = 0, 0, CARD_W
    card.baseline = PAD + image_stack_height(card)
    card.h = card.baseline + CAPTION_H + _pills_height(card) + 2
    y = card.baseline
    for box in card.layers:  # bottom (base) first
        h = _layer_height(box)
        y -= h + LAYER_GAP
        box.x, box.y, box.w, box.h = PAD, y, STACK_W, h
        if box.kind == "layer":
            box.label = fit(box.instruction, STACK_W - 16, FONT["instruction"], True)
        elif box.kind == "more":
            box.label = "… " + ngettext("%(num)s more layer", "%(num)s more layers", box.hidden)
    for pill in card.pills:
        pill.y = card.baseline + CAPTION_H
    card.name_text = fit(card.name, STACK_W - 4 - _suffix_width(card), FONT["name"])


def _suffix_width(card: ImageCard) -> float:
    return 40 if len(card.tags) > 1 else 0


def place_container(card: ContainerCard) -> None:
    """Caption and buttons on top; the process space around the R/W layer; the R/W layer's bottom
    edge is the drawing's bottom edge (the image's stack continues right under it on the page)."""
    card.pills = _pills(card.primary_actions, PAD, CAPTION_H)
    card.x, card.y, card.w = 0, 0, CARD_W
    card.name_text = fit(card.name, STACK_W - 4, FONT["name"])
    top = CAPTION_H + _pills_height(card) + 4
    rw_h = _rw_height(card)
    space_h = _space_top_height(card) + SPACE_PAD if card.has_space else 0
    card.h = top + space_h + rw_h
    card.baseline = card.h
    rw_y = card.h - rw_h
    card.rw_box = Box(PAD, rw_y, STACK_W, rw_h)
    card.rw_label, card.rw_fresh_text = _rw_label(card)
    line_y = rw_y + 35
    for line in card.rw_shown:
        line.label = fit(f"{line.marker} {line.path}", STACK_W - 20, FONT["rw"], True)
        line.y = line_y
        line_y += RW_LINE_H
    if card.has_space:
        # the space is open at the bottom: it goes on around the image's layers below
        card.space_box = Box(PAD - SPACE_PAD + 2, top, STACK_W + 2 * SPACE_PAD - 4, card.h - top)
        row_y = top + SPACE_TITLE_H + PROCESS_H - 6
        for row in card.processes_shown:
            row.text = fit(f"{row.label}  {row.command}", STACK_W - 34, FONT["process"], True)
            row.y = row_y
            row_y += PROCESS_H
    else:
        card.space_box = None


def _rw_label(card: ContainerCard) -> tuple[str, str]:
    """"15 changes" and, when the last command wrote some, " · +1 new" (or "+1" when the size
    beside it leaves no room): the same count the explanation gives, beside the total."""
    if not card.rw_changes:
        return _("no changes yet"), ""
    label = ngettext("%(num)s change", "%(num)s changes", len(card.rw_changes))
    fresh = sum(1 for line in card.rw_changes if line.fresh)
    if not fresh:
        return label, ""
    room = STACK_W - 50 - 8 - text_width(card.rw_size_text, FONT["rw"], True) - 10
    long = f" · +{fresh} {_('new')}"
    if text_width(label + long, FONT["rw"]) * 1.08 <= room:   # the label is bold: a little wider
        return label, long
    return label, f" +{fresh}"


def place_ghost(ghost: Ghost) -> None:
    ghost.x, ghost.y, ghost.w, ghost.h = 0, 0, CARD_W, GHOST_H + 2 * PAD
    ghost.baseline = ghost.h
    ghost.label = fit(ghost.label, STACK_W - 20, FONT["name"])
    ghost.detail = fit(ghost.detail, STACK_W - 20, FONT["meta"])


def _pills(actions: list[Action], x: float, y: float) -> list[Pill]:
    pills, cursor = [], x
    for action in actions:
        w = text_width(action.label, FONT["pill"]) + 22
        if cursor + w > x + STACK_W:
            break
        pills.append(Pill(action, cursor, y, w))
        cursor += w + PILL_GAP
    return pills


def place(card) -> None:
    if isinstance(card, ImageCard):
        place_image(card)
    elif isinstance(card, ContainerCard):
        place_container(card)
    else:
        place_ghost(card)


__all__ = ["place", "CARD_W", "FONT", "Pill", "MAX_RW_LINES", "UNITS_PER_EM"]
