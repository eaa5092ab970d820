"""One learner's world: daemon state, host working directory, clock, and the command log.

The state is a function of (seed, scenario, command log, host uploads): undo replays the log
without its last command, and sharing sends the log. Nothing here does I/O.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass, field

from . import scenarios
from .errors import HostError, LimitError
from .host import HostDir
from .lifecycle import settle
from .model import Daemon
from .terminal import run_line

MAX_LOG = 1000  # commands per sandbox; reported, never a crash


@dataclass
class Result:
    stdout: str
    stderr: str
    exit_code: int
    events: list[dict] = field(default_factory=list)
    command: str = ""
    output: list = field(default_factory=list)  # [stream, text] chunks in terminal order


class Sandbox:
    def __init__(self, seed: int, scenario: str | None, daemon: Daemon, host: HostDir):
        self.seed, self.scenario = seed, scenario
        self.daemon, self.host = daemon, host
        self.log: list[str] = []
        self.transcript: list[dict] = []
        # host files written outside commands (editor, API uploads): (position in log, path, data)
        self.uploads: list[tuple[int, str, bytes]] = []

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
            return Result("", "", 0, [{"type": "clear"}], line)
        if not line:
            return Result("", "", 0, [], line)
        if len(self.log) >= MAX_LOG:
            err = LimitError(f"this sandbox has reached its limit of {MAX_LOG} commands: "
                             "start a new sandbox or reset it")
            return Result("", f"LayerLab: {err}\n", 1, [], line, [["stderr", f"LayerLab: {err}\n"]])
        try:
            result = self._apply(line)
        except Exception as exc:  # a bug of ours must not corrupt the learner's state:
            # rebuild it from the log (rare, so the hot path keeps no snapshot)
            self.__dict__.update(self.replay(self.seed, self.scenario, self.log, self.uploads).__dict__)
            message = f"LayerLab internal error ({type(exc).__name__}); nothing was changed.\n"
            return Result("", message, 1, [], line, [["stderr", message]])
        self.log.append(line)
        self.transcript.append({"command": line, "stdout": result.stdout, "stderr": result.stderr,
                                "exit_code": result.exit_code, "output": result.output})
        return result

    def _apply(self, line: str) -> Result:
        self.daemon.clock.advance(self.daemon.ids.number(3, 9, "think"))
        events = settle(self.daemon)
        outcome = run_line(line, self.daemon, self.host)
        return Result(outcome.stdout, outcome.stderr, outcome.exit_code, events + outcome.events, line,
                      outcome.output)

    def undo(self) -> bool:
        """Back to the state before the last command, by replaying the log without it."""
        if not self.log:
            return False
        replayed = self.replay(self.seed, self.scenario, self.log[:-1], self.uploads)
        self.__dict__.update(replayed.__dict__)
        return True

    @classmethod
    def replay(cls, seed: int, scenario: str | None, log: list[str],
               uploads: list[tuple[int, str, bytes]] = ()) -> "Sandbox":
        sandbox = cls.create(seed, scenario)
        pending = sorted(uploads, key=lambda u: u[0])
        for position, line in enumerate(log + [None]):
            while pending and pending[0][0] <= position:
                _, path, data = pending.pop(0)
                sandbox.host_write(path, data)
            if line is not None:
                sandbox.run(line)
        return sandbox

    # ---- host working directory ---------------------------------------------------------------
    def host_files(self) -> list[str]:
        return self.host.names()

    def host_read(self, path: str) -> bytes:
        return self.host.read(path)

    def host_write(self, path: str, data: bytes) -> None:
        path = self.host.write(path, data)
        self.uploads = [u for u in self.uploads if not (u[0] == len(self.log) and u[1] == path)]
        self.uploads.append((len(self.log), path, bytes(data)))

    # ---- views -------------------------------------------------------------------------------
    def state(self) -> dict:
        """The JSON state of the API (DESIGN §3)."""
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
        from .completion import complete
        return complete(self.daemon, self.host, line)

    # ---- serialisation -----------------------------------------------------------------------
    def to_json(self) -> dict:
        return {"seed": self.seed, "scenario": self.scenario, "log": self.log,
                "transcript": self.transcript, "daemon": self.daemon.to_json(), "host": self.host.to_json(),
                "uploads": [[i, p, base64.b64encode(b).decode()] for i, p, b in self.uploads]}

    @classmethod
    def from_json(cls, data: dict) -> "Sandbox":
        sandbox = cls(data["seed"], data["scenario"], Daemon.from_json(data["daemon"]),
                      HostDir.from_json(data["host"]))
        sandbox.log, sandbox.transcript = list(data["log"]), list(data["transcript"])
        sandbox.uploads = [(i, p, base64.b64decode(b)) for i, p, b in data.get("uploads", [])]
        return sandbox


__all__ = ["Sandbox", "Result", "HostError"]
