"""The page a learner uses: one sandbox per browser, htmx partial updates, plain forms without JS.

Every state-changing form posts here. An htmx request (HX-Request header) gets the updated
terminal, stage and explain panels as out-of-band swaps; a plain request is redirected back to
`/` (post/redirect/get), so the page works the same with JavaScript off.
"""
from __future__ import annotations

from engine.events import BuildFinished, Event, HostFileWritten
from engine.scenarios import SCENARIOS
from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, session, url_for

from present.figures import figure_for
from web import before_new_sandbox, current_store, i18n, redraw, sandboxes
from web.store import UnknownSandbox

bp = Blueprint("pages", __name__)
bp.add_app_template_global(redraw.card_digest, "card_digest")
bp.add_app_template_global(redraw.panel_digest, "panel_digest")
bp.add_app_template_global(redraw.holds, "holds")
bp.add_app_template_global(redraw.placeholder, "placeholder")
bp.add_app_template_global(redraw.drawn, "drawn")
bp.add_app_template_global(redraw.changed_drawings, "changed_drawings")

SESSION_KEY = "sandbox_id"
PANEL_KEY = "side_panel"
# The side panel's tabs (templates/partials/_side_tabs.html), the first is the default.
PANELS = ("explain", "files", "build", "commands")

# The article's commands, in its order, as buttons that fill the prompt. They use one container
# name, `web`, so clicking through them tells the article's story on one container.
ARTICLE_COMMANDS = [
    "docker pull nginx",
    "docker image ls",
    "docker image history nginx",
    "docker image inspect nginx",
    "docker container create --name web nginx",
    "docker container start web",
    "docker container ls",
    "docker container exec web touch /hello.txt",
    "docker container diff web",
    "docker container pause web",
    "docker container unpause web",
    "docker container stop web",
    "docker container kill web",
    "docker container commit web my-nginx",
    "docker container export -o web.tar web",
    "docker image save -o nginx.tar nginx",
    "docker container rm web",
    "docker image rm nginx",
    "docker run -d --name web2 nginx",
]


@bp.get("/")
def index():
    outcome = _session_outcome()
    view = _view(outcome)
    if request.args.get("panel") in PANELS:   # a tab chosen without JavaScript, or opened by a command
        view["panel"] = request.args["panel"]
        if request.args.get("panel_from") != "command":
            session[PANEL_KEY] = request.args["panel"]
    return render_template("index.html", **view, fill=request.args.get("fill", "")[:_max_command()],
                           present=request.args.get("present") == "1")


@bp.get("/panel/<name>")
def choose_panel(name: str):
    """A side-panel tab chosen (htmx): remember it for the next page; the browser has switched already."""
    if name not in PANELS:
        abort(404)
    session[PANEL_KEY] = name
    if request.headers.get("HX-Request") == "true":
        return "", 204
    return redirect(url_for("pages.index", panel=name, _anchor="side"), code=303)


def panel_after(events: list[Event]) -> str | None:
    """The tab a command's result calls for: its build (Build), a file it wrote (Files), else None."""
    if any(isinstance(e, BuildFinished) for e in events):
        return "build"
    if any(isinstance(e, HostFileWritten) for e in events):
        return "files"
    return None


def _current_panel() -> str:
    chosen = session.get(PANEL_KEY)
    return chosen if chosen in PANELS else PANELS[0]


@bp.post("/commands")
def commands():
    line = request.form.get("command", "")
    if len(line) > _max_command():
        abort(400, description=f"command too long (at most {_max_command()} characters)")
    outcome = _with_session_sandbox(lambda store, sid: sandboxes.run_command(store, sid, line))
    return _respond(outcome, appended=sandboxes.appended_entry(outcome), blank=not line.strip())


@bp.post("/undo")
def undo():
    outcome = _with_session_sandbox(sandboxes.undo)
    return _respond(outcome, trim=sandboxes.terminal_trim(outcome))


@bp.post("/redo")
def redo():
    outcome = _with_session_sandbox(sandboxes.redo)
    return _respond(outcome, appended=sandboxes.appended_entry(outcome), blank=outcome.result is None)


@bp.post("/reset")
def reset():
    return _respond(_with_session_sandbox(sandboxes.reset))


