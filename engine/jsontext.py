"""Compact JSON text of plain values (dicts, lists, str, int, bool, None), fast.

The checkpoints and snapshots a command may write hold the whole state, ~180 KiB of JSON for a
class's realistic sandbox: json.dumps took ~2 ms of it, orjson ~0.15 ms, and for these values orjson
writes the very bytes json.dumps(separators=(",", ":"), ensure_ascii=False) writes (a test compares
them). A value orjson refuses (an integer beyond 64 bits that a learner typed, a key that is not a
string) is written by json instead, as before."""
from __future__ import annotations

import json

import orjson


def dumps(value) -> bytes:
    """UTF-8 JSON text, no spaces, non-ASCII as is."""
    try:
        return orjson.dumps(value)
    except TypeError:   # orjson.JSONEncodeError is a TypeError
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
