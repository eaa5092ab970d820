"""A database written by LayerLab before the op log (one JSON document per sandbox; data/ holds it
as an SQL dump, made by that code through its API and pages, with what it answered then) is
converted on start, nothing lost."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from web import sandboxes
from web.store import SQLiteSandboxStore

DATA = Path(__file__).parent / "data"
EXPECTED = json.loads((DATA / "before-op-log.json").read_text(encoding="utf-8"))


def old_database(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.executescript((DATA / "before-op-log.sql").read_text(encoding="utf-8"))
    return path


def check_migrated(store, client) -> None:
    for sandbox_id, expected in EXPECTED.items():
        assert client.get(f"/api/sandboxes/{sandbox_id}").get_json() == expected["state"]
        outcome = sandboxes.load(store, sandbox_id)
        assert outcome.sandbox.log == expected["log"]
        assert json.loads(json.dumps(outcome.sandbox.transcript)) == expected["transcript"]
        assert {k: outcome.record.get(k) for k in expected["head"]} == expected["head"]
        # and it goes on working: a command, and an undo back past it
        answer = client.post(f"/api/sandboxes/{sandbox_id}/commands", json={"command": "docker tag alpine after"})
        assert answer.status_code == 200
        assert client.post(f"/api/sandboxes/{sandbox_id}/undo").get_json() == expected["state"]


def test_an_old_sqlite_database_is_migrated_on_start(make_app, tmp_path):
    database = old_database(tmp_path / "old.sqlite3")
    app = make_app(str(database))
    store = app.extensions["sandbox_store"]
    assert store.count() == len(EXPECTED)
    check_migrated(store, app.test_client())
    with sqlite3.connect(database) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "sandboxes" not in tables   # converted whole, then dropped
        # the unreadable record is kept aside for the admin, not served and not lost
        assert db.execute("SELECT id FROM damaged").fetchall() == [("damaged0000000000000000",)]
    # a second start finds nothing left to migrate and changes nothing
    again = make_app(str(database))
    assert again.extensions["sandbox_store"].count() == len(EXPECTED)


def test_an_old_redis_store_is_migrated_on_start(make_app, redis_url, tmp_path):
    url, prefix = redis_url
    from web.store_redis import RedisSandboxStore

    client = RedisSandboxStore.from_url(url, prefix=prefix).client
    with sqlite3.connect(old_database(tmp_path / "old.sqlite3")) as db:
        for sandbox_id, data, last_used in db.execute("SELECT id, data, last_used FROM sandboxes"):
            client.set(f"{prefix}sandbox:{sandbox_id}", data)
            client.zadd(f"{prefix}last_used", {sandbox_id: last_used})
    app = make_app(STORE=url, REDIS_PREFIX=prefix)
    store = app.extensions["sandbox_store"]
    assert store.count() == len(EXPECTED)
    check_migrated(store, app.test_client())
    assert client.get(f"{prefix}damaged:damaged0000000000000000") == b"{not json"
    assert not list(client.scan_iter(match=f"{prefix}sandbox:*"))


def test_the_store_opens_a_new_database_without_a_legacy_table(tmp_path):
    store = SQLiteSandboxStore(str(tmp_path / "new.sqlite3"))
    assert sandboxes.migrate(store) == 0
    with pytest.raises(StopIteration):
        next(iter(store.legacy_records()))
