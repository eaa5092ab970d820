"""Rendering primitives of the docker CLI: table writer, sizes, durations, quoting, JSON, Go value printing.

Every function reproduces a named piece of Go code byte for byte (docker/cli v28.5, docker/go-units,
Go's fmt / strconv / encoding/json), because learners compare our output with a real terminal.
"""
from __future__ import annotations

import datetime as _dt
import decimal
import unicodedata


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


# --------------------------------------------------------------------------------------------------
# Display width and the table writer (cli/command/formatter/tabwriter, widths by go-runewidth)

def _rune_width(ch: str) -> int:
    """go-runewidth (non-CJK locale): wide/fullwidth 2, combining marks and controls 0, others 1."""
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2
    if unicodedata.category(ch) in ("Mn", "Me", "Cf", "Cc"):
        return 0
    return 1


def display_width(text: str) -> int:
    return sum(_rune_width(ch) for ch in text)


def tabwrite(text: str, minwidth: int = 10, padding: int = 3) -> str:
    """Go's elastic tabstops as docker/cli configures them: NewWriter(out, 10, 1, 3, ' ', 0).

    A cell terminated by a tab belongs to a column; the text after a line's last tab is never padded.
    A column's width is computed per *block* of consecutive lines that have a cell in that column.
    """
    lines = [line.split("\t") for line in text.split("\n")]
    if lines and lines[-1] == [""]:  # text ending in "\n": the final empty line prints nothing
        lines[-1] = []
    out: list[str] = []
    _format_block(lines, 0, len(lines), [], out, minwidth, padding)
    return "\n".join(out)


def _format_block(lines, line0, line1, widths, out, minwidth, padding):
    column = len(widths)
    this = line0
    while this < line1:
        if column >= len(lines[this]) - 1:
            this += 1
            continue
        _write_lines(lines, line0, this, widths, out)
        line0 = this
        width = minwidth
        while this < line1 and column < len(lines[this]) - 1:
            width = max(width, display_width(lines[this][column]) + padding)
            this += 1
        _format_block(lines, line0, this, widths + [width], out, minwidth, padding)
        line0 = this
    _write_lines(lines, line0, line1, widths, out)


def _write_lines(lines, line0, line1, widths, out):
    for cells in lines[line0:line1]:
        parts = []
        for j, cell in enumerate(cells):
            parts.append(cell)
            if j < len(widths):
                parts.append(" " * (widths[j] - display_width(cell)))
        out.append("".join(parts))


def table(rows: list[list[str]]) -> str:
    """rows[0] is the header. Each line ends with a newline, like docker's table output."""
    return tabwrite("".join("\t".join(row) + "\n" for row in rows))


# --------------------------------------------------------------------------------------------------
# Sizes and durations (docker/go-units size.go, duration.go)

_DECIMAL_UNITS = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"]


def human_size(size: float, precision: int = 3) -> str:
    """HumanSizeWithPrecision: base 1000, `%.*g` (so 999999 -> '1e+03kB'), no space before the unit."""
    size = float(size)
    unit = 0
    while size >= 1000.0 and unit < len(_DECIMAL_UNITS) - 1:
        size /= 1000.0
        unit += 1
    return "%.*g%s" % (precision, size, _DECIMAL_UNITS[unit])


def human_size4(size: float) -> str:
    """go-units HumanSize (precision 4), used for SharedSize/UniqueSize."""
    return human_size(size, 4)


_NS = 1_000_000_000


