"""Tokenizer and parser of LayerLab's shell: words with quoting kept, `;` `&&` `||` `|`, redirections.

A word is a list of parts: ('lit', text, quoted) or ('var', (name, op, word), quoted); expansion
happens when the command runs (a variable set earlier in the script must be seen).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from engine import budget
from engine.errors import Unsupported

NAME = r"[A-Za-z_][A-Za-z0-9_]*"
CHARS_PER_STEP = 16  # script text tokenized per step
KEYWORDS = {"if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case",
            "esac", "function", "{", "}", "!", "[[", "select"}


_PLAIN = re.compile(r"[^ \t\n;&|<>()`\\'\"$]+")  # characters with no meaning to the shell outside quotes
_PLAIN_QUOTED = re.compile(r"[^\"`\\$]+")  # ... and inside double quotes


@dataclass
class Command:
    words: list = field(default_factory=list)
    assigns: list = field(default_factory=list)
    redirs: list = field(default_factory=list)  # (fd, op, parts), op in '>', '>>', '<', '>&'
    line: int = 1


def _dollar(text: str, i: int, quoted: bool):
    """Parse a $-expansion at text[i] == '$'; returns (part, next index)."""
    rest = text[i + 1:]
    if rest.startswith("("):
        raise Unsupported("LayerLab's shell does not support command substitution $(...)"
                          if not rest.startswith("((") else
                          "LayerLab's shell does not support arithmetic expansion $((...))")
    if rest.startswith("{"):
        end = text.find("}", i)
        if end < 0:
            raise Unsupported("Syntax error: Missing '}'")
        inner = text[i + 2:end]
        match = re.fullmatch(rf"(#?)({NAME}|[0-9?#@*$])(?:(:?[-=+])(.*))?", inner, re.S)
        if not match:
            raise Unsupported(f"LayerLab's shell does not support ${{{inner}}}")
        length, name, op, word = match.groups()
        return ("var", (name, "#" if length else op or "", word or ""), quoted), end + 1
    match = re.match(rf"{NAME}|[0-9?#@*$]", rest)
    if not match:
        return ("lit", "$", quoted), i + 1
    return ("var", (match.group(), "", ""), quoted), i + 1 + len(match.group())


def _word(text: str, i: int):
    """Read one word from text[i]; returns (parts, next index, newlines inside)."""
    parts, newlines = [], 0
    while i < len(text):
        ch = text[i]
        if ch in " \t\n;&|<>()":
            break
        if ch == "`":
            raise Unsupported("LayerLab's shell does not support command substitution (backticks)")
        if ch == "\\":
            if text[i + 1:i + 2] == "\n":
                i, newlines = i + 2, newlines + 1
                continue
            parts.append(("lit", text[i + 1:i + 2], True))
            i += 2
        elif ch == "'":
            end = text.find("'", i + 1)
            if end < 0:
                raise Unsupported("Syntax error: Unterminated quoted string")
            parts.append(("lit", text[i + 1:end], True))
            newlines += text.count("\n", i, end)
            i = end + 1
        elif ch == '"':
            i, inner_newlines = _double_quoted(text, i + 1, parts)
            newlines += inner_newlines
        elif ch == "$":
            part, i = _dollar(text, i, False)
            parts.append(part)
        else:  # a run of ordinary characters as one part (a part per character cost 70 bytes each)
            run = _PLAIN.match(text, i).group()
            parts.append(("lit", run, False))
            i += len(run)
    return parts, i, newlines


def _double_quoted(text: str, i: int, parts: list):
    newlines = 0
    while True:
        if i >= len(text):
            raise Unsupported("Syntax error: Unterminated quoted string")
        ch = text[i]
        if ch == '"':
            if not parts or parts[-1][2] is False:
                parts.append(("lit", "", True))  # "" is an (empty) word of its own
            return i + 1, newlines
        if ch == "`":
            raise Unsupported("LayerLab's shell does not support command substitution (backticks)")
        if ch == "\\" and text[i + 1:i + 2] in ('"', "\\", "$", "`", "\n"):
            if text[i + 1] != "\n":
                parts.append(("lit", text[i + 1], True))
            i += 2
        elif ch == "$":
            part, i = _dollar(text, i, True)
            parts.append(part)
        else:  # a backslash before an ordinary character stays, as itself
            run = "\\" if ch == "\\" else _PLAIN_QUOTED.match(text, i).group()
            newlines += run.count("\n")
            parts.append(("lit", run, True))
            i += len(run)


def tokenize(text: str) -> list[tuple]:
    """('word', parts, line) | ('op', text, line) | ('redir', (fd, op), line)."""
    tokens, i, line = [], 0, 1
    while i < len(text):
        ch = text[i]
        if ch in " \t":
            i += 1
        elif ch == "\n":
            tokens.append(("op", ";", line))
            line, i = line + 1, i + 1
        elif ch == "#" and (i == 0 or text[i - 1] in " \t\n;&|"):
            while i < len(text) and text[i] != "\n":
                i += 1
        elif text.startswith(("&&", "||"), i):
            tokens.append(("op", text[i:i + 2], line))
            i += 2
        elif ch in ";|":
            if text.startswith(";;", i):
                raise Unsupported("LayerLab's shell does not support case ... esac")
            tokens.append(("op", ch, line))
            i += 1
        elif ch == "&" and not text.startswith("&>", i):
            raise Unsupported("LayerLab's shell does not run commands in the background (&)")
        elif ch in "()":
            raise Unsupported("LayerLab's shell does not support subshells or functions ( ... )")
        elif match := re.match(r"(\d?)(>>|>&|<<|&>|>|<)", text[i:]):
            fd, op = match.groups()
            if op == "<<":
                raise Unsupported("LayerLab's shell does not support here-documents (<<)")
            if op == "&>":
                tokens.append(("redir", (1, ">"), line))
                tokens.append(("dup", 2, line))
            else:
                tokens.append(("redir", (int(fd) if fd else (0 if op == "<" else 1), op), line))
            i += len(match.group())
        else:
            parts, i, newlines = _word(text, i)
            tokens.append(("word", parts, line))
            line += newlines
    return tokens


def _literal(parts) -> str | None:
    return "".join(p[1] for p in parts) if all(p[0] == "lit" and not p[2] for p in parts) else None


def parse(text: str) -> list[list[tuple[str | None, list[Command]]]]:
    """Script -> and-or lists; each is [(connector, pipeline)], a pipeline a list of Commands."""
    budget.step(len(text) // CHARS_PER_STEP)  # a RUN line can be megabytes: read on the budget
    program, andor, pipeline, command = [], [], [], None
    connector = None
    tokens = tokenize(text)
    i = 0
    while i < len(tokens):
        kind, value, line = tokens[i]
        if kind == "op":
            if command is None or not (command.words or command.assigns or command.redirs):
                if value == ";" and not pipeline and not andor:
                    i += 1
                    continue
                raise Unsupported(f"Syntax error: \"{value}\" unexpected")
            pipeline.append(command)
            command = None
            if value != "|":
                andor.append((connector, pipeline))
                pipeline = []
                connector = value if value in ("&&", "||") else None
                if value == ";":
                    program.append(andor)
                    andor = []
        else:
            command = command or Command(line=line)
            if kind == "redir":
                if i + 1 >= len(tokens) or tokens[i + 1][0] != "word":
                    raise Unsupported("Syntax error: redirection without a file name")
                command.redirs.append((value[0], value[1], tokens[i + 1][1]))
                i += 1
            elif kind == "dup":
                command.redirs.append((2, ">&", [("lit", "1", False)]))
            else:
                head = _literal(value)
                if not command.words and head in KEYWORDS:
                    raise Unsupported(f"LayerLab's shell does not support '{head}' "
                                      "(no if/for/while/case or { } blocks)")
                prefix = _lit_prefix(value)
                if not command.words and re.match(rf"{NAME}=", prefix):
                    name = prefix.partition("=")[0]
                    command.assigns.append((name, _strip_prefix(value, len(name) + 1)))
                else:
                    command.words.append(value)
        i += 1
    if command is not None and (command.words or command.assigns or command.redirs):
        pipeline.append(command)
    elif pipeline or connector:
        raise Unsupported("Syntax error: end of file unexpected")
    if pipeline:
        andor.append((connector, pipeline))
    if andor:
        program.append(andor)
    return program


def _lit_prefix(parts) -> str:
    """The unquoted literal text a word starts with."""
    out = []
    for kind, value, quoted in parts:
        if kind != "lit" or quoted:
            break
        out.append(value)
    return "".join(out)


def _strip_prefix(parts, count: int) -> list:
    out = []
    for kind, value, quoted in parts:
        if count and kind == "lit" and not quoted:
            take = min(count, len(value))
            value, count = value[take:], count - take
            if not value:
                continue
        out.append((kind, value, quoted))
    return out


def simple_script(program) -> bool:
    """One simple command and nothing else: shells exec it directly (it becomes PID 1)."""
    return len(program) == 1 and len(program[0]) == 1 and len(program[0][0][1]) == 1
