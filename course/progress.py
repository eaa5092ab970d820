"""A learner's course progress, kept in their course sandbox's stored record (pure: no Flask).

The record has the web store's sandbox format ("scenario", "seed", "sandbox", "clear_from",
"last") plus `meta.course`:
    {"lesson": slug,                 # the lesson the sandbox is in now
     "since": int,                   # transcript index where the learner's own commands start
     "steps": [Step json, ...],      # what each of those commands did (course.history): the checks
                                     #   read these, never the transcript's text
     "solved": [slug, ...],          # lessons whose goal held at least once
     "logs": {slug: [command, ...]}, # the learner's commands per lesson, to come back to it
     "hints": {slug: n}, "answers": {slug: {"0": choice}}, "solutions": [slug, ...]}
Each function takes a record (or None) and returns the new record; the web side saves it.
"""
from __future__ import annotations

import copy

from engine.events import Cleared, events_to_json
from engine.sandbox import Result, Sandbox

from .checks import revealed, run_step
from .goals import World, holds
from .history import Step
from .lessons import Lesson, SEED


def course_meta(record: dict | None) -> dict:
    meta = ((record or {}).get("meta") or {}).get("course") or {}
    return {"lesson": meta.get("lesson"), "since": meta.get("since", 0), "solved": list(meta.get("solved", [])),
            "logs": dict(meta.get("logs", {})), "hints": dict(meta.get("hints", {})),
            "answers": copy.deepcopy(meta.get("answers", {})), "solutions": list(meta.get("solutions", [])),
            "steps": list(meta.get("steps", []))}


def steps_of(record: dict | None) -> tuple[Step, ...]:
    return tuple(Step.from_json(s) for s in course_meta(record)["steps"])


def world(record: dict, sandbox: Sandbox) -> World:
    """What the lesson's checks read: the sandbox and the learner's steps in the lesson."""
    return World(sandbox, steps_of(record))


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
    if is_in(record, lesson):
        return record, Sandbox.from_json(record["sandbox"])
    # leaving another lesson, or a record kept before steps were (its steps are rebuilt by replay)
    if record is not None and meta["lesson"]:
        old = Sandbox.from_json(record["sandbox"])
        meta["logs"][meta["lesson"]] = old.log[len(old.log) - _learner_count(old, meta["since"]):]
    sandbox = lesson.start()
    meta.update(lesson=lesson.slug, since=len(sandbox.transcript))
    steps: tuple[Step, ...] = ()
    for line in meta["logs"].get(lesson.slug, []):
        _result, step = run_step(lesson, sandbox, steps, line)
        steps += (step,) if step else ()
    meta["steps"] = [s.to_json() for s in steps]
    _note_if_solved(meta, lesson, sandbox)
    return _with(record, sandbox, meta), sandbox


def is_in(record: dict | None, lesson: Lesson) -> bool:
    """The record's sandbox is in `lesson`, with one step for each of the learner's commands."""
    meta = course_meta(record)
    return record is not None and meta["lesson"] == lesson.slug and \
        len(meta["steps"]) == max(0, len(record["sandbox"]["transcript"]) - meta["since"])


def _learner_count(sandbox: Sandbox, since: int) -> int:
    return max(0, len(sandbox.transcript) - since)


def run(record: dict, lesson: Lesson, line: str) -> tuple[dict, Sandbox, Result, bool]:
    """Run a learner's line; returns (record, sandbox, result, solved_just_now)."""
    meta = course_meta(record)
    sandbox = Sandbox.from_json(record["sandbox"])
    result, step = run_step(lesson, sandbox, steps_of(record), line)
    if step is not None:
        meta["steps"].append(step.to_json())
    last = record.get("last")
    clear_from = record.get("clear_from", meta["since"])
    if any(isinstance(e, Cleared) for e in result.events):
        clear_from = len(sandbox.transcript)
    elif line.strip():
        last = {"command": result.command, "exit_code": result.exit_code, "events": events_to_json(result.events)}
    solved_now = _note_if_solved(meta, lesson, sandbox)
    return _with(record, sandbox, meta, last=last, clear_from=clear_from), sandbox, result, solved_now


def _note_if_solved(meta: dict, lesson: Lesson, sandbox: Sandbox) -> bool:
    steps = tuple(Step.from_json(s) for s in meta["steps"])
    if lesson.slug in meta["solved"] or not holds(lesson.goal, World(sandbox, steps)):
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
        meta["steps"] = meta["steps"][:len(sandbox.transcript) - meta["since"]]
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
    if question in revealed(steps_of(record)):
        return record  # the experiment has shown the answer: a prediction now is not one
    meta["answers"].setdefault(lesson.slug, {}).setdefault(str(question), choice)
    return {**record, "meta": {**record.get("meta", {}), "course": meta}}


def question_states(record: dict, lesson: Lesson) -> list[dict]:
    """For each prediction: the learner's choice (or None), whether a command has answered it by
    experiment yet (`ran`), and only then whether the prediction was right."""
    meta = course_meta(record)
    chosen = meta["answers"].get(lesson.slug, {})
    answered = revealed(steps_of(record))
    states = []
    for i, question in enumerate(lesson.questions):
        choice = chosen.get(str(i))
        states.append({"question": question, "index": i, "choice": choice, "ran": i in answered,
                       "right": choice == question.answer if choice is not None and i in answered else None})
    return states
