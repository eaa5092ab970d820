"""The programs LayerLab's shell can run: coreutils/busybox file and text tools, plus info tools.

Each program is `fn(ctx, args) -> exit status`; it writes through ctx.out/ctx.err. Error texts
follow GNU coreutils (flavor 'gnu') or busybox (flavor 'busybox'), as printed in a C locale.
Long-running programs (sleep, nginx…) raise LongRunning; they live in engine/shell_programs.py. The one
program table, with both kinds and the shells, is engine/shell.py PROGRAMS.
"""
from __future__ import annotations

import datetime as dt
import fnmatch
import posixpath
import re
from dataclasses import dataclass, field

from engine import budget, limits, patterns
from engine.fs import DIR, FIXED_MTIME, SYMLINK, normpath
from engine.shell_path import find_program
from engine.unionfs import FsError, UnionFS

STRERROR = {
    "ENOENT": "No such file or directory", "EEXIST": "File exists", "ENOTDIR": "Not a directory",
    "EISDIR": "Is a directory", "ENOTEMPTY": "Directory not empty",
    "EROFS": "Read-only file system", "EINVAL": "Invalid argument",
    "ELOOP": "Too many levels of symbolic links",
}
KERNEL = "6.8.0-45-generic"
KERNEL_BUILD = "#45-Ubuntu SMP PREEMPT_DYNAMIC Fri Aug 30 12:02:04 UTC 2024"


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


# ------------------------------------------------------------------ echo / printf / test
ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", "a": "\a", "b": "\b", "r": "\r", "v": "\v", "f": "\f",
           "e": "\x1b"}


_OCTAL = re.compile(r"[0-7]{0,3}")


def unescape(text: str) -> tuple[str, bool]:
    """Backslash escapes of echo -e / printf %b; returns (text, stop) where \\c stops output.
    Text between backslashes is copied in one piece (a padded printf field is a million characters)."""
    out, i = [], 0
    budget.step(text.count("\\"))  # each escape is a turn of this loop
    while (slash := text.find("\\", i)) >= 0:
        out.append(text[i:slash])
        i = slash
        nxt = text[i + 1:i + 2]
        if nxt == "c":
            return "".join(out), True
        if nxt == "0":
            digits = _OCTAL.match(text, i + 2).group()  # matched in place: no copy of the rest
            out.append(chr(int(digits or "0", 8)))
            i += 2 + len(digits)
        elif nxt and nxt in ESCAPES:
            out.append(ESCAPES[nxt])
            i += 2
        else:
            out.append("\\")
            i += 1
    out.append(text[i:])
    return "".join(out), False


def echo(ctx: Ctx, args: list[str]) -> int:
    newline, escapes = True, False
    # dash's builtin echo knows only -n and always reads escapes: `echo -e x` prints "-e x".
    options = "n" if ctx.shell == "dash" else "neE"
    escapes = ctx.shell == "dash"
    while args and re.fullmatch(f"-[{options}]+", args[0]):
        for flag in args[0][1:]:
            newline = newline and flag != "n"
            escapes = {"e": True, "E": False}.get(flag, escapes)
        args = args[1:]
    text = " ".join(args)
    if escapes:
        text, stop = unescape(text)
        newline = newline and not stop
    ctx.write(text + ("\n" if newline else ""))
    return 0


PRINTF_PASS_STEPS = 8  # one pass of printf's format over the next values (a substitution, an unescape)


def printf(ctx: Ctx, args: list[str]) -> int:
    if not args:
        ctx.error("printf: usage: printf format [arguments]" if ctx.shell == "bash"
                  else "Usage: printf format [arguments]" if ctx.busybox else "printf: missing operand")
        return 1 if ctx.shell != "bash" else 2
    fmt, values = args[0], args[1:]
    spec = re.compile(r"%([-+ 0#]*\d*(?:\.\d+)?)([sdibxXoc%])")
    out, size, start = [], 0, 0  # values[start:] are still to print (an index: slicing was quadratic)
    while True:
        consumed = [0]

        def fill(match):
            flags, conv = match.groups()
            limits.check_width(max(map(int, re.findall(r"\d+", flags)), default=0))
            if conv == "%":
                return "%"
            index = start + consumed[0]
            value = values[index] if index < len(values) else ""
            consumed[0] += 1
            if conv == "b":
                return unescape(value)[0]
            if conv in "dixXoc":
                if conv == "c":
                    return value[:1]
                number = int(value) if re.fullmatch(r"-?\d+", value) else 0  # a missing value is 0
                return ("%" + flags + conv) % number
            return ("%" + flags + "s") % value

        pieces, pos = [], 0  # escapes count in the format only: a %s value is printed as it is
        for match in spec.finditer(fmt):
            pieces += [unescape(fmt[pos:match.start()])[0], fill(match)]
            pos = match.end()
        out.append("".join(pieces) + unescape(fmt[pos:])[0])
        size += len(out[-1])
        limits.check_text(size)  # the format is reused while values remain: check as it grows
        budget.step(PRINTF_PASS_STEPS)
        start += consumed[0]
        if start >= len(values) or not consumed[0]:
            break
    ctx.write("".join(out))
    return 0


