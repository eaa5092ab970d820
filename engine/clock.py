"""The virtual clock: nanoseconds since the Unix epoch, advanced only by commands."""
from __future__ import annotations

import datetime as _dt
import functools

NS = 1_000_000_000
# Every sandbox starts at the same moment, so replays and tests see the same times.
START_NS = int(_dt.datetime(2026, 1, 15, 9, 0, 0, tzinfo=_dt.timezone.utc).timestamp()) * NS


class Clock:
    def __init__(self, now_ns: int = START_NS):
        self.now_ns = now_ns

    def advance(self, seconds: float) -> int:
        self.now_ns += int(seconds * NS)
        return self.now_ns

    def to_json(self) -> int:
        return self.now_ns


def parse_rfc3339(text: str) -> int:
    """'2025-11-04T01:12:44Z' (optionally with fraction) -> ns since the epoch."""
    # Listings read every image's and history step's time on each command (strptime is slow).
    # A pure function of a string: memoised, bounded, thread-safe; only stamps of a sane length
    # (RFC 3339 with nanoseconds is 30 characters) so a crafted config cannot fill the memo.
    return _parse_short(text) if isinstance(text, str) and len(text) <= 40 else _parse(text)


def _parse(text: str) -> int:
    main, _, frac = text.rstrip("Z").partition(".")
    base = _dt.datetime.strptime(main, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=_dt.timezone.utc)
    return int(base.timestamp()) * NS + int((frac + "000000000")[:9] or 0)


_parse_short = functools.lru_cache(maxsize=1024)(_parse)


def format_rfc3339nano(ns: int) -> str:
    """Go's time.RFC3339Nano in UTC: fraction with trailing zeros trimmed; zero time as Go prints it."""
    if not ns:
        return "0001-01-01T00:00:00Z"
    seconds, frac = divmod(ns, NS)
    stamp = _dt.datetime.fromtimestamp(seconds, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    fraction = f"{frac:09d}".rstrip("0")
    return stamp + ("." + fraction if fraction else "") + "Z"
