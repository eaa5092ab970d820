"""The article's walkthrough: one step per figure, each a sentence (zh, en) and its command(s).

The state at step i is the replay of every step's commands up to and including i on a fresh
sandbox, so going back is exact and a link to `?step=7` shows everyone the same picture.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from engine.sandbox import Sandbox

from .lessons import LESSONS_DIR, LessonError, Text, _text

WALKTHROUGH_FILE = LESSONS_DIR / "walkthrough.toml"
SEED = 0


@dataclass(frozen=True)
class Step:
    number: int            # 0-based position
    caption: Text
    commands: tuple[str, ...]
    figure: str = ""       # the article's figure this step redraws


@dataclass(frozen=True)
class Walkthrough:
    title: Text
    host_files: tuple[tuple[str, str], ...]
    steps: tuple[Step, ...]

    def clamp(self, index: int) -> int:
        return max(0, min(index, len(self.steps) - 1))

    def sandbox_at(self, index: int) -> Sandbox:
        """The sandbox after step `index` (read-only: it is cached and shared between requests)."""
        return _state_at(self, self.clamp(index)).sandbox

    def state_at(self, index: int) -> "StepState":
        return _state_at(self, self.clamp(index))

    def first_entry(self, index: int) -> int:
        """Transcript position where step `index`'s own commands start."""
        return sum(len(step.commands) for step in self.steps[:self.clamp(index)])

    def commands_up_to(self, index: int) -> list[str]:
        return [c for step in self.steps[:self.clamp(index) + 1] for c in step.commands]


@dataclass(frozen=True)
class StepState:
    """The world after a step, and what its commands changed (for the stage's highlights)."""

    sandbox: Sandbox
    events: tuple = ()
    last_command: str = ""
    exit_code: int = 0
    invocations: tuple = ()   # the docker commands the step ran, as parsed (for the figure)


@lru_cache(maxsize=64)
def _state_at(walkthrough: Walkthrough, index: int) -> StepState:
    if index == 0:
        sandbox = Sandbox.create(SEED)
        for name, text in walkthrough.host_files:
            sandbox.host_write(name, text.encode())
    else:
        # Build on the previous step: a copy, since cached sandboxes are shared.
        sandbox = Sandbox.from_json(_state_at(walkthrough, index - 1).sandbox.to_json())
    events, command, exit_code, invocations = [], "", 0, []
    for command in walkthrough.steps[index].commands:
        result = sandbox.run(command)
        events += result.events
        exit_code = result.exit_code
        invocations += result.invocations
    return StepState(sandbox, tuple(events), command, exit_code, tuple(invocations))


def parse_walkthrough(data: dict, where: str = "lessons/walkthrough.toml") -> Walkthrough:
    steps_data = data.get("steps")
    if not isinstance(steps_data, list) or not steps_data:
        raise LessonError(f"{where}: no [[steps]]")
    steps = []
    for i, step in enumerate(steps_data):
        at = f"{where}: steps[{i}]"
        commands = step.get("commands", [])
        if not isinstance(commands, list) or not all(isinstance(c, str) and c.strip() for c in commands):
            raise LessonError(f"{at}: 'commands' must be a list of commands")
        caption = _text({"caption": {"zh": step.get("zh"), "en": step.get("en")}}, "caption", at)
        steps.append(Step(i, caption, tuple(commands), str(step.get("figure", ""))))
    files = data.get("host_files", {})
    return Walkthrough(_text(data, "title", where), tuple(sorted(files.items())), tuple(steps))


@lru_cache(maxsize=1)
def walkthrough() -> Walkthrough:
    return parse_walkthrough(tomllib.loads(Path(WALKTHROUGH_FILE).read_text(encoding="utf-8")))
