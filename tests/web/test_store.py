"""The sandbox stores' contract (snapshot + op log + transcript, version-checked appends, a byte budget),
checked against both backends: SQLite, and Redis on a real redis-server started by the tests."""
from __future__ import annotations

import sqlite3
import threading

import pytest

from web.store import Change, Conflict, OverBudget, SQLiteSandboxStore, UnknownSandbox


class FakeClock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return FakeClock()


def redis_store(request, clock, **kwargs):
    from web.store_redis import RedisSandboxStore

    url, prefix = request.getfixturevalue("redis_url")
    return RedisSandboxStore.from_url(url, prefix=prefix, clock=clock, **kwargs)


@pytest.fixture(params=["sqlite", "redis"])
def make_store(request, tmp_path, clock):
    def make(**kwargs):
        if request.param == "sqlite":
            return SQLiteSandboxStore(str(tmp_path / "store.sqlite3"), clock=clock, **kwargs)
        return redis_store(request, clock, **kwargs)
    return make


@pytest.fixture
def store(make_store):
    return make_store()


def op(n: int) -> Change:
    return Change(f'{{"do":[["run","docker tag a t{n}"]]}}', n, [f'{{"command":"t{n}"}}'])


def test_create_returns_unguessable_distinct_ids_at_version_0(store):
    first = store.create(b"snap-1", ['{"e":0}'])
    second = store.create(b"snap-2", [])
    assert first != second and len(first) >= 22   # 128 random bits in URL-safe base64
    loaded = store.load(first)
    assert (loaded.version, loaded.snap_version, loaded.snapshot, loaded.ops, loaded.transcript) == \
        (0, 0, b"snap-1", [], ['{"e":0}'])
    assert store.version(second) == 0


def test_unknown_ids(store):
    assert store.load("no-such-id") is None
    assert store.version("no-such-id") is None
    with pytest.raises(UnknownSandbox):
        store.append("no-such-id", 0, op(0))


def test_append_adds_one_op_and_transcript_rows(store):
    sandbox_id = store.create(b"s", [])
    assert store.append(sandbox_id, 0, op(0)) == 1
    assert store.append(sandbox_id, 1, op(1)) == 2
    loaded = store.load(sandbox_id)
    assert loaded.version == 2 and loaded.snapshot == b"s"
    assert loaded.ops == [op(0).op, op(1).op]
    assert loaded.transcript == ['{"command":"t0"}', '{"command":"t1"}']
    assert store.ops_after(sandbox_id, 1) == [op(1).op]
    assert store.ops_after(sandbox_id, 2) == []


def test_transcript_from_replaces_the_rows_at_and_after_it(store):
    sandbox_id = store.create(b"s", ["a", "b", "c"])
    store.append(sandbox_id, 0, Change("{}", 1, []))          # an undo back to one entry
    assert store.load(sandbox_id).transcript == ["a"]
    store.append(sandbox_id, 1, Change("{}", 1, ["B"]))
    store.append(sandbox_id, 2, Change("{}", None, []))       # no transcript change
    assert store.load(sandbox_id).transcript == ["a", "B"]


def test_a_stale_version_is_a_conflict_and_writes_nothing(store):
    sandbox_id = store.create(b"s", [])
    store.append(sandbox_id, 0, op(0))
    with pytest.raises(Conflict):
        store.append(sandbox_id, 0, op(9))
    loaded = store.load(sandbox_id)
    assert loaded.version == 1 and loaded.ops == [op(0).op] and len(loaded.transcript) == 1


def test_a_snapshot_compacts_the_ops_before_it(store):
    sandbox_id = store.create(b"s0", [])
    for n in range(3):
        store.append(sandbox_id, n, op(n))
    snap = op(3)
    snap.snapshot = b"s4"
    assert store.append(sandbox_id, 3, snap) == 4
    store.append(sandbox_id, 4, op(4))
    loaded = store.load(sandbox_id)
    assert (loaded.snap_version, loaded.snapshot, loaded.ops) == (4, b"s4", [op(4).op])
    assert len(loaded.transcript) == 5
    assert store.ops_after(sandbox_id, 2) is None     # those ops are gone: load whole
    assert store.ops_after(sandbox_id, 4) == [op(4).op]


def test_over_the_budget_nothing_is_written(make_store):
    store = make_store(budget=1000)
    sandbox_id = store.create(b"x" * 100, ["y" * 100])
    store.append(sandbox_id, 0, Change("o" * 300, 1, ["e" * 100]))   # 100 + 300 + 200 bytes
    with pytest.raises(OverBudget) as raised:
        store.append(sandbox_id, 1, Change("o" * 100, 2, ["e" * 400]))
    assert raised.value.needed > 1000
    loaded = store.load(sandbox_id)
    assert loaded.version == 1 and len(loaded.ops) == 1 and len(loaded.transcript) == 2
    # a snapshot that replaces the log fits again (compaction), and a shrinking transcript counts
    assert store.append(sandbox_id, 1, Change("o", 0, ["e" * 10], snapshot=b"z" * 50)) == 2
    assert store.load(sandbox_id).stored_bytes == 60
    with pytest.raises(OverBudget):
        store.create(b"x" * 2000, [])


