"""Only what changed is redrawn: the browser says which drawings it holds, the answer skips them.

Every redrawable element carries `data-digest` (a hash of its HTML). static/stage.js sends the
`id:digest` pairs on screen with each htmx request (field HELD_FIELD). When a drawing's new HTML
hashes the same, the answer carries only an empty placeholder with `hx-preserve` (htmx moves the
element on screen into its place) or, for a panel swapped out-of-band, nothing at all.
A browser that sends nothing (first page, no JavaScript) gets everything.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import fields

from flask import g, has_request_context, request
from flask_babel import get_locale
from markupsafe import Markup, escape

HELD_FIELD = "held"
MAX_HELD = 2000          # pairs read from one request (a sandbox draws far fewer objects)
_MARK = 'data-digest=""'
_OOB = ' hx-swap-oob="true"'


def held() -> frozenset[str]:
    """The `id:digest` pairs the browser says it shows (empty outside an htmx request)."""
    if not has_request_context() or request.headers.get("HX-Request") != "true":
        return frozenset()
    if "redraw_held" not in g:
        g.redraw_held = frozenset(request.values.get(HELD_FIELD, "").split()[:MAX_HELD])
    return g.redraw_held


# Drawings of the stage's objects are keyed by their view model (present/cards.py dataclasses: every
# field the template draws from), the language and the templates that draw them, so an object the
# browser holds is not even rendered.
_TEMPLATES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "templates", "partials")


def _templates_version() -> str:
    digest = hashlib.blake2b(digest_size=8)
    for name in ("_objects.html", "_stage.html"):
        with open(os.path.join(_TEMPLATES, name), "rb") as f:
            digest.update(f.read())
    return digest.hexdigest()


_VERSION = _templates_version()


def card_digest(card) -> str:
    """The digest of an object's drawing, from what it is drawn from (its dataclass fields). A
    container's full change list (thousands of paths) is drawn only as counts beside the few lines
    shown (rw_shown, which is part of the key), so the key holds its length, not the list."""
    drawn = [f"{f.name}={len(getattr(card, f.name)) if f.name == 'rw_changes' else getattr(card, f.name)!r}"
             for f in fields(card)]
    text = f"{_VERSION}|{get_locale()}|{type(card).__name__}|{'|'.join(drawn)}"
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def holds(dom_id: str, digest: str) -> bool:
    """Does the browser already show this drawing?"""
    return f"{dom_id}:{digest}" in held()


def placeholder(dom_id: str) -> Markup:
    """An empty element htmx fills with the one on screen (hx-preserve)."""
    return Markup('<div id="{}" hx-preserve="true"></div>').format(escape(dom_id))


def _stamped(html: str) -> tuple[str, str]:
    """The HTML with its digest written into its first `data-digest=""`, and the digest."""
    # the same drawing hashes the same whether it is sent out-of-band or drawn in the page
    digest = hashlib.blake2b(html.replace(_OOB, "").strip().encode(), digest_size=8).hexdigest()
    return html.replace(_MARK, f'data-digest="{digest}"', 1), digest


def keep(dom_id: str, html: str) -> Markup:
    """Inside a swapped region: the drawing, or a placeholder for the one the browser holds."""
    stamped, digest = _stamped(str(html))
    return placeholder(dom_id) if holds(dom_id, digest) else Markup(stamped)


def stamp(html: str) -> Markup:
    """The drawing with its digest written in, always sent (a panel drawn inside a larger one)."""
    return Markup(_stamped(str(html))[0])


def send(dom_id: str, html: str) -> Markup:
    """A panel swapped out-of-band on its own: the panel, or nothing when the browser has it."""
    stamped, digest = _stamped(str(html))
    return Markup("") if f"{dom_id}:{digest}" in held() else Markup(stamped)
