"""A learner's line in a lesson, checked from what the engine did.

`run_step` runs one line and returns the Step it leaves (course.history): the commands the CLI
parsed, what they made or ended, and which questions the line answered by experiment. A
question is answered only by a command it names that ran with the exit code it expects, on its
target, in the state it assumes (checked just before the line) and leaving the state it shows
(checked just after): a typo, a failed command or the command run on another object answers
nothing. `attempt` replays a list of lines on a fresh copy of a lesson's start (the grading API).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from engine.invocation import Invocation
from engine.sandbox import Result, Sandbox

from .goals import World, holds, leaves, names
from .history import Step, option_is, step_from
from .lessons import Lesson, Reveal, Text
from .subgoals import subgoal_texts


def _answers(reveal: Reveal, invocation: Invocation, sandbox: Sandbox) -> bool:
    return invocation.parsed and invocation.path in reveal.commands and invocation.exit_code == reveal.exit_code \
        and (reveal.target is None or names(invocation, reveal.target, sandbox)) \
        and all(option_is(invocation, k, v) for k, v in reveal.options)


def run_step(lesson: Lesson, sandbox: Sandbox, steps: tuple[Step, ...], line: str) -> tuple[Result, Step | None]:
    """Run `line`; the Step it adds to the learner's steps (None when it logged nothing: `clear`,
    an empty line, a refused one)."""
    before = World(sandbox, steps)
    ready = [i for i, q in enumerate(lesson.questions) if q.reveal.state is None or holds(q.reveal.state, before)]
    container_names = {c.id: c.name for c in sandbox.daemon.containers.values()}
    entries = len(sandbox.transcript)
    result = sandbox.run(line)
    if len(sandbox.transcript) == entries:
        return result, None
    container_names.update({c.id: c.name for c in sandbox.daemon.containers.values()})
    step = step_from(result.command, result.invocations, result.events, container_names)
    after = World(sandbox, steps + (step,))
    answered = tuple(i for i in ready
                     if any(_answers(lesson.questions[i].reveal, inv, sandbox) for inv in result.invocations)
                     and (lesson.questions[i].reveal.then is None or holds(lesson.questions[i].reveal.then, after)))
    return result, replace(step, revealed=answered)


def revealed(steps) -> set[int]:
    return {i for step in steps for i in step.revealed}


def subgoals(lesson: Lesson, world: World) -> list[tuple[Text, bool]]:
    """Each part of the goal with its text and whether it holds now."""
    return [(text, holds(part, world)) for text, part in zip(subgoal_texts(lesson), leaves(lesson.goal))]


@dataclass(frozen=True)
class Attempt:
    goal_met: bool
    subgoals: list[tuple[Text, bool]]
    revealed: set[int]
    transcript: list[dict]
    world: World


def attempt(lesson: Lesson, commands: list[str]) -> Attempt:
    """Run `commands` on a fresh copy of the lesson's start and check the result."""
    sandbox = lesson.start()
    since = len(sandbox.transcript)
    steps: tuple[Step, ...] = ()
    for line in commands:
        _result, step = run_step(lesson, sandbox, steps, line)
        if step is not None:
            steps += (step,)
    world = World(sandbox, steps)
    return Attempt(holds(lesson.goal, world), subgoals(lesson, world), revealed(steps),
                   sandbox.transcript[since:], world)
