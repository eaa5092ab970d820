"""Go values as Python objects and how Go's fmt prints them (%v, Sprint, Sprintln, Sprintf), as
text/template output, print, println and printf do. Every function reproduces Go's fmt and strconv
byte for byte.
"""
from __future__ import annotations

import decimal

from engine.cli.formatter.display import quote_go, rfc3339nano


class GoNil:
    """A typed Go nil (nil slice, nil map, nil pointer) inside data handed to templates or JSON.

    Plain ``None`` stands for an untyped nil ``interface{}`` (what a JSON ``null`` decodes to). Go prints the
    two differently: a nil ``[]string`` prints ``[]``, a nil map ``map[]``, a nil pointer ``<nil>``; all
    three marshal to JSON ``null``. ``go_type`` is the Go type name, e.g. ``"[]string"``.
    """

    __slots__ = ("go_type",)

    def __init__(self, go_type: str):
        self.go_type = go_type

    @property
    def kind(self) -> str:
        if self.go_type.startswith("[]"):
            return "slice"
        if self.go_type.startswith("map["):
            return "map"
        return "ptr"

    def __eq__(self, other):
        return isinstance(other, GoNil) and other.go_type == self.go_type

    def __hash__(self):
        return hash(self.go_type)

    def __repr__(self):
        return f"GoNil({self.go_type!r})"


# Go's fmt printing of values (%v), used by text/template output, print, println, printf

def go_type_name(value) -> str:
    """The Go type a value stands for: JSON-decoded data is interface{}-typed maps and slices."""
    if isinstance(value, GoNil):
        return value.go_type
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "[]interface {}"
    if isinstance(value, dict):
        return "map[string]interface {}"
    return getattr(value, "go_type", type(value).__name__)


def go_float(f: float) -> str:
    """%v of a float64: strconv 'g', shortest digits; exponent form when exp < -4 or exp >= 6 (ftoa.go)."""
    if f != f:
        return "NaN"
    if f in (float("inf"), float("-inf")):
        return "+Inf" if f > 0 else "-Inf"
    if f == 0:
        return "-0" if str(f).startswith("-") else "0"
    mantissa, exp = shortest_digits(f)
    if exp < -4 or exp >= 6:
        return mantissa + "e" + ("-" if exp < 0 else "+") + "%02d" % abs(exp)
    return format(decimal.Decimal(repr(f)).normalize(), "f")


def _sort_key(key):
    # internal/fmtsort: numbers numerically, strings bytewise, false before true.
    if isinstance(key, bool):
        return (0, int(key), "")
    if isinstance(key, (int, float)):
        return (1, key, "")
    return (2, 0, str(key).encode("utf-8"))


class GoTime:
    """A time.Time field of a typed API struct: a template prints it with Time.String()
    ("2006-01-02 15:04:05.999999999 -0700 MST"), JSON holds RFC 3339 with nanoseconds."""

    def __init__(self, ns: int | None):
        self.ns = ns or 0

    def go_string(self) -> str:
        if not self.ns:
            return "0001-01-01 00:00:00 +0000 UTC"
        stamp = rfc3339nano(self.ns)  # 2026-01-15T09:02:07.5Z
        return stamp[:10] + " " + stamp[11:-1] + " +0000 UTC"

    def go_marshal_json(self) -> str:
        return rfc3339nano(self.ns)


