"""Where sandboxes live between requests: the command log is the record.

A sandbox is stored as
    a snapshot        the packed state at some version (opaque bytes, made by web/sandboxes.py),
    an op log         one small row per change after that snapshot (a command, an undo, a file
                      written...), numbered by version, append-only,
    a transcript      the terminal's entries, one row each, in their own table.
A change appends one op row (and usually one transcript row) with a version check: `append()`
succeeds only if the stored version is still the one the change was made on, so two servers (or
two processes) changing one sandbox never lose an update; the loser gets `Conflict` and runs its
change again on the newer state. No lock is held while a command runs: the write transaction is a
few small inserts. Every so many ops the caller passes a new snapshot; the ops it covers and the
older snapshot are deleted then (compaction), so a record stays bounded.

The store never looks inside snapshots, ops or transcript entries; web/sandboxes.py (the record's
only owner) does. Each sandbox has a byte budget counted here: snapshot + ops since + transcript.
A change that would pass it raises `OverBudget` and writes nothing.
"""
from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator

# a failed write raises StoreFull or StoreUnavailable (web.store_errors; importable from here too)
from web.store_errors import StoreFull, StoreUnavailable, full_storage_error, unavailable  # noqa: F401
from web.write_lock import WriteLock

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    id          TEXT PRIMARY KEY,
    version     INTEGER NOT NULL,
    snap_version INTEGER NOT NULL,
    op_bytes    INTEGER NOT NULL,      -- snapshot + ops since (what the budget counts with the transcript)
    tr_bytes    INTEGER NOT NULL,
    created     REAL NOT NULL,
    last_used   REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS records_last_used ON records (last_used);