def test(ctx: Ctx, args: list[str], bracket: bool = False) -> int:
    if bracket:
        if not args or args[-1] != "]":
            ctx.error("[: missing ]" if not ctx.busybox else "[: missing ]")
            return 2
        args = args[:-1]
    negate = False
    if args and args[0] == "!":
        negate, args = True, args[1:]
    result = _test_expr(ctx, args)
    if result is None:
        ctx.error(f"{'[' if bracket else 'test'}: {' '.join(args)}: unexpected operator")
        return 2
    return 0 if result != negate else 1


def _test_expr(ctx: Ctx, args: list[str]) -> bool | None:
    if not args:
        return False
    if len(args) == 1:
        return args[0] != ""
    if len(args) == 2:
        op, operand = args
        if op in ("-n", "-z"):
            return (operand != "") == (op == "-n")
        checks = {"-e": lambda e: True, "-f": lambda e: e.kind == "file",
                  "-d": lambda e: e.kind == DIR, "-s": lambda e: e.size > 0,
                  "-x": lambda e: bool(e.mode & 0o111), "-r": lambda e: True, "-w": lambda e: True}
        if op == "-L" or op == "-h":
            entry = ctx.fs.lookup(ctx.fs.resolve(ctx.path(operand), follow_last=False))
            return entry is not None and entry.kind == SYMLINK
        if op in checks:
            try:
                return checks[op](ctx.fs.stat(ctx.path(operand)))
            except FsError:
                return False
        return None
    if len(args) == 3:
        left, op, right = args
        numeric = {"-eq": "==", "-ne": "!=", "-lt": "<", "-le": "<=", "-gt": ">", "-ge": ">="}
        if op in ("=", "=="):
            return left == right
        if op == "!=":
            return left != right
        if op in numeric and re.fullmatch(r"-?\d+", left) and re.fullmatch(r"-?\d+", right):
            return eval(f"{int(left)} {numeric[op]} {int(right)}")  # both are plain integers
    return None


# ------------------------------------------------------------------ file tools
def cat(ctx: Ctx, args: list[str]) -> int:
    _, names = split_flags(args, "uAnE")
    status = 0
    for name in names or ["-"]:
        if name != "-" and ctx.fs.is_dir(ctx.path(name)):
            ctx.error("cat: read error: Is a directory" if ctx.busybox else f"cat: {name}: Is a directory")
            status = 1
            continue
        text = read_input(ctx, "cat", name)
        if text is None:
            status = 1
        else:
            ctx.write(text)
    return status


def touch(ctx: Ctx, args: list[str]) -> int:
    _, names = split_flags(args, "acm")
    status = 0
    for name in names:
        try:
            ctx.fs.touch(ctx.path(name))
        except FsError as err:
            ctx.error(f"touch: {name}: {why(err)}" if ctx.busybox
                      else f"touch: cannot touch '{name}': {why(err)}")
            status = 1
    return status


def mkdir(ctx: Ctx, args: list[str]) -> int:
    flags, names = split_flags(args, "pv")
    status = 0
    for name in names:
        try:
            ctx.fs.mkdir(ctx.path(name), parents="p" in flags)
        except FsError as err:
            verb = "can't" if ctx.busybox else "cannot"
            ctx.error(f"mkdir: {verb} create directory '{name}': {why(err)}")
            status = 1
    return status