def human_duration_ns(d: int) -> str:
    """go-units HumanDuration of a time.Duration in nanoseconds (float conversions as Go does them)."""
    d = int(d)
    seconds = _go_int(_duration_in(d, _NS))
    if seconds < 1:
        return "Less than a second"
    if seconds == 1:
        return "1 second"
    if seconds < 60:
        return f"{seconds} seconds"
    minutes = _go_int(_duration_in(d, 60 * _NS))
    if minutes == 1:
        return "About a minute"
    if minutes < 60:
        return f"{minutes} minutes"
    hours = _go_int(_duration_in(d, 3600 * _NS) + 0.5)
    if hours == 1:
        return "About an hour"
    if hours < 48:
        return f"{hours} hours"
    if hours < 24 * 7 * 2:
        return f"{hours // 24} days"
    if hours < 24 * 30 * 2:
        return f"{hours // 24 // 7} weeks"
    if hours < 24 * 365 * 2:
        return f"{hours // 24 // 30} months"
    return f"{_go_int(_duration_in(d, 3600 * _NS)) // 24 // 365} years"


def _duration_in(d: int, unit: int) -> float:
    # time.Duration.Seconds()/Minutes()/Hours(): whole units plus the remainder as a fraction.
    whole = _go_div(d, unit)
    return float(whole) + float(d - whole * unit) / unit


def _go_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _go_int(x: float) -> int:
    return int(x)  # Python's int() truncates toward zero, like Go's conversion


def human_duration(seconds: float) -> str:
    return human_duration_ns(round(seconds * _NS))


def since(now_ns: int, then_ns: int) -> str:
    """The CREATED column: HumanDuration(now - then) + " ago"."""
    return human_duration_ns(now_ns - then_ns) + " ago"


# --------------------------------------------------------------------------------------------------
# Ellipsis and Go string quoting

def _ellipsis_width(ch: str) -> int:
    # displayutils.go charWidth (golang.org/x/text/width): only wide and fullwidth count 2.
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def ellipsis(s: str, width: int) -> str:
    """formatter.Ellipsis: keep width-1 display columns and append '…'."""
    if width <= 0:
        return ""
    if width == 1:
        return s[:1]
    if s.isascii():
        return s if len(s) <= width else s[: width - 1] + "…"
    running, ends = 0, []
    for ch in s:
        running += _ellipsis_width(ch)
        ends.append(running)
    if running <= width:
        return s
    for i in range(len(ends) - 1):
        if ends[i] <= width - 1 < ends[i + 1]:
            return s[: i + 1] + "…"
    return s


_SIMPLE_ESCAPES = {"\a": r"\a", "\b": r"\b", "\f": r"\f", "\n": r"\n", "\r": r"\r", "\t": r"\t", "\v": r"\v"}


def _go_is_print(ch: str) -> bool:
    # strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
    return ch == " " or unicodedata.category(ch)[0] in "LMNPS"


def quote_go(s: str) -> str:
    """strconv.Quote (docker ps COMMAND is strconv.Quote(Ellipsis(cmd, 20)))."""
    out = ['"']
    for ch in s:
        code = ord(ch)
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif 0xD800 <= code <= 0xDFFF:
            out.append(r"\ufffd")  # not a valid rune: Go writes the replacement character escape
        elif _go_is_print(ch):
            out.append(ch)
        elif ch in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[ch])
        elif code < 0x20 or code == 0x7F:
            out.append("\\x%02x" % code)
        elif code < 0x10000:
            out.append("\\u%04x" % code)
        else:
            out.append("\\U%08x" % code)
    out.append('"')
    return "".join(out)


# --------------------------------------------------------------------------------------------------
# Timestamps (Go time.Time.Format with RFC3339Nano / RFC3339, UTC)

_ZERO_TIME = "0001-01-01T00:00:00Z"