-- apart from `records`: SQLite rewrites a whole row on UPDATE, and a command updates the version
CREATE TABLE IF NOT EXISTS snapshots (
    id   TEXT PRIMARY KEY,
    data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS ops (
    id      TEXT NOT NULL,
    version INTEGER NOT NULL,
    op      TEXT NOT NULL,
    PRIMARY KEY (id, version)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS transcript (
    id    TEXT NOT NULL,
    n     INTEGER NOT NULL,
    entry TEXT NOT NULL,
    PRIMARY KEY (id, n)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS shared (
    key       TEXT PRIMARY KEY,
    data      BLOB NOT NULL,
    last_used REAL NOT NULL
);
"""

DEFAULT_BUDGET = 128 * 1024 * 1024   # bytes kept per sandbox (README, limits)
USED_PRECISION = 60.0                # seconds: a sandbox's last use is kept to within this (idle cleanup)


class UnknownSandbox(KeyError):
    """No sandbox has this id (never created, deleted, or cleaned up after idling)."""


class Conflict(RuntimeError):
    """The sandbox changed since the version the change was made on (another process wrote first)."""


class StoreBusy(RuntimeError):
    """A change lost the race too many times in a row, or waited too long: nothing was saved."""


class OverBudget(RuntimeError):
    """The change would take the sandbox's stored bytes past its budget: nothing was saved."""

    def __init__(self, needed: int, budget: int):
        super().__init__(f"{needed} bytes needed, budget {budget}")
        self.needed, self.budget = needed, budget


def new_sandbox_id() -> str:
    """128 random bits, URL-safe: unguessable, so knowing one id reveals nothing about another."""
    return secrets.token_urlsafe(16)


@dataclass
class Stored:
    """One consistent read of a sandbox: its snapshot, the ops after it, and its transcript rows."""

    version: int
    snap_version: int
    snapshot: bytes
    ops: list[str] = field(default_factory=list)          # versions snap_version+1 .. version
    transcript: list[str] = field(default_factory=list)   # rows 0.. (the owner knows how many count)
    stored_bytes: int = 0


@dataclass
class Change:
    """What one change writes: the op row, the transcript from `transcript_from` on (rows at and after
    it are replaced), and, now and then, a new snapshot that makes the ops before it unnecessary."""

    op: str
    transcript_from: int | None = None
    entries: list[str] = field(default_factory=list)
    snapshot: bytes | None = None

    def op_size(self) -> int:
        return len(self.op.encode())


class SandboxStore(ABC):
    """Sandboxes by id, as snapshot + op log + transcript. Both backends pass tests/web/test_store.py."""

    budget: int = DEFAULT_BUDGET

    @abstractmethod
    def create(self, snapshot: bytes, transcript: list[str]) -> str:
        """Store a new sandbox at version 0 under a fresh unguessable id; return the id."""

    @abstractmethod
    def version(self, sandbox_id: str) -> int | None:
        """The stored version, or None if there is no such sandbox (a cheap read)."""

    @abstractmethod
    def load(self, sandbox_id: str) -> Stored | None:
        """Snapshot, ops after it and transcript, read consistently; None if there is no such sandbox."""

    def get(self, sandbox_id: str) -> Stored | None:
        """The same as load() (the name of the one-document store before; `is None` still asks
        whether the sandbox exists)."""
        return self.load(sandbox_id)

    @abstractmethod
    def ops_after(self, sandbox_id: str, version: int) -> list[str] | None:
        """The ops after `version` up to the stored version; None if a snapshot has replaced some of
        them (load whole instead) or the sandbox is gone."""

    @abstractmethod
    def append(self, sandbox_id: str, expected_version: int, change: Change) -> int:
        """Write one change if the sandbox is still at `expected_version`; return the new version.
        Raises Conflict, UnknownSandbox or OverBudget; in every case nothing is written."""

    @abstractmethod
    def delete(self, sandbox_id: str) -> bool:
        """Remove the sandbox; False if it did not exist."""

    @abstractmethod
    def touch(self, sandbox_id: str) -> None:
        """Mark the sandbox as used now, so cleanup keeps it."""

    @abstractmethod
    def cleanup(self, idle_seconds: float) -> int:
        """Delete sandboxes (and shared snapshots) unused for longer than `idle_seconds`; return how
        many sandboxes."""

    @abstractmethod
    def count(self) -> int:
        """How many sandboxes are stored."""

    @abstractmethod
    def put_shared(self, key: str, data: bytes) -> None:
        """Keep a shared snapshot (a permalink) under its content hash."""

    @abstractmethod
    def get_shared(self, key: str) -> bytes | None:
        """A shared snapshot by its key, or None."""

    @abstractmethod
    def legacy_records(self) -> Iterator[tuple[str, str]]:
        """(id, JSON document) of each sandbox stored in the format before the op log (to migrate)."""

    @abstractmethod
    def replace_legacy(self, sandbox_id: str, snapshot: bytes, transcript: list[str]) -> bool:
        """Store a migrated sandbox under its old id and drop the old document, atomically; False if
        another process migrated it first."""

    @abstractmethod
    def set_aside(self, sandbox_id: str) -> None:
        """Move a sandbox whose record cannot be read out of the way, kept whole for the admin."""

    @abstractmethod
    def drop_legacy(self, sandbox_id: str) -> None:
        """Set an old document that cannot be read aside (kept for the admin, out of the way)."""


class SQLiteSandboxStore(SandboxStore):
    """SQLite in WAL mode, synchronous=FULL: an acknowledged change is on disk; readers never wait.

    A connection per thread (sqlite3 connections must not be shared between threads at once);
    `BEGIN IMMEDIATE` takes the write lock only for the few inserts of a change, and every write
    first queues for web/write_lock.py's lock rather than polling in SQLite's busy handler.
    """

    def __init__(self, path: str, clock: Callable[[], float] = time.time, busy_timeout: float = 30.0,
                 budget: int = DEFAULT_BUDGET):
        self.path = path
        self.clock = clock
        self.busy_timeout = busy_timeout
        self.budget = budget
        self._local = threading.local()
        self._writer = WriteLock(path)
        with closing(self._connect()) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so transactions are explicit.
        db = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None,
                             check_same_thread=False)
        # FULL: a command acknowledged to the learner survives a crash or power cut.
        db.execute("PRAGMA synchronous=FULL")
        return db

    # One connection per thread, opened on first use: connecting costs more than a small read.
    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
        return db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, in the writers' queue: committed if the block ends, else rolled back."""
        db = self._db()
        with self._writer.held():
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def _write(self, sql: str, args: tuple) -> None:
        """One statement that writes, its own transaction, in the writers' queue."""
        with self._writer.held():
            self._db().execute(sql, args)

    def create(self, snapshot: bytes, transcript: list[str]) -> str:
        sandbox_id = new_sandbox_id()
        try:
            with self._transaction() as db:
                self._insert(db, sandbox_id, snapshot, transcript)
        except sqlite3.OperationalError as error:
            raise unavailable(error) from error
        return sandbox_id

    def _insert(self, db, sandbox_id: str, snapshot: bytes, transcript: list[str]) -> None:
        now = self.clock()
        tr_bytes = sum(len(e.encode()) for e in transcript)
        if len(snapshot) + tr_bytes > self.budget:
            raise OverBudget(len(snapshot) + tr_bytes, self.budget)
        db.execute("INSERT INTO records (id, version, snap_version, op_bytes, tr_bytes, created, "
                   "last_used) VALUES (?, 0, 0, ?, ?, ?, ?)",
                   (sandbox_id, len(snapshot), tr_bytes, now, now))
        db.execute("INSERT OR REPLACE INTO snapshots (id, data) VALUES (?, ?)", (sandbox_id, snapshot))
        db.execute("DELETE FROM transcript WHERE id = ?", (sandbox_id,))
        db.executemany("INSERT INTO transcript (id, n, entry) VALUES (?, ?, ?)",
                       [(sandbox_id, n, e) for n, e in enumerate(transcript)])

    def version(self, sandbox_id: str) -> int | None:
        row = self._db().execute("SELECT version FROM records WHERE id = ?", (sandbox_id,)).fetchone()
        return row[0] if row else None

    def load(self, sandbox_id: str) -> Stored | None:
        db = self._db()
        db.execute("BEGIN")   # one read transaction: a consistent view under WAL
        try:
            row = db.execute("SELECT version, snap_version, data, op_bytes + tr_bytes FROM records "
                             "JOIN snapshots USING (id) WHERE id = ?", (sandbox_id,)).fetchone()
            if row is None:
                return None
            ops = [r[0] for r in db.execute("SELECT op FROM ops WHERE id = ? AND version > ? ORDER BY version",
                                            (sandbox_id, row[1]))]
            transcript = [r[0] for r in db.execute("SELECT entry FROM transcript WHERE id = ? ORDER BY n",
                                                   (sandbox_id,))]
        finally:
            db.execute("COMMIT")
        return Stored(row[0], row[1], bytes(row[2]), ops, transcript, row[3])

    def ops_after(self, sandbox_id: str, version: int) -> list[str] | None:
        db = self._db()
        db.execute("BEGIN")
        try:
            row = db.execute("SELECT version, snap_version FROM records WHERE id = ?", (sandbox_id,)).fetchone()
            if row is None or row[1] > version:
                return None
            ops = [r[0] for r in db.execute("SELECT op FROM ops WHERE id = ? AND version > ? ORDER BY version",
                                            (sandbox_id, version))]
        finally:
            db.execute("COMMIT")
        return ops if len(ops) == row[0] - version else None

    def append(self, sandbox_id: str, expected_version: int, change: Change) -> int:
        try:
            return self._append(sandbox_id, expected_version, change)
        except sqlite3.OperationalError as error:   # disk full, I/O error, locked past the timeout
            raise unavailable(error) from error

    def _append(self, sandbox_id: str, expected_version: int, change: Change) -> int:
        with self._transaction() as db:
            row = db.execute("SELECT version, op_bytes, tr_bytes, last_used FROM records WHERE id = ?",
                             (sandbox_id,)).fetchone()
            if row is None:
                raise UnknownSandbox(sandbox_id)
            version, op_bytes, tr_bytes, last_used = row
            now = self.clock()
            # last_used is indexed: moving it is a page more per command, and a minute is precise enough
            used = now if now - last_used > USED_PRECISION else last_used
            if version != expected_version:
                raise Conflict(sandbox_id)
            new = version + 1
            if change.transcript_from is not None:
                removed = db.execute("SELECT COALESCE(SUM(length(CAST(entry AS BLOB))), 0) FROM transcript "
                                     "WHERE id = ? AND n >= ?", (sandbox_id, change.transcript_from)).fetchone()[0]
                tr_bytes += sum(len(e.encode()) for e in change.entries) - removed
            op_bytes = len(change.snapshot) if change.snapshot is not None else op_bytes + change.op_size()
            if op_bytes + tr_bytes > self.budget:
                raise OverBudget(op_bytes + tr_bytes, self.budget)
            if change.transcript_from is not None:
                db.execute("DELETE FROM transcript WHERE id = ? AND n >= ?", (sandbox_id, change.transcript_from))
                db.executemany("INSERT INTO transcript (id, n, entry) VALUES (?, ?, ?)",
                               [(sandbox_id, change.transcript_from + i, e) for i, e in enumerate(change.entries)])
            if change.snapshot is not None:
                # compaction: the snapshot holds everything up to `new`; older ops are not needed
                db.execute("DELETE FROM ops WHERE id = ? AND version <= ?", (sandbox_id, new))
                db.execute("UPDATE snapshots SET data = ? WHERE id = ?", (change.snapshot, sandbox_id))
                db.execute("UPDATE records SET version = ?, snap_version = ?, op_bytes = ?, "
                           "tr_bytes = ?, last_used = ? WHERE id = ?",
                           (new, new, op_bytes, tr_bytes, used, sandbox_id))
            else:
                db.execute("INSERT INTO ops (id, version, op) VALUES (?, ?, ?)", (sandbox_id, new, change.op))
                db.execute("UPDATE records SET version = ?, op_bytes = ?, tr_bytes = ?, last_used = ? WHERE id = ?",
                           (new, op_bytes, tr_bytes, used, sandbox_id))
        return new

    def delete(self, sandbox_id: str) -> bool:
        with self._transaction() as db:
            return self._delete(db, sandbox_id)

    @staticmethod
    def _delete(db, sandbox_id: str) -> bool:
        db.execute("DELETE FROM ops WHERE id = ?", (sandbox_id,))
        db.execute("DELETE FROM transcript WHERE id = ?", (sandbox_id,))
        db.execute("DELETE FROM snapshots WHERE id = ?", (sandbox_id,))
        return db.execute("DELETE FROM records WHERE id = ?", (sandbox_id,)).rowcount > 0

    def touch(self, sandbox_id: str) -> None:
        # pages touch on every view: write (and fsync) only when the minute-precise value moves
        now = self.clock()
        try:
            self._write("UPDATE records SET last_used = ? WHERE id = ? AND last_used < ?",
                        (now, sandbox_id, now - USED_PRECISION))
        except sqlite3.OperationalError as error:   # a full disk must not stop a page that only reads
            if full_storage_error(error) is None:
                raise

    def cleanup(self, idle_seconds: float) -> int:
        cutoff = self.clock() - idle_seconds
        with self._transaction() as db:
            ids = [r[0] for r in db.execute("SELECT id FROM records WHERE last_used < ?", (cutoff,))]
            for sandbox_id in ids:
                self._delete(db, sandbox_id)
            db.execute("DELETE FROM shared WHERE last_used < ?", (cutoff,))
        return len(ids)

    def count(self) -> int:
        return self._db().execute("SELECT COUNT(*) FROM records").fetchone()[0]

    def put_shared(self, key: str, data: bytes) -> None:
        try:
            self._put_shared(key, data)
        except sqlite3.OperationalError as error:
            raise unavailable(error) from error

    def _put_shared(self, key: str, data: bytes) -> None:
        self._write("INSERT INTO shared (key, data, last_used) VALUES (?, ?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET last_used = excluded.last_used", (key, data, self.clock()))

    def get_shared(self, key: str) -> bytes | None:
        row = self._db().execute("SELECT data FROM shared WHERE key = ?", (key,)).fetchone()
        if row is not None:
            try:   # opening a link only reads: a full disk must not stop it
                self._write("UPDATE shared SET last_used = ? WHERE key = ?", (self.clock(), key))
            except sqlite3.OperationalError as error:
                if full_storage_error(error) is None:
                    raise
        return bytes(row[0]) if row else None

    # ---- the format before the op log: one JSON document per sandbox in `sandboxes` -----------------
    def _has_legacy(self) -> bool:
        return self._db().execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sandboxes'"
                                  ).fetchone() is not None

    def legacy_records(self) -> Iterator[tuple[str, str]]:
        if not self._has_legacy():
            return
        while True:
            row = self._db().execute("SELECT id, data FROM sandboxes LIMIT 1").fetchone()
            if row is None:
                break
            yield row[0], row[1]
        # every document is converted: the old table goes (another process may have dropped it)
        with self._transaction() as db:
            if self._has_legacy() and db.execute("SELECT COUNT(*) FROM sandboxes").fetchone()[0] == 0:
                db.execute("DROP TABLE sandboxes")

    def replace_legacy(self, sandbox_id: str, snapshot: bytes, transcript: list[str]) -> bool:
        with self._transaction() as db:
            row = db.execute("SELECT created, last_used FROM sandboxes WHERE id = ?", (sandbox_id,)).fetchone()
            if row is None:
                return False
            budget, self.budget = self.budget, max(self.budget, 1 << 40)   # an old record is kept whole
            try:
                self._insert(db, sandbox_id, snapshot, transcript)
            finally:
                self.budget = budget
            db.execute("UPDATE records SET created = ?, last_used = ? WHERE id = ?", (row[0], row[1], sandbox_id))
            db.execute("DELETE FROM sandboxes WHERE id = ?", (sandbox_id,))
        return True

    def set_aside(self, sandbox_id: str) -> None:
        with self._transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS damaged_records (id TEXT, snapshot BLOB, ops TEXT, transcript TEXT, "
                       "moved REAL)")
            ops = json.dumps([r[0] for r in db.execute("SELECT op FROM ops WHERE id = ? ORDER BY version",
                                                       (sandbox_id,))])
            transcript = json.dumps([r[0] for r in db.execute("SELECT entry FROM transcript WHERE id = ? ORDER BY n",
                                                              (sandbox_id,))])
            db.execute("INSERT INTO damaged_records SELECT id, data, ?, ?, ? FROM snapshots WHERE id = ?",
                       (ops, transcript, self.clock(), sandbox_id))
            self._delete(db, sandbox_id)

    def drop_legacy(self, sandbox_id: str) -> None:
        """Set an unreadable old document aside (renamed table row kept for the admin)."""
        with self._transaction() as db:
            db.execute("CREATE TABLE IF NOT EXISTS damaged (id TEXT, data TEXT, moved REAL)")
            db.execute("INSERT INTO damaged SELECT id, data, ? FROM sandboxes WHERE id = ?", (self.clock(), sandbox_id))
            db.execute("DELETE FROM sandboxes WHERE id = ?", (sandbox_id,))