def test_delete(store):
    sandbox_id = store.create(b"s", ["e"])
    store.append(sandbox_id, 0, op(0))
    assert store.delete(sandbox_id) is True
    assert store.load(sandbox_id) is None
    assert store.delete(sandbox_id) is False
    # the id's rows are gone: a new sandbox under a fresh id starts clean
    assert store.load(store.create(b"t", [])).transcript == []


def test_cleanup_deletes_only_idle_sandboxes(store, clock):
    old = store.create(b"old", [])
    clock.now += 100
    touched = store.create(b"touched", [])
    changed = store.create(b"changed", [])
    clock.now += 50
    store.touch(touched)
    store.append(changed, 0, op(0))
    clock.now += 60
    # old: idle 210 s; touched and changed: idle 60 s
    assert store.cleanup(idle_seconds=120) == 1
    assert store.load(old) is None
    assert store.load(touched).snapshot == b"touched"
    assert store.load(changed).version == 1
    assert store.count() == 2


def test_touch_of_an_unknown_id_creates_nothing(store):
    store.touch("never-created")
    assert store.load("never-created") is None
    assert store.cleanup(idle_seconds=-1) == 0


def test_shared_snapshots_by_key(store):
    assert store.get_shared("k" + "a" * 43) is None
    store.put_shared("k" + "b" * 43, b"\x00state")
    store.put_shared("k" + "b" * 43, b"\x00state")   # the same content shared twice: one copy
    assert store.get_shared("k" + "b" * 43) == b"\x00state"


def test_database_is_in_wal_mode_with_full_sync(tmp_path):
    store = SQLiteSandboxStore(str(tmp_path / "s.sqlite3"))
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store._connect().execute("PRAGMA synchronous").fetchone()[0] == 2   # FULL


def test_data_survives_a_new_store_on_the_same_file(tmp_path):
    path = str(tmp_path / "restart.sqlite3")
    sandbox_id = SQLiteSandboxStore(path).create(b"s", ["e"])
    SQLiteSandboxStore(path).append(sandbox_id, 0, Change("{}", 1, ['{"command":"t0"}']))
    loaded = SQLiteSandboxStore(path).load(sandbox_id)
    assert loaded.version == 1 and loaded.transcript == ["e", '{"command":"t0"}']


def _second_store(store, clock):
    """Another handle on the same data, as a second app server (or process) has."""
    if isinstance(store, SQLiteSandboxStore):
        return SQLiteSandboxStore(store.path, clock=clock)
    from web.store_redis import RedisSandboxStore

    return RedisSandboxStore(type(store.client)(connection_pool=type(store.client.connection_pool)(
        **store.client.connection_pool.connection_kwargs)), prefix=store.prefix, clock=clock)


def test_two_servers_appending_at_once_never_lose_an_op(store, clock):
    """Optimistic appends from two handles: each writer retries on Conflict; every op lands once."""
    other = _second_store(store, clock)
    sandbox_id = store.create(b"s", [])

    def work(handle, name):
        for i in range(30):
            while True:
                version = handle.version(sandbox_id)
                try:
                    handle.append(sandbox_id, version, Change(f"{name}-{i}"))
                    break
                except Conflict:
                    continue

    threads = [threading.Thread(target=work, args=(handle, name))
               for handle, name in ((store, "a"), (other, "b"), (store, "c"), (other, "d"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ops = other.load(sandbox_id).ops
    assert sorted(ops) == sorted(f"{n}-{i}" for n in "abcd" for i in range(30))
    for name in "abcd":   # each writer's own ops stay in order
        assert [o for o in ops if o.startswith(name)] == [f"{name}-{i}" for i in range(30)]


def test_redis_store_keeps_acknowledged_appends_across_a_kill(start_redis):
    """With appendfsync always, what append() returned from is on disk before redis-server dies."""
    from web.store_redis import RedisSandboxStore

    server = start_redis(appendonly=True)
    store = RedisSandboxStore.from_url(server.url)
    sandbox_id = store.create(b"s", [])
    for n in range(20):
        store.append(sandbox_id, n, op(n))
    server.kill()
    server.start()
    loaded = RedisSandboxStore.from_url(server.url).load(sandbox_id)
    assert loaded.version == 20 and len(loaded.ops) == 20


def test_writers_queue_for_the_write_lock_instead_of_polling_sqlite(tmp_path):
    """web/write_lock.py: every write waits its turn (threads of a process, and processes) before it
    asks SQLite for its lock, so even with no busy timeout at all nobody finds it taken. A class of
    16 learners on 2 processes × 8 threads: without the queue, SQLite refuses ("database is locked")."""
    from tests.web.store_helpers import append_from_threads, in_two_processes

    path = str(tmp_path / "class.sqlite3")
    store = SQLiteSandboxStore(path)
    ids = {name: [store.create(b"s", []) for _ in range(8)] for name in "pq"}
    in_two_processes(append_from_threads, {name: (path, ids[name]) for name in "pq"})
    assert all(store.load(sandbox_id).version == 20 for group in ids.values() for sandbox_id in group)