def go_print(value) -> str:
    """fmt's %v: [a b c], map[k:v] (sorted keys), true/false, <nil> for a nil interface.

    (text/template prints a missing value, or an untyped nil it reached through a map, as
    ``<no value>``; that rule lives in the template evaluator, not here.)
    """
    if value is None:
        return "<nil>"
    if hasattr(value, "go_string"):  # a fmt.Stringer
        return value.go_string()
    if isinstance(value, GoNil):
        return {"slice": "[]", "map": "map[]", "ptr": "<nil>"}[value.kind]
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(go_print(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=_sort_key)
        return "map[" + " ".join(go_print(k) + ":" + go_print(value[k]) for k in keys) + "]"
    fields = getattr(value, "__dict__", None)
    if fields is not None:  # a struct: {field1 field2}
        return "{" + " ".join(go_print(v) for v in fields.values()) + "}"
    return str(value)


def go_sprint(*args) -> str:
    """fmt.Sprint: a space between operands when neither side is a string."""
    out = []
    for i, arg in enumerate(args):
        if i > 0 and not isinstance(arg, str) and not isinstance(args[i - 1], str):
            out.append(" ")
        out.append(go_print(arg))
    return "".join(out)


def go_sprintln(*args) -> str:
    """fmt.Sprintln: always a space between operands, then a newline."""
    return " ".join(go_print(a) for a in args) + "\n"


def go_sprintf(fmt: str, *args) -> str:
    """fmt.Sprintf for the verbs templates use: %v %s %d %q %t %x %X %f %e %g %c %%, flags - + 0 space,
    width and precision; wrong or missing arguments print Go's %!verb(...) markers."""
    out, i, used, n = [], 0, 0, len(fmt)
    while i < n:
        ch = fmt[i]
        if ch != "%":
            out.append(ch)
            i += 1
            continue
        i += 1
        flags = ""
        while i < n and fmt[i] in "-+# 0":
            flags += fmt[i]
            i += 1
        width, i = _parsenum(fmt, i, n)
        precision = None
        if i < n and fmt[i] == ".":
            precision, i = _parsenum(fmt, i + 1, n)
            precision = precision or 0
        if i >= n:
            out.append("%!(NOVERB)")
            break
        verb = fmt[i]
        i += 1
        if verb == "%":
            out.append("%")
            continue
        if used >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        arg = args[used]
        used += 1
        out.append(_pad(_format_arg(verb, arg, flags, precision), width, flags, arg))
    if used < len(args):
        extra = ", ".join(f"{go_type_name(a)}={go_print(a)}" if a is not None else "<nil>" for a in args[used:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)


def _parsenum(fmt: str, i: int, n: int) -> tuple[int | None, int]:
    """fmt's parsenum: a width or precision; past 1e6 with digits left (tooLarge) it gives up and
    skips to the end of the format, so `%999999999d` prints %!(NOVERB) instead of padding."""
    num = None
    while i < n and fmt[i].isdigit():
        if num is not None and num > 1_000_000:
            return None, n
        num = (num or 0) * 10 + int(fmt[i])
        i += 1
    return num, i


def _pad(text: str, width, flags: str, arg) -> str:
    if width is None or len(text) >= width:
        return text
    if "-" in flags:
        return text + " " * (width - len(text))
    if "0" in flags and isinstance(arg, (int, float)) and not isinstance(arg, bool):
        sign = text[0] if text[:1] in "+-" else ""
        return sign + "0" * (width - len(text)) + text[len(sign):]
    return " " * (width - len(text)) + text


def _bad_verb(verb: str, arg) -> str:
    if arg is None:
        return f"%!{verb}(<nil>)"
    return f"%!{verb}({go_type_name(arg)}={go_print(arg)})"


def _format_arg(verb: str, arg, flags: str, precision) -> str:
    if verb == "v":
        return go_print(arg)
    if isinstance(arg, (list, tuple)) and verb in "sdqxXfeg":
        return "[" + " ".join(_format_arg(verb, a, flags, precision) for a in arg) + "]"
    if isinstance(arg, bool):
        return go_print(arg) if verb == "t" else _bad_verb(verb, arg)
    if isinstance(arg, int):
        return _format_int(verb, arg, flags) or _bad_verb(verb, arg)
    if isinstance(arg, float):
        if verb in "feEgG":
            return _format_float(verb, arg, flags, precision)
        return _bad_verb(verb, arg)
    if isinstance(arg, str):
        text = arg if precision is None else arg[:precision]
        if verb == "s":
            return text
        if verb == "q":
            return quote_go(text)
        if verb in "xX":
            hexed = text.encode("utf-8").hex()
            return hexed.upper() if verb == "X" else hexed
    return _bad_verb(verb, arg)


def _format_int(verb: str, n: int, flags: str) -> str | None:
    sign = "-" if n < 0 else ("+" if "+" in flags else (" " if " " in flags else ""))
    body = {"d": str(abs(n)), "x": "%x" % abs(n), "X": "%X" % abs(n), "o": "%o" % abs(n), "b": bin(abs(n))[2:]}
    if verb in body:
        return sign + body[verb]
    if verb == "c":
        return chr(n)
    if verb == "q":
        return "'" + quote_go(chr(n))[1:-1].replace("\\\"", "\"").replace("'", "\\'") + "'"
    return None


def _format_float(verb: str, f: float, flags: str, precision) -> str:
    if precision is None and verb in "gG":
        text = go_float(f)
        return text.upper() if verb == "G" else text
    py_format = "%" + ("+" if "+" in flags else "") + "." + str(6 if precision is None else precision) + verb
    return py_format % f


def shortest_digits(f: float) -> tuple[str, int]:
    """Shortest round-trip digits of f as a signed mantissa 'd.ddd' and its decimal exponent."""
    sign, digits, exponent = decimal.Decimal(repr(f)).as_tuple()
    all_digits = "".join(map(str, digits))
    exp = exponent + len(all_digits) - 1
    kept = all_digits.rstrip("0") or "0"
    mantissa = kept[0] + ("." + kept[1:] if len(kept) > 1 else "")
    return ("-" if sign else "") + mantissa, exp
