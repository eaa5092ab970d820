"""The one owner of a sandbox's stored record: load, run, undo, redo, reset, write a file, branch.

Routes call these functions and render what they return; nothing else writes a record.

A record is a head and a sandbox:
    head = {"scenario": str | None, "seed": int,      # how it started (Reset starts there again)
            "clear_from": int,                        # transcript entries before this were `clear`ed
            "last": {"command", "exit_code", "events", "invocations"} | None,   # what the explain panel shows
            "last_build": {build event…, "at": len(log)} | None, # the Build tab's last build
            "meta": {...}}                            # per-sandbox extras
    (a course sandbox's head also has the learner's progress: see "the course's sandboxes" below)
    sandbox = the engine's Sandbox, live in this process.
The store (web/store.py) keeps it as a snapshot, an op log and the transcript. LayerLab is
deterministic, so an op is what was done, not what came out: `{"do": [["run", line]], "head":
{changed head fields}}`. Replaying the ops after a snapshot on that snapshot gives the same
sandbox (tests/web/test_record_log.py checks it). A change therefore writes one small row.

Live sandboxes stay in a per-process cache, checked against the stored version before every use:
when another process wrote meanwhile, the ops it wrote are replayed onto the cached sandbox (or it
is loaded again). Changes are made on the cached sandbox and committed with a version check; if
another process won the race, the change runs again on the newer state (a bounded number of
times). Within a process a per-sandbox lock serialises requests to one sandbox, and it is held
until the request has rendered its answer, so a page never draws a sandbox another request is
changing. Other sandboxes are never waited for.
"""
from __future__ import annotations

import base64
import json
import logging
import random
import threading
import time
import weakref
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, TypeVar

from course.progress import CourseMeta, Glance, Progress, glance
from engine import jsontext
from engine.errors import HostLimitReached
from engine.events import BuildFinished, Cleared, Event, event_from_json, events_from_json, events_to_json
from engine.sandbox import Result, Sandbox
from flask import Flask, g, has_request_context
from werkzeug.exceptions import ServiceUnavailable

from web.store import Change, Conflict, OverBudget, SandboxStore, Stored, StoreBusy, UnknownSandbox
from web.store_errors import DamagedRecord

T = TypeVar("T")
log = logging.getLogger(__name__)

TRANSCRIPT_SHOWN = 200   # the terminal shows at most this many recent commands
HISTORY_KEPT = 200       # ↑/↓ history offered to the browser
SNAPSHOT_EVERY = 32      # ops between snapshots: a cold load replays at most this many
CACHED_SANDBOXES = 256   # live sandboxes kept per process (least recently used go first)
MAX_ATTEMPTS = 8         # a change that lost the version race this often answers 503 (never seen)
CONFLICT_PAUSE = 0.002   # s: the first pause after a lost race (at most; doubled after each)
LOCK_WAIT = 20.0         # seconds a request waits for another request on the same sandbox
TOUCH_EVERY = 60.0       # a page view marks the sandbox used at most this often (a write)
HEAD_KEYS = ("scenario", "seed", "clear_from", "last", "last_build", "meta")
COMPACT_EVERY = 50       # commands: every so often, old transcript outputs are compacted...
COMPACT_KEEP = 250       # ...except in the most recent entries (more than the terminal shows)
COMPACT_LONGER_THAN = 1024   # characters of output an old entry keeps whole


