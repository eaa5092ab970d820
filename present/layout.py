"""Where everything goes on the stage (SVG units; the template only draws what is computed here).

Cards sit in a grid of COLUMNS cells, each image followed by its containers. Everything stands
on a row's ground line, as in the article's figures: stacks grow upward from it, captions and
buttons hang below it. Long stacks are folded by present/cards.py, so rows stay readable with
10 images and 10 containers; the page scrolls for more.
"""
from __future__ import annotations

from dataclasses import dataclass

from .actions import Action
from .cards import Box, ContainerCard, Ghost, ImageCard, LayerBox, MAX_RW_LINES
from .i18n import ngettext
from .text import fit, text_width

MARGIN = 18
COLUMNS = 4
CELL_W = 232
COL_GAP = 20
ROW_GAP = 30
STACK_W = 212                     # a layer's width
STACK_X = (CELL_W - STACK_W) / 2  # a stack's offset inside its cell
LAYER_H, LAYER_GAP = 40, 3
EMPTY_H, MORE_H = 9, 24
SLICE_H, SLICE_GAP = 7, 1
RW_BASE_H, RW_LINE_H = 28, 17
SPACE_PAD, SPACE_TITLE_H, PROCESS_H = 8, 20, 19
CAPTION_H = 82
GHOST_H = 64
PILL_H, PILL_GAP = 24, 6
FONT = {"id": 11, "instruction": 12.5, "name": 15, "meta": 12, "pill": 13, "rw": 12, "process": 12}
CANVAS_W = 2 * MARGIN + COLUMNS * CELL_W + (COLUMNS - 1) * COL_GAP


@dataclass
class Pill:
    action: Action
    x: float
    y: float
    w: float
    h: float = PILL_H


# ---------------------------------------------------------------- heights above the ground
def _layer_height(box: LayerBox) -> float:
    return {"layer": LAYER_H, "empty": EMPTY_H, "more": MORE_H}[box.kind]


def image_stack_height(card: ImageCard) -> float:
    return sum(_layer_height(b) + LAYER_GAP for b in card.layers)


def _rw_height(card: ContainerCard) -> float:
    more = 1 if len(card.rw_changes) > len(card.rw_shown) else 0
    return RW_BASE_H + RW_LINE_H * (len(card.rw_shown) + more)


def _slices_height(card: ContainerCard) -> float:
    return max(len(card.slices), 1) * (SLICE_H + SLICE_GAP) + 18  # + its caption strip


def _space_top_height(card: ContainerCard) -> float:
    more = 1 if len(card.processes) > len(card.processes_shown) else 0
    rows = max(len(card.processes_shown) + more, 1)
    return SPACE_TITLE_H + rows * PROCESS_H + 4


def container_stack_height(card: ContainerCard) -> float:
    height = _slices_height(card) + LAYER_GAP + _rw_height(card)
    if card.has_space:
        height += _space_top_height(card) + SPACE_PAD
    return height


def stack_height(card) -> float:
    if isinstance(card, ImageCard):
        return image_stack_height(card)
    if isinstance(card, ContainerCard):
        return container_stack_height(card)
    return GHOST_H


# ---------------------------------------------------------------- placing one card
def place_image(card: ImageCard, x: float, baseline: float) -> None:
    card.x, card.w, card.baseline = x, CELL_W, baseline
    card.y = baseline - image_stack_height(card)
    card.h = baseline + CAPTION_H - card.y
    y = baseline
    for box in card.layers:  # bottom (base) first
        h = _layer_height(box)
        y -= h + LAYER_GAP
        box.x, box.y, box.w, box.h = x + STACK_X, y, STACK_W, h
        if box.kind == "layer":
            box.label = fit(box.instruction, STACK_W - 16, FONT["instruction"], True)
        elif box.kind == "more":
            box.label = "… " + ngettext("%(num)s more layer", "%(num)s more layers", box.hidden)
    card.pills = _pills(card.primary_actions, x + STACK_X, baseline + 50)


def place_container(card: ContainerCard, x: float, baseline: float) -> None:
    card.x, card.w, card.baseline = x, CELL_W, baseline
    card.y = baseline - container_stack_height(card)
    card.h = baseline + CAPTION_H - card.y
    left = x + STACK_X
    # the image's read-only layers, thin, bottom first, under a one-line caption
    y = baseline
    for piece in card.slices:
        y -= SLICE_H + SLICE_GAP
        piece.x, piece.y, piece.w, piece.h = left, y, STACK_W, SLICE_H
    slices_h = _slices_height(card)
    card.slices_box.x, card.slices_box.y = left, baseline - slices_h
    card.slices_box.w, card.slices_box.h = STACK_W, slices_h
    # the read-write layer on top
    rw_h = _rw_height(card)
    card.rw_box.x, card.rw_box.w, card.rw_box.h = left, STACK_W, rw_h
    card.rw_box.y = card.slices_box.y - LAYER_GAP - rw_h
    line_y = card.rw_box.y + 35
    for line in card.rw_shown:
        line.label = fit(f"{line.marker} {line.path}", STACK_W - 20, FONT["rw"], True)
        line.y = line_y
        line_y += RW_LINE_H
    # the process isolation space around it all
    if card.has_space:
        top = card.rw_box.y - _space_top_height(card)
        card.space_box = Box(left - SPACE_PAD, top, STACK_W + 2 * SPACE_PAD, baseline + SPACE_PAD - top)
        row_y = top + SPACE_TITLE_H + PROCESS_H - 6
        for row in card.processes_shown:
            row.text = fit(f"{row.label}  {row.command}", STACK_W - 30, FONT["process"], True)
            row.y = row_y
            row_y += PROCESS_H
    else:
        card.space_box = None
    card.pills = _pills(card.primary_actions, left, baseline + 50)


def place_ghost(ghost: Ghost, x: float, baseline: float) -> None:
    ghost.x, ghost.y, ghost.w, ghost.h = x + STACK_X, baseline - GHOST_H, STACK_W, GHOST_H
    ghost.baseline = baseline
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


# ---------------------------------------------------------------- the grid
def arrange(cards: list) -> float:
    """Place cards row by row; returns the canvas height."""
    top = MARGIN + 6
    for start in range(0, len(cards), COLUMNS):
        row = cards[start:start + COLUMNS]
        baseline = top + max(stack_height(c) for c in row)
        for column, card in enumerate(row):
            x = MARGIN + column * (CELL_W + COL_GAP)
            if isinstance(card, ImageCard):
                place_image(card, x, baseline)
            elif isinstance(card, ContainerCard):
                place_container(card, x, baseline)
            else:
                place_ghost(card, x, baseline)
        top = baseline + CAPTION_H + ROW_GAP
    return top - ROW_GAP + MARGIN if cards else 2 * MARGIN


def ground_lines(cards: list) -> list[tuple[float, float, float]]:
    """(x1, x2, y) of each row's ground line."""
    lines = []
    for start in range(0, len(cards), COLUMNS):
        row = cards[start:start + COLUMNS]
        lines.append((MARGIN - 6, row[-1].x + CELL_W + 6, row[0].baseline))
    return lines


__all__ = ["arrange", "ground_lines", "CANVAS_W", "FONT", "Pill", "MAX_RW_LINES"]
