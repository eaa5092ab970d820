"""Where sandboxes live between requests: a small interface and its SQLite implementation.

A sandbox is stored as one JSON document under an unguessable id. Every change goes through
`update()`, which loads, changes and saves the document as one unit, so two browser tabs sending
commands to the same sandbox at once never lose an update. The interface is small on purpose:
a Redis backend (for several app servers behind a load balancer) implements the same methods.
"""
from __future__ import annotations

import json
import secrets
import sqlite3
import time
from abc import ABC, abstractmethod
from contextlib import closing
from typing import Callable, TypeVar

from web.store_errors import decode_record, full_storage_error

T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS sandboxes (
    id         TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    created    REAL NOT NULL,
    last_used  REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sandboxes_last_used ON sandboxes (last_used);
"""


class UnknownSandbox(KeyError):
    """No sandbox has this id (never created, deleted, or cleaned up after idling)."""


def new_sandbox_id() -> str:
    """128 random bits, URL-safe: unguessable, so knowing one id reveals nothing about another."""
    return secrets.token_urlsafe(16)


class SandboxStore(ABC):
    """Sandboxes by id. Data is a JSON-serialisable dict; the store never looks inside it."""

    @abstractmethod
    def get(self, sandbox_id: str) -> dict | None:
        """The sandbox's data, or None if there is no such sandbox."""

    @abstractmethod
    def put(self, sandbox_id: str, data: dict) -> None:
        """Create or replace the sandbox's data."""

    @abstractmethod
    def update(self, sandbox_id: str, change: Callable[[dict], tuple[dict, T]]) -> T:
        """Load, change and save as one unit, serialised per sandbox.

        `change(data)` returns `(new_data, answer)`; `new_data` is saved and `answer` returned.
        If `change` raises, nothing is saved. Raises UnknownSandbox if the id does not exist.
        """

    @abstractmethod
    def delete(self, sandbox_id: str) -> bool:
        """Remove the sandbox; False if it did not exist."""

    @abstractmethod
    def touch(self, sandbox_id: str) -> None:
        """Mark the sandbox as used now, so cleanup keeps it."""

    @abstractmethod
    def cleanup(self, idle_seconds: float) -> int:
        """Delete sandboxes unused for longer than `idle_seconds`; return how many."""

    def create(self, data: dict) -> str:
        """Store new data under a fresh unguessable id and return the id."""
        sandbox_id = new_sandbox_id()
        self.put(sandbox_id, data)
        return sandbox_id


class SQLiteSandboxStore(SandboxStore):
    """SQLite in WAL mode: readers never block the writer, each command is one durable transaction.

    A connection is opened per operation (cheap for SQLite), so the store is safe to share
    between the server's threads. `BEGIN IMMEDIATE` takes the write lock before reading, which
    serialises concurrent load-run-save cycles instead of letting the last writer win.
    """

    def __init__(self, path: str, clock: Callable[[], float] = time.time, busy_timeout: float = 30.0):
        self.path = path
        self.clock = clock
        self.busy_timeout = busy_timeout
        with closing(self._connect()) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so transactions are explicit.
        db = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
        # FULL: a command acknowledged to the learner survives a crash or power cut.
        db.execute("PRAGMA synchronous=FULL")
        return db

    def get(self, sandbox_id: str) -> dict | None:
        with closing(self._connect()) as db:
            row = db.execute("SELECT data FROM sandboxes WHERE id = ?", (sandbox_id,)).fetchone()
        return decode_record(sandbox_id, row[0]) if row else None

    def put(self, sandbox_id: str, data: dict) -> None:
        now = self.clock()
        text = json.dumps(data, separators=(",", ":"))
        with closing(self._connect()) as db:
            db.execute(
                "INSERT INTO sandboxes (id, data, created, last_used) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET data = excluded.data, last_used = excluded.last_used",
                (sandbox_id, text, now, now),
            )

    def update(self, sandbox_id: str, change: Callable[[dict], tuple[dict, T]]) -> T:
        with closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute("SELECT data FROM sandboxes WHERE id = ?", (sandbox_id,)).fetchone()
                if row is None:
                    raise UnknownSandbox(sandbox_id)
                new_data, answer = change(decode_record(sandbox_id, row[0]))
                db.execute(
                    "UPDATE sandboxes SET data = ?, last_used = ? WHERE id = ?",
                    (json.dumps(new_data, separators=(",", ":")), self.clock(), sandbox_id),
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return answer

    def delete(self, sandbox_id: str) -> bool:
        with closing(self._connect()) as db:
            return db.execute("DELETE FROM sandboxes WHERE id = ?", (sandbox_id,)).rowcount > 0

    def touch(self, sandbox_id: str) -> None:
        try:
            with closing(self._connect()) as db:
                db.execute("UPDATE sandboxes SET last_used = ? WHERE id = ?", (self.clock(), sandbox_id))
        except sqlite3.OperationalError as error:   # a full disk must not stop a page that only reads
            if full_storage_error(error) is None:
                raise

    def cleanup(self, idle_seconds: float) -> int:
        cutoff = self.clock() - idle_seconds
        with closing(self._connect()) as db:
            return db.execute("DELETE FROM sandboxes WHERE last_used < ?", (cutoff,)).rowcount

    def count(self) -> int:
        with closing(self._connect()) as db:
            return db.execute("SELECT COUNT(*) FROM sandboxes").fetchone()[0]
