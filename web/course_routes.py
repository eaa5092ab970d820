"""The course's pages: lessons (goal checked after every command, hints, predictions, solution),
the article's walkthrough with a presentation mode, a timeline over the playground's command log,
and permalinks that reproduce a sandbox for someone else.

Each browser has one course sandbox (session key below), separate from its playground sandbox;
its stored record carries the progress (course.progress), so progress survives a restart.
Forms work without JavaScript (post/redirect/get); htmx requests get out-of-band partials.
Register with `app.register_blueprint(course_routes.bp)` (this also sets up web.i18n).
"""
from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from course import progress
from course.checks import subgoals
from course.goals import holds
from course.lessons import Lesson, all_lessons, find, next_lesson
from course.progress import CourseMeta, Progress
from course.subgoals import reveal_line
from course.walkthrough import walkthrough
from engine.sandbox import Sandbox
from present.figures import figure
from web import before_new_sandbox, current_store, i18n, permalinks, ratelimit, sandboxes
from web.store import UnknownSandbox

bp = Blueprint("course", __name__)
COURSE_KEY = "course_sandbox_id"
PLAYGROUND_KEY = "sandbox_id"        # web/pages.py SESSION_KEY


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
def _course_outcome() -> sandboxes.Outcome | None:
    """This browser's course sandbox as it is now (the live one: no decode), or None."""
    sandbox_id = session.get(COURSE_KEY)
    return sandboxes.load(current_store(), sandbox_id) if isinstance(sandbox_id, str) else None


def _course() -> Progress | None:
    outcome = _course_outcome()
    return sandboxes.course_progress(outcome) if outcome is not None else None


def _in_lesson(lesson: Lesson, change) -> tuple:
    """Apply `change(progress) -> (progress, *answer)` to this browser's course sandbox in `lesson`:
    created first if there is none; moved to the lesson within the same stored change if it is in
    another (the lesson's start plus the learner's earlier lines there: a new sandbox, a snapshot)."""
    learner = _course()
    if learner is None:
        before_new_sandbox()
        session[COURSE_KEY] = sandboxes.create_course(current_store(), progress.open_lesson(None, lesson))
        session.permanent = True
    elif not progress.is_in(learner, lesson):
        ratelimit.spend(ratelimit.REPLAYS)   # moving to another lesson replays the learner's lines there

    try:
        return sandboxes.lesson_change(current_store(), session[COURSE_KEY],
                                       lambda now: change(progress.enter(now, lesson)))
    except UnknownSandbox:
        session.pop(COURSE_KEY, None)
        abort(409, description=_("Your course sandbox expired; reload the lesson."))


# ---- lessons -----------------------------------------------------------------------------------
@bp.get("/lessons")
def lesson_list():
    outcome = _course_outcome()
    meta = sandboxes.course_summary(outcome.record) if outcome is not None else CourseMeta()
    return render_template("course/lessons.html", lessons=all_lessons(), solved=set(meta.solved),
                           current=meta.lesson, **_page())


@bp.get("/lessons/<slug>")
def lesson_page(slug: str):
    """Opening a lesson changes nothing: a sandbox in another lesson (or none) is shown as it would
    be in this one, and the first post here (a command, a hint…) moves it for real (_in_lesson)."""
    lesson = _lesson_or_404(slug)
    return render_template("course/lesson.html", **_lesson_view(lesson, _lesson_sandbox(lesson)))


def _lesson_sandbox(lesson: Lesson) -> Progress:
    """The course sandbox as it is in `lesson`, for reading: the live one, or worked out and not saved."""
    learner = _course()
    if progress.is_in(learner, lesson):
        return learner
    ratelimit.spend(ratelimit.REPLAYS)   # the lesson's start plus the learner's earlier lines there
    return progress.open_lesson(learner, lesson)


@bp.post("/lessons/<slug>/commands")
def lesson_command(slug: str):
    lesson = _lesson_or_404(slug)
    line = request.form.get("command", "")
    if len(line) > current_app.config["MAX_COMMAND_LENGTH"]:
        abort(400, description=_("command too long"))
    learner, _result, solved_now = _in_lesson(lesson, lambda now: progress.run(now, lesson, line))
    return _respond(lesson, learner, solved_now=solved_now)