def rm(ctx: Ctx, args: list[str]) -> int:
    flags, names = split_flags(args, "rRfiv")
    recursive, force = bool(flags & {"r", "R"}), "f" in flags
    status = 0
    for name in names:
        try:
            ctx.fs.remove(ctx.path(name), recursive=recursive)
        except FsError as err:
            if err.errno == "ENOENT" and force:
                continue
            if err.errno == "EISDIR":
                ctx.error(f"rm: '{name}' is a directory" if ctx.busybox
                          else f"rm: cannot remove '{name}': Is a directory")
            else:
                verb = "can't" if ctx.busybox else "cannot"
                ctx.error(f"rm: {verb} remove '{name}': {why(err)}")
            status = 1
    return status


def rmdir(ctx: Ctx, args: list[str]) -> int:
    _, names = split_flags(args, "p")
    status = 0
    for name in names:
        try:
            ctx.fs.rmdir(ctx.path(name))
        except FsError as err:
            ctx.error(f"rmdir: '{name}': {why(err)}" if ctx.busybox
                      else f"rmdir: failed to remove '{name}': {why(err)}")
            status = 1
    return status


def cp(ctx: Ctx, args: list[str]) -> int:
    flags, names = split_flags(args, "rRapfv")
    if len(names) < 2:
        ctx.error("cp: missing file operand" if not ctx.busybox else "BusyBox: cp: missing operand")
        return 1
    *sources, dest = names
    status = 0
    for src in sources:
        if not ctx.fs.exists(ctx.path(src)):
            verb = "can't" if ctx.busybox else "cannot"
            ctx.error(f"cp: {verb} stat '{src}': No such file or directory")
            status = 1
            continue
        try:
            ctx.fs.copy(ctx.path(src), ctx.path(dest), recursive=bool(flags & {"r", "R", "a"}))
        except FsError as err:
            status = 1
            if err.errno == "EISDIR" and ctx.fs.is_dir(ctx.path(src)):
                ctx.error(f"cp: omitting directory '{src}'" if ctx.busybox
                          else f"cp: -r not specified; omitting directory '{src}'")
            else:
                ctx.error(f"cp: can't create '{dest}': {why(err)}" if ctx.busybox
                          else f"cp: cannot create regular file '{dest}': {why(err)}")
    return status


def mv(ctx: Ctx, args: list[str]) -> int:
    _, names = split_flags(args, "fiv")
    if len(names) < 2:
        ctx.error("mv: missing file operand" if not ctx.busybox else "BusyBox: mv: missing operand")
        return 1
    *sources, dest = names
    status = 0
    for src in sources:
        try:
            ctx.fs.move(ctx.path(src), ctx.path(dest))
        except FsError as err:
            status = 1
            if err.errno == "ENOENT" and ctx.fs.lookup(ctx.path(src)) is None:
                ctx.error(f"mv: can't rename '{src}': {why(err)}" if ctx.busybox
                          else f"mv: cannot stat '{src}': {why(err)}")
            else:
                ctx.error(f"mv: can't rename '{src}': {why(err)}" if ctx.busybox
                          else f"mv: cannot move '{src}' to '{dest}': {why(err)}")
    return status


def ln(ctx: Ctx, args: list[str]) -> int:
    flags, names = split_flags(args, "sfnv")
    if "s" not in flags or len(names) != 2:
        ctx.error("ln: LayerLab's shell supports only `ln -s TARGET LINK`")
        return 1
    target, link = names
    path = ctx.path(link)
    if ctx.fs.is_dir(path):
        path = posixpath.join(path, posixpath.basename(target.rstrip("/")))
    try:
        if "f" in flags and ctx.fs.lookup(path) is not None:
            ctx.fs.remove(path)
        ctx.fs.symlink(target, path)
    except FsError as err:
        ctx.error(f"ln: {link}: {why(err)}" if ctx.busybox
                  else f"ln: failed to create symbolic link '{link}': {why(err)}")
        return 1
    return 0


def _symbolic_mode(spec: str, mode: int) -> int | None:
    for clause in spec.split(","):
        match = re.fullmatch(r"([ugoa]*)([-+=])([rwxXst]*)", clause)
        if not match:
            return None
        who, op, perms = match.groups()
        who = who.replace("a", "ugo") or "ugo"
        bits = 0
        for w in who:
            shift = {"u": 6, "g": 3, "o": 0}[w]
            for p in perms:
                bits |= {"r": 4, "w": 2, "x": 1, "X": 1}.get(p, 0) << shift
            if "s" in perms and w in "ug":
                bits |= 0o4000 if w == "u" else 0o2000
        if "t" in perms:
            bits |= 0o1000
        if op == "+":
            mode |= bits
        elif op == "-":
            mode &= ~bits
        else:
            mask = sum(0o7 << {"u": 6, "g": 3, "o": 0}[w] for w in who)
            mode = (mode & ~mask) | bits
    return mode


