"""A learner's course progress in their course sandbox (pure: no Flask, no web imports).

The web side (web/sandboxes.py) owns the stored record; it hands this module the live sandbox and
the course meta, and stores what comes back: a line run on the given sandbox is journaled as one
small op, like a playground command; only opening or restarting a lesson makes a new sandbox.

`CourseMeta` is the learner's progress:
    lesson     the lesson the sandbox is in now
    since      transcript index where the learner's own commands start (the setup's come before)
    steps      what each of those commands did (course.history): the checks read these, never the
               transcript's text
    solved     lessons whose goal held at least once
    logs       the learner's commands per lesson left, to come back to it
    hints, answers, solutions   hints revealed, predictions made, solutions shown, per lesson
`Progress` is a course sandbox as the lesson code reads it: the sandbox, the meta, and what the
terminal shows (the explain panel's last command, where the screen was last cleared).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from engine.events import Cleared, events_to_json
from engine.sandbox import Result, Sandbox

from .checks import revealed, run_step, subgoals
from .classroom import first_error_line
from .goals import World, holds
from .history import Step
from .lessons import Lesson, find


@dataclass(frozen=True)
class CourseMeta:
    lesson: str | None = None
    since: int = 0
    steps: tuple[Step, ...] = ()
    solved: tuple[str, ...] = ()
    logs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    hints: dict[str, int] = field(default_factory=dict)
    answers: dict[str, dict[str, int]] = field(default_factory=dict)   # slug -> {"question index": choice}
    solutions: tuple[str, ...] = ()

    def to_json(self) -> dict:
        """The stored form (the same keys as records kept before this class existed)."""
        return {"lesson": self.lesson, "since": self.since, "steps": [s.to_json() for s in self.steps],
                "solved": list(self.solved), "logs": {k: list(v) for k, v in self.logs.items()},
                "hints": dict(self.hints), "answers": {k: dict(v) for k, v in self.answers.items()},
                "solutions": list(self.solutions)}

    @classmethod
    def from_json(cls, data: dict | None) -> "CourseMeta":
        """Read the stored form; a missing key (a record kept before it existed) reads as its default."""
        data = data or {}
        return cls(data.get("lesson"), data.get("since", 0), tuple(Step.from_json(s) for s in data.get("steps", [])),
                   tuple(data.get("solved", [])), {k: tuple(v) for k, v in data.get("logs", {}).items()},
                   dict(data.get("hints", {})), {k: dict(v) for k, v in data.get("answers", {}).items()},
                   tuple(data.get("solutions", [])))


@dataclass(frozen=True)
class Progress:
    sandbox: Sandbox
    meta: CourseMeta
    last: dict | None = None   # what the explain panel shows (the last command, or an undo)
    clear_from: int = 0        # transcript entries before this were `clear`ed


GLANCE_TAIL = 8   # terminal entries a glance looks back: more than a student types between two dashboard looks


@dataclass(frozen=True)
class Glance:
    """What the class dashboard shows of a learner, taken after each lesson change and kept with the
    progress, so the dashboard reads it without the sandbox: the checklist's state, the last terminal
    entry, and the failures among the last GLANCE_TAIL entries (with the first line of their error,
    all the dashboard groups by)."""
    entries: int          # the transcript's length when it was taken
    met: int = 0
    total: int = 0
    goal_met: bool = False
    kept: tuple[tuple[int, dict], ...] = ()   # (transcript index, {"command", "exit_code", "output"})

    def to_json(self) -> dict:
        return {"entries": self.entries, "met": self.met, "total": self.total, "goal_met": self.goal_met,
                "kept": [[i, e] for i, e in self.kept]}

    @classmethod
    def from_json(cls, data: dict) -> "Glance":
        return cls(int(data["entries"]), int(data.get("met", 0)), int(data.get("total", 0)),
                   bool(data.get("goal_met", False)), tuple((int(i), e) for i, e in data.get("kept", ())))

    def last(self) -> dict | None:
        return self.kept[-1][1] if self.kept and self.kept[-1][0] == self.entries - 1 else None

    def transcript(self) -> list[dict]:
        """The transcript as far as the glance knows it (course.classroom.observe reads the entries
        after its last look): the entries kept at their places, placeholders for the others."""
        entries = [{"command": "", "exit_code": 0}] * self.entries
        for index, entry in self.kept:
            entries[index] = entry
        return entries


def glance(progress: Progress) -> Glance:
    lesson = find(progress.meta.lesson) if progress.meta.lesson else None
    transcript = progress.sandbox.transcript
    start = max(0, len(transcript) - GLANCE_TAIL)
    kept = tuple((i, {"command": e["command"], "exit_code": e["exit_code"],
                      "output": [["stderr", first_error_line(e)]] if e["exit_code"] else []})
                 for i, e in enumerate(transcript[start:], start) if e["exit_code"] or i == len(transcript) - 1)
    if lesson is None:
        return Glance(len(transcript), kept=kept)
    checklist = subgoals(lesson, world(progress))
    return Glance(len(transcript), sum(1 for _text, done in checklist if done), len(checklist),
                  holds(lesson.goal, world(progress)), kept)


def world(progress: Progress) -> World:
    """What the lesson's checks read: the sandbox and the learner's steps in the lesson."""
    return World(progress.sandbox, progress.meta.steps)


def is_in(progress: Progress | None, lesson: Lesson) -> bool:
    """The sandbox is in `lesson`, with one step for each of the learner's commands (a record kept
    before steps were has none: opening the lesson rebuilds them by replay)."""
    return progress is not None and progress.meta.lesson == lesson.slug and \
        len(progress.meta.steps) == max(0, len(progress.sandbox.transcript) - progress.meta.since)


def enter(progress: Progress | None, lesson: Lesson) -> Progress:
    """The sandbox in `lesson`: as it is when it is there, else opened there (a new sandbox)."""
    return progress if progress is not None and is_in(progress, lesson) else open_lesson(progress, lesson)


def open_lesson(progress: Progress | None, lesson: Lesson) -> Progress:
    """A new sandbox in `lesson`: its start state plus the commands the learner typed there before
    (their earlier work comes back). The given sandbox is only read."""
    meta = progress.meta if progress is not None else CourseMeta()
    logs = dict(meta.logs)
    if progress is not None and meta.lesson:   # leaving a lesson: keep what the learner typed there
        old = progress.sandbox
        logs[meta.lesson] = tuple(old.log[len(old.log) - _learner_count(old, meta.since):])
    sandbox = lesson.start()
    since, steps = len(sandbox.transcript), ()
    for line in logs.get(lesson.slug, ()):
        _result, step = run_step(lesson, sandbox, steps, line)
        steps += (step,) if step else ()
    meta = replace(meta, lesson=lesson.slug, since=since, steps=steps, logs=logs)
    meta, _solved_now = _note_if_solved(meta, lesson, sandbox)
    return Progress(sandbox, meta, None, meta.since)


def _learner_count(sandbox: Sandbox, since: int) -> int:
    return max(0, len(sandbox.transcript) - since)


def run(progress: Progress, lesson: Lesson, line: str) -> tuple[Progress, Result, bool]:
    """Run a learner's line on the given sandbox; returns (progress, result, solved_just_now)."""
    sandbox, meta = progress.sandbox, progress.meta
    result, step = run_step(lesson, sandbox, meta.steps, line)
    if step is not None:
        meta = replace(meta, steps=meta.steps + (step,))
    last, clear_from = progress.last, progress.clear_from
    if any(isinstance(e, Cleared) for e in result.events):
        clear_from = len(sandbox.transcript)
    elif line.strip():
        last = {"command": result.command, "exit_code": result.exit_code, "events": events_to_json(result.events)}
    meta, solved_now = _note_if_solved(meta, lesson, sandbox)
    return Progress(sandbox, meta, last, clear_from), result, solved_now


