"""The learner's terminal line: words, `&&`/`;` chains, `> file`/`< file`, `VAR=x` prefixes,
and the few host commands people type beside docker (ls, cat, tar -tvf, rm, pwd, echo)."""
from __future__ import annotations

import datetime
import re
import shlex
import tarfile
from dataclasses import dataclass, field

from engine import budget, limits
from engine import events as ev
from engine.archive.tar import bounded_tar
from engine.cli.context import Context
from engine.cli.dispatch import run_docker
from engine.errors import ArchiveError, HostError, LimitError, LineError
from engine.host import HOME, MAX_FILE_BYTES

MAX_LINE = 4096
OPERATORS = {"&&", "||", ";", "|", ">", ">>", "<", "&"}

HELP = """LayerLab understands these commands (type one, or `docker COMMAND --help`):

  Images      docker pull | images (image ls) | image inspect | history | tag | rmi (image rm)
              image prune | build | save | load | import
  Containers  docker create | run | start | stop | kill | restart | pause | unpause | rm
              ps (container ls) | exec | logs | top | diff | commit | cp | rename | wait
              inspect | export | container prune | attach | port | update
  System      docker version | info | system df | system prune
  Host        ls [-l] | cat FILE | tar -tvf FILE.tar | rm FILE | pwd | echo TEXT > FILE
  Terminal    clear | help | ↑/↓ history | Tab completion
"""


@dataclass
class Outcome:
    stdout: str
    stderr: str
    exit_code: int
    events: list
    output: list  # [stream, text] chunks in the order a terminal shows them
    invocations: list = field(default_factory=list)  # engine.invocation.Invocation, in the order they ran


def split_line(line: str) -> list[str]:
    """Words and operators, as a POSIX shell would split them (quotes respected)."""
    if len(line) > MAX_LINE:
        raise LineError(f"command too long ({len(line)} characters; the limit is {MAX_LINE})")
    lexer = shlex.shlex(line, posix=True, punctuation_chars="|&;<>")
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError as err:
        raise LineError(f"syntax error: {str(err).lower()}") from None


def chains(tokens: list[str]) -> list[tuple[str, list[str]]]:
    """[(connector, words)] where connector says when to run: ';' always, '&&' on success, '||' on failure."""
    out, current, connector = [], [], ";"
    for tok in tokens:
        if tok in ("&&", "||", ";"):
            if not current:
                raise LineError(f"syntax error near unexpected token `{tok}'")
            out.append((connector, current))
            current, connector = [], tok
        elif tok in ("|", "&") or (tok and set(tok) <= set("|&;<>") and tok not in OPERATORS):
            raise LineError(f"`{tok}` is not supported by LayerLab's terminal: run commands one at a time")
        else:
            current.append(tok)
    if current:
        out.append((connector, current))
    elif connector != ";":
        raise LineError("syntax error: unexpected end of line")
    return out


_SUBSTITUTION = re.compile(r"\$\(([^()]*)\)")


def substitute_commands(line: str, daemon, host, events: list, invocations: list) -> str:
    """`$(docker ps -aq)` -> its output words, as a shell would splice them (not inside '…')."""
    def replace(match: re.Match) -> str:
        if line[:match.start()].count("'") % 2:
            return match.group(0)
        inner = Context(daemon, host)
        try:
            words = split_line(match.group(1))
        except LineError:
            return ""
        run_words(inner, words)
        events.extend(inner.events)
        invocations.extend(inner.invocations)
        return " ".join(inner.stdout.split())
    return _SUBSTITUTION.sub(replace, line)


def run_line(line: str, daemon, host) -> Outcome:
    """Run one terminal line against the daemon and host directory, on one budget (engine/budget.py)."""
    with budget.line():
        return _run_line(line, daemon, host)


