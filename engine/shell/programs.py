"""LayerLab's tiny POSIX-like shell: runs what Docker executes (entrypoint + cmd) in a container.

Supported: `sh -c`/`bash -c` scripts with quoting, $VAR/${VAR} expansion, globs, `;` `&&` `||` `|`,
redirections (> >> 2> 2>&1 <). What it cannot do it says plainly, exit status 2. A program exists
only if its file exists in the container; error texts follow busybox ash (flavor 'busybox'), dash as
/bin/sh or bash (flavor 'gnu').

This module is the one program table and how a program is started: the simple tools
(engine/shell/tools.py), the programs with a life of their own (engine/shell/apps.py: sleep,
package managers, nginx, python3) and the shells, which run the interpreter (engine/shell/interp.py).
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from engine import budget
from engine.clock import START_NS
from engine.errors import ExecNotFound, FsError, LongRunning, NotExecutable
from engine.layers.fs import normpath
from engine.shell import tools
from engine.shell.apps import PROGRAMS as SPECIAL
from engine.shell.ctx import Ctx, RunningProgram
from engine.shell.interp import Shell, run_argv_for
from engine.shell.parse import Unsupported, parse, simple_script
from engine.shell.path import SHELLS, find_program, not_executable, program_key

__all__ = ["RunningProgram", "ExecResult", "ExecNotFound", "NotExecutable", "run", "find_program", "new_shell"]


@dataclass
class ExecResult:
    stdout: str
    stderr: str
    exit_code: int
    process: RunningProgram | None = None


# ---------------------------------------------------------------- running programs
UNSUPPORTED_NOTE = "LayerLab does not simulate `{command}`; nothing was run."


def run_program(argv: list[str], path: str, ctx: Ctx) -> int:
    """Run the program found at `path` (argv[0] as the user typed it)."""
    key = program_key(argv[0])
    if key == "busybox" and len(argv) > 1:
        argv, key = argv[1:], program_key(argv[1])
    ctx.shell = None  # an external program, not a shell builtin
    if key in PROGRAMS:
        return PROGRAMS[key](ctx, argv, path)
    interpreter = _shebang(ctx.fs, path)
    if interpreter in SHELLS:
        return shell_main(ctx, [interpreter, argv[0]] + argv[1:], path)
    ctx.err.append(UNSUPPORTED_NOTE.format(command=" ".join(argv)) + "\n")
    return 0


def _shebang(fs, path: str) -> str | None:
    try:
        first = fs.read(path).split("\n", 1)[0]
    except FsError:
        return None
    if not first.startswith("#!"):
        return None
    words = first[2:].split()
    if words and posixpath.basename(words[0]) == "env" and len(words) > 1:
        return words[1]
    return posixpath.basename(words[0]) if words else None


def _arguments_only(program):
    """A simple command (shell.tools) takes its arguments, not argv[0] and the program's path."""
    def run(ctx: Ctx, argv: list[str], path: str) -> int:
        return program(ctx, argv[1:])
    return run


def shell_main(ctx: Ctx, argv: list[str], path: str) -> int:
    """sh / bash: `-c SCRIPT [ARG0 ARGS]`, `SCRIPT-FILE ARGS`, or no arguments (reads stdin)."""
    key = program_key(argv[0])
    kind = "bash" if key == "bash" else "ash" if ctx.flavor == "busybox" else "dash"
    args = list(argv[1:])
    flags = set()
    while args and re.fullmatch(r"[-+][a-z]+", args[0]) and args[0] != "-":
        flags |= set(args.pop(0)[1:])
    shell_kwargs = dict(env=ctx.env, cwd=ctx.cwd, flavor=ctx.flavor, kind=kind, now_ns=ctx.now_ns,
                        tty=ctx.tty, interactive=ctx.interactive, is_last=ctx.is_last, user=ctx.user)
    if "c" in flags:
        if not args:
            ctx.err.append(f"{argv[0]}: -c: option requires an argument\n" if kind == "bash"
                           else f"{argv[0]}: -c requires an argument\n")
            return 2
        script, arg0, positional = args[0], (args[1] if len(args) > 1 else argv[0]), args[2:]
    elif args:
        script_path = normpath(args[0], ctx.cwd)
        try:
            script = ctx.fs.read(script_path)
        except FsError:
            ctx.err.append({"ash": f"{argv[0]}: can't open '{args[0]}': No such file or directory",
                            "dash": f"{argv[0]}: 0: cannot open {args[0]}: No such file",
                            "bash": f"{argv[0]}: {args[0]}: No such file or directory"}[kind] + "\n")
            return 2 if kind != "bash" else 127
        arg0, positional = args[0], args[1:]
    elif ctx.interactive:  # waits for input on an open stdin (`docker run -i`/`-it`)
        raise LongRunning(RunningProgram(" ".join(argv), "ignore"))
    else:  # stdin is empty without -i: the shell reads EOF and exits (why `docker run ubuntu` stops)
        script, arg0, positional = ctx.stdin, argv[0], []
    shell = Shell(ctx.fs, run_program=run_program, arg0=arg0, positional=positional, **shell_kwargs)
    try:
        with budget.current().nested():  # `sh -c 'sh -c …'`, a script that runs itself
            status = shell.run_script(script)
    except LongRunning as running:
        if not simple_script(_safe_parse(script)):
            inner = running.process
            running.process = RunningProgram(" ".join(argv), "ignore", inner.ends_after,
                                      [inner.command] + inner.extra)
        raise
    finally:
        ctx.out.extend(shell.out)
        ctx.err.extend(shell.err)
    return status


def _safe_parse(script: str):
    try:
        return parse(script)
    except Unsupported:
        return []


def run(argv: list[str], fs, *, env: dict[str, str], workdir: str, flavor: str, tty: bool = False,
        interactive: bool = False, now_ns: int | None = None, user: str = "") -> ExecResult:
    """Run what Docker executes in a container. Raises ExecNotFound / NotExecutable when argv[0]
    itself cannot be started (Docker reports those as OCI runtime errors, exit 127 / 126)."""
    cwd = normpath(workdir or "/")
    path = find_program(argv[0], fs, env, cwd, flavor)
    if path is None:
        raise ExecNotFound(argv[0])
    problem = not_executable(fs, path)
    if problem:
        raise NotExecutable(path, problem)
    ctx = Ctx(fs, flavor, dict(env), cwd, now_ns=START_NS if now_ns is None else now_ns, tty=tty,
              interactive=interactive, is_last=True, user=user)
    ctx.run_argv = run_argv_for(flavor, run_program)
    try:
        status, process = run_program(list(argv), path, ctx), None
    except LongRunning as running:
        status, process = 0, running.process
    return ExecResult("".join(ctx.out), "".join(ctx.err), status, process)


# The one program table: name -> run(ctx, argv, path). Simple commands first, the programs with
# behaviour of their own (sleep, nginx, apk…) over them, and the shells, which run the interpreter.
PROGRAMS = {**{name: _arguments_only(program) for name, program in tools.PROGRAMS.items()},
            **SPECIAL, **{name: shell_main for name in SHELLS}}


def new_shell(fs, **options) -> Shell:
    """A shell whose programs are this table's (the shell an attached session types into)."""
    return Shell(fs, run_program=run_program, **options)