def rfc3339nano(ns: int | None) -> str:
    """RFC3339Nano in UTC: fraction with trailing zeros trimmed; zero time for 0/None."""
    if not ns:
        return _ZERO_TIME
    seconds, frac = divmod(int(ns), _NS)
    stamp = _dt.datetime.fromtimestamp(seconds, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    fraction = ("%09d" % frac).rstrip("0")
    return stamp + ("." + fraction if fraction else "") + "Z"


def rfc3339(ns: int | None) -> str:
    if not ns:
        return _ZERO_TIME
    seconds = _go_div(int(ns), _NS) if ns >= 0 else -((-int(ns) + _NS - 1) // _NS)
    return _dt.datetime.fromtimestamp(seconds, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------------------------------
# JSON as Go's encoding/json writes it

_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def _json_string(s: str, escape_html: bool) -> str:
    out = ['"']
    for ch in s:
        code = ord(ch)
        if ch in _JSON_ESCAPES:
            out.append(_JSON_ESCAPES[ch])
        elif code < 0x20:
            out.append("\\u%04x" % code)
        elif escape_html and ch in _HTML_ESCAPES:
            out.append(_HTML_ESCAPES[ch])
        elif code in (0x2028, 0x2029):  # always escaped, for JSONP safety
            out.append("\\u%04x" % code)
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\ufffd")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _json_float(f: float) -> str:
    # encoding/json floatEncoder: shortest 'f' digits unless the magnitude needs an exponent ("1e-7").
    if f != f or f in (float("inf"), float("-inf")):
        raise ValueError(f"json: unsupported value: {go_float(f)}")
    magnitude = abs(f)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        mantissa, exp = _shortest_digits(f)
        return mantissa + "e" + ("-" if exp < 0 else "+") + str(abs(exp))
    return format(decimal.Decimal(repr(f)).normalize(), "f")


def _shortest_digits(f: float) -> tuple[str, int]:
    """Shortest round-trip digits of f as a signed mantissa 'd.ddd' and its decimal exponent."""
    sign, digits, exponent = decimal.Decimal(repr(f)).as_tuple()
    all_digits = "".join(map(str, digits))
    exp = exponent + len(all_digits) - 1
    kept = all_digits.rstrip("0") or "0"
    mantissa = kept[0] + ("." + kept[1:] if len(kept) > 1 else "")
    return ("-" if sign else "") + mantissa, exp


def _json_encode(value, escape_html: bool, indent: str | None, depth: int) -> str:
    if hasattr(value, "go_marshal_json"):
        # a json.Marshaler: docker/cli's formatter contexts marshal themselves with json.Marshal,
        # which escapes HTML whatever the outer encoder says (formatter/reflect.go MarshalJSON)
        return _json_encode(value.go_marshal_json(), True, indent, depth)
    if value is None or isinstance(value, GoNil):
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _json_float(value)
    if isinstance(value, str):
        return _json_string(value, escape_html)
    if isinstance(value, dict):
        items = [(_json_string(str(k), escape_html), v) for k, v in value.items()]
        parts = [k + (": " if indent is not None else ":") + _json_encode(v, escape_html, indent, depth + 1)
                 for k, v in items]
        return _json_join("{", parts, "}", indent, depth)
    if isinstance(value, (list, tuple)):
        parts = [_json_encode(v, escape_html, indent, depth + 1) for v in value]
        return _json_join("[", parts, "]", indent, depth)
    raise TypeError(f"json: unsupported type: {type(value).__name__}")


def _json_join(open_, parts, close, indent, depth):
    if not parts:
        return open_ + close
    if indent is None:
        return open_ + ",".join(parts) + close
    inner = "\n" + indent * (depth + 1)
    return open_ + inner + ("," + inner).join(parts) + "\n" + indent * depth + close


def go_json(value, escape_html: bool = True) -> str:
    """json.Marshal: compact; dict keys keep their order (they model Go structs).

    escape_html=True is Marshal's default (`<` -> \\u003c). The daemon's API encoder and the CLI's
    template `json` function both call SetEscapeHTML(false), so pass False when imitating them.
    """
    return _json_encode(value, escape_html, None, 0)


def json_indent(value, escape_html: bool = False) -> str:
    """What `docker inspect` prints: the daemon's JSON through json.Indent(.., "", "    ").

    escape_html=True when the daemon re-marshals the response (image inspect, API 1.51)."""
    return _json_encode(value, escape_html, "    ", 0)


# --------------------------------------------------------------------------------------------------
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
    mantissa, exp = _shortest_digits(f)
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
