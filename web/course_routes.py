"""The course's pages: lessons (goal checked after every command, hints, predictions, solution),
the article's walkthrough with a presentation mode, a timeline over the playground's command log,
and permalinks that reproduce a sandbox for someone else.

Each browser has one course sandbox (session key below), separate from its playground sandbox;
its stored record carries the progress (course.progress), so progress survives a restart.
Forms work without JavaScript (post/redirect/get); htmx requests get out-of-band partials.
Register with `app.register_blueprint(course_routes.bp)` (this also sets up web.i18n).
"""
from __future__ import annotations

import base64
import binascii
import json
import zlib

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from course import progress
from course.goals import holds
from course.lessons import Lesson, all_lessons, find, next_lesson
from course.walkthrough import walkthrough
from engine.sandbox import MAX_LOG, Sandbox
from engine.scenarios import SCENARIOS
from present.figures import figure
from web import before_new_sandbox, current_store, i18n, sandboxes
from web.store import UnknownSandbox

bp = Blueprint("course", __name__)
COURSE_KEY = "course_sandbox_id"
PLAYGROUND_KEY = "sandbox_id"        # web/pages.py SESSION_KEY
MAX_LINK_CHARS = 12000               # a permalink longer than this is refused (URLs must stay usable)
MAX_LINK_COMMANDS = 300


@bp.record_once
def _setup(state) -> None:
    i18n.init_app(state.app)


@bp.app_template_filter("inline_code")
def inline_code(text: str) -> Markup:
    """`backticks` in lesson text -> <code>; everything else escaped."""
    parts = str(text).split("`")
    return Markup("").join(Markup("<code>{}</code>").format(p) if i % 2 else escape(p) for i, p in enumerate(parts))


def _is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def _lesson_or_404(slug: str) -> Lesson:
    lesson = find(slug)
    if lesson is None:
        abort(404)
    return lesson


# ---- the course sandbox ------------------------------------------------------------------------
def _course_record() -> tuple[str | None, dict | None]:
    sandbox_id = session.get(COURSE_KEY)
    record = current_store().get(sandbox_id) if isinstance(sandbox_id, str) else None
    return (sandbox_id, record) if record is not None else (None, None)


def _open(lesson: Lesson) -> tuple[dict, Sandbox]:
    """This browser's course sandbox, in `lesson` (created, or moved to the lesson, as needed)."""
    sandbox_id, record = _course_record()
    if sandbox_id is None:
        before_new_sandbox()
        record, sandbox = progress.open_lesson(None, lesson)
        session[COURSE_KEY] = current_store().create(record)
        session.permanent = True
        return record, sandbox
    if progress.course_meta(record)["lesson"] == lesson.slug:
        return record, Sandbox.from_json(record["sandbox"])
    return _update(lambda r: progress.open_lesson(r, lesson))


def _update(change):
    """Apply `change(record) -> (record, *answer)` to the course sandbox as one store transaction."""
    sandbox_id = session.get(COURSE_KEY)

    def apply(record):
        new, *rest = change(record)
        return new, (new, *rest)

    try:
        return current_store().update(sandbox_id, apply)
    except UnknownSandbox:
        session.pop(COURSE_KEY, None)
        abort(409, description=_("Your course sandbox expired; reload the lesson."))


def _in_lesson(lesson: Lesson, change):
    """Make sure the sandbox is in this lesson, then apply `change` to its record."""
    _open(lesson)
    return _update(change)


# ---- lessons -----------------------------------------------------------------------------------
@bp.get("/lessons")
def lesson_list():
    _, record = _course_record()
    meta = progress.course_meta(record)
    return render_template("course/lessons.html", lessons=all_lessons(), solved=set(meta["solved"]),
                           current=meta["lesson"], **_page())


@bp.get("/lessons/<slug>")
def lesson_page(slug: str):
    lesson = _lesson_or_404(slug)
    record, sandbox = _open(lesson)
    return render_template("course/lesson.html", **_lesson_view(lesson, record, sandbox))


@bp.post("/lessons/<slug>/commands")
def lesson_command(slug: str):
    lesson = _lesson_or_404(slug)
    line = request.form.get("command", "")
    if len(line) > current_app.config["MAX_COMMAND_LENGTH"]:
        abort(400, description=_("command too long"))
    record, sandbox, _result, solved_now = _in_lesson(lesson, lambda r: progress.run(r, lesson, line))
    return _respond(lesson, record, sandbox, solved_now=solved_now)


@bp.post("/lessons/<slug>/undo")
def lesson_undo(slug: str):
    lesson = _lesson_or_404(slug)
    record, sandbox = _in_lesson(lesson, progress.undo)
    return _respond(lesson, record, sandbox)


@bp.post("/lessons/<slug>/restart")
def lesson_restart(slug: str):
    lesson = _lesson_or_404(slug)
    record, sandbox = _in_lesson(lesson, lambda r: progress.restart(r, lesson))
    return _respond(lesson, record, sandbox)


