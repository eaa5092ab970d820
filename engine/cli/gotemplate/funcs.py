"""The functions a template can call: Go's text/template builtins (funcs.go) and docker/cli's
(templates.go basicFunctions, HeaderFunctions)."""
from __future__ import annotations

from engine import limits
from engine.cli.formatter.gojson import go_json
from engine.cli.formatter.goprint import GoNil, go_print, go_sprint, go_sprintf, go_sprintln, go_type_name
from engine.cli.gotemplate.values import plain, truth
from engine.errors import TemplateCallError as _CallError


def _len(item):
    item = plain(item)
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
    item = plain(item)
    if item is None:
        raise _CallError("index of untyped nil")
    for index in indexes:
        index = plain(index)
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
    arg1 = plain(arg1)
    if not others:
        raise _CallError("missing argument for comparison")
    for other in others:
        other = plain(other)
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
    arg1, arg2 = plain(arg1), plain(arg2)
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
        return go_json(plain(value), escape_html=False)
    except (TypeError, ValueError) as exc:
        raise _CallError(str(exc)) from None


def _pad(source, prefix, suffix):
    limits.check_template_output(max(prefix, 0) + len(source) + max(suffix, 0))  # before the spaces exist
    return source if source == "" else " " * prefix + source + " " * suffix


def _truncate(source, length):
    raw = source.encode("utf-8")
    return source if len(raw) < length else raw[:length].decode("utf-8", errors="ignore")


def _not(value):
    return not truth(value)


def _print(*args):
    return go_sprint(*map(plain, args))


def _println(*args):
    return go_sprintln(*map(plain, args))


def _printf(fmt, *args):
    return go_sprintf(fmt, *map(plain, args))


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
