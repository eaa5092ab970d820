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
"""
from __future__ import annotations

import unicodedata
from typing import NamedTuple

from engine import budget, limits
from engine.cli.format import GoNil, go_json, go_print, go_sprint, go_sprintf, go_sprintln, go_type_name, quote_go
from engine.errors import TemplateCallError as _CallError
from engine.errors import TemplateError


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


# ==================================================================================================
# Lexer (parse/lex.go)

KEYWORDS = {".": "DOT", "block": "BLOCK", "break": "BREAK", "continue": "CONTINUE", "define": "DEFINE",
            "else": "ELSE", "end": "END", "if": "IF", "range": "RANGE", "nil": "NIL",
            "template": "TEMPLATE", "with": "WITH"}
_KEYWORD_TYPES = set(KEYWORDS.values())
_SPACE = " \t\r\n"
_EOF = ""


class Item(NamedTuple):
    typ: str
    pos: int
    val: str
    line: int

    def __str__(self):  # item.String()
        if self.typ == "EOF":
            return "EOF"
        if self.typ == "ERROR":
            return self.val
        if self.typ in _KEYWORD_TYPES:
            return f"<{self.val}>"
        if len(self.val) > 10:
            return quote_go(self.val[:10]) + "..."
        return quote_go(self.val)


def _is_alnum(ch: str) -> bool:
    return ch == "_" or ch.isalpha() or ch.isdecimal()


def _rune_u(ch: str) -> str:  # Go's %#U
    text = "U+%04X" % ord(ch)
    return text + f" '{ch}'" if unicodedata.category(ch)[0] in "LMNPS" or ch == " " else text


class _Lexer:
    def __init__(self, text: str):
        self.text, self.pos, self.start = text, 0, 0
        self.line = self.start_line = 1
        self.paren_depth = 0
        self.items: list[Item] = []

    def run(self) -> list[Item]:
        state = self.lex_text
        while state is not None:
            state = state()
        return self.items

    # -- helpers
    def next(self) -> str:
        if self.pos >= len(self.text):
            self.pos += 1  # remember we stepped past the end, so backup() stays symmetric
            return _EOF
        ch = self.text[self.pos]
        self.pos += 1
        if ch == "\n":
            self.line += 1
        return ch

    def backup(self):
        self.pos -= 1
        if self.pos < len(self.text) and self.text[self.pos] == "\n":
            self.line -= 1

    def peek(self) -> str:
        ch = self.next()
        self.backup()
        return ch

    def emit(self, typ: str):
        self.items.append(Item(typ, self.start, self.text[self.start:self.pos], self.start_line))
        self.start, self.start_line = self.pos, self.line

    def ignore(self):
        self.line += self.text.count("\n", self.start, self.pos)
        self.start, self.start_line = self.pos, self.line

    def error(self, message: str):
        self.items.append(Item("ERROR", self.start, message, self.start_line))
        return None

    def at_right_delim(self) -> tuple[bool, bool]:
        rest = self.text[self.pos:]
        if len(rest) >= 2 and rest[0] in _SPACE and rest[1] == "-" and rest[2:].startswith("}}"):
            return True, True
        return rest.startswith("}}"), False

    def at_terminator(self) -> bool:
        ch = self.peek()
        return ch in _SPACE and ch != _EOF or ch in (_EOF, ".", ",", "|", ":", ")", "(") or \
            self.text.startswith("}}", self.pos)

    # -- states
    def lex_text(self):
        x = self.text.find("{{", self.pos)
        if x < 0:
            self.pos = len(self.text)
            if self.pos > self.start:
                self.line += self.text.count("\n", self.start, self.pos)
                self.emit("TEXT")
            self.emit("EOF")
            return None
        if x > self.pos:
            self.pos = x
            after = self.text[x + 2:]
            trim = 0
            if len(after) >= 2 and after[0] == "-" and after[1] in _SPACE:
                segment = self.text[self.start:self.pos]
                trim = len(segment) - len(segment.rstrip(_SPACE))
            self.pos -= trim
            self.line += self.text.count("\n", self.start, self.pos)
            if self.pos > self.start:
                self.emit("TEXT")
            self.pos += trim
            self.ignore()
        return self.lex_left_delim

    def lex_left_delim(self):
        self.pos += 2
        rest = self.text[self.pos:]
        marker = 2 if len(rest) >= 2 and rest[0] == "-" and rest[1] in _SPACE else 0
        if self.text.startswith("/*", self.pos + marker):
            self.pos += marker
            self.ignore()
            return self.lex_comment
        self.emit("LEFT_DELIM")
        self.pos += marker
        self.ignore()
        self.paren_depth = 0
        return self.lex_inside_action

    def lex_comment(self):
        self.pos += 2
        x = self.text.find("*/", self.pos)
        if x < 0:
            return self.error("unclosed comment")
        self.pos = x + 2
        delim, trim = self.at_right_delim()
        if not delim:
            return self.error("comment ends before closing delimiter")
        self.pos += (2 if trim else 0) + 2
        if trim:
            rest = self.text[self.pos:]
            self.pos += len(rest) - len(rest.lstrip(_SPACE))
        self.ignore()
        return self.lex_text

    def lex_right_delim(self):
        _, trim = self.at_right_delim()
        if trim:
            self.pos += 2
            self.ignore()
        self.pos += 2
        self.emit("RIGHT_DELIM")
        if trim:
            rest = self.text[self.pos:]
            self.pos += len(rest) - len(rest.lstrip(_SPACE))
            self.ignore()
        return self.lex_text

    def lex_inside_action(self):
        delim, _ = self.at_right_delim()
        if delim:
            return self.lex_right_delim if self.paren_depth == 0 else self.error("unclosed left paren")
        ch = self.next()
        if ch == _EOF:
            return self.error("unclosed action")
        if ch in _SPACE:
            self.backup()
            return self.lex_space
        simple = {"=": "ASSIGN", "|": "PIPE"}
        if ch in simple:
            self.emit(simple[ch])
        elif ch == ":":
            if self.next() != "=":
                return self.error("expected :=")
            self.emit("DECLARE")
        elif ch == '"':
            return self.lex_quote
        elif ch == "`":
            return self.lex_raw_quote
        elif ch == "$":
            return self.lex_variable
        elif ch == "'":
            return self.lex_char
        elif ch == "." and self.pos < len(self.text) and not "0" <= self.text[self.pos] <= "9":
            return self.lex_field
        elif ch in "+-." or "0" <= ch <= "9":
            self.backup()
            return self.lex_number
        elif _is_alnum(ch):
            self.backup()
            return self.lex_identifier
        elif ch == "(":
            self.paren_depth += 1
            self.emit("LEFT_PAREN")
        elif ch == ")":
            self.paren_depth -= 1
            if self.paren_depth < 0:
                return self.error("unexpected right paren")
            self.emit("RIGHT_PAREN")
        elif ord(ch) < 0x7F and ch.isprintable():
            self.emit("CHAR")
        else:
            return self.error("unrecognized character in action: " + _rune_u(ch))
        return self.lex_inside_action

    def lex_space(self):
        count = 0
        while self.peek() in _SPACE and self.peek() != _EOF:
            self.next()
            count += 1
        rest = self.text[self.pos - 1:]
        if len(rest) >= 2 and rest[0] in _SPACE and rest[1] == "-" and rest[2:].startswith("}}"):
            self.backup()
            if count == 1:
                return self.lex_right_delim
        self.emit("SPACE")
        return self.lex_inside_action

    def lex_identifier(self):
        while _is_alnum(self.next()):
            pass
        self.backup()
        word = self.text[self.start:self.pos]
        if not self.at_terminator():
            return self.error("bad character " + _rune_u(self.peek()))
        if word in KEYWORDS and word != ".":
            self.emit(KEYWORDS[word])
        elif word in ("true", "false"):
            self.emit("BOOL")
        else:
            self.emit("IDENTIFIER")
        return self.lex_inside_action

    def lex_field(self):
        return self.lex_field_or_variable("FIELD")

    def lex_variable(self):
        if self.at_terminator():
            self.emit("VARIABLE")
            return self.lex_inside_action
        return self.lex_field_or_variable("VARIABLE")

    def lex_field_or_variable(self, typ: str):
        if self.at_terminator():
            self.emit("VARIABLE" if typ == "VARIABLE" else "DOT")
            return self.lex_inside_action
        while _is_alnum(self.next()):
            pass
        self.backup()
        if not self.at_terminator():
            return self.error("bad character " + _rune_u(self.peek()))
        self.emit(typ)
        return self.lex_inside_action

    def _lex_quoted(self, quote: str, typ: str, message: str):
        while True:
            ch = self.next()
            if ch == "\\":
                ch = self.next()
                if ch not in (_EOF, "\n"):
                    continue
            if ch in (_EOF, "\n"):
                return self.error(message)
            if ch == quote:
                break
        self.emit(typ)
        return self.lex_inside_action

    def lex_char(self):
        return self._lex_quoted("'", "CHAR_CONSTANT", "unterminated character constant")

    def lex_quote(self):
        return self._lex_quoted('"', "STRING", "unterminated quoted string")

    def lex_raw_quote(self):
        end = self.text.find("`", self.pos)
        if end < 0:
            return self.error("unterminated raw quoted string")
        self.line += self.text.count("\n", self.pos, end)
        self.pos = end + 1
        self.emit("RAW_STRING")
        return self.lex_inside_action

    def lex_number(self):
        if not self.scan_number():
            return self.error("bad number syntax: " + quote_go(self.text[self.start:self.pos]))
        if self.peek() in ("+", "-") and self.peek() != _EOF:
            return self.error("complex numbers are not supported")
        self.emit("NUMBER")
        return self.lex_inside_action

    def accept(self, valid: str) -> bool:
        ch = self.next()
        if ch != _EOF and ch in valid:
            return True
        self.backup()
        return False

    def accept_run(self, valid: str):
        while self.accept(valid):
            pass

    def scan_number(self) -> bool:
        self.accept("+-")
        digits = "0123456789_"
        if self.accept("0"):
            if self.accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif self.accept("oO"):
                digits = "01234567_"
            elif self.accept("bB"):
                digits = "01_"
        self.accept_run(digits)
        if self.accept("."):
            self.accept_run(digits)
        if len(digits) == 11 and self.accept("eE"):
            self.accept("+-")
            self.accept_run("0123456789_")
        if len(digits) == 23 and self.accept("pP"):
            self.accept("+-")
            self.accept_run("0123456789_")
        self.accept("i")
        if _is_alnum(self.peek()) and self.peek() != _EOF:
            self.next()
            return False
        return True


# ==================================================================================================
# Parse tree (parse/node.go); str(node) is Go's node.String(), used in error contexts

class Node:
    pos = 0


class Text(Node):
    def __init__(self, pos, text):
        self.pos, self.text = pos, text

    def __str__(self):
        return self.text


class Field(Node):
    def __init__(self, pos, idents):
        self.pos, self.idents = pos, idents

    def __str__(self):
        return "".join("." + i for i in self.idents)


class Variable(Node):
    def __init__(self, pos, idents):
        self.pos, self.idents = pos, idents

    def __str__(self):
        return ".".join(self.idents)


class Chain(Node):
    def __init__(self, pos, node, fields):
        self.pos, self.node, self.fields = pos, node, fields

    def __str__(self):
        inner = f"({self.node})" if isinstance(self.node, Pipe) else str(self.node)
        return inner + "".join("." + f for f in self.fields)


class Literal(Node):
    """Dot, nil, bool, number and string constants."""

    def __init__(self, pos, kind, value, text):
        self.pos, self.kind, self.value, self.text = pos, kind, value, text

    def __str__(self):
        return self.text


class Identifier(Node):
    def __init__(self, pos, name):
        self.pos, self.name = pos, name

    def __str__(self):
        return self.name


class Command(Node):
    def __init__(self, pos):
        self.pos, self.args = pos, []

    def __str__(self):
        return " ".join(f"({a})" if isinstance(a, Pipe) else str(a) for a in self.args)


class Pipe(Node):
    def __init__(self, pos):
        self.pos, self.decl, self.cmds, self.is_assign = pos, [], [], False

    def __str__(self):
        text = ""
        if self.decl:
            text = ", ".join(str(v) for v in self.decl) + (" = " if self.is_assign else " := ")
        return text + " | ".join(str(c) for c in self.cmds)


class Action(Node):
    def __init__(self, pos, pipe):
        self.pos, self.pipe = pos, pipe

    def __str__(self):
        return "{{" + str(self.pipe) + "}}"


class Control(Node):
    """if / range / with."""

    def __init__(self, keyword, pipe, body, else_body):
        self.keyword, self.pipe, self.body, self.else_body = keyword, pipe, body, else_body
        self.pos = pipe.pos

    def __str__(self):
        text = "{{" + self.keyword + " " + str(self.pipe) + "}}" + "".join(map(str, self.body))
        if self.else_body is not None:
            text += "{{else}}" + "".join(map(str, self.else_body))
        return text + "{{end}}"


class Marker(Node):
    """{{end}} and {{else}} while parsing."""

    def __init__(self, pos, keyword):
        self.pos, self.keyword = pos, keyword

    def __str__(self):
        return "{{" + self.keyword + "}}"


_OPERAND_START = {"BOOL", "CHAR_CONSTANT", "DOT", "FIELD", "IDENTIFIER", "NUMBER", "NIL", "RAW_STRING",
                  "STRING", "VARIABLE", "LEFT_PAREN"}


# ==================================================================================================
# Parser (parse/parse.go)

class _Parser:
    def __init__(self, text: str, funcs: dict, name: str = ""):
        self.items = _Lexer(text).run()
        self.i = 0
        self.furthest = 0
        self.funcs, self.name = funcs, name
        self.vars = ["$"]
        self.action_line = 0
        self.depth = 0  # nested parentheses and control bodies: bounded so Python's stack is not

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > limits.MAX_TEMPLATE_DEPTH:
            limits.fail(f"the format template nests more than {limits.MAX_TEMPLATE_DEPTH} parentheses "
                        "or if/range/with blocks", f"{limits.MAX_TEMPLATE_DEPTH} levels", "Nest less")

    # -- token stream
    def next(self) -> Item:
        item = self.items[min(self.i, len(self.items) - 1)]
        self.i += 1
        self.furthest = max(self.furthest, self.i - 1)
        return item

    def backup(self, count: int = 1):
        self.i -= count

    def peek(self) -> Item:
        item = self.next()
        self.backup()
        return item

    def next_non_space(self) -> Item:
        item = self.next()
        while item.typ == "SPACE":
            item = self.next()
        return item

    def peek_non_space(self) -> Item:
        item = self.next_non_space()
        self.backup()
        return item

    # -- errors
    def errorf(self, message: str):
        line = self.items[min(self.furthest, len(self.items) - 1)].line
        raise TemplateError(f"template: {self.name}:{line}: {message}")

    def unexpected(self, item: Item, context: str):
        if item.typ == "ERROR":
            extra = ""
            if self.action_line and self.action_line != item.line:
                extra = f" in action started at {self.name}:{self.action_line}"
                if item.val.endswith(" action"):
                    extra = extra[len(" in action"):]
            self.errorf(f"{item}{extra}")
        self.errorf(f"unexpected {item} in {context}")

    def expect(self, typ: str, context: str) -> Item:
        item = self.next_non_space()
        if item.typ != typ:
            self.unexpected(item, context)
        return item

    # -- grammar
    def parse(self) -> list[Node]:
        root = []
        while self.peek().typ != "EOF":
            node = self.text_or_action()
            if isinstance(node, Marker):
                self.errorf(f"unexpected {node}")
            root.append(node)
        return root

    def item_list(self):
        nodes = []
        self.deeper()
        while self.peek_non_space().typ != "EOF":
            node = self.text_or_action()
            if isinstance(node, Marker):
                self.depth -= 1
                return nodes, node
            nodes.append(node)
        self.errorf("unexpected EOF")

    def text_or_action(self) -> Node:
        item = self.next_non_space()
        if item.typ == "TEXT":
            return Text(item.pos, item.val)
        if item.typ == "LEFT_DELIM":
            self.action_line = item.line
            try:
                return self.action()
            finally:
                self.action_line = 0
        self.unexpected(item, "input")

    def action(self) -> Node:
        item = self.next_non_space()
        if item.typ in ("IF", "RANGE", "WITH"):
            return self.control(item.val)
        if item.typ == "ELSE":
            ahead = self.peek_non_space()
            if ahead.typ in ("IF", "WITH"):
                return Marker(ahead.pos, "else")
            return Marker(self.expect("RIGHT_DELIM", "else").pos, "else")
        if item.typ == "END":
            return Marker(self.expect("RIGHT_DELIM", "end").pos, "end")
        if item.typ in ("BLOCK", "BREAK", "CONTINUE", "DEFINE", "TEMPLATE"):
            self.errorf(f"{{{{{item.val}}}}} is not supported here")
        self.backup()
        return Action(self.peek().pos, self.pipeline("command", "RIGHT_DELIM"))

    def control(self, keyword: str) -> Control:
        mark = len(self.vars)
        pipe = self.pipeline(keyword, "RIGHT_DELIM")
        body, end = self.item_list()
        else_body = None
        if end.keyword == "else":
            if keyword in ("if", "with") and self.peek().typ == keyword.upper():
                self.next()
                else_body = [self.control(keyword)]
            else:
                else_body, end = self.item_list()
                if end.keyword != "end":
                    self.errorf(f"expected end; found {end}")
        del self.vars[mark:]
        return Control(keyword, pipe, body, else_body)

    def pipeline(self, context: str, end: str) -> Pipe:
        pipe = Pipe(self.peek_non_space().pos)
        self.declarations(pipe, context)
        while True:
            item = self.next_non_space()
            if item.typ == end:
                self.check_pipeline(pipe, context)
                return pipe
            if item.typ not in _OPERAND_START:
                self.unexpected(item, context)
            self.backup()
            pipe.cmds.append(self.command())

    def declarations(self, pipe: Pipe, context: str):
        while self.peek_non_space().typ == "VARIABLE":
            start = self.i
            var = self.next_non_space()
            ahead = self.peek_non_space()
            if ahead.typ in ("ASSIGN", "DECLARE"):
                pipe.is_assign = ahead.typ == "ASSIGN"
                self.next_non_space()
            elif ahead.typ == "CHAR" and ahead.val == ",":
                self.next_non_space()
                if context == "range" and not pipe.decl:
                    if self.peek_non_space().typ in ("VARIABLE", "RIGHT_DELIM", "RIGHT_PAREN"):
                        pipe.decl.append(Variable(var.pos, var.val.split(".")))
                        self.vars.append(var.val)
                        continue
                    self.errorf("range can only initialize variables")
                self.errorf(f"too many declarations in {context}")
            else:
                self.i = start
                return
            pipe.decl.append(Variable(var.pos, var.val.split(".")))
            self.vars.append(var.val)
            return

    def check_pipeline(self, pipe: Pipe, context: str):
        if not pipe.cmds:
            self.errorf(f"missing value for {context}")
        for stage, cmd in enumerate(pipe.cmds[1:], start=2):
            if isinstance(cmd.args[0], Literal):
                self.errorf(f"non executable command in pipeline stage {stage}")

    def command(self) -> Command:
        cmd = Command(self.peek_non_space().pos)
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            item = self.next()
            if item.typ == "SPACE":
                continue
            if item.typ in ("RIGHT_DELIM", "RIGHT_PAREN"):
                self.backup()
            elif item.typ != "PIPE":
                self.unexpected(item, "operand")
            break
        if not cmd.args:
            self.errorf("empty command")
        return cmd

    def operand(self):
        node = self.term()
        if node is None or self.peek().typ != "FIELD":
            return node
        pos, fields = self.peek().pos, []
        while self.peek().typ == "FIELD":
            fields.append(self.next().val[1:])
        if isinstance(node, Field):
            return Field(pos, node.idents + fields)
        if isinstance(node, Variable):
            return Variable(pos, node.idents + fields)
        if isinstance(node, Literal):
            self.errorf(f"unexpected . after term {quote_go(str(node))}")
        return Chain(pos, node, fields)

    def term(self):
        item = self.next_non_space()
        typ = item.typ
        if typ == "IDENTIFIER":
            if item.val not in self.funcs:
                self.errorf(f"function {quote_go(item.val)} not defined")
            return Identifier(item.pos, item.val)
        if typ == "DOT":
            return Literal(item.pos, "dot", None, ".")
        if typ == "NIL":
            return Literal(item.pos, "nil", None, "nil")
        if typ == "VARIABLE":
            name = item.val.split(".")[0]
            if name not in self.vars:
                self.errorf(f"undefined variable {quote_go(name)}")
            return Variable(item.pos, item.val.split("."))
        if typ == "FIELD":
            return Field(item.pos, [item.val[1:]])
        if typ == "BOOL":
            return Literal(item.pos, "bool", item.val == "true", item.val)
        if typ in ("NUMBER", "CHAR_CONSTANT"):
            return Literal(item.pos, "number", self.number(item), item.val)
        if typ == "LEFT_PAREN":
            self.deeper()
            pipe = self.pipeline("parenthesized pipeline", "RIGHT_PAREN")
            self.depth -= 1
            return pipe
        if typ in ("STRING", "RAW_STRING"):
            return Literal(item.pos, "string", self.unquote(item.val), item.val)
        self.backup()
        return None

    def number(self, item: Item):
        text = item.val
        try:
            if item.typ == "CHAR_CONSTANT":
                value = _unquote_go(text, "'")
                if len(value) != 1:
                    raise ValueError
                return ord(value)
            clean = text.replace("_", "")
            if clean.lower().lstrip("+-").startswith(("0x", "0o", "0b")) or clean.lstrip("+-").isdigit():
                body = clean.lstrip("+-")
                sign = -1 if clean.startswith("-") else 1
                if len(body) > 1 and body[0] == "0" and body[1].isdigit():
                    return sign * int(body, 8)
                return sign * int(body, 0)
            return float(clean)
        except ValueError:
            self.errorf(f"illegal number syntax: {quote_go(text)}")

    def unquote(self, text: str) -> str:
        if text.startswith("`"):
            return text[1:-1].replace("\r", "")
        try:
            return _unquote_go(text, '"')
        except ValueError:
            self.errorf("invalid syntax")


_UNESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}


def _unquote_go(text: str, quote: str) -> str:
    """strconv.Unquote for "..." and '...' literals."""
    body, out, i = text[1:-1], [], 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        esc = body[i + 1] if i + 1 < len(body) else ""
        if esc in _UNESCAPES:
            out.append(_UNESCAPES[esc])
            i += 2
        elif esc == quote:
            out.append(quote)
            i += 2
        elif esc in ("x", "u", "U"):
            size = {"x": 2, "u": 4, "U": 8}[esc]
            out.append(chr(int(body[i + 2:i + 2 + size], 16)))
            if len(body[i + 2:i + 2 + size]) != size:
                raise ValueError
            i += 2 + size
        elif esc.isdigit():
            out.append(chr(int(body[i + 1:i + 4], 8)))
            i += 4
        else:
            raise ValueError
    return "".join(out)


# ==================================================================================================
# Execution (exec.go). MISSING is Go's invalid reflect.Value: a key that isn't there.

class _Missing:
    def __repr__(self):
        return "MISSING"


MISSING = _Missing()
_NO_FINAL = object()  # Go's missingVal: no previous command in the pipeline (not the same as MISSING)
_IFACE = "interface {}"


class _Exec:
    def __init__(self, text: str, name: str, funcs: dict, missingkey: str):
        self.text, self.name, self.funcs, self.missingkey = text, name, funcs, missingkey
        self.node: Node | None = None
        self.vars: list[list] = []
        self.out: list[str] = []
        self.size = 0  # characters in self.out: the output is bounded as it grows
        self.budget = budget.current()

    def emit(self, text: str) -> None:
        self.size += len(text)
        limits.check_template_output(self.size)
        self.budget.spend(len(text))
        self.out.append(text)

    def errorf(self, message: str):
        if self.node is None:
            raise TemplateError(f"template: {self.name}: {message}")
        before = self.text[:self.node.pos]
        newline = before.rfind("\n")
        column = len(before[newline + 1:].encode("utf-8")) if newline >= 0 else len(before.encode("utf-8"))
        location = f"{self.name}:{1 + before.count(chr(10))}:{column}"
        raise TemplateError(f"template: {location}: executing {quote_go(self.name)} at <{self.node}>: {message}")

    # -- walking
    def walk(self, dot, dot_type: str, nodes):
        step = self.budget.step
        for node in nodes:
            step()  # every node walked, so nested ranges count each pass
            self.node = node
            if isinstance(node, Text):
                self.emit(node.text)
            elif isinstance(node, Action):
                value = self.eval_pipeline(dot, dot_type, node.pipe)
                if not node.pipe.decl:
                    self.node = node
                    self.emit(_print_value(value))
            elif node.keyword == "range":
                self.walk_range(dot, dot_type, node)
            else:
                self.walk_if_or_with(dot, dot_type, node)

    def walk_if_or_with(self, dot, dot_type, node: Control):
        mark = len(self.vars)
        value = self.eval_pipeline(dot, dot_type, node.pipe)
        if _truth(value):
            if node.keyword == "with":
                self.walk(value, go_type_name(value), node.body)
            else:
                self.walk(dot, dot_type, node.body)
        elif node.else_body is not None:
            self.walk(dot, dot_type, node.else_body)
        del self.vars[mark:]

    def walk_range(self, dot, dot_type, node: Control):
        mark = len(self.vars)
        value = self.eval_pipeline(dot, dot_type, node.pipe)
        inner_mark = len(self.vars)
        if isinstance(value, (list, tuple)):
            pairs, elem_type = list(enumerate(value)), _IFACE
        elif isinstance(value, dict):
            pairs, elem_type = [(k, value[k]) for k in sorted(value, key=_map_key)], _IFACE
        elif isinstance(value, int) and not isinstance(value, bool):
            if value < 0:
                self.errorf("range can't iterate over a negative number")
            pairs, elem_type = zip(range(value), range(value)), "int"  # lazily: {{range 1000000000}}
        elif value is MISSING or isinstance(value, GoNil) and value.kind != "ptr":
            pairs, elem_type = [], _IFACE
        else:
            self.errorf(f"range can't iterate over {_print_value(value)}")
        empty = True
        for index, elem in pairs:
            empty = False
            self.budget.step()  # an empty body still costs a step per pass
            decl = node.pipe.decl
            if decl:
                self._set_range_var(decl, node.pipe.is_assign, index, elem)
            self.walk(elem, elem_type, node.body)
            del self.vars[inner_mark:]
        if empty and node.else_body is not None:
            self.walk(dot, dot_type, node.else_body)
        del self.vars[mark:]

    def _set_range_var(self, decl, is_assign, index, elem):
        names = [v.idents[0] for v in decl]
        values = [elem] if len(names) == 1 else [index, elem]
        for name, value in zip(names, values):
            if is_assign:
                self.set_var(name, value)
            else:
                for entry in reversed(self.vars):
                    if entry[0] == name:
                        entry[1] = value
                        break

    # -- variables
    def var_value(self, name: str):
        for entry in reversed(self.vars):
            if entry[0] == name:
                return entry[1]
        self.errorf(f"undefined variable: {name}")

    def set_var(self, name: str, value):
        for entry in reversed(self.vars):
            if entry[0] == name:
                entry[1] = value
                return
        self.errorf(f"undefined variable: {name}")

    # -- evaluation
    def eval_pipeline(self, dot, dot_type, pipe: Pipe):
        self.budget.step()  # (((…))) evaluates a pipeline per parenthesis
        self.node = pipe
        value = _NO_FINAL
        for cmd in pipe.cmds:
            value = self.eval_command(dot, dot_type, cmd, value)
            if value is None:  # a nil interface{} unwraps to no value at all
                value = MISSING
        for var in pipe.decl:
            if pipe.is_assign:
                self.set_var(var.idents[0], value)
            else:
                self.vars.append([var.idents[0], value])
        return value

    def eval_command(self, dot, dot_type, cmd: Command, final):
        first = cmd.args[0]
        if isinstance(first, Field):
            self.node = first
            return self.eval_field_chain(dot, dot, dot_type, first.idents, cmd.args, final)
        if isinstance(first, Chain):
            self.node = first
            if isinstance(first.node, Literal) and first.node.kind == "nil":
                self.errorf(f"indirection through explicit nil in {first}")
            receiver = self.eval_arg(dot, dot_type, "value", first.node)
            self.node = first
            return self.eval_field_chain(dot, receiver, go_type_name(receiver), first.fields, cmd.args, final)
        if isinstance(first, Identifier):
            self.node = first
            return self.call(dot, dot_type, first.name, cmd, cmd.args[1:], final)
        if isinstance(first, Pipe):
            self._not_a_function(cmd.args, final)
            return self.eval_pipeline(dot, dot_type, first)
        if isinstance(first, Variable):
            self.node = first
            value = self.var_value(first.idents[0])
            if len(first.idents) == 1:
                self._not_a_function(cmd.args, final)
                return value
            return self.eval_field_chain(dot, value, go_type_name(value), first.idents[1:], cmd.args, final)
        self.node = first
        self._not_a_function(cmd.args, final)
        if first.kind == "nil":
            self.errorf("nil is not a command")
        return dot if first.kind == "dot" else first.value

    def _not_a_function(self, args, final):
        if len(args) > 1 or final is not _NO_FINAL:
            self.errorf(f"can't give argument to non-function {args[0]}")

    def eval_field_chain(self, dot, receiver, receiver_type, idents, args, final):
        for ident in idents[:-1]:
            receiver, receiver_type = self.eval_field(dot, ident, [], _NO_FINAL, receiver, receiver_type)
        return self.eval_field(dot, idents[-1], args, final, receiver, receiver_type)[0]

    def eval_field(self, dot, name, args, final, receiver, receiver_type):
        if receiver is MISSING:
            if self.missingkey == "error":
                self.errorf(f"nil data; no entry for key {quote_go(name)}")
            return MISSING, _IFACE
        if receiver is None or isinstance(receiver, GoNil) and receiver.kind == "ptr":
            self.errorf(f"nil pointer evaluating {receiver_type}.{name}")
        has_args = len(args) > 1 or final is not _NO_FINAL
        if isinstance(receiver, dict) or isinstance(receiver, GoNil) and receiver.kind == "map":
            if has_args:
                self.errorf(f"{name} is not a method but has arguments")
            if isinstance(receiver, dict) and name in receiver:
                return receiver[name], _IFACE
            if getattr(receiver, "go_type", None):  # a formatter context (struct) as a dict
                self.errorf(f"can't evaluate field {name} in type {receiver.go_type}")
            if self.missingkey == "error":
                self.errorf(f"map has no entry for key {quote_go(name)}")
            return MISSING, _IFACE
        if not isinstance(receiver, (str, int, float, list, tuple, GoNil)) and hasattr(receiver, name) \
                and not name.startswith("_"):
            attr = getattr(receiver, name)
            if callable(attr):  # a method: gets the command's arguments and the piped value
                values = [self.eval_arg(dot, _IFACE, "any", a) for a in args[1:]]
                if final is not _NO_FINAL:
                    values.append(_plain(final))
                try:
                    result = attr(*values)
                except TypeError as exc:
                    self.errorf(f"error calling {name}: {exc}")
                return result, go_type_name(result)
            if has_args:
                self.errorf(f"{name} has arguments but cannot be invoked as function")
            return attr, go_type_name(attr)
        self.errorf(f"can't evaluate field {name} in type {receiver_type}")

    def eval_arg(self, dot, dot_type, param: str, node):
        """Evaluate one function argument for a parameter of Go type `param` (string/int/any/value)."""
        self.node = node
        if isinstance(node, Literal) and node.kind != "dot":
            return self._literal_arg(param, node)
        if isinstance(node, Literal):
            value = dot
        elif isinstance(node, Field):
            value = self.eval_field_chain(dot, dot, dot_type, node.idents, [node], _NO_FINAL)
        elif isinstance(node, Variable):
            value = self.eval_command(dot, dot_type, _single(node), _NO_FINAL)
        elif isinstance(node, Pipe):
            value = self.eval_pipeline(dot, dot_type, node)
        else:
            value = self.eval_command(dot, dot_type, _single(node), _NO_FINAL)
        return self.validate(value, param)

    def _literal_arg(self, param: str, node: Literal):
        if node.kind == "nil":
            if param in ("string", "int"):
                self.errorf(f"cannot assign nil to {param}")
            return None
        if param == "string" and node.kind != "string":
            self.errorf(f"expected string; found {node}")
        if param == "int" and not (node.kind == "number" and isinstance(node.value, int)):
            self.errorf(f"expected integer; found {node}")
        return node.value

    def validate(self, value, param: str):
        if param in ("any", "value"):
            return None if value is MISSING and param == "any" else value
        if value is MISSING:
            self.errorf(f"invalid value; expected {param}")
        python_type = str if param == "string" else int
        if not isinstance(value, python_type) or isinstance(value, bool):
            got = _IFACE if value is None else go_type_name(value)
            self.errorf(f"wrong type for value; expected {param}; got {got}")
        return value

    def call(self, dot, dot_type, name, cmd, arg_nodes, final):
        params, variadic, impl = self.funcs[name]
        given = len(arg_nodes) + (0 if final is _NO_FINAL else 1)
        if variadic is None and given != len(params):
            self.errorf(f"wrong number of args for {name}: want {len(params)} got {given}")
        if variadic is not None and given < len(params):
            self.errorf(f"wrong number of args for {name}: want at least {len(params)} got {len(arg_nodes)}")
        if name in ("and", "or"):
            return self._and_or(dot, dot_type, name, arg_nodes, final)
        values = []
        for i, node in enumerate(arg_nodes):
            values.append(self.eval_arg(dot, dot_type, params[i] if i < len(params) else variadic, node))
        if final is not _NO_FINAL:
            param = params[len(values)] if len(values) < len(params) else variadic
            values.append(self.validate(final, param))
        try:
            result = impl(*values)
        except _CallError as exc:
            self.node = cmd
            self.errorf(f"error calling {name}: {exc}")
        if isinstance(result, (str, list)):  # `$x = printf "%s%s" $x $x` doubles: bounded as it grows
            limits.check_template_output(len(result))
            # text made by Python code (json, printf "%v") costs ~100 ns a character
            self.budget.step(len(result) // budget.CHARS_PER_STEP)
            self.budget.spend(len(result))
        return result

    def _and_or(self, dot, dot_type, name, arg_nodes, final):
        value = MISSING
        for node in arg_nodes:
            value = self.eval_arg(dot, dot_type, "value", node)
            if _truth(value) == (name == "or"):
                return value
        return final if final is not _NO_FINAL else value


def _single(node) -> Command:
    cmd = Command(node.pos)
    cmd.args = [node]
    return cmd


def _print_value(value) -> str:
    """printValue: a missing value (or a nil interface reached through a map) prints <no value>."""
    if value is MISSING or value is None:
        return "<no value>"
    return go_print(value)


def _truth(value) -> bool:
    if value is MISSING or value is None or isinstance(value, GoNil):
        return False
    if isinstance(value, (str, list, tuple, dict)):
        return len(value) > 0
    if isinstance(value, (bool, int, float)):
        return value != 0
    return True


def _map_key(key):
    return (0, key, b"") if isinstance(key, (int, float)) else (1, 0, str(key).encode("utf-8"))


# ==================================================================================================
# Functions (text/template funcs.go builtins + docker/cli templates.go basicFunctions)

def _plain(value):
    return None if value is MISSING else value


def _len(item):
    item = _plain(item)
    if item is None or isinstance(item, GoNil) and item.kind == "ptr":
        raise _CallError("len of nil pointer")
    if isinstance(item, GoNil):
        return 0
    if isinstance(item, str):
        return len(item.encode("utf-8"))  # Go's len counts bytes
    if isinstance(item, (list, tuple, dict)):
        return len(item)
    raise _CallError(f"len of type {go_type_name(item)}")


def _index(item, *indexes):
    item = _plain(item)
    if item is None:
        raise _CallError("index of untyped nil")
    for index in indexes:
        index = _plain(index)
        if item is None or isinstance(item, GoNil) and item.kind == "ptr":
            raise _CallError("index of nil pointer")
        if isinstance(item, GoNil):  # a nil slice has no elements, a nil map no keys
            item = [] if item.kind == "slice" else {}
        if isinstance(item, (list, tuple, str)):
            seq = item.encode("utf-8") if isinstance(item, str) else item  # a string indexes bytes
            if index is None:
                raise _CallError("cannot index slice/array with nil")
            if not isinstance(index, int) or isinstance(index, bool):
                raise _CallError(f"cannot index slice/array with type {go_type_name(index)}")
            if index < 0 or index >= len(seq):
                raise _CallError(f"index out of range: {index}")
            item = seq[index]
        elif isinstance(item, dict):
            if not isinstance(index, str):
                raise _CallError(f"value has type {go_type_name(index)}; should be string")
            item = item.get(index)  # a missing key gives the zero value: a nil interface
        else:
            raise _CallError(f"can't index item of type {go_type_name(item)}")
    return item


def _basic_kind(value):
    for kind, types in (("bool", bool), ("int", int), ("float", float), ("string", str)):
        if isinstance(value, types):
            return kind
    return None


def _eq(arg1, *others):
    arg1 = _plain(arg1)
    if not others:
        raise _CallError("missing argument for comparison")
    for other in others:
        other = _plain(other)
        k1, k2 = _basic_kind(arg1), _basic_kind(other)
        if k1 != k2:
            if arg1 is not None and other is not None:
                raise _CallError(f"incompatible types for comparison: {go_type_name(arg1)} and {go_type_name(other)}")
            if (arg1 is None) == (other is None):
                return True
        elif k1 is None:
            if arg1 is None or other is None:
                if (arg1 is None) == (other is None):
                    return True
            else:
                raise _CallError(f"non-comparable type {go_print(other)}: {go_type_name(other)}")
        elif arg1 == other:
            return True
    return False


def _less(arg1, arg2, or_equal: bool):
    arg1, arg2 = _plain(arg1), _plain(arg2)
    k1, k2 = _basic_kind(arg1), _basic_kind(arg2)
    if k1 is None or k2 is None or k1 == "bool":
        raise _CallError("invalid type for comparison")
    if k1 != k2:
        raise _CallError(f"incompatible types for comparison: {go_type_name(arg1)} and {go_type_name(arg2)}")
    return arg1 <= arg2 if or_equal else arg1 < arg2


def _join(elems, sep):
    if elems is None:
        return ""
    if isinstance(elems, (list, tuple)):
        return sep.join(go_sprint(e) for e in elems)
    if isinstance(elems, GoNil) and elems.kind in ("slice", "map"):
        return ""
    if isinstance(elems, dict):
        return sep.join(sorted(go_sprint(v) for v in elems.values()))
    raise _CallError(f"expected slice, got {go_type_name(elems)}")


def _split(s, sep):
    if sep == "":
        return list(s)
    return s.split(sep)


def _title(s):
    # strings.Title: upper-case the first letter of each word; separators are spaces and ASCII
    # characters other than letters, digits and underscore.
    out, previous = [], " "
    for ch in s:
        separator = previous.isspace() or (previous.isascii() and not (previous.isalnum() or previous == "_"))
        out.append(_go_upper(ch) if separator else ch)
        previous = ch
    return "".join(out)


def _go_upper(s):
    return "".join(c.upper() if len(c.upper()) == 1 else c for c in s)


def _go_lower(s):
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in s)


def _json(value):
    try:
        return go_json(_plain(value), escape_html=False)
    except (TypeError, ValueError) as exc:
        raise _CallError(str(exc)) from None


def _pad(source, prefix, suffix):
    limits.check_template_output(max(prefix, 0) + len(source) + max(suffix, 0))  # before the spaces exist
    return source if source == "" else " " * prefix + source + " " * suffix


def _truncate(source, length):
    raw = source.encode("utf-8")
    return source if len(raw) < length else raw[:length].decode("utf-8", errors="ignore")


def _not(value):
    return not _truth(value)


def _print(*args):
    return go_sprint(*map(_plain, args))


def _println(*args):
    return go_sprintln(*map(_plain, args))


def _printf(fmt, *args):
    return go_sprintf(fmt, *map(_plain, args))


# name -> (fixed parameter types, variadic element type or None, implementation)
BASIC_FUNCS = {
    "and": (["value"], "value", None), "or": (["value"], "value", None),
    "not": (["value"], None, _not), "len": (["value"], None, _len),
    "index": (["value"], "value", _index),
    "print": ([], "any", _print), "printf": (["string"], "any", _printf), "println": ([], "any", _println),
    "eq": (["value"], "value", _eq), "ne": (["value", "value"], None, lambda a, b: not _eq(a, b)),
    "lt": (["value", "value"], None, lambda a, b: _less(a, b, False)),
    "le": (["value", "value"], None, lambda a, b: _less(a, b, True)),
    "gt": (["value", "value"], None, lambda a, b: _less(b, a, False)),
    "ge": (["value", "value"], None, lambda a, b: _less(b, a, True)),
    "json": (["any"], None, _json), "split": (["string", "string"], None, _split),
    "join": (["any", "string"], None, _join), "title": (["string"], None, _title),
    "lower": (["string"], None, _go_lower), "upper": (["string"], None, _go_upper),
    "pad": (["string", "int", "int"], None, _pad), "truncate": (["string", "int"], None, _truncate),
}

# templates.HeaderFunctions: a table's header row is the same template run over the header names,
# with these functions leaving the names untouched.
HEADER_FUNCS = dict(BASIC_FUNCS)
HEADER_FUNCS.update({
    "json": (["string"], None, lambda v: v), "split": (["string", "string"], None, lambda v, _: v),
    "join": (["string", "string"], None, lambda v, _: v), "title": (["string"], None, lambda v: v),
    "lower": (["string"], None, lambda v: v), "upper": (["string"], None, lambda v: v),
    "truncate": (["string", "int"], None, lambda v, _: v),
})


# ==================================================================================================
# Public API

class Template:
    """A parsed template. Parse errors are raised by parse(), before any data is seen (as docker does)."""

    def __init__(self, text: str, header: bool = False, name: str = ""):
        self.text, self.name = text, name
        self.funcs = HEADER_FUNCS if header else BASIC_FUNCS
        self.root = _Parser(text, self.funcs, name).parse()

    def execute(self, data, missingkey: str = "default", partial: bool = False) -> str:
        """missingkey="error" is what `docker inspect` uses when it renders over decoded JSON.
        partial=True returns what was written before an error, as Go's Execute leaves it in the
        buffer (docker/cli's table header ignores that error: formatter.go postFormat)."""
        run = _Exec(self.text, self.name, self.funcs, missingkey)
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
    return Template(text, header=header)


def render(template: str, data, missingkey: str = "default") -> str:
    return Template(template).execute(data, missingkey=missingkey)
