"""The shell interpreter: one `sh`/`bash` process running a parsed script (engine/shell/parse.py):
and-or lists, pipelines, $VAR/${VAR} expansion and globs, redirections, and the builtins (cd, export,
set -e, exit, exec, `.`). Error texts follow busybox ash (kind 'ash'), dash or bash.

A script runs programs and a shell is itself a program, so the interpreter does not import the
program table: whoever creates a Shell hands it `run_program` (engine/shell/programs.py does).
"""
from __future__ import annotations

import re
from typing import Callable

from engine import budget, limits
from engine.clock import START_NS
from engine.errors import ExitShell, FsError
from engine.layers.fs import normpath
from engine.shell import tools
from engine.shell.ctx import Ctx, Discard, TextBuffer, why
from engine.shell.parse import Unsupported, parse
from engine.shell.path import find_program, glob_match, not_executable

# run_program(argv, path, ctx) -> exit status: run the program found at path
RunProgram = Callable[[list[str], str, Ctx], int]


class Shell:
    """One shell process: variables, cwd, the script's output."""

    def __init__(self, fs, *, run_program: RunProgram, env, cwd, flavor, kind, arg0, positional=(),
                 now_ns=START_NS, tty=False, interactive=False, is_last=True, user=""):
        self.fs, self.flavor, self.kind, self.arg0, self.user = fs, flavor, kind, arg0, user
        self.run_program = run_program
        self.vars = dict(env)
        self.exported = set(env)
        self.cwd = cwd
        self.positional = list(positional)
        self.now_ns, self.tty, self.interactive, self.outer_last = now_ns, tty, interactive, is_last
        self.status = 0
        self.errexit = False
        self.out: list[str] = TextBuffer()
        self.err: list[str] = TextBuffer()
        self.last_command = None
        self.line = 1
        self.exited = False  # the script ran `exit` (an attached session ends there)

    # ------------------------------------------------------------ messages
    def message(self, text: str) -> str:
        """A shell error line: 'sh: x', 'sh: 1: x' (dash) or 'bash: line 1: x'."""
        if self.kind == "dash":
            return f"{self.arg0}: {self.line}: {text}\n"
        if self.kind == "bash":
            return f"{self.arg0}: line {self.line}: {text}\n"
        return f"{self.arg0}: {text}\n"

    def env(self) -> dict[str, str]:
        return {k: v for k, v in self.vars.items() if k in self.exported}

    # ------------------------------------------------------------ running scripts
    def run_script(self, text: str) -> int:
        try:
            program = parse(text)
        except Unsupported as err:
            self.err.append(self.message(str(err)))
            return 2
        commands = [c for andor in program for _, pipe in andor for c in pipe]
        self.last_command = commands[-1] if commands else None
        try:
            for andor in program:
                self._run_andor(andor)
        except ExitShell as stop:
            self.status, self.exited = stop.status, True
        except Unsupported as err:
            self.err.append(self.message(str(err)))
            self.status = 2
        return self.status

    def _run_andor(self, andor) -> None:
        for index, (connector, pipeline) in enumerate(andor):
            if connector == "&&" and self.status != 0 or connector == "||" and self.status == 0:
                continue
            self.status = self._run_pipeline(pipeline)
            if self.errexit and self.status != 0 and index == len(andor) - 1:
                raise ExitShell(self.status)

    def _run_pipeline(self, pipeline) -> int:
        stdin, status = "", 0
        for i, command in enumerate(pipeline):
            out = self.out if i == len(pipeline) - 1 else TextBuffer()
            status = self._run_command(command, stdin, out)
            stdin = "".join(out)
        return status

    def _run_command(self, command, stdin: str, out: list[str]) -> int:
        budget.step(budget.COMMAND_STEPS)  # every simple command the script runs
        self.line = command.line
        assigns = [(name, "".join(self.expand(parts, split=False))) for name, parts in command.assigns]
        words = [field for parts in command.words for field in self.expand(parts)]
        if not words:
            for name, value in assigns:
                self.vars[name] = value
        targets = self._open_redirects(command)
        if targets is None:
            return 1 if self.kind != "dash" else 2
        stdin = targets.pop("stdin", stdin)
        if not words:
            return 0
        cmd_out, cmd_err = (Discard() if targets.get(fd, "out") is None else TextBuffer() for fd in (1, 2))
        ctx = Ctx(self.fs, self.flavor, {**self.env(), **dict(assigns)}, self.cwd, shell=self.kind,
                  stdin=stdin, now_ns=self.now_ns, tty=self.tty, interactive=self.interactive,
                  is_last=self.outer_last and command is self.last_command, out=cmd_out,
                  err=cmd_err, user=self.user)
        ctx.run_argv = run_argv_for(self.flavor, self.run_program)
        try:
            return self._dispatch(words, ctx)
        finally:
            self._route(targets, cmd_out, cmd_err, out)

    def _open_redirects(self, command):
        """fd -> destination ('out' | 'err' | None for /dev/null | path), files created now."""
        targets = {1: "out", 2: "err"}
        for fd, op, parts in command.redirs:
            word = "".join(self.expand(parts, split=False))
            if op == ">&":
                targets[fd] = targets.get(int(word), "out") if word.isdigit() else "out"
                continue
            path = normpath(word, self.cwd)
            if op == "<":
                try:
                    targets["stdin"] = self.fs.read(path)
                except FsError as err:
                    self.err.append(self.message(f"can't open {word}: {why(err)}"
                                                 if self.kind != "bash" else f"{word}: {why(err)}"))
                    return None
                continue
            if path in ("/dev/null", "/dev/stdout", "/dev/stderr"):
                targets[fd] = {"/dev/null": None, "/dev/stdout": "out", "/dev/stderr": "err"}[path]
                continue
            try:
                if op == ">" or not self.fs.exists(path):
                    self.fs.write_file(path, "")
            except FsError as err:
                self.err.append(self._redirect_error(word, err))
                return None
            targets[fd] = path
        return targets

    def _redirect_error(self, word: str, err) -> str:
        if self.kind == "bash":
            return self.message(f"{word}: {why(err)}")
        reason = why(err)
        if err.errno == "ENOENT":  # ash and dash have their own words for this case
            reason = "nonexistent directory" if self.kind == "ash" else "Directory nonexistent"
        verb = "can't" if self.kind == "ash" else "cannot"
        return self.message(f"{verb} create {word}: {reason}")

    def _route(self, targets, cmd_out, cmd_err, out) -> None:
        for fd, text in ((1, "".join(cmd_out)), (2, "".join(cmd_err))):
            dest = targets.get(fd)
            if not text or dest is None:
                continue
            if dest == "out":
                out.append(text)  # a TextBuffer: checks the text limit as it grows
            elif dest == "err":
                self.err.append(text)
            else:
                self.fs.write_file(dest, text, append=True)

    # ------------------------------------------------------------ expansion
    def var(self, name: str, op: str = "", word: str = "") -> str:
        specials = {"?": str(self.status), "$": "1", "#": str(len(self.positional)),
                    "0": self.arg0, "@": " ".join(self.positional), "*": " ".join(self.positional)}
        if name.isdigit() and name != "0":
            value = self.positional[int(name) - 1] if int(name) <= len(self.positional) else None
        else:
            value = specials.get(name, self.vars.get(name))
        if op == "#":
            return str(len(value or ""))
        if op in (":-", ":=") and not value or op in ("-", "=") and value is None:
            if op.endswith("="):
                self.vars[name] = word
            return word
        if op in (":+", "+"):
            return word if (value if op == ":+" else value is not None) else ""
        return value or ""

    def expand(self, parts, split: bool = True) -> list[str]:
        fields: list[list] = []
        current: list | None = None
        spend = budget.current().spend

        def push(text: str, quoted: bool) -> None:
            nonlocal current
            if current is None:
                current = [[], [], False, 0]  # text pieces, glob-pattern pieces, globby, size
            limits.check_text(current[3] + len(text))
            spend(len(text))
            current[3] += len(text)
            current[0].append(text)
            if quoted:
                current[1].append(_glob_quote(text))
            else:
                current[1].append(text)
                current[2] = current[2] or any(c in text for c in "*?[")

        def cut() -> None:
            nonlocal current
            if current is not None:
                fields.append(current)
            current = None

        for kind, value, quoted in parts:
            if kind == "lit":
                push(value, quoted)
                continue
            if value[0] == "@" and quoted and split:
                for i, arg in enumerate(self.positional):
                    if i:
                        cut()
                    push(arg, True)
                continue
            text = self.var(*value)
            if quoted or not split:
                push(text, True)
                continue
            pieces = text.split()
            budget.step(len(pieces))  # `echo $x` of a million words pushes a million fields
            if text[:1].isspace():
                cut()
            for i, piece in enumerate(pieces):
                if i:
                    cut()
                push(piece, False)
            if text[-1:].isspace():
                cut()
        cut()
        result = []
        for texts, patterns, globby, _ in fields:
            text = "".join(texts)
            matches = glob_match(self.fs, self.cwd, "".join(patterns)) if globby and split else []
            result.extend(matches or [text])
        return result

    # ------------------------------------------------------------ commands
    def _dispatch(self, words: list[str], ctx: Ctx) -> int:
        name, args = words[0], words[1:]
        builtin = getattr(self, "builtin_" + {".": "dot", "[": "bracket", ":": "colon"}.get(name, name),
                          None)
        if builtin is not None and re.fullmatch(r"[a-z.:\[]+", name):
            return builtin(args, ctx)
        if name in ("echo", "printf", "test", "[", "true", "false", "pwd"):
            return tools.PROGRAMS[name](ctx, args)
        path = find_program(name, self.fs, self.env() | ctx.env, self.cwd, self.flavor)
        if path is None:
            return self._not_found(name, ctx)
        problem = not_executable(self.fs, path)
        if problem:
            ctx.err.append(self.message(f"{name}: Permission denied"))
            return 126
        return self.run_program([name] + args, path, ctx)

    def _not_found(self, name: str, ctx: Ctx) -> int:
        if self.kind == "bash":
            text = f"{name}: No such file or directory" if "/" in name else f"{name}: command not found"
        else:
            text = f"{name}: not found"
        ctx.err.append(self.message(text))
        return 127

    def builtin_cd(self, args, ctx) -> int:
        target = args[0] if args else self.vars.get("HOME", "/")
        path = normpath(target, self.cwd)
        if self.fs.is_dir(path):
            self.cwd = path
            self.vars["PWD"] = path
            return 0
        reason = "Not a directory" if self.fs.exists(path) else "No such file or directory"
        if self.kind == "bash":
            ctx.err.append(self.message(f"cd: {target}: {reason}"))
            return 1
        ctx.err.append(self.message(f"cd: can't cd to {target}" + (f": {reason}" if self.kind == "ash" else "")))
        return 2

    def builtin_export(self, args, ctx) -> int:
        for arg in args:
            name, eq, value = arg.partition("=")
            if eq:
                self.vars[name] = value
            self.exported.add(name)
        return 0

    def builtin_unset(self, args, ctx) -> int:
        for name in args:
            self.vars.pop(name, None)
            self.exported.discard(name)
        return 0

    def builtin_set(self, args, ctx) -> int:
        for arg in args:
            if re.fullmatch(r"[-+][euxo]+", arg):
                self.errexit = ("e" in arg and arg[0] == "-") or (self.errexit and "e" not in arg)
        return 0

    def builtin_exit(self, args, ctx) -> int:
        raise ExitShell(int(args[0]) & 255 if args and args[0].lstrip("-").isdigit() else self.status)

    def builtin_colon(self, args, ctx) -> int:
        return 0

    def builtin_exec(self, args, ctx) -> int:
        if not args:
            return 0
        raise ExitShell(self._dispatch(args, ctx))

    def builtin_dot(self, args, ctx) -> int:
        try:
            text = self.fs.read(normpath(args[0], self.cwd))
        except (FsError, IndexError):
            ctx.err.append(self.message(f".: can't open {args[0] if args else ''}"))
            return 2
        program = parse(text)
        with budget.current().nested():  # a script that sources itself stops at the depth limit
            for andor in program:
                self._run_andor(andor)
        return self.status


def _glob_quote(text: str) -> str:
    """Quoted text in a glob pattern: its * ? [ match only themselves."""
    if not any(c in text for c in "*?["):
        return text
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def run_argv_for(flavor: str, run_program: RunProgram):
    """Ctx.run_argv for programs that exec another one (env, nginx's entrypoint): not-found text
    as `env` of this flavour prints it unless the caller gives its own."""
    def run_argv(argv: list[str], ctx: Ctx, who: str | None = None) -> int:
        return exec_argv(argv, ctx, who or _env_not_found(flavor), run_program)
    return run_argv


def exec_argv(argv: list[str], ctx: Ctx, who: str, run_program: RunProgram) -> int:
    """Run argv from a program that execs another one (env, the nginx entrypoint's `exec`)."""
    path = find_program(argv[0], ctx.fs, ctx.env, ctx.cwd, ctx.flavor)
    if path is None:
        ctx.err.append(who.format(name=argv[0]) + "\n")
        return 127
    return run_program(argv, path, ctx)


def _env_not_found(flavor: str) -> str:
    return ("env: can't execute '{name}': No such file or directory" if flavor == "busybox"
            else "env: '{name}': No such file or directory")