@bp.post("/lessons/<slug>/hint")
def lesson_hint(slug: str):
    lesson = _lesson_or_404(slug)
    record, = _in_lesson(lesson, lambda r: (progress.reveal_hint(r, lesson),))
    return _respond(lesson, record, Sandbox.from_json(record["sandbox"]), anchor="hints")


@bp.post("/lessons/<slug>/solution")
def lesson_solution(slug: str):
    lesson = _lesson_or_404(slug)
    if request.form.get("confirm") != "yes":
        abort(400, description=_("Tick the box to confirm you want to see the solution."))
    record, = _in_lesson(lesson, lambda r: (progress.reveal_solution(r, lesson),))
    return _respond(lesson, record, Sandbox.from_json(record["sandbox"]), anchor="solution")


@bp.post("/lessons/<slug>/answer")
def lesson_answer(slug: str):
    lesson = _lesson_or_404(slug)
    try:
        question, choice = int(request.form.get("question", "")), int(request.form.get("choice", ""))
        record, = _in_lesson(lesson, lambda r: (progress.answer(r, lesson, question, choice),))
    except ValueError:
        abort(400, description=_("Pick one of the answers."))
    return _respond(lesson, record, Sandbox.from_json(record["sandbox"]), anchor=f"question-{question}")


@bp.get("/lessons/<slug>/complete")
def lesson_complete(slug: str):
    lesson = _lesson_or_404(slug)
    line = request.args.get("line", "")[: current_app.config["MAX_COMMAND_LENGTH"]]
    _, record = _course_record()
    if record is None or progress.course_meta(record)["lesson"] != lesson.slug:
        return {"candidates": []}
    return {"candidates": Sandbox.from_json(record["sandbox"]).complete(line)}


@bp.get("/lessons/<slug>/goal")
def lesson_goal(slug: str):
    """The goal picture: the stage after the reference solution, to compare with your own."""
    lesson = _lesson_or_404(slug)
    sandbox = lesson.start()
    for line in lesson.solution:
        sandbox.run(line)
    return render_template("course/goal.html", lesson=lesson, sandbox=sandbox, last=None, events=[], **_page())


def _respond(lesson: Lesson, record: dict, sandbox: Sandbox, *, solved_now: bool = False, anchor: str = "prompt"):
    if _is_htmx():
        return render_template("course/_lesson_swap.html",
                               **_lesson_view(lesson, record, sandbox, solved_now=solved_now))
    return redirect(url_for("course.lesson_page", slug=lesson.slug, _anchor=anchor), code=303)


def _lesson_view(lesson: Lesson, record: dict, sandbox: Sandbox, *, solved_now: bool = False) -> dict:
    meta = progress.course_meta(record)
    outcome = sandboxes.Outcome(record, sandbox)
    last = record.get("last")
    return {
        **_page(),
        "lesson": lesson, "next_lesson": next_lesson(lesson), "lessons": all_lessons(),
        "sandbox": sandbox, "state": sandbox.state(),
        "entries": sandboxes.terminal_entries(outcome), "history": sandboxes.command_history(outcome),
        "last": last, "events": (last or {}).get("events", []),
        "goal_met": holds(lesson.goal, sandbox, meta["since"]), "solved_now": solved_now,
        "solved": set(meta["solved"]), "hints_shown": meta["hints"].get(lesson.slug, 0),
        "solution_shown": lesson.slug in meta["solutions"],
        "questions": progress.question_states(record, lesson, sandbox),
        "max_command": current_app.config["MAX_COMMAND_LENGTH"],
    }


def _page() -> dict:
    """What every course page needs: the language (HTML attribute and which half of zh/en texts)."""
    return {"lang": i18n.html_lang(), "text_lang": i18n.content_lang()}


# ---- the article's walkthrough -------------------------------------------------------------------
@bp.get("/walkthrough")
def walkthrough_page():
    walk = walkthrough()
    try:
        index = walk.clamp(int(request.args.get("step", "0")))
    except ValueError:
        index = 0
    present = request.args.get("present") == "1"
    state = walk.state_at(index)
    first = walk.first_entry(index)
    step = walk.steps[index]
    last = {"command": state.last_command, "exit_code": state.exit_code, "events": list(state.events)} \
        if step.commands else None
    drawn = figure(state.sandbox.daemon, state.sandbox.host, list(state.invocations), list(state.events),
                   state.last_command if len(step.commands) == 1 else "")
    return render_template(
        "course/walkthrough.html", walk=walk, step=step, index=index, present=present, figure=drawn,
        sandbox=state.sandbox, state=state.sandbox.state(), last=last, events=list(state.events),
        entries=state.sandbox.transcript[first:first + len(step.commands)], **_page())


# ---- timeline over the playground's command log ---------------------------------------------------
def _playground() -> sandboxes.Outcome | None:
    sandbox_id = session.get(PLAYGROUND_KEY)
    return sandboxes.load(current_store(), sandbox_id) if isinstance(sandbox_id, str) else None