def _run_line(line: str, daemon, host) -> Outcome:
    pre_events: list = []
    invocations: list = []
    line = substitute_commands(line, daemon, host, pre_events, invocations)
    try:
        steps = chains(split_line(line))
    except LineError as err:
        return Outcome("", f"sh: {err}\n", 2, [], [["stderr", f"sh: {err}\n"]])
    out, err, chunks, events, code = [], [], [], pre_events, 0
    for connector, words in steps:
        if (connector == "&&" and code != 0) or (connector == "||" and code == 0):
            continue
        ctx = Context(daemon, host)
        code = run_words(ctx, words)
        out.append(ctx.stdout)
        err.append(ctx.stderr)
        chunks.extend(ctx.chunks)
        events.extend(ctx.events)
        invocations.extend(ctx.invocations)
    return Outcome(limits.cut_output("".join(out)), limits.cut_output("".join(err)), code, events,
                   limits.cut_chunks(_merge(chunks)), invocations)


def _merge(chunks: list) -> list:
    """Adjacent chunks of the same stream as one (pieces joined once: `+=` on each was quadratic)."""
    runs: list = []  # [stream, [pieces]]
    for stream, text in chunks:
        if runs and runs[-1][0] == stream:
            runs[-1][1].append(text)
        elif text:
            runs.append([stream, [text]])
    return [[stream, "".join(pieces)] for stream, pieces in runs]


def run_words(ctx: Context, words: list[str]) -> int:
    try:
        words, target, append = _redirections(ctx, words)
    except (LineError, HostError) as err:
        ctx.eprint(f"sh: {err}")
        return 1 if isinstance(err, HostError) else 2
    while words and "=" in words[0] and words[0].split("=", 1)[0].isidentifier():
        key, value = words.pop(0).split("=", 1)
        ctx.env[key] = value
    if target:
        ctx.stdout_redirected = True
    code = _dispatch(ctx, words)
    if target:
        data = bytes(ctx.out_bytes) or ctx.take_stdout().encode()
        if append and ctx.host.exists(target):
            data = ctx.host.read(target) + data
        try:
            ctx.host.write(target, data)
            ctx.events.append(ev.HostFileWritten(path=target))
        except HostError as err:
            ctx.eprint(f"sh: {err}")
            return 1
    return code


def _redirections(ctx: Context, words: list[str]):
    """Strip `> f`, `>> f`, `< f` (reading the input file now) -> (words, target, append)."""
    plain, target, append, i = [], None, False, 0
    while i < len(words):
        word = words[i]
        if word in (">", ">>", "<"):
            if i + 1 >= len(words) or words[i + 1] in OPERATORS:
                raise LineError("syntax error near unexpected token `newline'")
            name = words[i + 1]
            if word == "<":
                ctx.stdin = ctx.host.read(name)
            else:
                target, append = name, word == ">>"
            i += 2
        else:
            plain.append(word)
            i += 1
    return plain, target, append


def _dispatch(ctx: Context, words: list[str]) -> int:
    if not words:
        return 0
    name, args = words[0], words[1:]
    if name == "docker":
        return run_docker(ctx, args)
    handler = HOST_COMMANDS.get(name)
    if handler is None:
        ctx.eprint(f"sh: {name}: command not found (LayerLab runs docker commands; type `help`)")
        return 127
    try:
        return handler(ctx, args)
    except HostError as err:
        ctx.eprint(f"{name}: {err}")
        return 1
    except LimitError as err:  # over the line's budget: the command stops, nothing is written
        ctx.eprint(f"{name}: {str(err).removeprefix('Error response from daemon: ')}")
        return 1


def _help(ctx: Context, args: list[str]) -> int:
    ctx.write(HELP)
    return 0


def _pwd(ctx: Context, args: list[str]) -> int:
    ctx.print(HOME)
    return 0


