"""File tools of the shell: cat, touch, mkdir, rm, rmdir, cp, mv, ln, chmod and ls, working on the
container's union view (every write goes through copy-up). Error texts follow GNU coreutils
(flavor 'gnu') or busybox (flavor 'busybox') in a C locale."""
from __future__ import annotations

import datetime as dt
import posixpath
import re
from typing import Callable

from engine import budget
from engine.errors import FsError
from engine.layers.fs import DIR, FIXED_MTIME, SYMLINK
from engine.shell.ctx import Ctx, read_input, split_flags, why


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


def _each_operand(ctx: Ctx, names: list[str], act: Callable[[str], None],
                  complaint: Callable[[str, FsError], str | None]) -> int:
    """act(name) for every operand. One that fails is reported (complaint: its message, or None when
    the tool keeps quiet about it) and makes the status 1; the next ones still run, as in coreutils
    and busybox."""
    status = 0
    for name in names:
        try:
            act(name)
        except FsError as err:
            message = complaint(name, err)
            if message is not None:
                ctx.error(message)
                status = 1
    return status


def touch(ctx: Ctx, args: list[str]) -> int:
    _, names = split_flags(args, "acm")
    return _each_operand(ctx, names, lambda name: ctx.fs.touch(ctx.path(name)),
                         lambda name, err: f"touch: {name}: {why(err)}" if ctx.busybox
                         else f"touch: cannot touch '{name}': {why(err)}")


def mkdir(ctx: Ctx, args: list[str]) -> int:
    flags, names = split_flags(args, "pv")
    verb = "can't" if ctx.busybox else "cannot"
    return _each_operand(ctx, names, lambda name: ctx.fs.mkdir(ctx.path(name), parents="p" in flags),
                         lambda name, err: f"mkdir: {verb} create directory '{name}': {why(err)}")


def rm(ctx: Ctx, args: list[str]) -> int:
    flags, names = split_flags(args, "rRfiv")
    recursive, force = bool(flags & {"r", "R"}), "f" in flags

    def complaint(name: str, err: FsError) -> str | None:
        if err.errno == "ENOENT" and force:
            return None
        if err.errno == "EISDIR":
            return f"rm: '{name}' is a directory" if ctx.busybox else f"rm: cannot remove '{name}': Is a directory"
        verb = "can't" if ctx.busybox else "cannot"
        return f"rm: {verb} remove '{name}': {why(err)}"

    return _each_operand(ctx, names, lambda name: ctx.fs.remove(ctx.path(name), recursive=recursive), complaint)


def rmdir(ctx: Ctx, args: list[str]) -> int:
    _, names = split_flags(args, "p")
    return _each_operand(ctx, names, lambda name: ctx.fs.rmdir(ctx.path(name)),
                         lambda name, err: f"rmdir: '{name}': {why(err)}" if ctx.busybox
                         else f"rmdir: failed to remove '{name}': {why(err)}")


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

    def complaint(src: str, err: FsError) -> str:
        if ctx.busybox:
            return f"mv: can't rename '{src}': {why(err)}"
        if err.errno == "ENOENT" and ctx.fs.lookup(ctx.path(src)) is None:
            return f"mv: cannot stat '{src}': {why(err)}"
        return f"mv: cannot move '{src}' to '{dest}': {why(err)}"

    return _each_operand(ctx, sources, lambda src: ctx.fs.move(ctx.path(src), ctx.path(dest)), complaint)


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
