"""What the sandbox store raises when its storage, not the request, is at fault.

The stores (web/store.py, web/store_redis.py) and the record's owner (web/sandboxes.py) raise
these; the app answers them in one place (web/errors.py, web/recovery.py):
    DamagedRecord     a stored record that cannot be read back (snapshot, op log or transcript): the
                      learner gets a clear page and a new sandbox, the record is set aside for the
                      admin and logged;
    StoreFull         the storage refused a write (disk or database full, Redis out of memory or
                      unable to persist): 503 with a clear message, nothing changed, reads keep working;
    StoreUnavailable  any other reason the store cannot write now (the Redis server is gone, SQLite
                      locked past its timeout): 503, nothing changed.
`full_storage_error` finds a full disk in a raw failure; `unavailable` picks the type to raise.
"""
from __future__ import annotations

import errno
import sqlite3


class DamagedRecord(Exception):
    """The record stored under `sandbox_id` cannot be read. `raw` is its stored text when the store
    had it (kept aside for the admin), `reason` what was wrong with it."""

    def __init__(self, sandbox_id: str, raw: str | bytes | None = None, reason: str = ""):
        super().__init__(sandbox_id, reason)
        self.sandbox_id = sandbox_id
        self.raw = raw
        self.reason = reason

    def __str__(self) -> str:
        return f"damaged sandbox record {self.sandbox_id}: {self.reason or 'unreadable'}"


class StoreUnavailable(RuntimeError):
    """The store cannot write now (the server is gone, the database locked too long): nothing was saved."""


class StoreFull(StoreUnavailable):
    """The storage refused to save (disk or database full). Nothing was saved."""


def unavailable(error: BaseException) -> StoreUnavailable:
    """What to raise for a store's failed write: StoreFull when storage is full, else StoreUnavailable."""
    return StoreFull(str(error)) if full_storage_error(error) is not None else StoreUnavailable(str(error))


FULL_MESSAGES = ("database or disk is full", "disk is full")


def full_storage_error(error: BaseException | None) -> BaseException | None:
    """The full-storage error in `error` or in what caused it (a failed ROLLBACK can hide the
    SQLITE_FULL that caused it), else None."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, StoreFull):
            return error
        if isinstance(error, sqlite3.OperationalError) and any(m in str(error).lower() for m in FULL_MESSAGES):
            return error
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            return error
        error = error.__cause__ or error.__context__
    return None