@bp.post("/new")
def new_sandbox():
    scenario = request.form.get("scenario") or None
    if scenario is not None and scenario not in SCENARIOS:
        abort(400, description=f"unknown scenario: {scenario}")
    sandbox_id = _start_session_sandbox(scenario)
    return _respond(sandboxes.load(current_store(), sandbox_id))


@bp.get("/complete")
def complete():
    """Tab completion for the prompt: candidates for the text before the cursor."""
    line = request.args.get("line", "")[: _max_command()]
    sandbox_id = session.get(SESSION_KEY)
    outcome = sandboxes.load(current_store(), sandbox_id) if sandbox_id else None
    candidates = outcome.sandbox.complete(line) if outcome else []
    return jsonify({"candidates": candidates})


def _respond(outcome: sandboxes.Outcome, appended: dict | None = None, blank: bool = False,
             trim: tuple[int, list[dict]] | None = None):
    """htmx: the panels out-of-band. The terminal gets only `appended` (the command's new entry) when
    there is one, nothing for a blank line (or a redo with nothing to redo), only what an undo took
    back (`trim`: sandboxes.terminal_trim), else the whole transcript (clear, reset, new…)."""
    opened = panel_after(outcome.result.events) if outcome.result else None
    if request.headers.get("HX-Request") == "true":
        removed, restored = trim or (0, [])
        mode = ("append" if appended else "none" if blank or (trim and not removed and not restored)
                else "trim" if trim else "full")
        view = _view(outcome, transcript=mode)
        # A build opens Build, a written file Files, for this answer only: the next command goes
        # back to the tab the learner chose (What happened unless they picked one).
        view["panel"] = opened or view["panel"]
        return render_template("partials/_swap.html", **view, appended=appended, removed=removed,
                               restored=restored)
    query = {"panel": opened, "panel_from": "command"} if opened else {}
    return redirect(url_for("pages.index", **query, _anchor="prompt"), code=303)


def _view(outcome: sandboxes.Outcome, transcript: str = "full") -> dict:
    """Everything the page's templates need, from one sandbox. The terminal's entries and history
    are only worked out when the whole transcript is drawn (`transcript="full"`)."""
    record = outcome.record
    full = transcript == "full"
    return {
        "lang": i18n.html_lang(),
        "panel": _current_panel(),
        "last_build": record.get("last_build"),
        "sandbox": outcome.sandbox,
        "transcript_mode": transcript,
        "entries": sandboxes.terminal_entries(outcome) if full else [],
        "history": sandboxes.command_history(outcome) if full or transcript == "trim" else [],
        "last": record.get("last"),
        "events": sandboxes.last_events(record.get("last")),
        "scenario": record.get("scenario"),
        "scenarios": SCENARIOS,
        "article_commands": ARTICLE_COMMANDS,
        "max_command": _max_command(),
        "figure": figure_for(outcome.sandbox, record.get("last")),
    }


def _session_outcome() -> sandboxes.Outcome:
    """This browser's sandbox, created on first visit (or when it was cleaned up after idling)."""
    sandbox_id = session.get(SESSION_KEY)
    outcome = sandboxes.load(current_store(), sandbox_id) if isinstance(sandbox_id, str) else None
    if outcome is None:
        return sandboxes.load(current_store(), _start_session_sandbox(None))
    current_store().touch(sandbox_id)   # looking at it counts as using it (idle cleanup)
    return outcome


def _with_session_sandbox(operation):
    """Run `operation(store, sandbox_id)` on this browser's sandbox, creating one if it is gone."""
    store = current_store()
    sandbox_id = session.get(SESSION_KEY)
    if isinstance(sandbox_id, str):
        try:
            return operation(store, sandbox_id)
        except UnknownSandbox:
            pass
    return operation(store, _start_session_sandbox(None))


def _start_session_sandbox(scenario: str | None) -> str:
    before_new_sandbox()
    sandbox_id = sandboxes.create(current_store(), scenario=scenario)
    session[SESSION_KEY] = sandbox_id
    session.permanent = True
    return sandbox_id


def _max_command() -> int:
    return current_app.config["MAX_COMMAND_LENGTH"]


# For other blueprints that act on this browser's sandbox (the files panel).
session_outcome = _session_outcome
with_session_sandbox = _with_session_sandbox
