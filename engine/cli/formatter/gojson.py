"""JSON as Go's encoding/json writes it (Marshal, MarshalIndent, HTML escaping, float format), for
`--format '{{json .}}'`, `--format json` and `docker inspect`.
"""
from __future__ import annotations

import decimal

from engine.cli.formatter.goprint import GoNil, go_float, shortest_digits


_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def _json_string(s: str, escape_html: bool) -> str:
    if s.isascii() and s.isprintable():  # U+0020-U+007E (most strings): only the quote, backslash and < > & change
        if '"' in s or "\\" in s:
            s = s.replace("\\", "\\\\").replace('"', '\\"')
        if escape_html and ("<" in s or ">" in s or "&" in s):
            s = s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        return '"' + s + '"'
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
        mantissa, exp = shortest_digits(f)
        return mantissa + "e" + ("-" if exp < 0 else "+") + str(abs(exp))
    return format(decimal.Decimal(repr(f)).normalize(), "f")


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
