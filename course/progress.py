"""A learner's course progress, kept in their course sandbox's stored record (pure: no Flask).

The record has the web store's sandbox format ("scenario", "seed", "sandbox", "clear_from",
"last") plus `meta.course`:
    {"lesson": slug,                 # the lesson the sandbox is in now
     "since": int,                   # transcript index where the learner's own commands start
     "solved": [slug, ...],          # lessons whose goal held at least once
     "logs": {slug: [command, ...]}, # the learner's commands per lesson, to come back to it
     "hints": {slug: n}, "answers": {slug: {"0": choice}}, "solutions": [slug, ...]}
Each function takes a record (or None) and returns the new record; the web side saves it.
"""
from __future__ import annotations

import copy

from engine.sandbox import Result, Sandbox

from .goals import holds
from .lessons import Lesson, SEED


def course_meta(record: dict | None) -> dict:
    meta = ((record or {}).get("meta") or {}).get("course") or {}
    return {"lesson": meta.get("lesson"), "since": meta.get("since", 0), "solved": list(meta.get("solved", [])),
            "logs": dict(meta.get("logs", {})), "hints": dict(meta.get("hints", {})),
            "answers": copy.deepcopy(meta.get("answers", {})), "solutions": list(meta.get("solutions", []))}


def _with(record: dict | None, sandbox: Sandbox, meta: dict, *, last: dict | None = None,
          clear_from: int | None = None) -> dict:
    new = dict(record or {})
    new.update({"scenario": None, "seed": SEED, "sandbox": sandbox.to_json(),
                "clear_from": meta["since"] if clear_from is None else clear_from, "last": last})
    new["meta"] = {**(new.get("meta") or {}), "course": meta}
    return new


def open_lesson(record: dict | None, lesson: Lesson) -> tuple[dict, Sandbox]:
    """The record with its sandbox in `lesson`: the current one as is, or the lesson's start state
    plus the commands the learner typed there before (their earlier work comes back)."""
    meta = course_meta(record)
    if record is not None and meta["lesson"] == lesson.slug:
        return record, Sandbox.from_json(record["sandbox"])
    if record is not None and meta["lesson"]:
        old = Sandbox.from_json(record["sandbox"])
        meta["logs"][meta["lesson"]] = old.log[len(old.log) - _learner_count(old, meta["since"]):]
    sandbox = lesson.start()
    meta.update(lesson=lesson.slug, since=len(sandbox.transcript))
    for line in meta["logs"].get(lesson.slug, []):
        sandbox.run(line)
    _note_if_solved(meta, lesson, sandbox)
    return _with(record, sandbox, meta), sandbox


def _learner_count(sandbox: Sandbox, since: int) -> int:
    return max(0, len(sandbox.transcript) - since)


def run(record: dict, lesson: Lesson, line: str) -> tuple[dict, Sandbox, Result, bool]:
    """Run a learner's line; returns (record, sandbox, result, solved_just_now)."""
    meta = course_meta(record)
    sandbox = Sandbox.from_json(record["sandbox"])
    result = sandbox.run(line)
    last = record.get("last")
    clear_from = record.get("clear_from", meta["since"])
    if any(e.get("type") == "clear" for e in result.events):
        clear_from = len(sandbox.transcript)
    elif line.strip():
        last = {"command": result.command, "exit_code": result.exit_code, "events": result.events}
    solved_now = _note_if_solved(meta, lesson, sandbox)
    return _with(record, sandbox, meta, last=last, clear_from=clear_from), sandbox, result, solved_now


def _note_if_solved(meta: dict, lesson: Lesson, sandbox: Sandbox) -> bool:
    if lesson.slug in meta["solved"] or not holds(lesson.goal, sandbox, meta["since"]):
        return False
    meta["solved"].append(lesson.slug)
    return True


def undo(record: dict) -> tuple[dict, Sandbox]:
    """Back one of the learner's commands; the lesson's setup cannot be undone."""
    meta = course_meta(record)
    sandbox = Sandbox.from_json(record["sandbox"])
    if len(sandbox.transcript) > meta["since"]:
        command = sandbox.transcript[-1]["command"]
        sandbox.undo(floor=meta["since"])
        command = sandbox.last_undone or command  # the change taken back
        last = {"command": command, "undone": True, "exit_code": 0, "events": []}
        return _with(record, sandbox, meta, last=last,
                     clear_from=min(record.get("clear_from", 0), len(sandbox.transcript))), sandbox
    return record, sandbox


def restart(record: dict, lesson: Lesson) -> tuple[dict, Sandbox]:
    """The lesson's start state again (solved lessons stay solved)."""
    meta = course_meta(record)
    meta["logs"].pop(lesson.slug, None)
    meta["lesson"] = None
    return open_lesson(_with(record, Sandbox.from_json(record["sandbox"]), meta), lesson)


def reveal_hint(record: dict, lesson: Lesson) -> dict:
    meta = course_meta(record)
    meta["hints"][lesson.slug] = min(meta["hints"].get(lesson.slug, 0) + 1, len(lesson.hints))
    return {**record, "meta": {**record.get("meta", {}), "course": meta}}


def reveal_solution(record: dict, lesson: Lesson) -> dict:
    meta = course_meta(record)
    if lesson.slug not in meta["solutions"]:
        meta["solutions"].append(lesson.slug)
    return {**record, "meta": {**record.get("meta", {}), "course": meta}}


def answer(record: dict, lesson: Lesson, question: int, choice: int) -> dict:
    """Record a prediction; the first answer counts (a prediction changed after the fact isn't one)."""
    meta = course_meta(record)
    if not (0 <= question < len(lesson.questions) and 0 <= choice < len(lesson.questions[question].choices)):
        raise ValueError("no such question or choice")
    meta["answers"].setdefault(lesson.slug, {}).setdefault(str(question), choice)
    return {**record, "meta": {**record.get("meta", {}), "course": meta}}


def question_states(record: dict, lesson: Lesson, sandbox: Sandbox) -> list[dict]:
    """For each prediction: the learner's choice (or None) and whether they have run the command yet."""
    meta = course_meta(record)
    chosen = meta["answers"].get(lesson.slug, {})
    learner = [e["command"] for e in sandbox.transcript[meta["since"]:]]
    states = []
    for i, question in enumerate(lesson.questions):
        choice = chosen.get(str(i))
        states.append({"question": question, "index": i, "choice": choice,
                       "ran": any(question.about(c) for c in learner),
                       "right": choice == question.answer if choice is not None else None})
    return states