def _note_if_solved(meta: CourseMeta, lesson: Lesson, sandbox: Sandbox) -> tuple[CourseMeta, bool]:
    if lesson.slug in meta.solved or not holds(lesson.goal, World(sandbox, meta.steps)):
        return meta, False
    return replace(meta, solved=meta.solved + (lesson.slug,)), True


def undo(progress: Progress) -> Progress:
    """Back one of the learner's commands, on the given sandbox; the lesson's setup cannot be undone."""
    sandbox, meta = progress.sandbox, progress.meta
    if len(sandbox.transcript) <= meta.since:
        return progress
    command = sandbox.transcript[-1]["command"]
    sandbox.undo(floor=meta.since)
    command = sandbox.last_undone or command  # the change taken back
    meta = replace(meta, steps=meta.steps[:len(sandbox.transcript) - meta.since])
    last = {"command": command, "undone": True, "exit_code": 0, "events": []}
    return Progress(sandbox, meta, last, min(progress.clear_from, len(sandbox.transcript)))


def restart(progress: Progress, lesson: Lesson) -> Progress:
    """The lesson's start state again, in a new sandbox (solved lessons stay solved)."""
    logs = {k: v for k, v in progress.meta.logs.items() if k != lesson.slug}
    return open_lesson(Progress(progress.sandbox, replace(progress.meta, lesson=None, logs=logs)), lesson)


def reveal_hint(meta: CourseMeta, lesson: Lesson) -> CourseMeta:
    shown = min(meta.hints.get(lesson.slug, 0) + 1, len(lesson.hints))
    return replace(meta, hints={**meta.hints, lesson.slug: shown})


def reveal_solution(meta: CourseMeta, lesson: Lesson) -> CourseMeta:
    return meta if lesson.slug in meta.solutions else replace(meta, solutions=meta.solutions + (lesson.slug,))


def answer(meta: CourseMeta, lesson: Lesson, question: int, choice: int) -> CourseMeta:
    """Record a prediction; the first answer counts (a prediction changed after the fact isn't one).
    ValueError for a question or choice the lesson does not have."""
    if not is_choice(lesson, question, choice):
        raise ValueError("no such question or choice")
    chosen = meta.answers.get(lesson.slug, {})
    if question in revealed(meta.steps) or str(question) in chosen:
        return meta  # the experiment has shown the answer (a prediction now is not one), or already answered
    return replace(meta, answers={**meta.answers, lesson.slug: {**chosen, str(question): choice}})


def is_choice(lesson: Lesson, question: int, choice: int) -> bool:
    return 0 <= question < len(lesson.questions) and 0 <= choice < len(lesson.questions[question].choices)


def question_states(meta: CourseMeta, lesson: Lesson) -> list[dict]:
    """For each prediction: the learner's choice (or None), whether a command has answered it by
    experiment yet (`ran`), and only then whether the prediction was right."""
    chosen = meta.answers.get(lesson.slug, {})
    answered = revealed(meta.steps)
    states = []
    for i, question in enumerate(lesson.questions):
        choice = chosen.get(str(i))
        states.append({"question": question, "index": i, "choice": choice, "ran": i in answered,
                       "right": choice == question.answer if choice is not None and i in answered else None})
    return states
