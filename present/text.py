"""Small text helpers for the stage: ids, sizes, instructions, and how wide a label is drawn."""
from __future__ import annotations

import re
import unicodedata

from engine.cli.formatter.display import human_size


def short_digest(digest: str) -> str:
    """12 hex digits of 'sha256:…', as docker prints ids."""
    return digest.split(":", 1)[-1][:12]


def size_text(size: int) -> str:
    return human_size(size)


_NOP = re.compile(r"^/bin/sh -c #\(nop\)\s+")
_SHELL = re.compile(r"^(\|\d+ (?:\S+=\S* )*)?/bin/sh -c ")
_BUILDKIT = re.compile(r"\s*# buildkit$")


def instruction(created_by: str) -> str:
    """A history entry's CREATED BY as the Dockerfile line a learner recognises.

    Legacy builder: '/bin/sh -c #(nop)  CMD ["sh"]' -> 'CMD ["sh"]', '/bin/sh -c apk add x' ->
    'RUN apk add x'; BuildKit: 'RUN /bin/sh -c apk add x # buildkit' -> 'RUN apk add x'.
    """
    text = _BUILDKIT.sub("", " ".join((created_by or "").split()))
    if _NOP.match(text):
        return _NOP.sub("", text).strip()
    if text.startswith("RUN "):
        return "RUN " + _SHELL.sub("", text[4:])
    if _SHELL.match(text):
        return "RUN " + _SHELL.sub("", text)
    return text


def char_width(ch: str, size: float, mono: bool) -> float:
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return size
    if mono:
        return size * 0.61
    if ch in "il.,:;'|!":
        return size * 0.3
    if ch.isupper() or ch in "mw@%":
        return size * 0.72
    return size * 0.56


def text_width(text: str, size: float, mono: bool = False) -> float:
    """Approximate drawn width (SVG units) of `text` at font `size`: enough to keep labels apart."""
    return sum(char_width(ch, size, mono) for ch in text)


def fit(text: str, width: float, size: float, mono: bool = False) -> str:
    """`text` cut with '…' so that it fits in `width` units."""
    if text_width(text, size, mono) <= width:
        return text
    budget = width - char_width("…", size, mono)
    out, used = [], 0.0
    for ch in text:
        w = char_width(ch, size, mono)
        if used + w > budget:
            break
        out.append(ch)
        used += w
    return "".join(out).rstrip() + "…"
