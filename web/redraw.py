"""Only what changed is redrawn: the browser says which drawings it holds, the answer skips them.

Every redrawable element carries `data-digest`: a key of what it is drawn from (a stage object's
view model, a side panel's view model or inputs), the language and the templates' version.
static/stage.js sends the `id:digest` pairs on screen with each htmx request (field HELD_FIELD).
A drawing whose key the browser holds is not rendered at all: inside the stage the answer carries
an empty placeholder with `hx-preserve` (htmx moves the element on screen into its place), a panel
swapped out-of-band is left out. A browser that sends nothing (first page, no JavaScript) gets
everything.
"""
from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from dataclasses import fields

from flask import has_request_context, request
from markupsafe import Markup, escape

from web import i18n, request_memo

HELD_FIELD = "held"
MAX_HELD = 2000          # pairs read from one request (a sandbox draws far fewer objects)


def held() -> frozenset[str]:
    """The `id:digest` pairs the browser says it shows (empty outside an htmx request)."""
    return request_memo.once("held", _read_held)   # asked ~40 times an answer: read the request once


def _read_held() -> frozenset[str]:
    if not has_request_context() or request.headers.get("HX-Request") != "true":
        return frozenset()
    return frozenset(request.values.get(HELD_FIELD, "").split()[:MAX_HELD])


# Every drawing is keyed by what it is drawn from, not by its HTML, so one the browser holds is not
# even rendered: a stage object by its view model (present/cards.py dataclasses: every field the
# template draws from), a side panel by its view model or inputs (panel_digest). The key also holds
# the language and a version of the templates and catalogs that draw them: a new release redraws.
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_TEMPLATES = os.path.join(_ROOT, "templates", "partials")
_CATALOGS = os.path.join(_ROOT, "translations")


def _templates_version() -> str:
    digest = hashlib.blake2b(digest_size=8)
    paths = [os.path.join(_TEMPLATES, name) for name in sorted(os.listdir(_TEMPLATES))]
    paths += sorted(os.path.join(folder, name) for folder, _dirs, names in os.walk(_CATALOGS)
                    for name in names if name.endswith(".mo"))
    for path in paths:
        with open(path, "rb") as f:
            digest.update(path.rsplit(os.sep, 1)[-1].encode() + f.read())
    return digest.hexdigest()


_VERSION = _templates_version()


def card_digest(card) -> str:
    """The digest of an object's drawing, from what it is drawn from (its dataclass fields). A
    container's full change list (thousands of paths) is drawn only as counts beside the few lines
    shown (rw_shown, which is part of the key), so the key holds its length, not the list.
    Kept on the card: a stage card is not changed once the stage is built (present/stage.py Kept
    reuses unchanged ones across commands), so its digest is worked out once per language."""
    return _card_keys(card)[0]


def _card_keys(card) -> tuple[str, str]:
    """(digest, "dom_id:digest" as the browser's `held` names it), kept on the card per language."""
    lang = i18n.request_locale()
    memo = card.__dict__.get("_digest")
    if memo is not None and memo[0] == lang:
        return memo[1]
    digest = _card_digest(card, lang)
    keys = (digest, pair(card.dom_id, digest))
    card.__dict__["_digest"] = (lang, keys)
    return keys


def shown_key(card) -> str:
    """"dom_id:digest": how the browser's `held` names this object's drawing as it is now."""
    return _card_keys(card)[1]


def _shown(card) -> bool:
    """Does the browser show this object's drawing as it is now?"""
    return _card_keys(card)[1] in held()


def _card_digest(card, lang: str) -> str:
    drawn = [f"{f.name}={len(getattr(card, f.name)) if f.name == 'rw_changes' else getattr(card, f.name)!r}"
             for f in fields(card)]
    text = f"{_VERSION}|{lang}|{type(card).__name__}|{'|'.join(drawn)}"
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def panel_digest(dom_id: str, *drawn_from) -> str:
    """The digest of a side panel's drawing, from everything it is drawn from: its view model
    (dataclasses, whose repr lists every field), the record's values it shows, the choices kept in
    the session. Deterministic across worker processes: no set or id() in what is hashed."""
    text = f"{_VERSION}|{i18n.request_locale()}|{dom_id}|{drawn_from!r}"
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def pair(dom_id: str, digest: str) -> str:
    """A drawing as the browser's `held` names it (static/stage.js): "id:digest"."""
    return f"{dom_id}:{digest}"


def holds(dom_id: str, digest: str) -> bool:
    """Does the browser already show this drawing?"""
    return pair(dom_id, digest) in held()


def drawn(card, draw) -> Markup:
    """A stage object in the answer: an empty placeholder if the browser shows its drawing already,
    else its drawing (draw: the template's macro). One call per object, ~30 per answer: a Python
    function, not a template macro, whose every call costs more than this whole check."""
    if held() and _shown(card):
        memo = card.__dict__.get("_placeholder")
        if memo is None:
            memo = card.__dict__["_placeholder"] = placeholder(card.dom_id)
        return memo
    return drawing(card, draw)


# An object's drawing is a function of its digest (that is what lets the browser keep one), so the
# HTML drawn for a digest is kept in this process and drawn again for free: the same object back in
# a state it was drawn in (a tag added then removed, a highlight gone), or the same object in another
# learner's sandbox of the same scenario. Keyed by the app's root too (the drawings' links).
_DRAWINGS: OrderedDict[tuple[str, str, str, bool], Markup] = OrderedDict()
_DRAWINGS_KEPT = 1024
_DRAWINGS_LOCK = threading.Lock()


def drawing(card, draw, oob: bool = False) -> Markup:
    """draw(card, digest, oob) (the template's macro), or the HTML it gave for this digest before.
    oob: the drawing swapped alone, out-of-band, for the one on screen."""
    digest = card_digest(card)
    key = (request.script_root if has_request_context() else "", card.dom_id, digest, oob)
    found = _DRAWINGS.get(key)
    if found is None:
        found = Markup(draw(card, digest, oob))
        with _DRAWINGS_LOCK:
            _DRAWINGS[key] = found
            if len(_DRAWINGS) > _DRAWINGS_KEPT:
                _DRAWINGS.popitem(last=False)
    return found


def changed_drawings(cards, draw) -> Markup:
    """The drawings of the objects the browser does not show as they are now, each to be swapped
    out-of-band for its old one (the stage around them stays: partials/_stage_patch.html)."""
    return Markup("").join(drawing(card, draw, oob=True) for card in cards if not _shown(card))


def placeholder(dom_id: str) -> Markup:
    """An empty element htmx fills with the one on screen (hx-preserve)."""
    return Markup('<div id="{}" hx-preserve="true"></div>').format(escape(dom_id))
