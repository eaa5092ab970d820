"""What every program of LayerLab's shell gets and returns: its context (`Ctx`: the union view, flavor,
env, cwd, stdin, bounded output buffers), the `RunningProgram` it may hand to the daemon, and the
helpers the tools share (C-locale strerror texts, short-flag splitting, reading an input file)."""
from __future__ import annotations

from dataclasses import dataclass, field

from engine import budget, limits
from engine.errors import FsError
from engine.layers.fs import normpath
from engine.layers.unionfs import UnionFS


STRERROR = {
    "ENOENT": "No such file or directory", "EEXIST": "File exists", "ENOTDIR": "Not a directory",
    "EISDIR": "Is a directory", "ENOTEMPTY": "Directory not empty",
    "EROFS": "Read-only file system", "EINVAL": "Invalid argument",
    "ELOOP": "Too many levels of symbolic links",
}


@dataclass
class RunningProgram:
    """A program that keeps running (sleep, nginx, a waiting shell): the shell hands it to the daemon,
    which records it as a model.Process with a PID."""
    command: str
    on_sigterm: str = "ignore"  # 'exit0' | 'ignore' (PID 1 without a handler) | 'terminate' (143)
    ends_after: float | None = None
    extra: list[str] = field(default_factory=list)


class TextBuffer(list):
    """A program's output as pieces (joined once at the end), its size kept as it grows: the text
    limit is checked per piece without summing the list again (which was quadratic), and every
    character counts against the command's budget."""
    def __init__(self, texts=()):
        super().__init__()
        self.size = 0
        self.extend(texts)

    def append(self, text: str) -> None:
        limits.check_text(self.size + len(text))
        budget.spend(len(text))
        self.size += len(text)
        super().append(text)

    def extend(self, texts) -> None:
        for text in texts:
            self.append(text)

    def clear(self) -> None:
        self.size = 0
        super().clear()


class Discard(TextBuffer):
    """Output sent to /dev/null: counted against the budget, never kept (`cat big > /dev/null`)."""

    def append(self, text: str) -> None:
        budget.spend(len(text))


@dataclass
class Ctx:
    fs: UnionFS
    flavor: str  # 'busybox' | 'gnu'
    env: dict[str, str]
    cwd: str
    shell: str | None = None  # 'ash' | 'dash' | 'bash' when run as a shell builtin
    stdin: str = ""
    now_ns: int = 0
    tty: bool = False
    interactive: bool = False
    is_last: bool = True
    out: list[str] = field(default_factory=TextBuffer)
    err: list[str] = field(default_factory=TextBuffer)
    run_argv: object = None  # callback(argv, ctx) -> status, to run another program
    user: str = ""  # the container's or build step's USER ("" = root)

    @property
    def busybox(self) -> bool:
        return self.flavor == "busybox"

    def write(self, text: str) -> None:
        self.out.append(text)

    def error(self, line: str) -> None:
        self.err.append(line + "\n")

    def path(self, name: str) -> str:
        return normpath(name, self.cwd)


def why(err: FsError) -> str:
    return STRERROR.get(err.errno, err.errno)


def split_flags(args: list[str], known: str) -> tuple[set[str], list[str]]:
    """Short flags (combined like -rf) before operands; '--' ends them."""
    flags, rest = set(), []
    for i, arg in enumerate(args):
        if arg == "--":
            return flags, rest + args[i + 1:]
        if arg.startswith("-") and len(arg) > 1 and not rest and all(c in known for c in arg[1:]):
            flags |= set(arg[1:])
        else:
            rest.append(arg)
    return flags, rest


def read_input(ctx: Ctx, tool: str, name: str) -> str | None:
    if name == "-":
        return ctx.stdin
    try:
        text = ctx.fs.read(ctx.path(name))
        budget.spend(len(text))  # `grep x f f f …` reads f each time
        return text
    except FsError as err:
        if ctx.busybox:
            ctx.error(f"{tool}: can't open '{name}': {why(err)}")
        elif tool in ("head", "tail"):
            ctx.error(f"{tool}: cannot open '{name}' for reading: {why(err)}")
        else:
            ctx.error(f"{tool}: {name}: {why(err)}")
        return None
