"""A safe subset of Go's text/template, as `docker ... --format` runs it (docker/cli `templates.Parse`).

The lexer, recursive-descent parser and evaluator follow Go's text/template (parse/lex.go, parse.go,
node.go, exec.go, funcs.go) closely enough that error texts are Go's own, e.g.
``template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope"``.
Supported: text, comments, trim markers, fields, chains, variables ($, $x := …, $x = …), parentheses,
pipelines, if / else if / else, range (with `$i, $e :=` and else), with, Go's builtins and, or, not, len,
index, print, printf, println, eq, ne, lt, le, gt, ge, and docker's json, split, join, title, lower,
upper, pad, truncate. Not supported (raise TemplateError): define, template, block, break, continue,
slice, html, js, urlquery, call, complex numbers.

Data model: dict = Go map[string]interface{} (what inspect decodes JSON into), list = []interface{},
None = a nil interface, GoNil = a typed nil; other objects act as structs (attributes; callable
attributes are methods). Never uses eval().

This module is the entry point; the pieces are lex (lex.go), tree (node.go), parse (parse.go),
exec (exec.go), funcs (funcs.go + docker's functions) and values (missing values, truth).
"""
from __future__ import annotations

import functools

from engine.cli.formatter.goprint import go_type_name
from engine.cli.gotemplate.exec import Exec
from engine.cli.gotemplate.funcs import BASIC_FUNCS, HEADER_FUNCS
from engine.cli.gotemplate.parse import Parser
from engine.cli.gotemplate.values import MISSING
from engine.errors import TemplateError

__all__ = ["Template", "TemplateError", "is_table_format", "parse", "render", "table_template"]


# ==================================================================================================
# Docker's --format preprocessing (cli/command/formatter/formatter.go, v28.5 Context.preFormat)

def is_table_format(fmt: str) -> bool:
    return fmt.startswith("table")


def table_template(fmt: str) -> str:
    """The template text docker runs for a list command's --format: drops a leading "table", maps
    "json" to "{{json .}}", trims spaces and turns the two-character sequences \\t and \\n into a tab
    and a newline. (`docker inspect --format` does none of this.) A bare "table" is the command's own
    default table; callers handle it before calling this."""
    if is_table_format(fmt):
        fmt = fmt[len("table"):]
    elif fmt == "json":
        fmt = "{{json .}}"
    return fmt.strip(" ").replace("\\t", "\t").replace("\\n", "\n")


# Public API

class Template:
    """A parsed template. Parse errors are raised by parse(), before any data is seen (as docker does)."""

    def __init__(self, text: str, header: bool = False, name: str = ""):
        self.text, self.name = text, name
        self.funcs = HEADER_FUNCS if header else BASIC_FUNCS
        self.root = Parser(text, self.funcs, name).parse()

    def execute(self, data, missingkey: str = "default", partial: bool = False) -> str:
        """missingkey="error" is what `docker inspect` uses when it renders over decoded JSON.
        partial=True returns what was written before an error, as Go's Execute leaves it in the
        buffer (docker/cli's table header ignores that error: formatter.go postFormat)."""
        run = Exec(self.text, self.name, self.funcs, missingkey)
        if data is None:  # reflect.ValueOf(nil): no value at all
            data = MISSING
        run.vars.append(["$", data])
        try:
            run.walk(data, go_type_name(data), self.root)
        except TemplateError:
            if not partial:
                raise
        return "".join(run.out)


def parse(text: str, header: bool = False) -> Template:
    if len(text) > _MEMO_TEXT:  # a rare giant --format is parsed each time instead of filling the memo
        return Template(text, header=header)
    return _parsed(text, bool(header))


_MEMO_TEXT = 4096  # characters; with maxsize, the memo stays a few MiB at most


# Why a parsed template can be shared: a Template is never changed after __init__ (execute builds a
# fresh Exec per call and only reads the tree and the function table), and the tree is a function
# of the text, the function table and the fixed limits alone (parsing spends no budget). So one tree
# serves every call and every thread. A parse error is raised again each time: lru_cache keeps only
# returned values.
@functools.lru_cache(maxsize=256)
def _parsed(text: str, header: bool) -> Template:
    return Template(text, header=header)


def render(template: str, data, missingkey: str = "default") -> str:
    return parse(template).execute(data, missingkey=missingkey)
