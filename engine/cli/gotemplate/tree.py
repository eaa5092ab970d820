"""The template parse tree: Go's text/template/parse/node.go. str(node) is Go's node.String(), which
error messages quote."""
from __future__ import annotations


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
        # {{.Name}} and nothing else: the field's name (the evaluator's shortcut for rows), else None
        args = pipe.cmds[0].args if len(pipe.cmds) == 1 and not pipe.decl else ()
        simple = len(args) == 1 and type(args[0]) is Field and len(args[0].idents) == 1
        self.field = args[0].idents[0] if simple else None

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


OPERAND_START = {"BOOL", "CHAR_CONSTANT", "DOT", "FIELD", "IDENTIFIER", "NUMBER", "NIL", "RAW_STRING",
                  "STRING", "VARIABLE", "LEFT_PAREN"}
