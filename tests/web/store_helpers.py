"""Helpers for the store tests that serve one sandbox from two processes (a module of its own:
the spawned workers import it by name, which they cannot do with a conftest)."""
from __future__ import annotations

import multiprocessing
from typing import Callable

from web.store import SQLiteSandboxStore
from web.store_redis import RedisSandboxStore


def open_store(where: str, prefix: str):
    """The store at `where`: a redis:// URL (keys under `prefix`) or an SQLite file."""
    if where.startswith("redis://"):
        return RedisSandboxStore.from_url(where, prefix=prefix)
    return SQLiteSandboxStore(where)


def store_location(kind: str, tmp_path, request) -> tuple[str, str]:
    """Where a test's shared store lives: (SQLite file or Redis URL, key prefix)."""
    if kind == "sqlite":
        return str(tmp_path / "two.sqlite3"), ""
    return request.getfixturevalue("redis_url")


def in_two_processes(worker: Callable, args: dict[str, tuple]) -> None:
    """Run `worker(*args[name], start)` in one spawned process per name, all let go at once."""
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    processes = [context.Process(target=worker, args=(*arguments, start)) for arguments in args.values()]
    for process in processes:
        process.start()
    start.set()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0
