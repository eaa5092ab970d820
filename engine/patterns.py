"""Regular expressions a learner types, run by RE2: linear time, no catastrophic backtracking.

Python's `re` backtracks: `grep -E '(a+)+$'` on a line of thirty a's and a b takes minutes, and
each extra character doubles it. RE2 (google-re2, the engine Go's regexp package follows) matches
in time linear in the text, so no pattern can hold the server. Docker's own filters
(`docker ps --filter name=…`) use Go's regexp, whose syntax is RE2's; grep's POSIX basic and
extended syntax is translated here the way GNU grep reads it (`\\(`, `\\|`, `\\{n\\}`, `\\<`, `\\>`,
brackets where a backslash is an ordinary character). RE2 has no back-references (`\\1`):
those are refused with a clear message rather than run by a backtracking engine.
"""
from __future__ import annotations

import functools

import re2

from engine.errors import PatternError

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # an invalid pattern is the learner's mistake, not a log line
_SPECIAL = set(".[]{}()\\*+?^$|")


@functools.lru_cache(maxsize=32)  # a filter is matched against every image or container
def compile_re2(pattern: str, ignore_case: bool = False):
    """An RE2 pattern (Go regexp syntax). Raises PatternError."""
    try:
        return re2.compile(("(?i)" if ignore_case else "") + pattern, _OPTIONS)
    except re2.error as err:
        text = err.args[0].decode(errors="replace") if err.args and isinstance(err.args[0], bytes) else str(err)
        raise PatternError("paren" if text.startswith("missing )") else
                           "bracket" if text.startswith("missing ]") else "invalid") from None


def go_search(pattern: str, text: str) -> bool | None:
    """Go's regexp.MatchString: True/False, None when the pattern does not compile."""
    try:
        return compile_re2(pattern).search(text) is not None
    except PatternError:
        return None


def glob_fullmatch(regex: str, text: str) -> bool:
    """A regex built from a glob (only literals and classes): RE2 so `*a*a*a…` cannot backtrack."""
    return compile_re2(regex).fullmatch(text) is not None


def escape(text: str) -> str:
    return "".join("\\" + ch if ch in _SPECIAL else ch for ch in text)


# ---- grep ------------------------------------------------------------------------------------------
def grep_regex(pattern: str, *, extended: bool, fixed: bool = False, ignore_case: bool = False,
               word: bool = False, line: bool = False):
    """A compiled RE2 pattern for grep's -E / -F / default (basic) syntax and -i -w -x. Raises PatternError."""
    body = escape(pattern) if fixed else _translate(pattern, extended)
    if word:
        body = rf"\b(?:{body})\b"
    if line:
        body = rf"^(?:{body})$"
    return compile_re2(body, ignore_case)


def _bracket(pattern: str, i: int) -> tuple[str, int]:
    """A POSIX bracket expression at pattern[i] == '[' -> (RE2 text, index after it)."""
    j = i + 1
    if j < len(pattern) and pattern[j] == "^":
        j += 1
    if j < len(pattern) and pattern[j] == "]":  # a ']' first is an ordinary member
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        if pattern[j] == "[" and pattern[j + 1:j + 2] in (":", "=", "."):
            close = pattern.find(pattern[j + 1] + "]", j + 2)
            if close < 0:
                raise PatternError("bracket")
            j = close + 2
        else:
            j += 1
    if j >= len(pattern):
        raise PatternError("bracket")
    inner = pattern[i + 1:j]
    negate = inner.startswith("^")
    members = inner[1:] if negate else inner
    # RE2 reads a backslash in a class as an escape; POSIX as itself. `[` and `]` are escaped
    # unless they open a named class.
    out, k = [], 0
    while k < len(members):
        ch = members[k]
        if ch == "[" and members[k + 1:k + 2] in (":", "=", "."):
            close = members.find(members[k + 1] + "]", k + 2)
            token = members[k:close + 2]
            if members[k + 1] == ":":
                out.append(token)
            else:  # [=a=] and [.a.] name one character
                out.append(escape(members[k + 2:close]))
            k = close + 2
            continue
        out.append("\\" + ch if ch in "\\[]" else ch)
        k += 1
    return "[" + ("^" if negate else "") + "".join(out) + "]", j + 1


def _translate(pattern: str, extended: bool) -> str:
    """GNU grep's basic (BRE) or extended (ERE) syntax -> RE2 syntax."""
    out: list[str] = []
    i, n = 0, len(pattern)
    start = True  # at the start of the pattern or of a group or alternative: `*` is literal here
    while i < n:
        ch = pattern[i]
        at_start, start = start, False
        if ch == "[":
            text, i = _bracket(pattern, i)
            out.append(text)
            continue
        if ch == "\\":
            if i + 1 >= n:
                raise PatternError("invalid")  # "Trailing backslash"
            nxt = pattern[i + 1]
            i += 2
            if nxt.isdigit() and nxt != "0":
                raise PatternError("backref")
            if nxt in "<>":
                out.append(r"\b")
            elif nxt == "`":
                out.append(r"\A")
            elif nxt == "'":
                out.append(r"\z")
            elif nxt in "wWsSbB":
                out.append("\\" + nxt)
            elif not extended and nxt in "(){}|+?":
                out.append(nxt)  # GNU BRE: \( \) \{ \} \| \+ \? are the operators
                start = nxt in "(|"
            else:
                out.append(escape(nxt))
            continue
        if not extended and ch in "(){}|+?":
            out.append("\\" + ch)  # ordinary characters in a basic pattern
        elif ch == "*" and at_start:
            out.append(r"\*")
        elif ch == "^" and not extended and not at_start:
            out.append(r"\^")
        elif ch == "$" and not extended and not _at_end(pattern, i + 1):
            out.append(r"\$")
        else:
            out.append(ch)
            start = extended and ch in "(|" or ch == "^"
        i += 1
    return "".join(out)


def _at_end(pattern: str, i: int) -> bool:
    """In a basic pattern `$` anchors only at the end, or before `\\)` or `\\|`."""
    return i >= len(pattern) or pattern.startswith(("\\)", "\\|"), i)
