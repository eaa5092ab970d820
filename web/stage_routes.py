"""The stage's web side: template globals that turn the page's sandbox into the stage's view
models (present/), and the explorer route that selects an image, layer or container.

The selection lives in the session, so the explorer follows every later command (an `exec`
that writes a file shows up in it at once) and works without JavaScript.
Register with `app.register_blueprint(stage_routes.bp)`.
"""
from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlencode

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from jinja2 import pass_context

import present
from present.stage import Kept
from web import current_store, i18n, redraw, sandboxes

bp = Blueprint("stage", __name__)

SELECTION_KEY = "stage_selection"
SANDBOX_KEY = "sandbox_id"   # web/pages.py SESSION_KEY


def _sandbox(ctx):
    """The page's sandbox: from the template context when the page passes it, else the session's."""
    sandbox = ctx.get("sandbox")
    if sandbox is not None:
        return sandbox
    if "stage_sandbox" not in g:
        sandbox_id = session.get(SANDBOX_KEY)
        outcome = sandboxes.load(current_store(), sandbox_id) if isinstance(sandbox_id, str) else None
        g.stage_sandbox = outcome.sandbox if outcome else None
    return g.stage_sandbox


def _last(ctx) -> dict:
    return ctx.get("last") or {}


def _selection() -> dict:
    selection = session.get(SELECTION_KEY)
    return selection if isinstance(selection, dict) else {}


# Werkzeug's query quoting (werkzeug.urls._urlencode), so these links read exactly as url_for's.
_QUERY_SAFE = "!$'()*,/:;?@"


def _route_path(endpoint: str) -> str:
    """url_for(endpoint) once per request: the diagram holds ~200 links, and url_for is not cheap."""
    paths = g.setdefault("route_paths", {})
    if endpoint not in paths:
        paths[endpoint] = url_for(endpoint)
    return paths[endpoint]


@bp.app_template_global("explore_href")
def explore_href(target: str, layer: str = "") -> str:
    """url_for('stage.explore', target=…, layer=…), built from the route's path computed once."""
    return f"{_route_path('stage.explore')}?{urlencode([('target', target), ('layer', layer)], safe=_QUERY_SAFE)}"


@bp.app_template_global("fill_href")
def fill_href(command: str) -> str:
    """url_for('pages.index', fill=command): the page with the prompt filled (pills work without JS)."""
    return f"{_route_path('pages.index')}?{urlencode([('fill', command)], safe=_QUERY_SAFE)}"


# Each live sandbox's stage view models between commands (present/stage.py Kept: a kept one is
# reused only when the engine objects it was drawn from are unchanged). Held as long as the sandbox
# object is: web/sandboxes.py's per-process cache of live sandboxes bounds them; a cold load or
# another process starts empty, and a sandbox changed by another process is caught by the
# fingerprints, not by a version number.
_KEPT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_KEPT_LOCK = threading.Lock()


def _kept(sandbox) -> Kept:
    with _KEPT_LOCK:
        found = _KEPT.get(sandbox)
        if found is None:
            found = _KEPT[sandbox] = Kept()
        return found


def _once(name: str, sandbox, make):
    """make() once per request and sandbox: the stage's digest and its drawing read the same views."""
    made = g.setdefault(name, {})
    if id(sandbox) not in made:
        made[id(sandbox)] = (sandbox, make())   # the sandbox held too, so its id is not reused
    return made[id(sandbox)][1]


@bp.app_template_global("stage_view")
@pass_context
def stage_view(ctx):
    if ctx.get("stage") is not None:
        return ctx["stage"]
    sandbox = _sandbox(ctx)
    if sandbox is None:
        return None
    last = _last(ctx)
    events = [] if last.get("undone") else sandboxes.events_of(ctx.get("events"))

    def make():
        kept = _kept(sandbox)
        with kept.lock:   # two requests on one sandbox (two tabs) take turns
            return present.stage(sandbox.daemon, events, last.get("command") or "",
                                 _selection().get("target", ""), kept=kept, lang=i18n.request_locale(),
                                 generation=sandbox.generation)
    return _once("stage_views", sandbox, make)


@bp.app_template_global("explorer_view")
@pass_context
def explorer_view(ctx):
    selection = _selection()
    sandbox = _sandbox(ctx)
    if not selection.get("target") or sandbox is None:
        return None
    return _once("explorer_views", sandbox, lambda: present.explore(
        sandbox.daemon, selection["target"], selection.get("layer", ""), selection.get("view", "layer")))


@dataclass(frozen=True)
class StageKeys:
    """The digests (web/redraw.py) of the stage's parts that an answer can swap on their own, each
    from everything that part draws. Cards have their own (redraw.card_digest); the figure too
    (figure_digest). What is left, the stage's layout, is keyed by `layout`: while the browser holds
    it, an answer swaps only the parts whose key changed (partials/_stage_patch.html), not the stage."""

    layout: str     # #stage-columns: which objects stand where, the counts, the removed ones, the explorer's presence
    overview: str   # #stage-overview: the one-line list of a crowded stage (the focus marked by the page)
    summary: str    # #stage-summary: the diagram's accessible name (counts, running, distinct layers)
    focus: str      # #stage-focus: the object the last command was about
    explorer: str   # #explorer ("" when it is closed)
    parts: frozenset[str]   # "id:key" of every part above (as drawn now) and of every object


