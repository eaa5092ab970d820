"""The sandbox stores: the interface's promises, checked against both backends (SQLite, and Redis on a
real redis-server started by the tests), plus each backend's own durability settings."""
from __future__ import annotations

import sqlite3
import threading

import pytest

from web.store import SQLiteSandboxStore, UnknownSandbox


class FakeClock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture(params=["sqlite", "redis"])
def store(request, tmp_path, clock):
    if request.param == "sqlite":
        return SQLiteSandboxStore(str(tmp_path / "store.sqlite3"), clock=clock)
    from web.store_redis import RedisSandboxStore

    url, prefix = request.getfixturevalue("redis_url")
    return RedisSandboxStore.from_url(url, prefix=prefix, clock=clock)


@pytest.fixture
def sqlite_store(tmp_path, clock):
    return SQLiteSandboxStore(str(tmp_path / "store.sqlite3"), clock=clock)


def test_create_returns_unguessable_distinct_ids_and_get_returns_the_data(store):
    first = store.create({"n": 1})
    second = store.create({"n": 2})
    assert first != second
    assert len(first) >= 22  # 128 random bits in URL-safe base64
    assert store.get(first) == {"n": 1}
    assert store.get(second) == {"n": 2}


def test_get_unknown_id_is_none(store):
    assert store.get("no-such-id") is None


def test_put_replaces_data(store):
    sandbox_id = store.create({"n": 1})
    store.put(sandbox_id, {"n": 2, "text": "镜像 <layer>"})
    assert store.get(sandbox_id) == {"n": 2, "text": "镜像 <layer>"}


def test_delete(store):
    sandbox_id = store.create({})
    assert store.delete(sandbox_id) is True
    assert store.get(sandbox_id) is None
    assert store.delete(sandbox_id) is False


def test_update_saves_new_data_and_returns_the_answer(store):
    sandbox_id = store.create({"n": 1})
    answer = store.update(sandbox_id, lambda data: ({"n": data["n"] + 1}, "done"))
    assert answer == "done"
    assert store.get(sandbox_id) == {"n": 2}


def test_update_that_raises_changes_nothing(store):
    sandbox_id = store.create({"n": 1})

    def broken(data):
        raise RuntimeError("engine bug")

    with pytest.raises(RuntimeError):
        store.update(sandbox_id, broken)
    assert store.get(sandbox_id) == {"n": 1}
    # and the database is not left locked
    store.update(sandbox_id, lambda data: ({"n": 5}, None))
    assert store.get(sandbox_id) == {"n": 5}


def test_update_unknown_id_raises_unknown_sandbox(store):
    with pytest.raises(UnknownSandbox):
        store.update("nope", lambda data: (data, None))


def test_cleanup_deletes_only_idle_sandboxes(store, clock):
    old = store.create({"old": True})
    clock.now += 100
    touched = store.create({"touched": True})
    updated = store.create({"updated": True})
    clock.now += 50
    store.touch(touched)
    store.update(updated, lambda data: (data, None))
    clock.now += 60
    # old: idle 210 s; touched and updated: idle 60 s
    assert store.cleanup(idle_seconds=120) == 1
    assert store.get(old) is None
    assert store.get(touched) == {"touched": True}
    assert store.get(updated) == {"updated": True}


def test_database_is_in_wal_mode(sqlite_store):
    with sqlite3.connect(sqlite_store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_data_survives_a_new_store_on_the_same_file(tmp_path):
    path = str(tmp_path / "restart.sqlite3")
    sandbox_id = SQLiteSandboxStore(path).create({"log": ["docker pull nginx"]})
    assert SQLiteSandboxStore(path).get(sandbox_id) == {"log": ["docker pull nginx"]}


def test_concurrent_updates_of_one_sandbox_never_lose_one(store):
    """Two tabs (here: eight threads) changing one sandbox at once: every change is kept."""
    sandbox_id = store.create({"log": []})
    threads_count, per_thread = 8, 25

    def work(worker: int):
        for i in range(per_thread):
            store.update(sandbox_id, lambda data: ({"log": data["log"] + [f"{worker}-{i}"]}, None))

    threads = [threading.Thread(target=work, args=(w,)) for w in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log = store.get(sandbox_id)["log"]
    assert len(log) == threads_count * per_thread
    assert len(set(log)) == len(log)


def test_touch_of_an_unknown_id_creates_nothing(store):
    store.touch("never-created")
    assert store.get("never-created") is None
    assert store.cleanup(idle_seconds=-1) == 0


def test_cleanup_after_delete_counts_nothing_twice(store, clock):
    kept, gone = store.create({"k": 1}), store.create({"g": 1})
    assert store.delete(gone)
    clock.now += 10
    assert store.cleanup(idle_seconds=5) == 1
    assert store.get(kept) is None


def _second_store(store, clock, tmp_path):
    """Another handle on the same data, as a second app server behind a load balancer has."""
    if isinstance(store, SQLiteSandboxStore):
        return SQLiteSandboxStore(store.path, clock=clock)
    from web.store_redis import RedisSandboxStore

    return RedisSandboxStore(type(store.client)(connection_pool=type(store.client.connection_pool)(
        **store.client.connection_pool.connection_kwargs)), prefix=store.prefix, clock=clock)


def test_two_servers_updating_one_sandbox_never_lose_an_update(store, clock, tmp_path):
    other = _second_store(store, clock, tmp_path)
    sandbox_id = store.create({"log": []})

    def work(handle, name):
        for i in range(30):
            handle.update(sandbox_id, lambda data: ({"log": data["log"] + [f"{name}-{i}"]}, None))

    threads = [threading.Thread(target=work, args=(handle, name))
               for handle, name in ((store, "a"), (other, "b"), (store, "c"), (other, "d"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    log = other.get(sandbox_id)["log"]
    assert sorted(log) == sorted(f"{n}-{i}" for n in "abcd" for i in range(30))
    for name in "abcd":   # each writer's own changes stay in order
        assert [e for e in log if e.startswith(name)] == [f"{name}-{i}" for i in range(30)]


def test_redis_store_keeps_acknowledged_writes_across_a_kill(start_redis):
    """With appendfsync always, what update() returned from is on disk before redis-server dies."""
    from web.store_redis import RedisSandboxStore

    server = start_redis(appendonly=True)
    store = RedisSandboxStore.from_url(server.url)
    sandbox_id = store.create({"n": 0})
    for _ in range(20):
        store.update(sandbox_id, lambda data: ({"n": data["n"] + 1}, None))
    server.kill()
    server.start()
    assert RedisSandboxStore.from_url(server.url).get(sandbox_id) == {"n": 20}
