"""What a learner's commands did, kept as data the lesson checks read (never the typed text).

One `Step` per terminal line the learner ran in a lesson: the docker commands the CLI parsed
(`engine.invocation.Invocation`, with their exit codes), which containers the line made or
ended and by which command (from the engine's events), which tags it set, and which of the
lesson's questions it answered by experiment. A near miss differs from the solution in exactly
these facts: `stop` and `kill` can leave the same exit code, but not the same `ended` entry.
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.events import ContainerAdded, ContainerStateChanged, Event, Tagged
from engine.invocation import Invocation

ITSELF = "itself"  # a container whose process ended on its own (no command stopped it)


@dataclass(frozen=True)
class Step:
    line: str
    invocations: tuple[Invocation, ...] = ()
    made: tuple[tuple[str, str], ...] = ()      # (container id, command path) for each container added
    ended: tuple[tuple[str, str], ...] = ()     # (container id, command path or ITSELF) for each exit
    tagged: tuple[tuple[str, str], ...] = ()    # (repo:tag, command path) for each tag set
    revealed: tuple[int, ...] = ()              # indexes of the questions this line answered

    def to_json(self) -> dict:
        return {"line": self.line, "invocations": [_compact(i.to_json()) for i in self.invocations],
                "made": [list(m) for m in self.made], "ended": [list(e) for e in self.ended],
                "tagged": [list(t) for t in self.tagged], "revealed": list(self.revealed)}

    @classmethod
    def from_json(cls, data: dict) -> "Step":
        return cls(data.get("line", ""), tuple(Invocation.from_json(i) for i in data.get("invocations", [])),
                   tuple(tuple(m) for m in data.get("made", [])), tuple(tuple(e) for e in data.get("ended", [])),
                   tuple(tuple(t) for t in data.get("tagged", [])), tuple(data.get("revealed", [])))


def _compact(data: dict) -> dict:
    """An invocation without its unset flags (None, False, empty): a record keeps one per command,
    and an unset flag reads the same either way (`option_is`)."""
    return {**data, "options": {k: v for k, v in data["options"].items() if v not in (None, False, [], "")}}


def option_is(invocation: Invocation, name: str, value) -> bool:
    """The flag has this value; an unset flag is False/None/empty, whichever was asked."""
    given = invocation.options.get(name)
    return given == value or (value in (None, False, [], "") and given in (None, False, [], ""))


def names_of(invocation: Invocation) -> list[str]:
    """Every object the command names: its arguments, `--name` and `-t` values."""
    names = list(invocation.args)
    name = invocation.options.get("name")
    if isinstance(name, str) and name:
        names.append(name)
    tags = invocation.options.get("tag")
    if isinstance(tags, list):
        names.extend(t for t in tags if isinstance(t, str))
    return names


def step_from(line: str, invocations, events: list[Event], container_names: dict[str, str]) -> Step:
    """The Step for a line that ran. `container_names` maps container id -> name (before or after
    the line, whichever knew it), so an event can be tied to the command that named the container."""
    invocations = tuple(invocations)

    def by(container_id: str, default: str) -> str:
        name = container_names.get(container_id, "")
        for inv in invocations:
            if any(n == name or (len(n) >= 3 and container_id.startswith(n)) for n in names_of(inv) if n):
                return inv.path
        return default

    only = invocations[0].path if len(invocations) == 1 else ""
    made, ended, tagged = [], [], []
    for event in events:
        if isinstance(event, ContainerAdded):
            made.append((event.container, by(event.container, only)))
        elif isinstance(event, ContainerStateChanged) and event.to_state == "exited":
            # a signal ended it: the command that sent it; no signal: its process ended on its own
            ended.append((event.container, by(event.container, only) if event.signal else ITSELF))
        elif isinstance(event, Tagged):
            tagged.append((event.tag, only or next((i.path for i in invocations if event.tag in names_of(i)), "")))
    return Step(line, invocations, tuple(made), tuple(ended), tuple(tagged))
