"""One learner's world: daemon state, host working directory, clock, and the command log.

The state is a function of (seed, scenario, command log, host uploads): undo goes back by
replaying the log without its last command, and sharing sends the log. Nothing here does I/O.

Undo (or recovery from a bug) starts from the nearest saved state at or before the wanted point
and replays only the commands after it. Two kinds of saved state, both caches (a state is still a
function of seed, scenario, log and uploads; two sandboxes in the same state may hold different ones):
- Checkpoints: every CHECKPOINT_EVERY logged commands the daemon and host state is packed
  (compressed JSON text) and carried in to_json(), so a sandbox loaded elsewhere replays little.
  An undo keeps those at or before the point it went back to; the replay after it adds the rest.
- Undo points, in memory only (engine/undo_points.py): forks (Daemon.fork, HostDir.fork:
  independent copies sharing only what is immutable) of the states the next undos go back to. The
  sandbox forks before each command (but plain looks such as `docker ps`) and keeps the fork when
  the command changed something, so the first undos after a command replay nothing; the replay of
  an undo forks the states the undos after it go back to. Restoring one hands it over: the
  sandbox's own state from then on, gone from the list.
"""
from __future__ import annotations

import base64
import logging
import hashlib
import json
import threading
import zlib
from dataclasses import dataclass, field

from engine import jsontext, scenarios
from engine.completion import complete
from engine.daemon import session
from engine.daemon.containers import settle
from engine.daemon.model import Daemon
from engine.errors import HostError, LimitError
from engine.events import Cleared, Event
from engine.host import HostDir
from engine.invocation import Invocation
from engine.terminal import run_line
from engine.undo_points import UNDO_POINTS, UndoPoint, fork_size, kept, looks_read_only

MAX_LOG = 1000  # commands per sandbox; reported, never a crash

# Checkpoints: at every 10th command, the 3 most recent kept, older ones only every 100th command.
# A checkpoint costs ~5 ms to pack and ~30 KB of JSON for a 20-container sandbox (bench/RESULTS.md),
# so one undo replays at most 9 commands and a long way back at most 99.
CHECKPOINT_EVERY = 10
RECENT_CHECKPOINTS = 3
SPARSE_CHECKPOINT_EVERY = 100

# Replays of long logs (permalinks, the timeline) are remembered by the process, packed, so the
# same link opened again (or by the rest of the class) costs a load instead of a replay.
_LOG = logging.getLogger(__name__)
# The memo is bounded in bytes as well as in entries: one packed sandbox over an eighth of the budget
# is not kept, and the oldest go first.
REPLAY_MEMO_MIN_COMMANDS = 20
REPLAY_MEMO_KEPT = 64
REPLAY_MEMO_BYTES = 32 * 1024 * 1024
_REPLAYED: dict[str, bytes] = {}
_REPLAYED_LOCK = threading.Lock()


def _remember(key: str, packed: bytes) -> None:
    """Keep a replayed sandbox for the next time, within REPLAY_MEMO_KEPT entries and REPLAY_MEMO_BYTES."""
    if len(packed) > REPLAY_MEMO_BYTES // 8:
        return
    with _REPLAYED_LOCK:
        _REPLAYED.pop(key, None)
        total = sum(map(len, _REPLAYED.values()))
        while _REPLAYED and (len(_REPLAYED) >= REPLAY_MEMO_KEPT or total + len(packed) > REPLAY_MEMO_BYTES):
            total -= len(_REPLAYED.pop(next(iter(_REPLAYED))))   # the oldest
        _REPLAYED[key] = packed


def _replay_key(seed, scenario, log, uploads) -> str:
    text = json.dumps([seed, scenario, list(log), [[i, p, base64.b64encode(b).decode()] for i, p, b in uploads]])
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Result:
    stdout: str
    stderr: str
    exit_code: int
    events: list[Event] = field(default_factory=list)
    command: str = ""
    output: list = field(default_factory=list)  # [stream, text] chunks in terminal order
    invocations: list[Invocation] = field(default_factory=list)  # each docker command that ran, in order
    prompt: str = ""  # the prompt of the container shell the terminal is attached to ("" = the host's)


# Events that report without changing anything (a pull that found every layer already there).
_NO_CHANGE_EVENTS = {"layer_reused", "clear"}


def changed_nothing(result: Result) -> bool:
    """A line that left the sandbox as it was: no event but informational ones. Time passing with
    a process ending, a written host file or a container shell's line all count as changes."""
    return all(event.kind in _NO_CHANGE_EVENTS for event in result.events)


