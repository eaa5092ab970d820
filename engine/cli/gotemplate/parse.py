"""The template parser: Go's text/template/parse/parse.go, recursive descent over the lexer's items,
with Go's own error texts."""
from __future__ import annotations

from engine import limits
from engine.cli.formatter.display import quote_go
from engine.cli.gotemplate.lex import Item, Lexer
from engine.cli.gotemplate.tree import (OPERAND_START, Action, Chain, Command, Control, Field, Identifier, Literal,
                                        Marker, Node, Pipe, Text, Variable)
from engine.errors import TemplateError


class Parser:
    def __init__(self, text: str, funcs: dict, name: str = ""):
        self.items = Lexer(text).run()
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
            if item.typ not in OPERAND_START:
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
