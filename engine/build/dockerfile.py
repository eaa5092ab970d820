"""Dockerfile parsing as BuildKit's frontend parser does it (both builders share that parser).

Lines, `\\` continuations, comments, instruction keywords (any case), JSON ("exec") forms,
`ARG`/`ENV` variable substitution, `.dockerignore`. Errors carry Docker's wording and line.
"""
from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass, field

from engine import budget, limits
from engine.errors import DockerfileError

INSTRUCTIONS = ("ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
                "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME",
                "WORKDIR")
JSON_FORMS = {"RUN", "CMD", "ENTRYPOINT", "SHELL", "VOLUME", "COPY", "ADD"}
# Instructions whose arguments get $VAR substitution from ARG/ENV (BuildKit's replaceEnvAllowed).
SUBSTITUTED = {"ADD", "COPY", "ENV", "EXPOSE", "FROM", "LABEL", "STOPSIGNAL", "USER", "VOLUME",
               "WORKDIR", "ONBUILD", "ARG"}



@dataclass
class Instruction:
    keyword: str  # upper case
    args: list[str]  # words (shell form: one string; JSON form: the list)
    raw: str  # the instruction as written after the keyword, continuations joined
    line: int
    json_form: bool = False
    flags: dict[str, str] = field(default_factory=dict)  # --from=…, --chown=…

    @property
    def original(self) -> str:
        """As `Step N/M : …` and BuildKit print it: keyword + the text as written."""
        return f"{self.keyword} {self.raw}".rstrip()


