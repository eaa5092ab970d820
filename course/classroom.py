"""Class mode's rules, pure (no Flask, no I/O): join codes, who is stuck, what the class gets wrong.

A teacher starts a class and reads its join code aloud; students join with a display name and keep
their own sandbox. The dashboard watches each student's sandbox: every time it looks, it folds what
changed since the last look into a small `Activity` (when the student last made progress, their
recent failed commands), so "stuck" and "the most common errors right now" need no hook in the
command routes and no wall clock inside the engine.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

# Easy to read aloud and to type: no 0/O, 1/l/I, and no vowels that could spell words.
JOIN_ALPHABET = "23456789BCDFGHJKMNPQRSTVWXYZ"
JOIN_CODE_LENGTH = 6
MAX_NAME_CHARS = 40

STUCK_AFTER_SECONDS = 180        # no progress for this long ...
STUCK_ERRORS = 3                 # ... and at least this many failed commands meanwhile
RECENT_ERROR_SECONDS = 300       # "most common errors right now": failures in the last 5 minutes
RECENT_ERRORS_KEPT = 20          # per student


def make_code(randbelow) -> str:
    """A join code; `randbelow(n)` is the random source (secrets.randbelow in the app)."""
    return "".join(JOIN_ALPHABET[randbelow(len(JOIN_ALPHABET))] for _ in range(JOIN_CODE_LENGTH))


def normalise_code(typed: str) -> str:
    """What a student types -> the code: case, spaces and dashes forgiven."""
    return "".join(ch for ch in typed.upper() if not ch.isspace() and ch != "-")


def clean_name(typed: str) -> str | None:
    """A display name: trimmed, inner whitespace folded, 1-40 printable characters; else None."""
    name = " ".join(str(typed).split())
    if not name or len(name) > MAX_NAME_CHARS or any(not ch.isprintable() for ch in name):
        return None
    return name


@dataclass(frozen=True)
class Failure:
    at: float          # wall-clock seconds when the dashboard saw it
    command: str
    error: str         # the first line of stderr: what the class sees grouped


@dataclass(frozen=True)
class Activity:
    """What the dashboard has seen of one student so far (stored with the class)."""
    commands_seen: int = 0           # transcript length at the last look
    progress: tuple = ()             # (lesson, solved count, sub-goals met) at the last look
    progress_at: float = 0.0         # when that progress last changed (or the student joined)
    failures: tuple[Failure, ...] = field(default_factory=tuple)

    def to_json(self) -> dict:
        return {"commands_seen": self.commands_seen, "progress": list(self.progress), "progress_at": self.progress_at,
                "failures": [[f.at, f.command, f.error] for f in self.failures]}

    @classmethod
    def from_json(cls, data: dict | None) -> "Activity":
        data = data or {}
        return cls(int(data.get("commands_seen", 0)), tuple(data.get("progress", ())),
                   float(data.get("progress_at", 0.0)),
                   tuple(Failure(float(a), str(c), str(e)) for a, c, e in data.get("failures", [])))


def observe(before: Activity, transcript: list[dict], progress: tuple, now: float) -> Activity:
    """Fold the commands typed since the last look, and the current progress, into the activity."""
    start = min(before.commands_seen, len(transcript))
    new_failures = tuple(Failure(now, entry["command"], first_error_line(entry))
                         for entry in transcript[start:] if entry.get("exit_code", 0) != 0)
    unchanged = progress == before.progress or not before.progress   # the first look is no progress
    progress_at = before.progress_at if unchanged and before.progress_at else now
    failures = (before.failures + new_failures)[-RECENT_ERRORS_KEPT:]
    return replace(before, commands_seen=len(transcript), progress=progress, progress_at=progress_at,
                   failures=failures)


def first_error_line(entry: dict) -> str:
    for stream, text in entry.get("output", []):
        if stream == "stderr" and text.strip():
            return text.strip().splitlines()[0][:200]
    return f"exit code {entry.get('exit_code')}"


def is_stuck(activity: Activity, now: float, after: float = STUCK_AFTER_SECONDS) -> bool:
    """No progress for `after` seconds (a few minutes), and repeated errors in that time."""
    if now - activity.progress_at < after:
        return False
    since_progress = [f for f in activity.failures if f.at >= activity.progress_at]
    return len(since_progress) >= STUCK_ERRORS


@dataclass(frozen=True)
class CommonError:
    error: str
    students: int
    commands: tuple[str, ...]        # the commands that caused it, most recent first, distinct


def common_errors(activities: list[Activity], now: float, most: int = 5) -> list[CommonError]:
    """The errors most students hit in the last few minutes, with the commands behind them."""
    who: Counter[str] = Counter()
    commands: dict[str, list[str]] = {}
    for activity in activities:
        recent = [f for f in activity.failures if now - f.at <= RECENT_ERROR_SECONDS]
        for error in {f.error for f in recent}:
            who[error] += 1
        for failure in reversed(recent):
            seen = commands.setdefault(failure.error, [])
            if failure.command not in seen:
                seen.append(failure.command)
    return [CommonError(error, count, tuple(commands[error][:3])) for error, count in who.most_common(most)]
