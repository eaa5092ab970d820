"""What ran: one `Invocation` per docker command the terminal line reached.

Everything that needs to know which command a learner ran (the explain panel, the stage, lesson
checks, Tab completion) reads these instead of parsing the typed text again: the CLI has already
resolved aliases (`docker ps` is `container ls`), flags and arguments, and knows how it ended.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Invocation:
    path: str                    # canonical command path without "docker": "container stop", "image ls"
    typed: str                   # the spelling used: "stop", "ps", "image ls"
    args: tuple[str, ...] = ()   # positional arguments as parsed
    options: dict = field(default_factory=dict)  # every flag by long name, defaults included
    env: dict = field(default_factory=dict)      # the line's VAR=x prefix (DOCKER_BUILDKIT=0 …)
    exit_code: int = 0
    parsed: bool = True          # False: a usage error stopped it before it ran

    @property
    def ok(self) -> bool:
        """It parsed and ran to a zero exit code."""
        return self.parsed and self.exit_code == 0

    def option(self, name: str, default=None):
        return self.options.get(name, default)

    def is_(self, *paths: str) -> bool:
        """`inv.is_("container stop", "container kill")`: one of these commands, whatever the spelling."""
        return self.path in paths

    def to_json(self) -> dict:
        return {"path": self.path, "typed": self.typed, "args": list(self.args), "options": self.options,
                "env": self.env, "exit_code": self.exit_code, "parsed": self.parsed}

    @classmethod
    def from_json(cls, data: dict) -> "Invocation":
        return cls(data["path"], data["typed"], tuple(data.get("args", ())), dict(data.get("options", {})),
                   dict(data.get("env", {})), int(data.get("exit_code", 0)), bool(data.get("parsed", True)))