# ---------------------------------------------------------------- the journaled sandbox
class RecordedSandbox(Sandbox):
    """The engine's Sandbox, noting each change made through its public methods (the op to store).
    Only top-level calls are noted: undo replays commands internally, and those are part of it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.journal: list[list] = []
        self.low = 0          # the shortest the transcript got during the journaled changes
        self._depth = 0

    def _noted(self, name: str, *args, call: Callable | None = None):
        """Do `name` (the engine's method, or `call`) and note it when it is a top-level call."""
        self._depth += 1
        try:
            answer = call(*args) if call else getattr(Sandbox, name)(self, *args)
        finally:
            self._depth -= 1
        if self._depth == 0:
            self.journal.append([name, *args])
            self.low = min(self.low, len(self.transcript))
        return answer

    def run(self, line: str) -> Result:
        return self._noted("run", line)

    def undo(self, floor: int = 0) -> bool:
        """Journaled as what it did ("undo_to": the log length it went back to, what redo may run
        again), not as "undo": choosing what to take back reads the transcript's read-only marks,
        and a cold load replays the ops onto a snapshot whose transcript the stored table has cut."""
        self._depth += 1
        try:
            done = Sandbox.undo(self, floor)
        finally:
            self._depth -= 1
        if done and self._depth == 0:
            self.journal.append(["undo_to", len(self.log), list(self.undone), self.last_undone])
            self.low = min(self.low, len(self.transcript))
        return done

    def undo_to(self, keep: int, undone: list, last_undone: str | None) -> None:
        """An undo replayed: back to `keep` logged commands, with its redo list."""
        self._depth += 1
        try:
            self._rewind_kept_compacted(keep)
        finally:
            self._depth -= 1
        self.undone, self.last_undone = list(undone), last_undone
        if self._depth == 0:
            self.journal.append(["undo_to", keep, list(undone), last_undone])
            self.low = min(self.low, len(self.transcript))

    def redo(self) -> Result | None:
        return self._noted("redo")

    def rewind(self, keep: int) -> None:
        return self._noted("rewind", keep, call=self._rewind_kept_compacted)

    def _rewind_kept_compacted(self, keep: int) -> None:
        """The engine's rewind prints the commands after its checkpoint again, old outputs in full;
        those compacted before stay compacted. Otherwise what a process shows would depend on where
        its checkpoints happen to be (another process, loading the record, has others)."""
        compacted = {i: entry for i, entry in enumerate(self.transcript) if entry.get("compacted")}
        Sandbox.rewind(self, keep)
        for index, entry in compacted.items():
            if index < len(self.transcript) and self.transcript[index]["command"] == entry["command"]:
                self.transcript[index] = entry

    def host_write(self, path: str, data: bytes) -> None:
        return self._noted("host_write", path, bytes(data))

    def branch(self, keep: int) -> None:
        """Back to the state after `keep` commands, as a new line of work (nothing to redo)."""
        self._depth += 1
        try:
            self._rewind_kept_compacted(max(0, min(keep, len(self.log))))
            self.undone = []
        finally:
            self._depth -= 1
        self.journal.append(["branch", keep])
        self.low = min(self.low, len(self.transcript))

    def compact_transcript(self, keep: int, longer_than: int) -> None:
        """Old history compacted: outputs longer than `longer_than` characters, in entries before the
        last `keep`, become a one-line note (the terminal shows the last 200 entries anyway)."""
        first = None
        for index, entry in enumerate(self.transcript[:max(0, len(self.transcript) - keep)]):
            size = sum(len(text) for _, text in entry["output"])
            if size > longer_than and not entry.get("compacted"):   # once: a replayed compaction keeps the note
                note = f"[LayerLab: this old output ({size} characters) is no longer kept]\n"
                self.transcript[index] = {**entry, "output": [["stdout", note]], "compacted": True}
                first = index if first is None else first
        if first is not None:
            self.journal.append(["compact", keep, longer_than])
            self.low = min(self.low, first)

    def start_journal(self) -> None:
        self.journal, self.low = [], len(self.transcript)

    @classmethod
    def adopt(cls, sandbox: Sandbox) -> "RecordedSandbox":
        if isinstance(sandbox, cls):
            return sandbox
        sandbox.__class__ = cls   # same state, now journaled (the engine made it as a plain Sandbox)
        sandbox.journal, sandbox.low, sandbox._depth = [], len(sandbox.transcript), 0
        return sandbox


def _apply(sandbox: RecordedSandbox, action: list) -> None:
    """Do one journaled action again (replaying an op)."""
    name, *args = action
    if name == "host_write":
        sandbox.host_write(args[0], base64.b64decode(args[1]))
    elif name == "branch":
        sandbox.branch(args[0])
    elif name == "compact":
        sandbox.compact_transcript(*args)
    elif name == "undo_to":
        sandbox.undo_to(*args)
    elif name in ("run", "undo", "redo", "rewind"):   # "undo": ops stored before undo_to
        getattr(sandbox, name)(*args)
    else:
        raise ValueError(f"unknown op {name!r}")


def _encode_action(action: list) -> list:
    if action[0] == "host_write":
        return ["host_write", action[1], base64.b64encode(action[2]).decode()]
    return action


# ---------------------------------------------------------------- packing
def pack(head: dict, sandbox: Sandbox) -> bytes:
    """A snapshot: head and sandbox without the transcript (kept in its own table)."""
    data = sandbox.to_json()
    tlen = len(data.pop("transcript"))
    return zlib.compress(jsontext.dumps({"head": head, "sandbox": data, "tlen": tlen}), 1)


def unpack(snapshot: bytes, transcript: list[str]) -> tuple[dict, RecordedSandbox]:
    data = json.loads(zlib.decompress(snapshot))
    state = data["sandbox"]
    state["transcript"] = [json.loads(e) for e in transcript[:data["tlen"]]]
    return data["head"], RecordedSandbox.from_json(state)


def _entry(entry: dict) -> str:
    return json.dumps(entry, separators=(",", ":"), ensure_ascii=False)


# ---------------------------------------------------------------- the per-process cache
@dataclass
class Live:
    version: int
    head: dict
    sandbox: RecordedSandbox
    ops_since: int = 0            # ops stored after the last snapshot
    touched: float = field(default_factory=time.monotonic)


class _Lock:
    __slots__ = ("lock", "__weakref__")

    def __init__(self):
        self.lock = threading.RLock()


class Cache:
    """The live sandboxes of one store in this process, and one lock per sandbox."""

    def __init__(self, store: SandboxStore, size: int = CACHED_SANDBOXES):
        # held weakly: the caches are kept per store in a WeakKeyDictionary, which a strong reference
        # from the value would keep forever (a test suite's thousands of stores, their open files)
        self._store, self.size = weakref.ref(store), size
        self.entries: OrderedDict[str, Live] = OrderedDict()
        self.locks: weakref.WeakValueDictionary[str, _Lock] = weakref.WeakValueDictionary()
        self.guard = threading.Lock()

    @property
    def store(self) -> SandboxStore:
        return self._store()

    def lock(self, sandbox_id: str) -> _Lock:
        with self.guard:
            lock = self.locks.get(sandbox_id)
            if lock is None:
                lock = self.locks[sandbox_id] = _Lock()
            return lock

    def drop(self, sandbox_id: str) -> None:
        with self.guard:
            self.entries.pop(sandbox_id, None)

    def keep(self, sandbox_id: str, live: Live) -> None:
        with self.guard:
            self.entries[sandbox_id] = live
            self.entries.move_to_end(sandbox_id)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def current(self, sandbox_id: str) -> Live:
        """The live sandbox at the stored version (caller holds its lock); UnknownSandbox if gone."""
        stored_version = self.store.version(sandbox_id)
        if stored_version is None:
            self.drop(sandbox_id)
            raise UnknownSandbox(sandbox_id)
        with self.guard:
            live = self.entries.get(sandbox_id)
            if live is not None:
                self.entries.move_to_end(sandbox_id)
        if live is not None and live.version == stored_version:
            return live
        if live is not None and live.version < stored_version:
            ops = self.store.ops_after(sandbox_id, live.version)
            if ops is not None:
                try:
                    _replay(live, ops)
                    return live
                except Exception:
                    log.exception("catching up sandbox %s failed; loading it whole", sandbox_id)
        stored = self.store.load(sandbox_id)
        if stored is None:
            self.drop(sandbox_id)
            raise UnknownSandbox(sandbox_id)
        try:
            live = load_stored(stored)
        except Exception as error:
            # a damaged record must not answer 500 on every page: web/recovery.py sets it aside for
            # the admin (store.set_aside) and gives the learner a new sandbox (the API: a 410)
            self.drop(sandbox_id)
            raise DamagedRecord(sandbox_id, reason=f"{type(error).__name__}: {error}") from error
        self.keep(sandbox_id, live)
        return live


def load_stored(stored: Stored) -> Live:
    head, sandbox = unpack(stored.snapshot, stored.transcript)
    live = Live(stored.snap_version, head, sandbox)
    _replay(live, stored.ops)
    return live


def _replay(live: Live, ops: list[str]) -> None:
    for text in ops:
        op = json.loads(text)
        for action in op.get("do", []):
            _apply(live.sandbox, action)
        live.head.update(op.get("head", {}))
        live.version += 1
        live.ops_since += 1
    live.sandbox.start_journal()


_caches: "weakref.WeakKeyDictionary[SandboxStore, Cache]" = weakref.WeakKeyDictionary()
_caches_guard = threading.Lock()


def cache_of(store: SandboxStore) -> Cache:
    with _caches_guard:
        cache = _caches.get(store)
        if cache is None:
            cache = _caches[store] = Cache(store)
        return cache


# ---------------------------------------------------------------- locking for a whole request
def init_app(app: Flask) -> None:
    """Release the per-sandbox locks a request took, once its answer is rendered."""

    @app.teardown_request
    def _release(_error=None):
        for lock in g.pop("sandbox_locks", []):
            lock.lock.release()

    @app.errorhandler(StoreBusy)
    def _busy(_error):
        return ServiceUnavailable(description="This sandbox is busy with another request; nothing was changed. "
                                              "Try again in a moment.", retry_after=1)

    # a full or unavailable store, a damaged record: web/errors.py and web/recovery.py answer those


def _acquire(cache: Cache, sandbox_id: str) -> _Lock:
    lock = cache.lock(sandbox_id)
    if not lock.lock.acquire(timeout=LOCK_WAIT):
        raise StoreBusy(f"sandbox {sandbox_id} is busy")
    return lock


def _hold_for_request(cache: Cache, sandbox_id: str) -> None:
    """Keep the sandbox locked until the request ends (re-entrant: a request may use it twice)."""
    if has_request_context():
        held = g.setdefault("sandbox_locks", [])
        held.append(_acquire(cache, sandbox_id))


# ---------------------------------------------------------------- changes
@dataclass
class Outcome:
    """The answer to one operation: the sandbox as it is now, its record, and the command's result."""

    record: dict
    sandbox: Sandbox
    result: Result | None = None
    new_entry: dict | None = None   # run_command, redo: the one transcript entry this command added
    shown_before: tuple[int, int] | None = None   # undo: the terminal's window before (terminal_window)


def _change(store: SandboxStore, sandbox_id: str, edit: Callable[[Live], T]) -> T:
    """Run `edit` on the live sandbox and store what it did as one op (or a snapshot when the sandbox
    was replaced); on a lost race, run it again on the newer state."""
    cache = cache_of(store)
    _hold_for_request(cache, sandbox_id)
    lock = _acquire(cache, sandbox_id)
    try:
        for attempt in range(MAX_ATTEMPTS):
            live = cache.current(sandbox_id)
            # a shallow copy: changes replace head values, never edit them in place
            head_before, sandbox_before = dict(live.head), live.sandbox
            sandbox_before.start_journal()
            try:
                answer = edit(live)
                change = _change_of(live, head_before, sandbox_before)
                if change is None:
                    return answer
                try:
                    live.version = store.append(sandbox_id, live.version, change)
                except OverBudget:
                    if change.snapshot is not None:
                        raise
                    # compact first: a snapshot of the state now may fit where the growing log did not
                    change.snapshot = pack(live.head, live.sandbox)
                    live.version = store.append(sandbox_id, live.version, change)
            except Conflict:
                cache.drop(sandbox_id)
                # Another process changed it meanwhile. The writers' queue is fair (web/write_lock.py):
                # two processes racing on one sandbox would each lose to the other again and again
                # without a random pause, growing with each loss.
                time.sleep(random.uniform(0, CONFLICT_PAUSE * 2 ** attempt))
                continue
            except BaseException:
                cache.drop(sandbox_id)   # the live sandbox holds a change that was not saved
                raise
            live.ops_since = 0 if change.snapshot is not None else live.ops_since + 1
            live.touched = time.monotonic()
            live.sandbox.start_journal()
            return answer
        raise StoreBusy(f"sandbox {sandbox_id} is changing too fast to save")
    finally:
        lock.lock.release()


def _change_of(live: Live, head_before: dict, sandbox_before: RecordedSandbox) -> Change | None:
    sandbox = live.sandbox
    if sandbox is not sandbox_before:   # replaced whole (reset, a lesson opened): a snapshot
        live.sandbox = sandbox = RecordedSandbox.adopt(sandbox)
        return Change(json.dumps({"replace": True}), 0, [_entry(e) for e in sandbox.transcript],
                      pack(live.head, sandbox))
    delta = {k: v for k, v in live.head.items() if head_before.get(k) != v}
    if not sandbox.journal and not delta:
        return None
    op = json.dumps({"do": [_encode_action(a) for a in sandbox.journal], "head": delta},
                    separators=(",", ":"), ensure_ascii=False)
    start = min(sandbox.low, len(sandbox.transcript))
    entries = [_entry(e) for e in sandbox.transcript[start:]]
    changed_transcript = bool(sandbox.journal)
    snapshot = pack(live.head, sandbox) if live.ops_since + 1 >= SNAPSHOT_EVERY else None
    return Change(op, start if changed_transcript else None, entries if changed_transcript else [], snapshot)


def _last(result: Result) -> dict:
    """What the explain panel shows for a command (the one place this dict is built)."""
    return {"command": result.command, "exit_code": result.exit_code, "events": events_to_json(result.events),
            "invocations": [i.to_json() for i in result.invocations]}


def events_of(stored) -> list[Event]:
    """Events as the present and course code reads them. The record keeps them as JSON (`_last`);
    this is where they become typed again (a walkthrough's in-memory ones already are)."""
    return events_from_json(stored)


def last_events(last: dict | None) -> list[Event]:
    """The typed events of a record's last command ([] when there is none)."""
    return events_of((last or {}).get("events"))


def kept_build_stands(kept: dict | None, log_length: int) -> bool:
    """Is the command that made the record's last build (its JSON plus "at", the log length it ran
    at) still in the log?"""
    return isinstance(kept, dict) and kept.get("at", 0) <= log_length


def kept_build(kept: dict | None, log_length: int) -> BuildFinished | None:
    """The record's last build, while the command that made it is still in the log."""
    if not kept_build_stands(kept, log_length):
        return None
    event = event_from_json({k: v for k, v in kept.items() if k != "at"})
    return event if isinstance(event, BuildFinished) else None


def _build_after(head: dict, sandbox: Sandbox, result: Result | None) -> dict | None:
    """The last build to keep showing: this command's, else the earlier one while the command that
    made it is still in the log (undo takes it back with the command)."""
    builds = [e for e in (result.events if result else []) if isinstance(e, BuildFinished)]
    if builds:
        return {**builds[-1].to_json(), "at": len(sandbox.log)}
    kept = head.get("last_build")
    if isinstance(kept, dict) and kept.get("at", 0) <= len(sandbox.log):
        return kept
    return None


def new_head(scenario: str | None = None, seed: int = 0) -> dict:
    return {"scenario": scenario, "seed": seed, "clear_from": 0, "last": None, "last_build": None, "meta": {}}


def new_record(scenario: str | None = None, seed: int = 0) -> tuple[dict, Sandbox]:
    """A fresh head and sandbox; ValueError for an unknown scenario (from the engine)."""
    return new_head(scenario, seed), RecordedSandbox.create(seed=seed, scenario=scenario)


def create(store: SandboxStore, scenario: str | None = None, seed: int = 0) -> str:
    head, sandbox = new_record(scenario, seed)
    return create_from(store, sandbox, head)


def create_from(store: SandboxStore, sandbox: Sandbox, head: dict | None = None) -> str:
    """Store a new sandbox in this state (a permalink continued, a lesson started)."""
    head = head or {**new_head(sandbox.scenario, sandbox.seed)}
    return store.create(pack(head, sandbox), [_entry(e) for e in sandbox.transcript])


def load(store: SandboxStore, sandbox_id: str) -> Outcome | None:
    """The sandbox as it is now, or None if there is no such sandbox."""
    cache = cache_of(store)
    _hold_for_request(cache, sandbox_id)
    lock = _acquire(cache, sandbox_id)
    try:
        live = cache.current(sandbox_id)
    except UnknownSandbox:
        return None
    finally:
        lock.lock.release()
    if time.monotonic() - live.touched > TOUCH_EVERY:   # looking at it counts as using it
        live.touched = time.monotonic()
        store.touch(sandbox_id)
    return Outcome(live.head, live.sandbox)


def view(store: SandboxStore, sandbox_id: str, read: Callable[[Outcome], T]) -> T | None:
    """`read(outcome)` on the sandbox as it is now, under its lock only while `read` runs (not for the
    rest of the request); None if there is no such sandbox. `read` must not change it. For a page
    that reads many sandboxes (the class dashboard reads every student's every few seconds): the
    cached live sandbox, no JSON decode when it is current."""
    cache = cache_of(store)
    lock = _acquire(cache, sandbox_id)
    try:
        try:
            live = cache.current(sandbox_id)
        except UnknownSandbox:
            return None
        return read(Outcome(live.head, live.sandbox))
    finally:
        lock.lock.release()


def storage_message(budget: int) -> str:
    return (f"LayerLab: this sandbox has reached its storage limit of {budget // (1024 * 1024)} MiB (host files, "
            "uploads, terminal output and saved states together): Reset it or start a new sandbox\n")


def run_command(store: SandboxStore, sandbox_id: str, line: str) -> Outcome:
    """Run one line typed by the learner and save it (UnknownSandbox if the sandbox is gone). Over the
    storage budget the command is refused and nothing changes."""

    def edit(live: Live) -> Outcome:
        sandbox, head = live.sandbox, live.head
        entries_before = len(sandbox.transcript)
        result = sandbox.run(line)
        if len(sandbox.log) % COMPACT_EVERY == 0 and len(sandbox.transcript) > COMPACT_KEEP:
            sandbox.compact_transcript(COMPACT_KEEP, COMPACT_LONGER_THAN)
        if _is_clear(result):
            head["clear_from"] = len(sandbox.transcript)
        elif line.strip():
            head["last"] = _last(result)
        head["last_build"] = _build_after(head, sandbox, result)
        added = sandbox.transcript[-1] if len(sandbox.transcript) == entries_before + 1 else None
        return Outcome(head, sandbox, result, new_entry=added)

    try:
        return _change(store, sandbox_id, edit)
    except OverBudget as error:
        message = storage_message(error.budget)
        outcome = load(store, sandbox_id) or Outcome(new_head(), RecordedSandbox.create())
        refused = Result("", message, 1, [], line.strip(), [["stderr", message]])
        entry = {"command": line.strip(), "output": refused.output, "exit_code": 1}
        return Outcome(outcome.record, outcome.sandbox, refused, new_entry=entry)


def undo(store: SandboxStore, sandbox_id: str) -> Outcome:
    """Step back one command; the outcome's result is None (nothing ran)."""

    def edit(live: Live) -> Outcome:
        sandbox, head = live.sandbox, live.head
        shown_before = terminal_window(head, len(sandbox.transcript))
        before = sandbox.transcript[-1]["command"] if sandbox.transcript else None
        if sandbox.undo():   # the change taken back (read-only lines after it went with it)
            head["last"] = {"command": sandbox.last_undone or before, "undone": True, "exit_code": 0, "events": []}
        head["clear_from"] = min(head.get("clear_from", 0), len(sandbox.transcript))
        head["last_build"] = _build_after(head, sandbox, None)
        return Outcome(head, sandbox, shown_before=shown_before)

    return _change(store, sandbox_id, edit)


def redo(store: SandboxStore, sandbox_id: str) -> Outcome:
    """Run again the command the last undo took back (nothing happens when there is none)."""

    def edit(live: Live) -> Outcome:
        sandbox, head = live.sandbox, live.head
        entries_before = len(sandbox.transcript)
        result = sandbox.redo()
        if result is None:
            return Outcome(head, sandbox)
        head["last"] = _last(result)
        head["last_build"] = _build_after(head, sandbox, result)
        added = sandbox.transcript[-1] if len(sandbox.transcript) == entries_before + 1 else None
        return Outcome(head, sandbox, result, new_entry=added)

    return _change(store, sandbox_id, edit)


def reset(store: SandboxStore, sandbox_id: str) -> Outcome:
    """Start this sandbox over from its scenario and seed, keeping its id."""

    def edit(live: Live) -> Outcome:
        live.head, live.sandbox = new_record(live.head.get("scenario"), live.head.get("seed", 0))
        return Outcome(live.head, live.sandbox)

    return _change(store, sandbox_id, edit)


def branch(store: SandboxStore, sandbox_id: str, at: int) -> Outcome:
    """Continue from an earlier point: the state after the first `at` commands (the timeline)."""

    def edit(live: Live) -> Outcome:
        sandbox, head = live.sandbox, live.head
        sandbox.branch(at)
        head.update(last=None, clear_from=min(head.get("clear_from", 0), len(sandbox.transcript)),
                    last_build=_build_after(head, sandbox, None))
        return Outcome(head, sandbox)

    return _change(store, sandbox_id, edit)


def write_file(store: SandboxStore, sandbox_id: str, path: str, data: bytes) -> tuple[str, bool]:
    """Write a host file (an upload, the editor): recorded for replay. Returns (clean path, existed).
    HostError for a bad path or a full directory, HostLimitReached over the storage budget."""

    def edit(live: Live) -> tuple[str, bool]:
        existed = path in live.sandbox.host_files()
        live.sandbox.host_write(path, data)
        return live.sandbox.uploads[-1][1], existed

    try:
        return _change(store, sandbox_id, edit)
    except OverBudget as error:
        raise HostLimitReached(storage_message(error.budget).removeprefix("LayerLab: ").strip()) from None


# ---------------------------------------------------------------- the course's sandboxes
# A course sandbox's head also carries the learner's progress (course.progress.CourseMeta):
#   "course": the meta without its steps (lesson, since, solved, logs, hints, answers, solutions),
#   "step.0", "step.1", ...: the steps, one per learner's command in the lesson (a few hundred bytes
#   each), a field each,
# apart, because a stored change writes each head field that changed whole: a lesson command writes
# its own step, not every step of the session nor the logs of every lesson left. A field is never
# removed (the op log carries values, not removals): a step taken back leaves None. Records kept
# before this layout have the whole meta in head["meta"]["course"]; they read the same, and their
# first change moves it.


def course_progress(outcome: Outcome) -> Progress:
    """A course sandbox as the lesson code reads it: the live sandbox and the progress in its head."""
    head = outcome.record
    meta = CourseMeta.from_json({**_course_json(head), "steps": _steps_json(head)} if "course" in head else
                                (head.get("meta") or {}).get("course"))
    return Progress(outcome.sandbox, meta, head.get("last"), head.get("clear_from", meta.since))


def course_summary(head: dict) -> CourseMeta:
    """The progress without its steps (what the list of lessons or the class dashboard shows)."""
    return CourseMeta.from_json(_course_json(head))


def _course_json(head: dict) -> dict:
    data = head["course"] if "course" in head else (head.get("meta") or {}).get("course") or {}
    return {k: v for k, v in data.items() if k != "steps"}


def _steps_json(head: dict) -> list[dict]:
    steps: list[dict] = []
    while head.get(f"step.{len(steps)}") is not None:
        steps.append(head[f"step.{len(steps)}"])
    return steps


def _course_fields(head: dict, progress: Progress, sandbox_changed: bool = True) -> dict:
    """The head fields that store `progress` (values replaced, never edited in place: see _change)."""
    data = progress.meta.to_json()
    steps = data.pop("steps")
    fields = {"course": data, "last": progress.last, "clear_from": progress.clear_from}
    fields.update((f"step.{n}", step) for n, step in enumerate(steps))
    n = len(steps)
    while f"step.{n}" in head:   # taken back
        fields[f"step.{n}"] = None
        n += 1
    if "course" in (head.get("meta") or {}):   # the old place: moved once
        fields["meta"] = {k: v for k, v in head["meta"].items() if k != "course"}
    # the class dashboard's glance, with the sandbox's size when it was taken ("of": a snapshot's
    # sandbox is checked against it) and "taken", which counts the changes that stored one, so each
    # such op carries it even when it shows the same (a `clear`): a head reader knows it is current
    sandbox, kept = progress.sandbox, head.get("glance") or {}
    shown = {**glance(progress).to_json(), "of": _size(sandbox.log, sandbox.transcript, sandbox.uploads)}
    unchanged = not sandbox_changed and all(head.get(k) == v for k, v in fields.items()) and \
        {k: v for k, v in kept.items() if k != "taken"} == shown
    fields["glance"] = kept if unchanged else {**shown, "taken": kept.get("taken", 0) + 1}
    return fields


def _size(log: list, transcript: list, uploads: list) -> list[int]:
    """How far a sandbox has come (the log, the transcript, the host writes): what a glance was taken of."""
    return [len(log), len(transcript), len(uploads)]


def create_course(store: SandboxStore, progress: Progress) -> str:
    """Store a new course sandbox (a learner's first lesson), and keep it live in this process."""
    sandbox = RecordedSandbox.adopt(progress.sandbox)
    head = new_head(sandbox.scenario, sandbox.seed)
    head.update(_course_fields(head, progress))
    sandbox_id = create_from(store, sandbox, head)
    cache_of(store).keep(sandbox_id, Live(0, head, sandbox))   # a new record is at version 0
    return sandbox_id


def lesson_change(store: SandboxStore, sandbox_id: str, change: Callable[[Progress], tuple]) -> tuple:
    """Apply `change(progress) -> (progress, *answer)` to a course sandbox as one stored change and
    return it as stored. A line run or undone on the given (live) sandbox is journaled like the
    playground's (one op row: ["run", line] or ["undo_to", ...], plus the head fields that changed);
    a lesson opened or restarted makes a new sandbox, stored as a snapshot (rare: a lesson switch)."""

    def edit(live: Live) -> tuple:
        progress, *answer = change(course_progress(Outcome(live.head, live.sandbox)))
        changed = progress.sandbox is not live.sandbox or bool(live.sandbox.journal)
        live.head = {**live.head, **_course_fields(live.head, progress, changed)}
        if progress.sandbox is not live.sandbox:
            live.sandbox = progress.sandbox
            live.head.update(scenario=progress.sandbox.scenario, seed=progress.sandbox.seed, last_build=None)
        return (progress, *answer)

    return _change(store, sandbox_id, edit)   # a new sandbox is adopted in place: still progress.sandbox


# ---------------------------------------------------------------- heads without their sandbox
@dataclass
class _Head:
    version: int
    head: dict
    glanced: bool   # head["glance"] describes the sandbox at this version


_heads: "weakref.WeakKeyDictionary[SandboxStore, OrderedDict[str, _Head]]" = weakref.WeakKeyDictionary()
_heads_guard = threading.Lock()


def course_glance(store: SandboxStore, sandbox_id: str) -> tuple[CourseMeta, Glance] | None:
    """What the class dashboard shows of a course sandbox (its progress without the steps, and the
    glance the last lesson change took), read from the head alone: no sandbox is loaded and no
    command replayed; another process's changes are caught up from their ops' head fields. None when
    the glance is not current (the sandbox changed outside a lesson: the playground's API, a file
    written), or the sandbox is gone or damaged: read it with `view` then."""
    version = store.version(sandbox_id)
    if version is None:
        return None
    with _heads_guard:
        heads = _heads.setdefault(store, OrderedDict())
        known = heads.get(sandbox_id)
    if known is None or known.version != version:
        try:
            known = _head_now(store, sandbox_id, known)
        except Exception:   # gone meanwhile, or damaged: `view` says which
            return None
        with _heads_guard:
            heads[sandbox_id] = known
            heads.move_to_end(sandbox_id)
            while len(heads) > CACHED_SANDBOXES:
                heads.popitem(last=False)
    if not known.glanced or not isinstance(known.head.get("glance"), dict):
        return None
    return course_summary(known.head), Glance.from_json(known.head["glance"])


def _head_now(store: SandboxStore, sandbox_id: str, known: _Head | None) -> _Head:
    ops = store.ops_after(sandbox_id, known.version) if known is not None else None
    if ops is None:   # nothing known, or a snapshot replaced the ops after it: the snapshot's head
        stored = store.load(sandbox_id)
        data = json.loads(zlib.decompress(stored.snapshot))
        head = data["head"]
        state = data["sandbox"]   # its transcript is kept apart: "tlen" entries
        of = _size(state.get("log", []), range(data["tlen"]), state.get("uploads", []))
        known, ops = _Head(stored.snap_version, head, (head.get("glance") or {}).get("of") == of), stored.ops
    else:
        known = _Head(known.version, dict(known.head), known.glanced)
    for text in ops:
        op = json.loads(text)
        delta = op.get("head", {})
        known.head.update(delta)
        if "glance" in delta:      # a lesson change: taken from the sandbox it left
            known.glanced = True
        elif op.get("do"):         # the sandbox changed, the glance did not
            known.glanced = False
        known.version += 1
    return known


def record_dict(store: SandboxStore, sandbox_id: str) -> dict | None:
    """The record as one dict with the sandbox's JSON (for tests and tools: pages read `load`)."""
    outcome = load(store, sandbox_id)
    if outcome is None:
        return None
    return {**outcome.record, "sandbox": outcome.sandbox.to_json()}


# ---------------------------------------------------------------- migration
def migrate(store: SandboxStore) -> int:
    """Convert sandboxes stored before the op log (one JSON document each) into snapshots; an
    unreadable document is set aside for the admin. Safe to run in several processes at once."""
    moved = 0
    for sandbox_id, text in store.legacy_records():
        try:
            record = json.loads(text)
            sandbox = Sandbox.from_json(record["sandbox"])
            head = {k: v for k, v in record.items() if k != "sandbox"}
            for key, default in new_head(record.get("scenario"), record.get("seed", 0)).items():
                head.setdefault(key, default)
            snapshot, transcript = pack(head, sandbox), [_entry(e) for e in sandbox.transcript]
        except Exception:
            log.exception("sandbox %s: the stored record cannot be read; set aside", sandbox_id)
            store.drop_legacy(sandbox_id)
            continue
        moved += store.replace_legacy(sandbox_id, snapshot, transcript)
    return moved


# ---------------------------------------------------------------- the terminal's view
def terminal_window(record: dict, transcript_length: int) -> tuple[int, int]:
    """The transcript entries the terminal shows, as (start, end) indices: after the last `clear`,
    at most TRANSCRIPT_SHOWN."""
    start = min(record.get("clear_from", 0), transcript_length)
    return max(start, transcript_length - TRANSCRIPT_SHOWN), transcript_length


def terminal_entries(outcome: Outcome) -> list[dict]:
    """The transcript entries the terminal shows: after the last `clear`, most recent last."""
    start, end = terminal_window(outcome.record, len(outcome.sandbox.transcript))
    return outcome.sandbox.transcript[start:end]


def terminal_trim(outcome: Outcome) -> tuple[int, list[dict]] | None:
    """After an undo, the terminal as it is on screen turned into the one it should show: (how many
    entries leave its end, the entries that come back into its window at the top), or None when it
    must be drawn whole (it was or becomes empty: the welcome text). The entries kept are the same:
    an undo replays the log from a checkpoint, and a replay prints what the commands printed."""
    if outcome.shown_before is None:
        return None
    (start0, end0), (start1, end1) = outcome.shown_before, terminal_window(outcome.record, len(outcome.sandbox.transcript))
    if (start0, end0) == (start1, end1):   # nothing was undone
        return 0, []
    if start0 == end0 or start1 == end1 or start1 > start0 or end1 > end0:
        return None
    return end0 - max(start0, end1), outcome.sandbox.transcript[start1:start0]


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
    return any(isinstance(event, Cleared) for event in result.events)
