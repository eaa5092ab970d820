"""Running a parsed template over data: Go's text/template exec.go (fields, chains, variables,
pipelines, if/range/with, function calls), bounded by the command line's budget and output limit."""
from __future__ import annotations

from engine import budget, limits
from engine.cli.formatter.display import quote_go
from engine.cli.formatter.goprint import GoNil, go_print, go_type_name
from engine.cli.gotemplate.tree import (Action, Chain, Command, Control, Field, Identifier, Literal, Node, Pipe, Text,
                                        Variable)
from engine.cli.gotemplate.values import MISSING, plain, truth
from engine.errors import TemplateCallError as _CallError
from engine.errors import TemplateError


_NO_FINAL = object()  # Go's missingVal: no previous command in the pipeline (not the same as MISSING)
_IFACE = "interface {}"


class Exec:
    def __init__(self, text: str, name: str, funcs: dict, missingkey: str):
        self.text, self.name, self.funcs, self.missingkey = text, name, funcs, missingkey
        self.node: Node | None = None
        self.vars: list[list] = []
        self.out: list[str] = []
        self.size = 0  # characters in self.out: the output is bounded as it grows
        self.budget = budget.current()

    def emit(self, text: str) -> None:
        size = len(text)
        self.size += size
        if self.size > limits.MAX_TEXT:  # check_template_output's own test, without a call per text
            limits.check_template_output(self.size)
        self.budget.spend(size)
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
                value = _NOT_SIMPLE if node.field is None else _simple_field(dot, node.field)
                if value is not _NOT_SIMPLE:  # {{.Name}} over a row: the same steps and text, fewer calls
                    step()  # what eval_pipeline charges
                    self.emit(value)
                    continue
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
        if truth(value):
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
                    values.append(plain(final))
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
            if truth(value) == (name == "or"):
                return value
        return final if final is not _NO_FINAL else value


_NOT_SIMPLE = object()


def _simple_field(dot, name: str):
    """The text of an action {{.Name}} (Action.field) when eval_pipeline would find a plain str
    without an error: a key of a dict (a list command's row, decoded JSON) or a public attribute
    of a formatter context. _NOT_SIMPLE otherwise, and the general path runs (errors, methods,
    other values). Reads only: the tree and the data are left as they are."""
    if isinstance(dot, dict):
        value = dot[name] if name in dot else _NOT_SIMPLE
    elif dot is None or dot is MISSING or name.startswith("_") \
            or isinstance(dot, (str, int, float, list, tuple, GoNil)):
        return _NOT_SIMPLE
    else:
        value = getattr(dot, name, _NOT_SIMPLE)
    return value if type(value) is str else _NOT_SIMPLE


def _single(node) -> Command:
    cmd = Command(node.pos)
    cmd.args = [node]
    return cmd


def _print_value(value) -> str:
    """printValue: a missing value (or a nil interface reached through a map) prints <no value>."""
    if value is MISSING or value is None:
        return "<no value>"
    return go_print(value)


def _map_key(key):
    return (0, key, b"") if isinstance(key, (int, float)) else (1, 0, str(key).encode("utf-8"))
