"""A budget for one command line: steps and characters, counted while it runs.

The engine's loops (the container shell, the Go-template evaluator, Dockerfile substitution and
build steps, archive reading, terminal output) spend from the budget of the line being run; the
first loop that goes over it raises BudgetExceeded, a LimitError, so the command is refused like
any other limit: one Docker-style error, exit 1, nothing changed.

Steps, not seconds: the same line always spends the same amount, so undo, replay and permalinks
give the same answer on a loaded server as on an idle one. The numbers live in engine/limits.py.

The budget of the running line is found through a context variable (each web worker thread has
its own), so the loops need no extra parameter. engine/terminal.py opens a fresh one per line
(`line()`); outside a line (a unit test calling the shell directly) `current()` is a budget that
counts but never refuses.
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass

from engine import limits
from engine.errors import BudgetExceeded


# What the loops charge, measured so that a step costs at most about 3 µs of CPU here and the whole
# budget (limits.MAX_STEPS) stays well under the 3 s the tests allow (tests/engine/test_budget.py):
COMMAND_STEPS = 60  # one simple command in a container's shell (PATH lookup, expansion, redirections)
BUILD_STEP_STEPS = 1_000  # one Dockerfile instruction (a layer diff, a config copy, a commit)
CHARS_PER_STEP = 16  # text made by Python code (a template's json or printf "%v"): ~100 ns a character
KEYS_PER_STEP = 16  # paths scanned to list a directory in a container
ENTRIES_PER_STEP = 4  # entries merged and sorted to walk a container's whole tree (cp -r, rm -r, diff)


@dataclass
class Budget:
    max_steps: int = limits.MAX_STEPS
    max_chars: int = limits.MAX_WORK_CHARS
    max_depth: int = limits.MAX_DEPTH
    steps: int = 0
    chars: int = 0
    depth: int = 0

    def step(self, count: int = 1) -> None:
        """`count` iterations of an interpreter loop (a command, a template node, a range pass…)."""
        self.steps += count
        if self.steps > self.max_steps:
            self._refuse(f"this command took more than {self.max_steps:,} steps",
                         f"{self.max_steps:,} steps per command (loops, templates, substitutions, "
                         "archive entries)")

    def spend(self, size: int) -> None:
        """`size` characters (or bytes) read, written or copied by the command."""
        self.chars += size
        if self.chars > self.max_chars:
            self._refuse(f"this command handled more than {self.max_chars // limits.MIB} Mi characters",
                         f"{self.max_chars // limits.MIB} Mi characters read or written per command")

    @contextmanager
    def nested(self):
        """One level deeper: a shell started by a shell, a script sourced by a script."""
        self.depth += 1
        try:
            if self.depth > self.max_depth:
                self._refuse(f"this command nests more than {self.max_depth} shells or scripts",
                             f"{self.max_depth} levels")
            yield
        finally:
            self.depth -= 1

    def _refuse(self, what: str, limit: str) -> None:
        raise BudgetExceeded(f"{limits.PREFIX}{what}; the limit is {limit}. Do less in one command.")


class _Unbounded(Budget):
    """Counts like a budget but never refuses: engine code used outside a command line."""

    def _refuse(self, what: str, limit: str) -> None:
        self.steps = self.chars = 0


_CURRENT: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("layerlab_budget", default=None)
_UNBOUNDED = _Unbounded()


def current() -> Budget:
    """The budget of the line being run (an unbounded one outside a line)."""
    return _CURRENT.get() or _UNBOUNDED


@contextmanager
def scope(budget: Budget | None = None):
    """Make `budget` (a fresh one by default) the current one until the block ends. Lines run inside
    it still get a budget each (see line()): it sets their limits and sums what they spent."""
    token = _CURRENT.set(budget or Budget())
    try:
        yield _CURRENT.get()
    finally:
        _CURRENT.reset(token)


@contextmanager
def line():
    """The budget of one command line: always a fresh one, so a line spends the same whether it runs
    alone, in a replay or after others (an outer scope gives only its limits, and sees the counts)."""
    outer = _CURRENT.get()
    own = Budget(outer.max_steps, outer.max_chars, outer.max_depth) if outer is not None else Budget()
    token = _CURRENT.set(own)
    try:
        yield own
    finally:
        _CURRENT.reset(token)
        if outer is not None:  # observed, not enforced: each line was held to its own budget
            outer.steps += own.steps
            outer.chars += own.chars


def step(count: int = 1) -> None:
    current().step(count)


def spend(size: int) -> None:
    current().spend(size)