@bp.get("/timeline")
def timeline():
    outcome = _playground()
    log = outcome.sandbox.log if outcome else []
    try:
        at = max(0, min(int(request.args.get("at", len(log))), len(log)))
    except ValueError:
        at = len(log)
    sandbox = None
    if outcome:
        sandbox = outcome.sandbox if at == len(log) else \
            Sandbox.replay(outcome.sandbox.seed, outcome.sandbox.scenario, log[:at], outcome.sandbox.uploads)
    last = {"command": log[at - 1], "exit_code": 0, "events": []} if at else None
    return render_template("course/timeline.html", log=log, at=at, sandbox=sandbox, last=last, events=[],
                           state=sandbox.state() if sandbox else None, **_page())


@bp.post("/timeline")
def timeline_branch():
    """Continue from an earlier point: the playground goes back to its state after `at` commands."""
    sandbox_id = session.get(PLAYGROUND_KEY)
    try:
        at = int(request.form.get("at", ""))
    except ValueError:
        abort(400, description=_("at: a number of commands"))
    if not isinstance(sandbox_id, str):
        return redirect(url_for("pages.index"), code=303)

    def change(record):
        old = sandboxes.open_sandbox(record)
        keep = max(0, min(at, len(old.log)))
        sandbox = Sandbox.replay(old.seed, old.scenario, old.log[:keep], old.uploads)
        new = {**record, "sandbox": sandbox.to_json(), "last": None,
               "clear_from": min(record.get("clear_from", 0), len(sandbox.transcript))}
        return new, None

    try:
        current_store().update(sandbox_id, change)
    except UnknownSandbox:
        pass
    return redirect(url_for("pages.index", _anchor="prompt"), code=303)


# ---- permalinks: the scenario and the command log in the URL ----------------------------------------
def encode_link(sandbox: Sandbox) -> str:
    data = {"s": sandbox.scenario, "n": sandbox.seed, "l": sandbox.log,
            "u": [[i, p, base64.b64encode(b).decode()] for i, p, b in sandbox.uploads]}
    raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


def decode_link(token: str) -> dict:
    """The link's contents, checked; ValueError for anything that is not a link we made."""
    if len(token) > MAX_LINK_CHARS:
        raise ValueError("link too long")
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)), 1024 * 1024)
        if inflater.unconsumed_tail:
            raise ValueError("link too large")
        data = json.loads(raw)
    except (binascii.Error, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError("not a LayerLab link") from err
    if not isinstance(data, dict):
        raise ValueError("not a LayerLab link")
    scenario, seed, log, uploads = data.get("s"), data.get("n"), data.get("l"), data.get("u", [])
    max_line = current_app.config["MAX_COMMAND_LENGTH"]
    if scenario is not None and scenario not in SCENARIOS:
        raise ValueError("unknown scenario")
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**32:
        raise ValueError("bad seed")
    if not isinstance(log, list) or len(log) > min(MAX_LOG, MAX_LINK_COMMANDS) or \
            not all(isinstance(c, str) and len(c) <= max_line for c in log):
        raise ValueError("bad command log")
    if not isinstance(uploads, list) or not all(
            isinstance(u, list) and len(u) == 3 and isinstance(u[0], int) and isinstance(u[1], str)
            and isinstance(u[2], str) for u in uploads):
        raise ValueError("bad host files")
    try:
        files = [(i, p, base64.b64decode(b, validate=True)) for i, p, b in uploads]
    except binascii.Error as err:
        raise ValueError("bad host files") from err
    return {"scenario": scenario, "seed": seed, "log": log, "uploads": files}


def _replay_link(token: str) -> Sandbox:
    try:
        data = decode_link(token)
        return Sandbox.replay(data["seed"], data["scenario"], data["log"], data["uploads"])
    except ValueError:
        abort(404)
    except Exception:   # a host file the engine refuses (bad path): not a link we made
        abort(404)


@bp.get("/share")
def share():
    """A link to this browser's playground as it is now: anyone opening it gets the same state."""
    outcome = _playground()
    link = url_for("course.shared", token=encode_link(outcome.sandbox), _external=True) if outcome else None
    too_long = link is not None and len(link) > MAX_LINK_CHARS
    return render_template("course/share.html", link=None if too_long else link, too_long=too_long,
                           commands=len(outcome.sandbox.log) if outcome else 0, **_page())


@bp.get("/s/<token>")
def shared(token: str):
    sandbox = _replay_link(token)
    return render_template("course/shared.html", token=token, sandbox=sandbox, state=sandbox.state(),
                           log=sandbox.log, last=None, events=[], **_page())


@bp.post("/s/<token>")
def open_shared(token: str):
    """Continue from a shared state: it becomes this browser's playground (a new sandbox)."""
    sandbox = _replay_link(token)
    record, _ = sandboxes.new_record(sandbox.scenario, sandbox.seed)
    record.update(sandbox=sandbox.to_json(), clear_from=0, last=None)
    before_new_sandbox()
    session[PLAYGROUND_KEY] = current_store().create(record)
    session.permanent = True
    return redirect(url_for("pages.index", _anchor="prompt"), code=303)
