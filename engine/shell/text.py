"""Text tools of the shell: echo, printf, test/[, head/tail, wc, grep, sort. Error texts follow GNU
coreutils and grep (flavor 'gnu') or busybox (flavor 'busybox') in a C locale."""
from __future__ import annotations

import re

from engine import budget, limits, patterns
from engine.errors import FsError, PatternError
from engine.layers.fs import DIR, SYMLINK
from engine.shell.ctx import Ctx, read_input, split_flags


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
    except PatternError as err:
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