def _ls(ctx: Context, args: list[str]) -> int:
    long = any(a.startswith("-") and "l" in a for a in args)
    names = ctx.host.names()
    if long:
        ctx.print(f"total {sum(len(ctx.host.files[n]) for n in names) // 1024}")
        for n in names:
            ctx.print(f"-rw-r--r-- 1 learner learner {len(ctx.host.files[n]):>9} Jan 15 09:00 {n}")
    elif names:
        ctx.print("  ".join(names))
    return 0


def _cat(ctx: Context, args: list[str]) -> int:
    code, written = 0, 0
    for name in [a for a in args if not a.startswith("-")]:
        try:
            data = ctx.host.read(name)
        except HostError:
            ctx.eprint(f"cat: {name}: No such file or directory")
            code = 1
            continue
        if b"\x00" in data[:4096]:
            ctx.eprint(f"cat: {name}: binary file (a tar archive?): try `tar -tvf {name}`")
            code = 1
            continue
        budget.spend(len(data))
        written += len(data)
        if ctx.stdout_redirected and written > MAX_FILE_BYTES:
            # no host file can take more: stop here, as cat does when write(2) fails with EFBIG
            ctx.eprint("cat: write error: File too large")
            ctx.take_stdout()
            return 1
        if not ctx.stdout_redirected and written > limits.MAX_TERMINAL_OUTPUT + len(data):
            continue  # the terminal shows no more than this: `cat f f f …` needs no copies
        ctx.write(data.decode(errors="replace"))
    return code


def _rm(ctx: Context, args: list[str]) -> int:
    code = 0
    for name in [a for a in args if not a.startswith("-")]:
        try:
            ctx.host.remove(name)
            ctx.events.append(ev.HostFileRemoved(path=name))
        except HostError:
            ctx.eprint(f"rm: cannot remove '{name}': No such file or directory")
            code = 1
    return code


def _echo(ctx: Context, args: list[str]) -> int:
    ctx.print(" ".join(args))
    return 0


def _tar(ctx: Context, args: list[str]) -> int:
    """`tar -tvf x.tar` / `tar tf x.tar`: list an archive in the working directory."""
    bundled = bool(args) and not args[0].startswith("-") and set(args[0]) <= set("ctxvzf")
    flag_words = [a for i, a in enumerate(args) if a.startswith("-") or (i == 0 and bundled)]
    flags = "".join(a.lstrip("-") for a in flag_words)
    files = [a for a in args if a not in flag_words]
    if "t" not in flags or "f" not in flags or not files:
        ctx.eprint("tar: LayerLab's tar only lists archives: tar -tvf FILE.tar")
        return 2
    data = ctx.host.read(files[0])
    try:  # read as a stream that stops at the archive limit (a compressed bomb is refused early)
        for member in bounded_tar(data):
            name = member.name + ("/" if member.isdir() else "")
            ctx.print(_tar_line(member) if "v" in flags else name)
    except ArchiveError as err:
        ctx.eprint(f"tar: {err}\ntar: Exiting with failure status due to previous errors")
        return 2
    except tarfile.TarError:
        ctx.eprint("tar: This does not look like a tar archive\ntar: Exiting with failure status due to previous errors")
        return 2
    return 0


def _tar_line(m: tarfile.TarInfo) -> str:
    kind = {tarfile.DIRTYPE: "d", tarfile.SYMTYPE: "l"}.get(m.type, "-")
    perms = "".join(ch if m.mode & (1 << (8 - i)) else "-" for i, ch in enumerate("rwxrwxrwx"))
    when = datetime.datetime.fromtimestamp(m.mtime, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")
    owner = f"{m.uname or m.uid}/{m.gname or m.gid}"
    name = m.name + ("/" if m.isdir() else "") + (f" -> {m.linkname}" if m.issym() else "")
    return f"{kind}{perms} {owner} {m.size:>9} {when} {name}"


HOST_COMMANDS = {"help": _help, "pwd": _pwd, "ls": _ls, "cat": _cat, "rm": _rm, "echo": _echo, "tar": _tar}
