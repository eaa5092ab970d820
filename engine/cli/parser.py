"""Command specs and flag parsing the way docker/cli (cobra + pflag) does it.

A command is data: its path, aliases, flags, argument count and handler. Parsing turns words
into (spec, options, args) or raises the error docker/cli prints; applying is the handler's job.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from engine.errors import ArgCountError, UsageError


@dataclass(frozen=True)
class Flag:
    long: str
    short: str = ""
    kind: str = "bool"  # bool | string | list | int | map (repeated key=value)
    help: str = ""
    default: object = None
    type_name: str = ""  # shown in --help ("string", "list", "filter", "duration"...)
    hidden: bool = False

    @property
    def takes_value(self) -> bool:
        return self.kind != "bool"

    def initial(self):
        if self.kind == "list":
            return list(self.default or [])
        if self.kind == "bool":
            return bool(self.default)
        return self.default


@dataclass
class Command:
    path: str  # "docker container ls"
    usage: str  # "docker container ls [OPTIONS]"
    short: str
    handler: Callable | None = None
    flags: list[Flag] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)  # other full paths: "docker ps"
    min_args: int = 0
    max_args: int | None = None
    interspersed: bool = True  # False for run/create/exec: flags end at the first argument
    long_help: str = ""

    def flag(self, name: str) -> Flag | None:
        for f in self.flags + [HELP_FLAG]:
            if f.long == name:
                return f
        return None

    def short_flag(self, letter: str) -> Flag | None:
        for f in self.flags + [HELP_FLAG]:
            if f.short == letter:
                return f
        return None


HELP_FLAG = Flag("help", "", "bool", "Print usage", hidden=True)
TRUE_WORDS = {"1", "t", "T", "TRUE", "true", "True"}
FALSE_WORDS = {"0", "f", "F", "FALSE", "false", "False"}


def _set(cmd: Command, opts: dict, flag: Flag, value, invocation: str) -> None:
    if flag.kind == "bool":
        if value is None:
            opts[flag.long] = True
            return
        if value not in TRUE_WORDS | FALSE_WORDS:
            raise UsageError(f'invalid argument "{value}" for "{invocation}" flag: '
                             f'strconv.ParseBool: parsing "{value}": invalid syntax', cmd.path)
        opts[flag.long] = value in TRUE_WORDS
    elif flag.kind == "int":
        try:
            opts[flag.long] = int(value)
        except ValueError:
            raise UsageError(f'invalid argument "{value}" for "{invocation}" flag: '
                             f'strconv.ParseInt: parsing "{value}": invalid syntax', cmd.path) from None
    elif flag.kind == "list":
        opts.setdefault(flag.long, []).append(value)
    else:
        opts[flag.long] = value


def parse_args(cmd: Command, words: list[str]) -> tuple[dict, list[str]]:
    """pflag-style parsing: --long, --long=v, -abc, -o v, -ov, '--' ends flags."""
    opts = {f.long: f.initial() for f in cmd.flags}
    opts["help"] = False
    args: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        if word == "--":
            args.extend(words[i:])
            break
        if word.startswith("--") and len(word) > 2:
            name, eq, value = word[2:].partition("=")
            flag = cmd.flag(name)
            if flag is None:
                raise UsageError(f"unknown flag: --{name}", cmd.path)
            if flag.takes_value and not eq:
                if i >= len(words):
                    raise UsageError(f"flag needs an argument: --{name}", cmd.path)
                value, i = words[i], i + 1
            _set(cmd, opts, flag, value if (eq or flag.takes_value) else None, f"--{name}")
        elif word.startswith("-") and len(word) > 1:
            letters = word[1:]
            j = 0
            while j < len(letters):
                letter = letters[j]
                flag = cmd.short_flag(letter) if letter != "h" or cmd.short_flag("h") else HELP_FLAG
                if flag is HELP_FLAG:  # cli/cobra.go: MarkShorthandDeprecated("help", "use --help")
                    opts["help-shorthand"] = True
                if flag is None:
                    raise UsageError(f"unknown shorthand flag: '{letter}' in -{letters}", cmd.path)
                rest = letters[j + 1:]
                invocation = f"-{letter}, --{flag.long}"
                if flag.takes_value:
                    if rest:
                        value = rest[1:] if rest.startswith("=") else rest
                    elif i < len(words):
                        value, i = words[i], i + 1
                    else:
                        raise UsageError(f"flag needs an argument: '{letter}' in -{letter}", cmd.path)
                    _set(cmd, opts, flag, value, invocation)
                    break
                if rest.startswith("="):
                    _set(cmd, opts, flag, rest[1:], invocation)
                    break
                _set(cmd, opts, flag, None, invocation)
                j += 1
        else:
            args.append(word)
            if not cmd.interspersed:
                args.extend(words[i:])
                break
    return opts, args


def check_arg_count(cmd: Command, args: list[str]) -> None:
    """docker/cli v28.5.2 cli/required.go: NoArgs, RequiresMinArgs, RequiresMaxArgs, RequiresRangeArgs,
    ExactArgs, chosen from the spec's (min_args, max_args). cmd.path and cmd.usage are the path and
    use line as the user's spelling shows them (cobra's CommandPath and UseLine)."""
    n, lo, hi = len(args), cmd.min_args, cmd.max_args
    if lo <= n and (hi is None or n <= hi):
        return
    hint = "Run"
    if hi == 0:
        rule = "accepts no arguments"
    elif lo == hi:
        rule = f"requires {lo} {_plural('argument', lo)}"
    elif hi is None:
        rule, hint = f"requires at least {lo} {_plural('argument', lo)}", "See"
    elif lo == 0:
        rule, hint = f"requires at most {hi} {_plural('argument', hi)}", "SRun"  # sic, required.go
    else:
        rule = f"requires at least {lo} and at most {hi} {_plural('argument', hi)}"
    raise ArgCountError(f"docker: '{cmd.path}' {rule}\n\nUsage:  {cmd.usage}\n\n"
                        f"{hint} '{cmd.path} --help' for more information")


def flag_error_text(message: str, path: str, usage: str) -> str:
    """docker/cli v28.5.2 cli/cobra.go FlagErrorFunc: the pflag error, the use line, the help hint."""
    return f"{message}\n\nUsage:  {usage}\n\nRun '{path} --help' for more information"


def _plural(word: str, n: int) -> str:
    return word if n == 1 else word + "s"


def flag_usages(flags: list[Flag]) -> str:
    """pflag's FlagUsages layout: names column padded so descriptions line up."""
    lines = []
    for flag in flags:
        if flag.hidden:
            continue
        head = f"  -{flag.short}, --{flag.long}" if flag.short else f"      --{flag.long}"
        if flag.takes_value:
            head += " " + (flag.type_name or flag.kind)
        text = flag.help
        if flag.default not in (None, False, "", [], 0) and flag.kind != "list":
            shown = f'"{flag.default}"' if flag.kind == "string" else "true" if flag.default is True else flag.default
            text += f" (default {shown})"
        lines.append((head, text))
    width = max((len(h) for h, _ in lines), default=0) + 1
    indent = "\n" + " " * (width + 2)  # pflag indents the continuation lines of a long help
    return "\n".join(f"{h} {' ' * (width - len(h))} {t.replace(chr(10), indent)}".rstrip() for h, t in lines)


def help_text(cmd: Command, names: list[str] | None = None) -> str:
    """`docker <cmd> --help` in docker/cli's usage template; names = all spellings (Aliases)."""
    out = [f"\nUsage:  {cmd.usage}\n", cmd.long_help or cmd.short]
    names = names or [cmd.path] + cmd.aliases
    if len(names) > 1:
        out.append("\nAliases:\n  " + ", ".join(names))
    usages = flag_usages(cmd.flags)
    if usages:
        out.append("\nOptions:\n" + usages)
    return "\n".join(out) + "\n"
