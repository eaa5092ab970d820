"""Rendering primitives of the docker CLI: table writer, sizes, durations, ellipsis, Go string quoting
and timestamps.

Every function reproduces a named piece of Go code byte for byte (docker/cli v28.5, docker/go-units,
Go's strconv and time), because learners compare our output with a real terminal. Go's printing of
values is engine/cli/formatter/goprint.py, its JSON engine/cli/formatter/gojson.py.
"""
from __future__ import annotations

import datetime as _dt
import functools
import unicodedata


# --------------------------------------------------------------------------------------------------
# Display width and the table writer (cli/command/formatter/tabwriter, widths by go-runewidth)

@functools.lru_cache(maxsize=4096)  # a pure function of one character: safe to share between threads
def _rune_width(ch: str) -> int:
    """go-runewidth (non-CJK locale): wide/fullwidth 2, combining marks and controls 0, others 1."""
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2
    if unicodedata.category(ch) in ("Mn", "Me", "Cf", "Cc"):
        return 0
    return 1


def display_width(text: str) -> int:
    # Printable ASCII (U+0020-U+007E) is one column a character, the common case of every table;
    # ASCII controls are 0 wide in go-runewidth, so they take the general path.
    if text.isascii() and text.isprintable():
        return len(text)
    return sum(map(_rune_width, text))


def tabwrite(text: str, minwidth: int = 10, padding: int = 3) -> str:
    """Go's elastic tabstops as docker/cli configures them: NewWriter(out, 10, 1, 3, ' ', 0).

    A cell terminated by a tab belongs to a column; the text after a line's last tab is never padded.
    A column's width is computed per *block* of consecutive lines that have a cell in that column.
    """
    lines = [line.split("\t") for line in text.split("\n")]
    if lines and lines[-1] == [""]:  # text ending in "\n": the final empty line prints nothing
        lines[-1] = []
    # the display width of every tab-terminated cell, measured once (the last cell is never padded)
    cell_widths = [[display_width(cell) for cell in cells[:-1]] for cells in lines]
    out: list[str] = []
    _format_block(lines, cell_widths, 0, len(lines), [], out, minwidth, padding)
    return "\n".join(out)


def _format_block(lines, cell_widths, line0, line1, widths, out, minwidth, padding):
    column = len(widths)
    this = line0
    while this < line1:
        if column >= len(lines[this]) - 1:
            this += 1
            continue
        _write_lines(lines, cell_widths, line0, this, widths, out)
        line0 = this
        width = minwidth
        while this < line1 and column < len(lines[this]) - 1:
            width = max(width, cell_widths[this][column] + padding)
            this += 1
        _format_block(lines, cell_widths, line0, this, widths + [width], out, minwidth, padding)
        line0 = this
    _write_lines(lines, cell_widths, line0, line1, widths, out)


def _write_lines(lines, cell_widths, line0, line1, widths, out):
    for cells, measured in zip(lines[line0:line1], cell_widths[line0:line1]):
        parts = []
        for j, cell in enumerate(cells):
            parts.append(cell)
            if j < len(widths):
                parts.append(" " * (widths[j] - measured[j]))
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
    # Printable ASCII (U+0020-U+007E) is all IsPrint: only the quote and backslash are escaped. The
    # "…" Ellipsis appends (a punctuation mark, printed as is) is common enough to share the path.
    body = s[:-1] if s.endswith("…") else s
    if body.isascii() and body.isprintable():
        return '"' + body.replace("\\", "\\\\").replace('"', '\\"') + s[len(body):] + '"'
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
