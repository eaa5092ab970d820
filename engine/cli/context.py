"""What a command handler gets: the daemon, the host directory, and places to write output."""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.daemon.model import Daemon
from engine.events import Event
from engine.host import HostDir
from engine.invocation import Invocation


@dataclass
class Context:
    daemon: Daemon
    host: HostDir
    env: dict[str, str] = field(default_factory=dict)  # environment prefix: DOCKER_BUILDKIT=0 …
    stdin: bytes | None = None  # `< file` on the terminal line
    stdout_redirected: bool = False  # `> file`: binary output (save/export) is allowed
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)
    chunks: list[list[str]] = field(default_factory=list)  # [stream, text] in the order written
    out_bytes: bytearray = field(default_factory=bytearray)
    events: list[Event] = field(default_factory=list)
    invocations: list[Invocation] = field(default_factory=list)  # what ran, in order

    def print(self, text: str = "") -> None:
        self.write(text + "\n")

    def write(self, text: str) -> None:
        self.out.append(text)
        self.chunks.append(["stdout", text])

    def eprint(self, text: str = "") -> None:
        self.ewrite(text + "\n")

    def ewrite(self, text: str) -> None:
        self.err.append(text)
        self.chunks.append(["stderr", text])

    def take_stdout(self) -> str:
        """Remove and return what went to stdout (for `> file`); stderr stays on the terminal."""
        text = "".join(self.out)
        self.out.clear()
        self.chunks = [c for c in self.chunks if c[0] != "stdout"]
        return text

    def discard_output(self) -> None:
        self.out.clear()
        self.err.clear()
        self.chunks.clear()

    @property
    def stdout(self) -> str:
        return "".join(self.out)

    @property
    def stderr(self) -> str:
        return "".join(self.err)