@bp.post("/lessons/<slug>/undo")
def lesson_undo(slug: str):
    lesson = _lesson_or_404(slug)
    learner, = _in_lesson(lesson, lambda now: (progress.undo(now),))
    return _respond(lesson, learner)


@bp.post("/lessons/<slug>/restart")
def lesson_restart(slug: str):
    lesson = _lesson_or_404(slug)
    learner, = _in_lesson(lesson, lambda now: (progress.restart(now, lesson),))
    return _respond(lesson, learner)


def _with_meta(change):
    """A change of the progress only (hints, the solution, predictions): the sandbox stays as it is."""
    return lambda now: (replace(now, meta=change(now.meta)),)


@bp.post("/lessons/<slug>/hint")
def lesson_hint(slug: str):
    lesson = _lesson_or_404(slug)
    learner, = _in_lesson(lesson, _with_meta(lambda meta: progress.reveal_hint(meta, lesson)))
    return _respond(lesson, learner, anchor="hints")


@bp.post("/lessons/<slug>/solution")
def lesson_solution(slug: str):
    lesson = _lesson_or_404(slug)
    if request.form.get("confirm") != "yes":
        abort(400, description=_("Tick the box to confirm you want to see the solution."))
    learner, = _in_lesson(lesson, _with_meta(lambda meta: progress.reveal_solution(meta, lesson)))
    return _respond(lesson, learner, anchor="solution")


@bp.post("/lessons/<slug>/answer")
def lesson_answer(slug: str):
    lesson = _lesson_or_404(slug)
    try:
        question, choice = int(request.form.get("question", "")), int(request.form.get("choice", ""))
    except ValueError:
        question = choice = -1
    if not progress.is_choice(lesson, question, choice):
        abort(400, description=_("Pick one of the answers."))
    learner, = _in_lesson(lesson, _with_meta(lambda meta: progress.answer(meta, lesson, question, choice)))
    return _respond(lesson, learner, anchor=f"question-{question}")


@bp.get("/lessons/<slug>/complete")
def lesson_complete(slug: str):
    lesson = _lesson_or_404(slug)
    line = request.args.get("line", "")[: current_app.config["MAX_COMMAND_LENGTH"]]
    return {"candidates": _lesson_sandbox(lesson).sandbox.complete(line)}


@lru_cache(maxsize=64)
def _solved(slug: str) -> Sandbox:
    """The lesson's state after its reference solution (read only: pictures are drawn from it)."""
    lesson = find(slug)
    sandbox = lesson.start()
    for line in lesson.solution:
        sandbox.run(line)
    return sandbox


def _goal_picture(lesson: Lesson) -> Markup:
    """The shared stage partial drawn for the solved state, small, beside the learner's own stage."""
    sandbox = _solved(lesson.slug)
    html = render_template("course/_goal_stage.html", sandbox=sandbox, state=sandbox.state(), last=None, events=[])
    return Markup(prefix_ids(html, "goal-"))


_ID_ATTRIBUTES = re.compile(r'(?<![\w:-])(id|for|href|xlink:href|aria-labelledby|aria-describedby|aria-controls)="([^"]*)"')


def prefix_ids(html: str, prefix: str) -> str:
    """The same markup with its ids (and the references to them) prefixed, so a second copy of a
    partial on one page keeps every id unique (one #stage-title, one SVG pattern of each name)."""
    ids = set(re.findall(r'(?<![\w:-])id="([^"]+)"', html))

    def attribute(match: re.Match) -> str:
        name, value = match[1], match[2]
        if name in ("id", "for"):
            value = prefix + value if value in ids else value
        elif name.endswith("href"):
            value = f"#{prefix}{value[1:]}" if value.startswith("#") and value[1:] in ids else value
        else:
            value = " ".join(prefix + v if v in ids else v for v in value.split())
        return f'{name}="{value}"'

    html = _ID_ATTRIBUTES.sub(attribute, html)
    return re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m[1]})" if m[1] in ids else m[0], html)