@bp.app_template_global("stage_shown")
@pass_context
def stage_shown(ctx) -> bool:
    """Does the browser show the whole stage as it is now? (After a look such as `docker ps`, the
    answer then leaves the stage out, its figure apart, without going through its parts.)"""
    keys = stage_keys(ctx)
    return keys is not None and keys.parts <= redraw.held()


@bp.app_template_global("stage_keys")
@pass_context
def stage_keys(ctx) -> StageKeys | None:
    view = stage_view(ctx)
    if view is None:
        return None
    return _once("stage_keys", _sandbox(ctx), lambda: _keys(view, explorer_view(ctx)))


def _keys(view, explorer) -> StageKeys:
    drawn = _view_keys(view)
    layout = redraw.panel_digest("stage-columns", drawn.layout, explorer is not None)
    parts = drawn.parts | {redraw.pair("stage-columns", layout)}
    explorer_key = ""
    if explorer is not None:
        card = next((c for c in view.images + view.containers if c.id == explorer.target_id), None)
        explorer_key = redraw.panel_digest("explorer", request.script_root, explorer,
                                           redraw.card_digest(card) if card else "")
        parts |= {redraw.pair("explorer", explorer_key)}
    return StageKeys(layout, drawn.overview, drawn.summary, drawn.focus, explorer_key, parts)


class _ViewKeys(NamedTuple):
    """The keys drawn from the view alone (StageKeys without the explorer)."""
    layout: str
    overview: str
    summary: str
    focus: str
    parts: frozenset[str]


def _view_keys(view) -> _ViewKeys:
    """The keys drawn from the view alone, kept on it: a run of commands that change nothing reuses
    the view whole (present/stage.py Kept), and its keys with it."""
    memo_key = (request.script_root, i18n.request_locale())
    memo = view.__dict__.get("_keys")
    if memo is not None and memo[0] == memo_key:
        return memo[1]
    root = request.script_root
    columns = [(col.dom_id, col.image.dom_id if col.image else (col.containers[0].image_ref,
                                                                len(col.containers[0].slices)),
                [c.dom_id for c in col.containers]) for col in view.columns]
    layout = redraw.panel_digest("stage-columns", root, len(view.images), len(view.containers), columns,
                                 [(c.dom_id, redraw.card_digest(c)) for c in view.ghosts],
                                 view.hidden_intermediates)
    # not which one is marked changed: static/stage.js marks the focus's (#stage-focus) after each
    # answer, so a command that only moves the focus does not send the list again
    overview = redraw.panel_digest("stage-overview", root, [
        (c.dom_id, c.kind, getattr(c, "state", ""), c.label if c.kind == "ghost" else c.name)
        for c in view.cards])
    summary = redraw.panel_digest("stage-summary", view.summary)
    focus = redraw.panel_digest("stage-focus", view.focus)
    parts = {redraw.pair("stage-summary", summary), redraw.pair("stage-focus", focus)}
    if view.crowded:
        parts.add(redraw.pair("stage-overview", overview))
    parts |= {redraw.shown_key(card) for card in view.images + view.containers}
    keys = _ViewKeys(layout, overview, summary, focus, frozenset(parts))
    view.__dict__["_keys"] = (memo_key, keys)
    return keys


@bp.app_template_global("figure_digest")
@pass_context
def figure_digest(ctx) -> str:
    """The figure's digest: it changes with nearly every command (history, inspect… draw one, the next
    command takes it away), so it is keyed, and swapped, apart from the rest of the stage."""
    return redraw.panel_digest("figure-slot", request.script_root, ctx.get("figure"), _presenting())


@bp.app_template_global("presenting")
def _presenting() -> bool:
    """Presentation mode: partials/_figure.html draws the figure projector-size."""
    return (request.args.get("present") == "1"
            or "present=1" in (request.headers.get("HX-Current-URL") or ""))


@bp.app_template_global("explanation")
@pass_context
def explanation(ctx):
    last = _last(ctx)
    if not last.get("command") or last.get("undone"):
        return None
    return present.explain(last["command"], last.get("exit_code", 0), sandboxes.last_events(last),
                           i18n.content_lang())


@bp.get("/explore")
def explore():
    """Select what the explorer shows: ?target=<image or container id>&layer=<diff id|rw>&view=layer|merged.
    An empty target closes the explorer."""
    target = request.args.get("target", "")[:200]
    if target:
        session[SELECTION_KEY] = {"target": target, "layer": request.args.get("layer", "")[:80],
                                  "view": request.args.get("view", "layer")[:10]}
    else:
        session.pop(SELECTION_KEY, None)
    if request.headers.get("HX-Request") == "true":
        outcome = _page_outcome()
        last = outcome.record.get("last") if outcome else None
        return render_template("partials/_stage_swap.html", sandbox=outcome.sandbox if outcome else None,
                               last=last, events=sandboxes.last_events(last),
                               lang=i18n.html_lang())
    return redirect(url_for("pages.index", _anchor="explorer" if target else "stage"), code=303)


def _page_outcome():
    sandbox_id = session.get(SANDBOX_KEY)
    return sandboxes.load(current_store(), sandbox_id) if isinstance(sandbox_id, str) else None
