"""Permalinks and the timeline: a sandbox's state for someone else, and its state at an earlier point.

A permalink names a stored snapshot by its content hash (`k` + 43 URL-safe characters of a
SHA-256), so opening it is one read and one deserialisation, however long the log: no replay.
A link of the older kind carries the scenario, seed, log and uploads in the URL (zlib + base64)
and is still opened, by replay, within MAX_LINK_COMMANDS. Anything else is a `BadLink`: a link we
did not make, changed in transit, or expired; the routes answer 400 with its message.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import zlib

from engine.sandbox import MAX_LOG, Sandbox
from engine.scenarios import SCENARIOS

from web.store import SandboxStore

MAX_LINK_CHARS = 12000               # an old-style link longer than this is refused (URLs must stay usable)
MAX_LINK_COMMANDS = 300              # commands an old-style link may replay
MAX_SHARED_BYTES = 64 * 1024 * 1024  # a shared snapshot inflates to at most this
HASH_TOKEN = re.compile(r"k[A-Za-z0-9_-]{43}")


class BadLink(ValueError):
    """Not a permalink LayerLab made (or one that was changed, or expired)."""


# ---------------------------------------------------------------- links by content hash
def _key(blob: bytes) -> str:
    return "k" + base64.urlsafe_b64encode(hashlib.sha256(blob).digest()).decode()[:43]


def _pack(data) -> bytes:
    return zlib.compress(json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode(), 6)


def _unpack(blob: bytes):
    inflater = zlib.decompressobj()
    raw = inflater.decompress(blob, MAX_SHARED_BYTES)
    if inflater.unconsumed_tail:
        raise BadLink("the shared state is too large")
    return json.loads(raw)


def share(store: SandboxStore, sandbox: Sandbox) -> str:
    """Keep this state under its content hash; the token for the link. The transcript is kept apart
    (named by its own hash inside the state), so showing the link does not read it."""
    state = sandbox.to_json()
    transcript = _pack(state.pop("transcript"))
    state["undone"] = []
    state["transcript_key"] = _key(transcript)
    store.put_shared(state["transcript_key"], transcript)
    blob = _pack(state)
    token = _key(blob)
    store.put_shared(token, blob)
    return token


def open_link(store: SandboxStore, token: str, max_line: int, with_transcript: bool = False) -> Sandbox:
    """The sandbox a link names; BadLink for anything else. `with_transcript`: also its terminal
    (to continue from it); showing the link does without."""
    if HASH_TOKEN.fullmatch(token):
        state = _shared(store, token)
        transcript_key = state.pop("transcript_key", None)
        state["transcript"] = _shared(store, transcript_key) if with_transcript and transcript_key else []
        try:
            return Sandbox.from_json(state)
        except (ValueError, KeyError, TypeError) as err:
            raise BadLink("the shared state cannot be read") from err
    data = decode_link(token, max_line)
    try:
        return Sandbox.replay(data["seed"], data["scenario"], data["log"], data["uploads"])
    except Exception as err:   # a host file the engine refuses (bad path): not a link we made
        raise BadLink("the link's host files cannot be written") from err


def _shared(store: SandboxStore, key: str):
    blob = store.get_shared(key) if isinstance(key, str) and HASH_TOKEN.fullmatch(key) else None
    if blob is None:
        raise BadLink("this link names no shared state here (it was changed, or it expired)")
    if _key(blob) != key:
        raise BadLink("the shared state does not match its link")
    try:
        return _unpack(blob)
    except (zlib.error, ValueError) as err:
        raise BadLink("the shared state cannot be read") from err


# ---------------------------------------------------------------- links that carry the log (older)
def encode_link(sandbox: Sandbox) -> str:
    data = {"s": sandbox.scenario, "n": sandbox.seed, "l": sandbox.log,
            "u": [[i, p, base64.b64encode(b).decode()] for i, p, b in sandbox.uploads]}
    raw = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


def decode_link(token: str, max_line: int) -> dict:
    """The link's contents, checked; BadLink for anything that is not a link we made."""
    if len(token) > MAX_LINK_CHARS:
        raise BadLink("link too long")
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)), 1024 * 1024)
        if inflater.unconsumed_tail:
            raise BadLink("link too large")
        data = json.loads(raw)
    except (binascii.Error, zlib.error, ValueError) as err:   # UnicodeDecodeError, JSONDecodeError too
        raise BadLink("not a LayerLab link") from err
    if not isinstance(data, dict):
        raise BadLink("not a LayerLab link")
    scenario, seed, log, uploads = data.get("s"), data.get("n"), data.get("l"), data.get("u", [])
    if scenario is not None and scenario not in SCENARIOS:
        raise BadLink("unknown scenario")
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**32:
        raise BadLink("bad seed")
    if not isinstance(log, list) or len(log) > min(MAX_LOG, MAX_LINK_COMMANDS) or \
            not all(isinstance(c, str) and len(c) <= max_line for c in log):
        raise BadLink("bad command log")
    if not isinstance(uploads, list) or not all(
            isinstance(u, list) and len(u) == 3 and isinstance(u[0], int) and isinstance(u[1], str)
            and isinstance(u[2], str) for u in uploads):
        raise BadLink("bad host files")
    try:
        files = [(i, p, base64.b64decode(b, validate=True)) for i, p, b in uploads]
    except binascii.Error as err:
        raise BadLink("bad host files") from err
    return {"scenario": scenario, "seed": seed, "log": log, "uploads": files}


# ---------------------------------------------------------------- the timeline
def state_at(sandbox: Sandbox, at: int) -> Sandbox:
    """The sandbox after its first `at` commands, as a separate object (the live one is untouched):
    rebuilt from the nearest checkpoint at or before `at`, so at most ~100 commands are replayed."""
    at = max(0, min(at, len(sandbox.log)))
    if at == len(sandbox.log):
        return sandbox
    view = Sandbox(sandbox.seed, sandbox.scenario, sandbox.daemon, sandbox.host)
    view.log, view.transcript = list(sandbox.log), list(sandbox.transcript)
    view.uploads, view.checkpoints = list(sandbox.uploads), list(sandbox.checkpoints)
    view.rewind(at)   # replaces the view's daemon and host (never mutates the live ones)
    return view
