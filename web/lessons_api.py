"""The grading API: the lessons, and an attempt at one checked like the lesson page checks it.

    GET  /api/lessons                      -> [{"slug", "title": {"zh", "en"}}, ...] in course order
    POST /api/lessons/<slug>/attempts      {"commands": ["docker ...", ...]}
         -> {"slug", "goal_met", "subgoals": [{"text": {"zh", "en"}, "met"}],
             "questions": [{"index", "revealed", "answer"}], "transcript": [{"command", "stdout", "stderr", "exit_code"}]}
An attempt runs on a fresh copy of the lesson's start; nothing is stored and no cookie is read.
`answer` is the index of the choice that what happened shows to be right, null until a command
answered the question by experiment (course.checks). 400 for a malformed body, 404 for an
unknown lesson, 429 past the per-client rate of new sandboxes (an attempt replays up to 200
commands: about a second of CPU); errors are JSON like the rest of /api (web.errors).
"""
from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, jsonify, request

from course.checks import attempt
from course.lessons import all_lessons, find
from web import before_new_sandbox
from web.security import csrf_exempt

bp = Blueprint("lessons_api", __name__, url_prefix="/api/lessons")

MAX_COMMANDS = 200  # one attempt replays at most this many lines (each under MAX_COMMAND_LENGTH)


@bp.get("")
def lessons():
    return jsonify([{"slug": lesson.slug, "title": {"zh": lesson.title.zh, "en": lesson.title.en}}
                    for lesson in all_lessons()])


@bp.post("/<slug>/attempts")
@csrf_exempt  # no cookie is read: an attempt touches no one's sandbox
def attempts(slug: str):
    lesson = find(slug)
    if lesson is None:
        abort(404, description=f"no such lesson: {slug}")
    commands = _commands()
    before_new_sandbox()  # an attempt is a sandbox for a moment: it counts against the per-client rate (429)
    result = attempt(lesson, commands)
    return jsonify({
        "slug": lesson.slug,
        "goal_met": result.goal_met,
        "subgoals": [{"text": {"zh": text.zh, "en": text.en}, "met": met} for text, met in result.subgoals],
        "questions": [{"index": i, "revealed": i in result.revealed,
                       "answer": question.answer if i in result.revealed else None}
                      for i, question in enumerate(lesson.questions)],
        "transcript": [_entry(e) for e in result.transcript],
    })


def _commands() -> list[str]:
    try:
        body = json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        abort(400, description=f"malformed JSON: {error}")
    commands = body.get("commands") if isinstance(body, dict) else None
    if not isinstance(commands, list) or not all(isinstance(c, str) for c in commands):
        abort(400, description='body must be {"commands": ["<a command line>", ...]}')
    if len(commands) > MAX_COMMANDS:
        abort(400, description=f"too many commands: {len(commands)} (at most {MAX_COMMANDS})")
    limit = current_app.config["MAX_COMMAND_LENGTH"]
    too_long = next((i for i, c in enumerate(commands) if len(c) > limit), None)
    if too_long is not None:
        abort(400, description=f"command {too_long} too long: {len(commands[too_long])} characters (at most {limit})")
    return commands


def _entry(entry: dict) -> dict:
    streams = {"stdout": "", "stderr": ""}
    for stream, text in entry["output"]:
        streams[stream if stream in streams else "stdout"] += text
    return {"command": entry["command"], **streams, "exit_code": entry["exit_code"]}
