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


def append_from_threads(where: str, sandbox_ids: list[str], start) -> None:
    """A worker process of a class: one thread per sandbox, each appending 20 changes at once, on a
    store that gives up at once when SQLite's write lock is taken (busy timeout 0)."""
    import threading

    from web.store import Change

    store = SQLiteSandboxStore(where, busy_timeout=0)
    failures = []

    def learner(sandbox_id: str) -> None:
        try:
            for version in range(20):
                store.append(sandbox_id, version, Change('{"do":[]}', None, []))
        except Exception as error:   # noqa: BLE001 - the test says which
            failures.append(error)

    start.wait()
    threads = [threading.Thread(target=learner, args=(sandbox_id,)) for sandbox_id in sandbox_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[:3]