def chmod(ctx: Ctx, args: list[str]) -> int:
    flags, names = split_flags(args, "Rv")
    if len(names) < 2:
        ctx.error("chmod: missing operand")
        return 1
    spec, *targets = names
    status = 0
    for name in targets:
        try:
            entry = ctx.fs.stat(ctx.path(name))
            mode = int(spec, 8) if re.fullmatch(r"[0-7]{1,4}", spec) else _symbolic_mode(spec, entry.mode)
            if mode is None:
                ctx.error(f"chmod: invalid mode: '{spec}'" if not ctx.busybox
                          else f"chmod: invalid mode '{spec}'")
                return 1
            ctx.fs.chmod(ctx.path(name), mode)
        except FsError as err:
            ctx.error(f"chmod: {name}: {why(err)}" if ctx.busybox
                      else f"chmod: cannot access '{name}': {why(err)}")
            status = 1
    return status


# ------------------------------------------------------------------ ls
def mode_string(entry) -> str:
    kind = {"dir": "d", "symlink": "l"}.get(entry.kind, "-")
    chars = []
    for shift, special, letter in ((6, 0o4000, "s"), (3, 0o2000, "s"), (0, 0o1000, "t")):
        bits = entry.mode >> shift
        x = "x" if bits & 1 else "-"
        if entry.mode & special:
            x = letter if bits & 1 else letter.upper()
        chars.append(("r" if bits & 4 else "-") + ("w" if bits & 2 else "-") + x)
    return kind + "".join(chars)