def _levenshtein(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def _suggest(word: str) -> str:
    if len(word) > max(map(len, INSTRUCTIONS)) + 2:
        return ""  # more than two edits from every keyword (and a megabyte word would take hours)
    best = min(INSTRUCTIONS, key=lambda k: _levenshtein(word.upper(), k))
    # BuildKit suggests the closest keyword only when it is at most two edits away
    return f" (did you mean {best}?)" if _levenshtein(word.upper(), best) <= 2 else ""


def logical_lines(text: str):
    """(line number of the instruction, text with continuations joined), comments dropped; one at a
    time, so a refused instruction (or the budget) stops the reading of a huge Dockerfile."""
    buf, start = [], 0
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("#"):
            continue  # comments, also inside a continuation
        if not buf and not stripped:
            continue
        if not buf:
            start = number
        if line.rstrip().endswith("\\"):
            buf.append(line.rstrip()[:-1])
            continue
        buf.append(line)
        yield start, " ".join(part.strip() for part in buf if part.strip())
        buf = []
    if buf:
        yield start, " ".join(part.strip() for part in buf if part.strip())


PARSE_STEPS = 8  # one instruction read (about 15 µs)
CHARS_PER_PARSE_STEP = 8  # its words are split a character at a time


def parse(text: str) -> list[Instruction]:
    if not text.strip():
        raise DockerfileError("the Dockerfile cannot be empty")
    instructions = []
    spent = budget.current()
    for line, content in logical_lines(text):
        # a Dockerfile may be megabytes of instructions: each is read on the budget, by its length too
        spent.step(PARSE_STEPS + len(content) // CHARS_PER_PARSE_STEP)
        keyword, _, rest = content.partition(" ")
        upper = keyword.upper()
        if upper not in INSTRUCTIONS:
            raise DockerfileError(f"unknown instruction: {keyword}{_suggest(keyword)}", line)
        instructions.append(_instruction(upper, rest.strip(), line))
    for ins in instructions:  # only ARG may come before the first FROM (BuildKit instructions.Parse)
        if ins.keyword == "FROM":
            break
        if ins.keyword != "ARG":
            raise DockerfileError("no build stage in current context", ins.line)
    else:
        raise DockerfileError("dockerfile contains no stages to build")
    return instructions


def _instruction(keyword: str, rest: str, line: int) -> Instruction:
    flags: dict[str, str] = {}
    body = rest
    if keyword in ("COPY", "ADD", "FROM", "RUN"):
        while body.startswith("--"):
            word, _, body = body.partition(" ")
            name, _, value = word[2:].partition("=")
            flags[name] = value
            body = body.strip()
    if keyword in JSON_FORMS and body.startswith("["):
        try:
            value = json.loads(body)
        except (ValueError, RecursionError):  # `CMD [[[[…` nested past Python's stack: not JSON form
            value = None
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return Instruction(keyword, value, rest, line, True, flags)
    args = [body] if keyword in ("RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK", "ONBUILD", "MAINTAINER") \
        else _words(body)
    _check_counts(keyword, args, line)
    return Instruction(keyword, args, rest, line, False, flags)


def _words(text: str) -> list[str]:
    """Whitespace-separated words, quotes kept together and removed (ENV/LABEL handle k=v)."""
    words, current, quote, in_word = [], [], None, False
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\" and quote == '"' and i + 1 < len(text):
                current.append(text[i + 1])
                i += 2
                continue
            if ch == quote:
                quote = None
            else:
                current.append(ch)
        elif ch in "\"'":
            quote, in_word = ch, True
        elif ch.isspace():
            if in_word:
                words.append("".join(current))
                current, in_word = [], False
        elif ch == "\\" and i + 1 < len(text):
            current.append(text[i + 1])
            in_word = True
            i += 1
        else:
            current.append(ch)
            in_word = True
        i += 1
    if in_word:
        words.append("".join(current))
    return words


def _check_counts(keyword: str, args: list[str], line: int) -> None:
    if keyword in ("COPY", "ADD") and len(args) < 2:
        raise DockerfileError(f"{keyword} requires at least two arguments, but only one was provided. "
                              "Destination could not be determined", line)
    if keyword == "FROM" and len(args) not in (1, 3):
        raise DockerfileError("FROM requires either one or three arguments", line)
    if keyword == "FROM" and len(args) == 3 and args[1].upper() != "AS":
        raise DockerfileError("FROM requires either one or three arguments", line)
    needs_one = ("ARG", "ENV", "EXPOSE", "LABEL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR")
    if keyword in needs_one and not args:
        raise DockerfileError(f"{keyword} requires at least one argument", line)


def key_values(words: list[str], keyword: str, line: int) -> list[tuple[str, str]]:
    """ENV/LABEL arguments: k=v pairs, or the legacy `ENV key value with spaces` form."""
    if keyword == "ENV" and words and "=" not in words[0]:
        if len(words) < 2:
            raise DockerfileError("ENV must have two arguments", line)
        return [(words[0], " ".join(words[1:]))]
    pairs = []
    for word in words:
        if "=" not in word:
            raise DockerfileError(f"{keyword} names can not be blank" if word.startswith("=")
                                  else f"Syntax error - can't find = in \"{word}\". Must be of the form: name=value", line)
        key, _, value = word.partition("=")
        if not key:
            raise DockerfileError(f"{keyword} names can not be blank", line)
        pairs.append((key, value))
    return pairs


_VAR = re.compile(r"\$(?:\{(\w+)(?::?([-+])([^}]*))?\}|(\w+))")


def substitute(text: str, env: dict[str, str]) -> str:
    """$VAR, ${VAR}, ${VAR:-default}, ${VAR:+alt} as the Dockerfile shell lexer expands them.
    The result is bounded as it grows (`ARG a=$a$a$a…` line after line doubles it each time)."""
    spent = budget.current()
    spent.step()
    size = [len(text)]

    def repl(m: re.Match) -> str:
        name = m.group(1) or m.group(4)
        value = env.get(name, "")
        if m.group(2) == "-":
            value = value or m.group(3)
        elif m.group(2) == "+":
            value = m.group(3) if value else ""
        size[0] += len(value) - len(m.group(0))
        limits.check_substitution(size[0])
        spent.spend(len(value))
        return value
    return _VAR.sub(repl, text)


def dockerignore_filter(patterns_text: str):
    """A predicate path -> excluded?, from .dockerignore (fnmatch patterns, '!' exceptions)."""
    rules = []
    for line in patterns_text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        pattern = line[1:].strip() if negate else line
        rules.append((negate, pattern.strip("/").removeprefix("./")))

    def excluded(path: str) -> bool:
        result = False
        for negate, pattern in rules:
            parts = path.split("/")
            prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
            if any(fnmatch.fnmatchcase(p, pattern) for p in prefixes) or pattern == "**":
                result = not negate
        return result
    return excluded