@bp.get("/lessons/<slug>/goal")
def lesson_goal(slug: str):
    """The goal picture, large: the stage after the reference solution, to compare with your own."""
    lesson = _lesson_or_404(slug)
    return render_template("course/goal.html", lesson=lesson, sandbox=_solved(slug), last=None, events=[], **_page())


def _respond(lesson: Lesson, learner: Progress, *, solved_now: bool = False, anchor: str = "prompt"):
    if _is_htmx():
        return render_template("course/_lesson_swap.html", **_lesson_view(lesson, learner, solved_now=solved_now))
    return redirect(url_for("course.lesson_page", slug=lesson.slug, _anchor=anchor), code=303)


def _lesson_view(lesson: Lesson, learner: Progress, *, solved_now: bool = False) -> dict:
    meta, sandbox, last = learner.meta, learner.sandbox, learner.last
    world = progress.world(learner)
    outcome = sandboxes.Outcome({"clear_from": learner.clear_from}, sandbox)   # what the terminal shows
    return {
        **_page(),
        "lesson": lesson, "next_lesson": next_lesson(lesson), "lessons": all_lessons(),
        "sandbox": sandbox, "state": sandbox.state(),
        "entries": sandboxes.terminal_entries(outcome), "history": sandboxes.command_history(outcome),
        "last": last, "events": sandboxes.last_events(last),
        "goal_met": holds(lesson.goal, world), "solved_now": solved_now,
        "subgoals": subgoals(lesson, world), "goal_picture": lambda: _goal_picture(lesson),  # drawn only by the full page
        "solved": set(meta.solved), "hints_shown": meta.hints.get(lesson.slug, 0),
        "solution_shown": lesson.slug in meta.solutions,
        "questions": progress.question_states(meta, lesson), "reveal_line": reveal_line,
        "max_command": current_app.config["MAX_COMMAND_LENGTH"],
    }


def _page() -> dict:
    return i18n.page_languages()


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
        if at != len(log):
            ratelimit.spend(ratelimit.REPLAYS)   # rebuilt from the nearest checkpoint: a replay
        sandbox = permalinks.state_at(outcome.sandbox, at)
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

    ratelimit.spend(ratelimit.REPLAYS)   # going back rebuilds the sandbox from a checkpoint
    try:
        sandboxes.branch(current_store(), sandbox_id, at)
    except UnknownSandbox:
        pass
    return redirect(url_for("pages.index", _anchor="prompt"), code=303)


# ---- permalinks (web/permalinks.py) -----------------------------------------------------------------
def _open_link(token: str, with_transcript: bool = False) -> Sandbox:
    try:
        if not permalinks.HASH_TOKEN.fullmatch(token):   # a link that carries its log: opening it replays
            permalinks.decode_link(token, current_app.config["MAX_COMMAND_LENGTH"])
            ratelimit.spend(ratelimit.REPLAYS)   # a well-formed link: replaying it is the cost (429 past the budget)
        return permalinks.open_link(current_store(), token, current_app.config["MAX_COMMAND_LENGTH"], with_transcript)
    except permalinks.BadLink as error:
        abort(400, description=f"This is not a working LayerLab link: {error}.")


@bp.get("/share")
def share():
    """A link to this browser's playground as it is now: anyone opening it gets the same state."""
    outcome = _playground()
    link = url_for("course.shared", token=permalinks.share(current_store(), outcome.sandbox), _external=True) \
        if outcome else None
    return render_template("course/share.html", link=link, too_long=False,
                           commands=len(outcome.sandbox.log) if outcome else 0, **_page())


@bp.get("/s/<token>")
def shared(token: str):
    sandbox = _open_link(token)
    return render_template("course/shared.html", token=token, sandbox=sandbox, state=sandbox.state(),
                           log=sandbox.log, last=None, events=[], **_page())


@bp.post("/s/<token>")
def open_shared(token: str):
    """Continue from a shared state: it becomes this browser's playground (a new sandbox)."""
    sandbox = _open_link(token, with_transcript=True)
    before_new_sandbox()
    session[PLAYGROUND_KEY] = sandboxes.create_from(current_store(), sandbox)
    session.permanent = True
    return redirect(url_for("pages.index", _anchor="prompt"), code=303)