def _ls_date(ctx: Ctx, path: str) -> str:
    """Files from image layers carry the layer tar's fixed mtime; files the container wrote
    carry the current (virtual) time."""
    seconds = ctx.now_ns // 1_000_000_000 if ctx.fs.source(path) == "rw" else FIXED_MTIME
    when = dt.datetime.fromtimestamp(seconds, dt.timezone.utc)
    now = dt.datetime.fromtimestamp(ctx.now_ns // 1_000_000_000, dt.timezone.utc)
    recent = dt.timedelta(0) <= now - when <= dt.timedelta(days=182)
    day = f"{when:%b} {when.day:>2}"
    return f"{day} {when:%H:%M}" if recent else f"{day}  {when.year}"


def _nlink(ctx: Ctx, path: str, entry) -> int:
    if entry.kind != DIR:
        return 1
    return 2 + sum(1 for n in ctx.fs.listdir(path) if ctx.fs.lookup(posixpath.join(path, n)).kind == DIR)


def _blocks(entry) -> int:
    if entry.kind == DIR:
        return 4
    return 0 if entry.kind == SYMLINK else -(-entry.size // 4096) * 4


def _long_lines(ctx: Ctx, rows: list[tuple[str, str]]) -> list[str]:
    """rows: (shown name, path). busybox pads fixed widths; GNU pads to the widest value."""
    cells = []
    for name, path in rows:
        entry = ctx.fs.lookup(path) or ctx.fs.stat(path)
        size = 4096 if entry.kind == DIR else entry.size
        shown = name + (f" -> {entry.target}" if entry.kind == SYMLINK else "")
        cells.append((mode_string(entry), _nlink(ctx, path, entry), size, _ls_date(ctx, path), shown))
    if ctx.busybox:
        return [f"{m} {n:4} root     root     {s:9} {d} {x}" for m, n, s, d, x in cells]
    wn = max((len(str(c[1])) for c in cells), default=1)
    ws = max((len(str(c[2])) for c in cells), default=1)
    return [f"{m} {n:>{wn}} root root {s:>{ws}} {d} {x}" for m, n, s, d, x in cells]


def _columns(names: list[str], uniform: bool, width: int = 80) -> list[str]:
    """Column layout (filled top to bottom) used when stdout is a terminal: GNU sizes each
    column to its widest name + 2, busybox gives every column the widest name's width + 2."""
    if not names:
        return []
    widest = max(len(n) for n in names) + 2
    for cols in range(len(names), 0, -1):
        rows = -(-len(names) // cols)
        grid = [names[c * rows:(c + 1) * rows] for c in range(cols)]
        widths = [widest if uniform else max(len(n) for n in col) + 2 for col in grid if col]
        if sum(widths) - 2 <= width or cols == 1:
            break
    lines = []
    for r in range(rows):
        parts = [grid[c][r].ljust(widths[c]) for c in range(len(grid)) if r < len(grid[c])]
        lines.append("".join(parts).rstrip())
    return lines


def ls(ctx: Ctx, args: list[str]) -> int:
    flags, names = split_flags(args, "laA1dhF")
    status, files, dirs = 0, [], []
    for name in names or ["."]:
        path = ctx.path(name)
        entry = ctx.fs.lookup(path)
        if entry is None or (entry.kind == SYMLINK and not ctx.fs.exists(path) and "l" not in flags):
            ctx.error(f"ls: {name}: No such file or directory" if ctx.busybox
                      else f"ls: cannot access '{name}': No such file or directory")
            status = 1 if ctx.busybox else 2
        elif ctx.fs.is_dir(path) and "d" not in flags and not (entry.kind == SYMLINK and "l" in flags):
            dirs.append((name, path))
        else:
            files.append((name, path))
    blocks = []
    if files:
        blocks.append(_render(ctx, flags, files))
    for name, path in dirs:
        children = ctx.fs.listdir(path)
        if "A" in flags or "a" in flags:
            shown = children
        else:
            shown = [c for c in children if not c.startswith(".")]
        rows = [(c, posixpath.join(ctx.fs.resolve(path), c)) for c in shown]
        if "a" in flags:
            rows = [(".", path), ("..", posixpath.dirname(ctx.fs.resolve(path)) or "/")] + rows
        text = ""
        if len(names) > 1:
            text += f"{name}:\n"
        if "l" in flags:
            total = sum(_blocks(ctx.fs.lookup(p) or ctx.fs.stat(p)) for _, p in rows)
            text += f"total {total}\n"
        blocks.append(text + _render(ctx, flags, rows))
    ctx.write("\n".join(blocks))
    return status


def _render(ctx: Ctx, flags: set[str], rows: list[tuple[str, str]]) -> str:
    budget.step(ROW_STEPS * len(rows))  # a stat and a formatted line per name
    if "l" in flags:
        lines = _long_lines(ctx, rows)
    elif ctx.tty and "1" not in flags:
        lines = _columns([name for name, _ in rows], uniform=ctx.busybox)
    else:  # not a terminal: one name per line (what `docker run` without -t shows)
        lines = [name for name, _ in rows]
    return "".join(line + "\n" for line in lines)


ROW_STEPS = 8


# ------------------------------------------------------------------ text tools
def _count_arg(args: list[str]) -> tuple[int, list[str], bool]:
    count, rest, follow = 10, [], False
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "-n" and i + 1 < len(args):
            count, i = int(args[i + 1].lstrip("+") or 10), i + 2
            continue
        if re.fullmatch(r"-n?\d+", arg):
            count = int(arg.lstrip("-n"))
        elif arg in ("-f", "-F"):
            follow = True
        else:
            rest.append(arg)
        i += 1
    return count, rest, follow


def head(ctx: Ctx, args: list[str], tail: bool = False) -> int:
    tool = "tail" if tail else "head"
    count, names, _ = _count_arg(args)
    status = 0
    for name in names or ["-"]:
        text = read_input(ctx, tool, name)
        if text is None:
            status = 1
            continue
        if len(names) > 1:
            ctx.write(f"==> {name} <==\n")
        lines = text.splitlines(keepends=True)
        ctx.write("".join(lines[-count:] if tail and count else [] if tail else lines[:count]))
    return status


def wc(ctx: Ctx, args: list[str]) -> int:
    flags, names = split_flags(args, "lwc")
    picked = [f for f in "lwc" if f in flags] or ["l", "w", "c"]
    status = 0
    for name in names or ["-"]:
        text = read_input(ctx, "wc", name)
        if text is None:
            status = 1
            continue
        counts = {"l": text.count("\n"), "w": len(text.split()), "c": len(text.encode())}
        values = [counts[f] for f in picked]
        label = "" if name == "-" else f" {name}"
        if len(values) == 1:
            ctx.write(f"{values[0]}{label}\n")
        elif ctx.busybox:
            ctx.write(" ".join(f"{v:>9}" for v in values) + label + "\n")
        else:
            width = len(str(max(values))) if name != "-" else 7
            ctx.write(" ".join(f"{v:>{width}}" for v in values) + label + "\n")
    return status


def grep(ctx: Ctx, args: list[str]) -> int:
    flags, rest = split_flags(args, "ivcnqlEFwx")
    if not rest:
        ctx.error("Usage: grep [OPTION]... PATTERNS [FILE]...")
        return 2
    pattern, names = rest[0], rest[1:] or ["-"]
    try:  # RE2: no pattern can backtrack catastrophically (engine/patterns.py)
        matcher = patterns.grep_regex(pattern, extended="E" in flags, fixed="F" in flags,
                                      ignore_case="i" in flags, word="w" in flags, line="x" in flags)
    except patterns.PatternError as err:
        ctx.error(_grep_pattern_error(ctx, pattern, err.kind))
        return 2
    found, status = False, 0
    for name in names:
        text = read_input(ctx, "grep", name)
        if text is None:
            status = 2
            continue
        prefix = f"{name}:" if len(names) > 1 else ""
        lines = text.splitlines()
        budget.step(len(lines) // 2)  # a search per line
        hits = [(n, line) for n, line in enumerate(lines, 1) if bool(matcher.search(line)) != ("v" in flags)]
        found = found or bool(hits)
        if "q" in flags:
            continue
        if "c" in flags:
            ctx.write(f"{prefix}{len(hits)}\n")
        elif "l" in flags:
            ctx.write(f"{name}\n" if hits else "")
        else:
            ctx.write("".join(f"{prefix}{f'{n}:' if 'n' in flags else ''}{line}\n" for n, line in hits))
    return status or (0 if found else 1)


# GNU grep prints glibc's regerror texts, busybox musl's (after "bad regex 'PATTERN': ").
_GNU_REGEX_ERRORS = {"paren": "Unmatched ( or \\(", "bracket": "Unmatched [, [^, [:, [., or [=",
                     "invalid": "Invalid regular expression"}
_MUSL_REGEX_ERRORS = {"paren": "Missing ')'", "bracket": "Missing ']'", "invalid": "Invalid regular expression"}


def _grep_pattern_error(ctx: Ctx, pattern: str, kind: str) -> str:
    if kind == "backref":
        return "grep: LayerLab's grep does not support back-references (\\1 … \\9); nothing was searched"
    if ctx.busybox:
        return f"grep: bad regex '{pattern}': {_MUSL_REGEX_ERRORS[kind]}"
    return f"grep: {_GNU_REGEX_ERRORS[kind]}"


def sort_lines(ctx: Ctx, args: list[str]) -> int:
    flags, names = split_flags(args, "runV")
    lines = []
    for name in names or ["-"]:
        text = read_input(ctx, "sort", name)
        if text is None:
            return 2
        lines += text.splitlines()
    budget.step(len(lines))  # sort -n parses a number per line
    key = (lambda s: float(re.match(r"\s*(-?\d*\.?\d*)", s).group(1) or 0)) if "n" in flags else None
    lines = sorted(set(lines) if "u" in flags else lines, key=key, reverse="r" in flags)
    ctx.write("".join(line + "\n" for line in lines))
    return 0


# ------------------------------------------------------------------ info tools
def pwd(ctx: Ctx, args: list[str]) -> int:
    ctx.write(ctx.cwd + "\n")
    return 0


def env(ctx: Ctx, args: list[str]) -> int:
    extra = dict(ctx.env)
    while args and "=" in args[0] and not args[0].startswith("="):
        key, _, value = args.pop(0).partition("=")
        extra[key] = value
    if args:
        sub = Ctx(**{**ctx.__dict__, "env": extra})
        return ctx.run_argv(args, sub)
    ctx.write("".join(f"{k}={v}\n" for k, v in extra.items()))
    return 0


def _passwd_entry(ctx: Ctx) -> tuple[str, int, int] | None:
    """(name, uid, gid) of ctx.user ("name", "uid" or "name:group") from /etc/passwd; root by default."""
    wanted = (ctx.user or "root").split(":")[0]
    try:
        lines = ctx.fs.read("/etc/passwd").splitlines()
    except FsError:
        lines = []
    for line in lines:
        name, _, uid, gid = (line.split(":") + ["", "", ""])[:4]
        if (wanted in (name, uid)) and uid.isdigit() and gid.isdigit():
            return name, int(uid), int(gid)
    if wanted == "root" or wanted == "0":
        return "root", 0, 0
    return None if not wanted.isdigit() else ("", int(wanted), int(wanted))


def whoami(ctx: Ctx, args: list[str]) -> int:
    entry = _passwd_entry(ctx)
    if entry is None or not entry[0]:
        uid = ctx.user.split(":")[0]
        ctx.error(f"whoami: unknown uid {uid}" if ctx.busybox else f"whoami: cannot find name for user ID {uid}")
        return 1
    ctx.write(entry[0] + "\n")
    return 0


def id_(ctx: Ctx, args: list[str]) -> int:
    """root's groups come from the image's /etc/group (alpine lists root in many groups)."""
    entry = _passwd_entry(ctx)
    if entry is not None and entry[1] != 0:  # another USER: its own uid and primary group
        name, uid, gid = entry
        who = f"uid={uid}({name})" if name else f"uid={uid}"
        group = f"{gid}({name})" if name and gid == uid else str(gid)
        ctx.write(f"{who} gid={group} groups={group}\n")
        return 0
    groups = [(0, "root")]
    try:
        for line in ctx.fs.read("/etc/group").splitlines():
            name, _, gid, members = (line.split(":") + ["", "", ""])[:4]
            if "root" in members.split(",") and gid.isdigit() and int(gid) != 0:
                groups.append((int(gid), name))
    except FsError:
        pass
    listed = ",".join(f"{gid}({name})" for gid, name in groups)
    ctx.write(f"uid=0(root) gid=0(root) groups={listed}\n")
    return 0


def uname(ctx: Ctx, args: list[str]) -> int:
    flags, _ = split_flags(args, "asnrvmo")
    host = ctx.env.get("HOSTNAME", "localhost")
    if "a" in flags:
        os_name = "Linux" if ctx.busybox else "GNU/Linux"
        ctx.write(f"Linux {host} {KERNEL} {KERNEL_BUILD} x86_64 {os_name}\n")
    else:
        parts = {"s": "Linux", "n": host, "r": KERNEL, "v": KERNEL_BUILD, "m": "x86_64"}
        picked = [parts[f] for f in "snrvm" if f in flags] or ["Linux"]
        ctx.write(" ".join(picked) + "\n")
    return 0


def hostname(ctx: Ctx, args: list[str]) -> int:
    ctx.write(ctx.env.get("HOSTNAME", "localhost") + "\n")
    return 0


def date(ctx: Ctx, args: list[str]) -> int:
    now = dt.datetime.fromtimestamp(ctx.now_ns // 1_000_000_000, dt.timezone.utc)
    ctx.write(f"{now:%a %b} {now.day:>2} {now:%H:%M:%S} UTC {now.year}\n")
    return 0


def which(ctx: Ctx, args: list[str]) -> int:
    status = 0
    for name in args:
        found = find_program(name, ctx.fs, ctx.env, ctx.cwd, ctx.flavor)
        if found:
            ctx.write(found + "\n")
        else:
            status = 1
    return status


def glob_match(fs: UnionFS, cwd: str, pattern: str) -> list[str]:
    """Expand a shell glob against the union view (sorted, hidden names need a leading dot)."""
    absolute = pattern.startswith("/")
    parts = [p for p in pattern.split("/") if p]
    found = ["/" if absolute else ""]
    for part in parts:
        nxt = []
        for base in found:
            directory = normpath(base or ".", cwd)
            if not any(c in part for c in "*?["):
                candidate = posixpath.join(base, part) if base else part
                if fs.lookup(normpath(candidate, cwd)) is not None:
                    nxt.append(candidate)
                continue
            if not fs.is_dir(directory):
                continue
            for name in fs.listdir(directory):
                if fnmatch.fnmatchcase(name, part) and (part.startswith(".") or not name.startswith(".")):
                    nxt.append(posixpath.join(base, name) if base else name)
        found = nxt
    return sorted(found)


PROGRAMS = {
    "echo": echo, "printf": printf, "test": test, "[": lambda c, a: test(c, a, bracket=True),
    "true": lambda c, a: 0, "false": lambda c, a: 1, "cat": cat, "touch": touch, "mkdir": mkdir,
    "rm": rm, "rmdir": rmdir, "cp": cp, "mv": mv, "ln": ln, "chmod": chmod, "ls": ls,
    "head": head, "tail": lambda c, a: head(c, a, tail=True), "wc": wc, "grep": grep,
    "sort": sort_lines, "pwd": pwd, "env": env, "whoami": whoami, "id": id_, "uname": uname,
    "hostname": hostname, "date": date, "which": which,
}