class Sandbox:
    def __init__(self, seed: int, scenario: str | None, daemon: Daemon, host: HostDir):
        self.seed, self.scenario = seed, scenario
        self.daemon, self.host = daemon, host
        self.log: list[str] = []
        self.transcript: list[dict] = []  # {"command", "output": [[stream, text]…], "exit_code"}
        # host files written outside commands (editor, API uploads): (position in log, path, data)
        self.uploads: list[tuple[int, str, bytes]] = []
        # (commands logged, packed daemon + host state), oldest first; see the module docstring
        self.checkpoints: list[tuple[int, str]] = []
        self.undone: list[str] = []  # commands undo took back, most recent last: what redo runs again
        self.last_undone = ""  # the line the last undo() took back (its change, or the first read-only line)
        self.undo_points: list[UndoPoint] = []  # in memory only, by position: engine/undo_points.py
        self._replaying = 0  # inside a rewind's or replay's replay: no fork before each command
        # in memory only: moves with every change of state (a line that was not read-only, a rewind,
        # a host file), so a reader can tell that nothing changed since it last looked
        self.generation = 0

    @classmethod
    def create(cls, seed: int = 0, scenario: str | None = None) -> "Sandbox":
        setup = scenarios.setup_commands(scenario)  # ValueError for an unknown scenario
        sandbox = cls(seed, scenario, Daemon(seed), HostDir(scenarios.host_files(scenario)))
        for line in setup:  # like the learner's commands (time passes), but not logged
            sandbox._apply(line)
        return sandbox

    # ---- commands --------------------------------------------------------------------------
    def run(self, line: str) -> Result:
        """Run one terminal line. Never raises for anything a user can type."""
        line = line.strip()
        if line == "clear":
            return Result("", "", 0, [Cleared()], line, prompt=self.prompt)
        if not line:
            return Result("", "", 0, [], line, prompt=self.prompt)
        if len(self.log) >= MAX_LOG:
            err = LimitError(f"this sandbox has reached its limit of {MAX_LOG} commands: "
                             "start a new sandbox or reset it")
            return Result("", f"LayerLab: {err}\n", 1, [], line, [["stderr", f"LayerLab: {err}\n"]])
        prompt_before = self.prompt
        before = None  # the state an undo of this line goes back to, if it changes something
        if not self._replaying and not (self.daemon.session is None and looks_read_only(line)):
            before = self._fork(len(self.log), uploads_in=True)
        try:
            result = self._apply(line)
        except Exception as exc:  # a bug of ours must not corrupt the learner's state:
            # go back to the state before it (the fork, else the last checkpoint and the log after it)
            _LOG.exception("internal error running %r; state rebuilt from the log", line)
            if before is not None:
                self.undo_points = kept(self.undo_points, before)
            self.rewind(len(self.log))
            message = f"LayerLab internal error ({type(exc).__name__}); nothing was changed.\n"
            return Result("", message, 1, [], line, [["stderr", message]])
        self.log.append(line)
        self.undone = []  # a new command starts a new branch: nothing left to redo
        entry = {"command": line, "output": result.output, "exit_code": result.exit_code}
        if prompt_before or result.prompt:  # inside a container's shell: its prompts, before and after
            entry.update(prompt=prompt_before, prompt_after=result.prompt)
        elif changed_nothing(result):
            entry["read_only"] = True  # undo takes it back together with the change before it
        self.transcript.append(entry)
        if not entry.get("read_only"):
            self.generation += 1
            if before is not None:
                self.undo_points = kept(self.undo_points, before)
        if len(self.log) % CHECKPOINT_EVERY == 0:
            self._checkpoint()
        return result

    @property
    def prompt(self) -> str:
        """The attached container shell's prompt, "" when the terminal is the host's."""
        return session.prompt(self.daemon)

    def _apply(self, line: str) -> Result:
        self.daemon.clock.advance(self.daemon.ids.number(3, 9, "think"))
        events = settle(self.daemon)
        if self.daemon.session is not None:  # the terminal is attached to a container's shell
            inside = session.run_line(self.daemon, line)
            output = [[s, t] for s, t in (("stdout", inside.stdout), ("stderr", inside.stderr)) if t]
            return Result(inside.stdout, inside.stderr, inside.exit_code, events + inside.events, line,
                          output, [], session.prompt(self.daemon))
        outcome = run_line(line, self.daemon, self.host)
        return Result(outcome.stdout, outcome.stderr, outcome.exit_code, events + outcome.events, line,
                      outcome.output, outcome.invocations, session.prompt(self.daemon))

    def undo(self, floor: int = 0) -> bool:
        """Back to the state before the last command that changed something, by replaying the log
        without it and without the read-only commands after it (ps, inspect, a failed command…),
        which are not undone one by one. floor: log lines that stay whatever (a lesson's setup)."""
        if len(self.log) <= floor:
            return False
        keep = self._undo_target(len(self.log), floor)
        changed = [line for line, entry in zip(self.log[keep:], self.transcript[keep:])
                   if not entry.get("read_only")]
        undone = self.undone + changed[:1]
        self.last_undone = (changed or self.log[keep:])[0]  # what the page names as undone
        self.rewind(keep)
        self.undone = undone
        return True

    def redo(self) -> Result | None:
        """Run again the change the last undo took back (None if there is none)."""
        if not self.undone:
            return None
        remaining, line = self.undone[:-1], self.undone[-1]
        result = self.run(line)
        self.undone = remaining
        return result

    def _undo_target(self, length: int, floor: int = 0) -> int:
        """How many logged commands an undo keeps when `length` are logged: the last change goes,
        with the read-only commands after it. A line without its transcript entry counts as a change
        (a stored record's transcript may be shorter than its log while its ops are replayed)."""
        keep = length - 1
        while floor < keep < len(self.transcript) and self.transcript[keep].get("read_only"):
            keep -= 1
        return keep

    def rewind(self, keep: int) -> None:
        """Back to the state after the first `keep` logged commands: the same state as
        replay(seed, scenario, log[:keep], uploads), from the nearest undo point or checkpoint."""
        self.generation += 1
        log, pending = self.log[:keep], sorted(self.uploads, key=lambda u: u[0])
        # undo points stay valid while the log before them does: a rewind keeps that part
        points = [p for p in self.undo_points if p.at <= keep]
        point = max(points, key=lambda p: p.at, default=None)
        checkpoint = max((c for c in self.checkpoints if c[0] <= keep), key=lambda c: c[0], default=None)
        uploads_in = False
        if point is not None and (checkpoint is None or point.at >= checkpoint[0]):
            points.remove(point)  # handed over: the live state from now on
            self.daemon, self.host, start, uploads_in = point.daemon, point.host, point.at, point.uploads_in
        elif checkpoint is not None:
            start, packed = checkpoint
            state = json.loads(zlib.decompress(base64.b64decode(packed)))
            self.daemon, self.host = Daemon.from_json(state["daemon"]), HostDir.from_json(state["host"])
        else:
            fresh = self.create(self.seed, self.scenario)
            self.daemon, self.host, start = fresh.daemon, fresh.host, 0
        # what replay() would hold at `start`: the uploads made before it (and at it, if the state
        # holds those), the log and its outputs
        replayed_from = start + 1 if uploads_in else start   # the first position whose uploads are written again
        self.uploads = [u for u in pending if u[0] < replayed_from]
        pending = [u for u in pending if replayed_from <= u[0] <= keep]
        # the positions the next undos go back to, from the transcript's read-only marks (kept: the
        # entries before `keep` are the ones the replay prints again)
        targets, at = [], keep
        while at > start and len(targets) < UNDO_POINTS:
            at = self._undo_target(at)
            if at > start:
                targets.append(at)
        self.log, self.transcript = log[:start], self.transcript[:start]
        self.checkpoints = [c for c in self.checkpoints if c[0] <= start]
        self.undo_points = points
        self._replay_onto(log[start:], pending, start, targets)

    def _replay_onto(self, lines: list[str], pending: list, position: int, points: list[int] = ()) -> None:
        """Run `lines` (logged from `position` on), writing each upload before the command it preceded;
        fork an undo point at each of `points` on the way (no fork before each command meanwhile)."""
        self._replaying += 1
        try:
            for line in list(lines) + [None]:
                if position in points:   # as a checkpoint: before the uploads made at this position
                    self.undo_points = kept(self.undo_points, self._fork(position, uploads_in=False))
                while pending and pending[0][0] <= position:
                    _, path, data = pending.pop(0)
                    self.host_write(path, data)
                if line is not None:
                    self.run(line)
                position += 1
        finally:
            self._replaying -= 1

    def _fork(self, at: int, uploads_in: bool) -> UndoPoint:
        """The state now, after `at` logged commands, as an undo point (engine/undo_points.py)."""
        containers = self.daemon.containers.values()
        size = fork_size(len(containers), sum(len(c.rw) for c in containers), len(self.daemon.images))
        return UndoPoint(at, self.daemon.fork(), self.host.fork(), uploads_in, size)

    def _pack(self) -> str:
        """The daemon and host state, packed as a checkpoint holds it."""
        state = {"daemon": self.daemon.to_json(), "host": self.host.to_json()}
        return base64.b64encode(zlib.compress(jsontext.dumps(state), 1)).decode()

    def _checkpoint(self) -> None:
        at = len(self.log)
        packed = self._pack()
        kept = [c for c in self.checkpoints if c[0] < at] + [(at, packed)]
        older, recent = kept[:-RECENT_CHECKPOINTS], kept[-RECENT_CHECKPOINTS:]
        # after a run of read-only commands (ps, inspect…) the recent checkpoints all lie after the
        # change an undo takes back: the one just before that change stays, or the undo would replay
        # from the last hundredth command
        target = self._undo_target(at)
        before_change = max((c for c in older if c[0] <= target), key=lambda c: c[0], default=None)
        self.checkpoints = [c for c in older if c[0] % SPARSE_CHECKPOINT_EVERY == 0 or c is before_change] + recent

    @classmethod
    def replay(cls, seed: int, scenario: str | None, log: list[str],
               uploads: list[tuple[int, str, bytes]] = ()) -> "Sandbox":
        key = _replay_key(seed, scenario, log, uploads)
        packed = _REPLAYED.get(key)
        if packed is not None:  # a permalink opened again (a class following one link)
            return cls.from_json(json.loads(zlib.decompress(packed)))
        sandbox = cls.create(seed, scenario)
        sandbox._replay_onto(log, sorted(uploads, key=lambda u: u[0]), 0)
        if len(log) >= REPLAY_MEMO_MIN_COMMANDS:
            _remember(key, zlib.compress(jsontext.dumps(sandbox.to_json()), 1))
        return sandbox

    # ---- host working directory ---------------------------------------------------------------
    def host_files(self) -> list[str]:
        return self.host.names()

    def host_read(self, path: str) -> bytes:
        return self.host.read(path)

    def host_write(self, path: str, data: bytes) -> None:
        path = self.host.write(path, data)
        self.generation += 1
        self.uploads = [u for u in self.uploads if not (u[0] == len(self.log) and u[1] == path)]
        self.uploads.append((len(self.log), path, bytes(data)))
        # a fork taken before a command at this position holds the uploads made before this one
        self.undo_points = [p for p in self.undo_points if not (p.at == len(self.log) and p.uploads_in)]

    # ---- views -------------------------------------------------------------------------------
    def state(self) -> dict:
        """The JSON state the API serves (web/api.py): images, layers, containers, host files."""
        d = self.daemon
        created_by: dict[str, str] = {}
        for image in d.images.values():
            layer_steps = [h for h in image.history if not h.get("empty_layer")]
            for diff_id, step in zip(image.diff_ids, layer_steps):
                created_by.setdefault(diff_id, step.get("created_by", ""))
        in_use = list(dict.fromkeys([x for i in d.images.values() for x in i.diff_ids]
                                    + [x for c in d.containers.values() for x in c.diff_ids]))
        return {
            "images": [{"id": i.id, "tags": list(i.repo_tags), "layers": i.diff_ids, "parent": i.parent,
                        "size": d.image_size(i), "created": i.config.get("created", "")}
                       for i in d.images.values()],
            "layers": [{"id": x, "size": d.layer(x).size, "created_by": created_by.get(x, ""),
                        "changes": len(d.layer(x).changes)} for x in in_use],
            "containers": [{"id": c.id, "name": c.name, "image": c.image_ref, "image_id": c.image_id,
                            "state": c.status, "exit_code": c.exit_code,
                            "rw_changes": [f"{k} {p}" for k, p in d.rw_changes(c)],
                            "processes": [{"pid": p.pid, "command": p.command} for p in c.processes]}
                           for c in d.containers.values()],
            "host": self.host.names(),
        }

    def complete(self, line: str) -> list[str]:
        """Tab completion of docker and host commands; none inside a container's shell."""
        return [] if self.daemon.session is not None else complete(self.daemon, self.host, line)

    # ---- serialisation -----------------------------------------------------------------------
    def to_json(self) -> dict:
        return {"seed": self.seed, "scenario": self.scenario, "log": self.log,
                "transcript": self.transcript, "daemon": self.daemon.to_json(), "host": self.host.to_json(),
                "uploads": [[i, p, base64.b64encode(b).decode()] for i, p, b in self.uploads],
                "checkpoints": [[at, packed] for at, packed in self.checkpoints], "undone": self.undone}

    @classmethod
    def from_json(cls, data: dict) -> "Sandbox":
        sandbox = cls(data["seed"], data["scenario"], Daemon.from_json(data["daemon"]),
                      HostDir.from_json(data["host"]))
        sandbox.log, sandbox.transcript = list(data["log"]), list(data["transcript"])
        sandbox.uploads = [(i, p, base64.b64decode(b)) for i, p, b in data.get("uploads", [])]
        sandbox.checkpoints = [(at, packed) for at, packed in data.get("checkpoints", [])]
        sandbox.undone = list(data.get("undone", []))
        return sandbox


__all__ = ["Sandbox", "Result", "HostError"]
