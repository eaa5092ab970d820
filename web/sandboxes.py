"""The web side's use of the engine: one stored record per sandbox, and the operations on it.

A record is what the store keeps for a sandbox:
    {"scenario": str | None, "seed": int,       # how it started (Reset starts there again)
     "sandbox": Sandbox.to_json(),              # the engine's own lossless form
     "clear_from": int,                         # transcript entries before this were `clear`ed
     "last": {"command", "exit_code", "events"} | None,   # what the explain panel shows
     "last_build": {build event…, "at": len(log)} | None} # the Build tab: the last build, kept
                                                          # across later commands until undone
Every change runs inside `store.update`, so load-run-save is one serialised transaction.
"""
from __future__ import annotations

from dataclasses import dataclass

from engine.sandbox import Result, Sandbox

from web.store import SandboxStore

TRANSCRIPT_SHOWN = 200   # the terminal shows at most this many recent commands
HISTORY_KEPT = 200       # ↑/↓ history offered to the browser


def new_record(scenario: str | None = None, seed: int = 0) -> tuple[dict, Sandbox]:
    """A fresh sandbox record; ValueError for an unknown scenario (from the engine)."""
    sandbox = Sandbox.create(seed=seed, scenario=scenario)
    return _record(scenario, seed, sandbox), sandbox


def _record(scenario: str | None, seed: int, sandbox: Sandbox, clear_from: int = 0, last: dict | None = None,
            meta: dict | None = None, last_build: dict | None = None) -> dict:
    """The stored form of a sandbox; `meta` carries per-sandbox extras (lesson progress)."""
    return {"scenario": scenario, "seed": seed, "sandbox": sandbox.to_json(), "clear_from": clear_from, "last": last,
            "meta": meta or {}, "last_build": last_build}


def _build_after(record: dict, sandbox: Sandbox, result: Result | None) -> dict | None:
    """The last build to keep showing: this command's, else the earlier one while the command that
    made it is still in the log (undo takes it back with the command)."""
    builds = [e for e in (result.events if result else []) if e.get("type") == "build"]
    if builds:
        return {**builds[-1], "at": len(sandbox.log)}
    kept = record.get("last_build")
    if isinstance(kept, dict) and kept.get("at", 0) <= len(sandbox.log):
        return kept
    return None


def open_sandbox(record: dict) -> Sandbox:
    return Sandbox.from_json(record["sandbox"])


@dataclass
class Outcome:
    """The answer to one operation: the sandbox as it is now, its record, and the command's result."""

    record: dict
    sandbox: Sandbox
    result: Result | None = None
    new_entry: dict | None = None   # run_command: the one transcript entry this command added


def create(store: SandboxStore, scenario: str | None = None, seed: int = 0) -> str:
    record, _ = new_record(scenario, seed)
    return store.create(record)


def run_command(store: SandboxStore, sandbox_id: str, line: str) -> Outcome:
    """Run one line typed by the learner and save the sandbox (UnknownSandbox if it is gone)."""

    def change(record: dict):
        sandbox = open_sandbox(record)
        entries_before = len(sandbox.transcript)
        result = sandbox.run(line)
        clear_from = record.get("clear_from", 0)
        if any(event.get("type") == "clear" for event in result.events):
            clear_from = len(sandbox.transcript)
        last = record.get("last")
        if line.strip() and not _is_clear(result):
            last = {"command": result.command, "exit_code": result.exit_code, "events": result.events}
        new = _record(record["scenario"], record["seed"], sandbox, clear_from, last, record.get("meta"),
                      _build_after(record, sandbox, result))
        added = sandbox.transcript[-1] if len(sandbox.transcript) == entries_before + 1 else None
        return new, Outcome(new, sandbox, result, new_entry=added)

    return store.update(sandbox_id, change)


def undo(store: SandboxStore, sandbox_id: str) -> Outcome:
    """Step back one command; the outcome's result is None (nothing ran)."""

    def change(record: dict):
        sandbox = open_sandbox(record)
        before = sandbox.transcript[-1]["command"] if sandbox.transcript else None
        undone = sandbox.undo()
        if undone:  # the change undo took back (read-only lines went with it)
            before = sandbox.last_undone
        last = {"command": before, "undone": True, "exit_code": 0, "events": []} if undone else record.get("last")
        clear_from = min(record.get("clear_from", 0), len(sandbox.transcript))
        new = _record(record["scenario"], record["seed"], sandbox, clear_from, last, record.get("meta"),
                      _build_after(record, sandbox, None))
        return new, Outcome(new, sandbox)

    return store.update(sandbox_id, change)


def redo(store: SandboxStore, sandbox_id: str) -> Outcome:
    """Run again the command the last undo took back (nothing happens when there is none)."""

    def change(record: dict):
        sandbox = open_sandbox(record)
        result = sandbox.redo()
        if result is None:
            return record, Outcome(record, sandbox)
        last = {"command": result.command, "exit_code": result.exit_code, "events": result.events}
        new = _record(record["scenario"], record["seed"], sandbox, record.get("clear_from", 0), last,
                      record.get("meta"), _build_after(record, sandbox, result))
        return new, Outcome(new, sandbox, result)

    return store.update(sandbox_id, change)


def reset(store: SandboxStore, sandbox_id: str) -> Outcome:
    """Start this sandbox over from its scenario and seed, keeping its id."""

    def change(record: dict):
        fresh, sandbox = new_record(record["scenario"], record["seed"])
        return fresh, Outcome(fresh, sandbox)

    return store.update(sandbox_id, change)


def load(store: SandboxStore, sandbox_id: str) -> Outcome | None:
    record = store.get(sandbox_id)
    if record is None:
        return None
    return Outcome(record, open_sandbox(record))


def terminal_entries(outcome: Outcome) -> list[dict]:
    """The transcript entries the terminal shows: after the last `clear`, most recent last."""
    transcript = outcome.sandbox.transcript
    start = min(outcome.record.get("clear_from", 0), len(transcript))
    return transcript[max(start, len(transcript) - TRANSCRIPT_SHOWN):]


def appended_entry(outcome: Outcome) -> dict | None:
    """The entry to append to the terminal as it is on screen, or None when the terminal must be
    drawn whole (after `clear`, for the first entry that replaces the welcome text)."""
    entry = outcome.new_entry
    if entry is None or outcome.result is None or _is_clear(outcome.result):
        return None
    return entry if len(terminal_entries(outcome)) > 1 else None


def command_history(outcome: Outcome) -> list[str]:
    """Commands for ↑/↓, oldest first, without immediate repeats (as bash's ignoredups)."""
    history: list[str] = []
    for entry in outcome.sandbox.transcript:
        command = entry["command"]
        if command.strip() and (not history or history[-1] != command):
            history.append(command)
    return history[-HISTORY_KEPT:]


def _is_clear(result: Result) -> bool:
    return any(event.get("type") == "clear" for event in result.events)
