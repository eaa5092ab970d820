"""A damaged stored record (a snapshot or an op row corrupted directly in SQLite, as a torn
write or a bad disk would leave it) no longer answers 500 on every page: the learner reads what
happened and gets a new sandbox, the damaged record is set aside whole for the admin and logged with
its id, other learners see nothing."""
from __future__ import annotations

import logging
import sqlite3
import time
import zlib
from contextlib import closing

import pytest
from flask.testing import FlaskClient
from security_helpers import HX, page_token, session_data

from web import sandboxes


def damage(app, sandbox_id: str, data: bytes | None = None, table: str = "snapshots") -> bytes:
    """Overwrite the record's snapshot (or its first op) in the database file itself; `data` None =
    cut it in half. The server process forgets its live copy, as after a restart."""
    store = app.extensions["sandbox_store"]
    column, where = ("data", "") if table == "snapshots" else ("op", " AND version = 1")
    with closing(sqlite3.connect(app.config["DATABASE"])) as db:
        (stored,) = db.execute(f"SELECT {column} FROM {table} WHERE id = ?{where}", (sandbox_id,)).fetchone()
        damaged = stored[: len(stored) // 2] if data is None else data
        with db:
            db.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?{where}", (damaged, sandbox_id))
    sandboxes.cache_of(store).drop(sandbox_id)
    return damaged


def browser_with_work(app) -> tuple[FlaskClient, str]:
    client = FlaskClient(app, app.response_class)
    client.token = page_token(client.get("/").get_data(as_text=True))
    for line in ("docker pull alpine", "docker create --name web alpine"):
        client.post("/commands", data={"command": line, "csrf_token": client.token})
    return client, session_data(app, client)["sandbox_id"]


def commands(app, client) -> list[str]:
    outcome = sandboxes.load(app.extensions["sandbox_store"], session_data(app, client)["sandbox_id"])
    return [entry["command"] for entry in outcome.sandbox.transcript]


def set_aside(app) -> list[tuple]:
    with closing(sqlite3.connect(app.config["DATABASE"])) as db:
        return db.execute("SELECT id, snapshot FROM damaged_records").fetchall()


@pytest.mark.parametrize("data,table", [(None, "snapshots"), (zlib.compress(b"[1, 2]"), "snapshots"),
                                        (b"", "snapshots"), (zlib.compress(b"null"), "snapshots"),
                                        ("{not json", "ops")])
def test_the_page_explains_and_gives_a_new_sandbox(make_app, caplog, data, table):
    app = make_app()
    client, damaged_id = browser_with_work(app)
    neighbour, neighbour_id = browser_with_work(app)
    stored = damage(app, damaged_id, data, table)

    started = time.monotonic()
    with caplog.at_level(logging.ERROR):
        page = client.get("/")
    # not held up by the damaged sandbox's lock (LOCK_WAIT is 20 s); 10 s leaves room for a busy machine
    assert time.monotonic() - started < 10.0
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Your sandbox could not be read" in text and "you now have a new, empty sandbox" in text
    assert f"damaged sandbox {damaged_id}" in text
    new_id = session_data(app, client)["sandbox_id"]
    assert new_id != damaged_id
    # set aside whole for the admin, and logged with its id
    kept = set_aside(app)
    assert [row[0] for row in kept] == [damaged_id]
    if table == "snapshots":
        assert kept[0][1] == stored
    assert any(damaged_id in r.getMessage() and "kept aside" in r.getMessage() for r in caplog.records)
    store = app.extensions["sandbox_store"]
    assert store.version(damaged_id) is None

    # the learner goes on in the new sandbox; the neighbour never noticed
    assert client.get("/").status_code == 200
    assert client.post("/commands", data={"command": "docker pull busybox", "csrf_token": client.token}).status_code == 303
    assert commands(app, client) == ["docker pull busybox"]
    assert session_data(app, neighbour)["sandbox_id"] == neighbour_id
    assert commands(app, neighbour) == ["docker pull alpine", "docker create --name web alpine"]


def test_an_htmx_command_is_sent_to_the_explanation(make_app):
    app = make_app()
    client, damaged_id = browser_with_work(app)
    damage(app, damaged_id)
    answer = client.post("/commands", data={"command": "docker ps"}, headers={**HX, "X-CSRF-Token": client.token})
    assert answer.status_code == 200 and answer.headers["HX-Redirect"] == "/recovered"
    page = client.get("/recovered")
    assert page.status_code == 200 and "your last action was not carried out" in page.get_data(as_text=True)
    assert client.get("/recovered").status_code == 303          # read once, then back to the page
    assert commands(app, client) == []


def test_every_page_of_that_browser_recovers_not_only_the_main_one(make_app):
    app = make_app()
    for path in ("/timeline", "/share", "/files", "/complete?line=docker%20p"):
        client, damaged_id = browser_with_work(app)
        damage(app, damaged_id)
        answer = client.get(path)
        assert answer.status_code < 500, path
        assert client.get("/").status_code == 200
        assert session_data(app, client)["sandbox_id"] != damaged_id, path


def test_a_damaged_course_sandbox_recovers_too(make_app):
    app = make_app()
    client, _ = browser_with_work(app)
    client.post("/lessons/01-layers/commands", data={"command": "docker image ls", "csrf_token": client.token})
    course_id = session_data(app, client)["course_sandbox_id"]
    damage(app, course_id)
    page = client.get("/lessons/01-layers")
    assert page.status_code == 200 and "Your sandbox could not be read" in page.get_data(as_text=True)
    assert "course_sandbox_id" not in session_data(app, client)
    assert client.get("/lessons/01-layers").status_code == 200
    assert client.post("/lessons/01-layers/commands", data={"command": "docker ps", "csrf_token": client.token}).status_code == 303


def test_the_api_answers_json_410_then_404_and_keeps_the_record_aside(make_app):
    app = make_app()
    client = app.test_client()
    sandbox_id = client.post("/api/sandboxes").get_json()["id"]
    damage(app, sandbox_id, b"{not a snapshot")
    answer = client.post(f"/api/sandboxes/{sandbox_id}/commands", json={"command": "docker ps"})
    assert answer.status_code == 410 and "damaged" in answer.get_json()["error"]
    assert set_aside(app) == [(sandbox_id, b"{not a snapshot")]
    assert client.get(f"/api/sandboxes/{sandbox_id}").get_json() == {"error": f"no such sandbox: {sandbox_id}"}


def test_a_record_the_store_cannot_set_aside_stays_where_it_is(make_app, monkeypatch):
    """When setting it aside fails, nothing is lost: the record stays; the browser still moves on."""
    app = make_app()
    client, damaged_id = browser_with_work(app)
    damage(app, damaged_id, b"]")
    store = app.extensions["sandbox_store"]

    def refuse(sandbox_id):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store, "set_aside", refuse)
    assert client.get("/").status_code == 200
    with closing(sqlite3.connect(app.config["DATABASE"])) as db:
        assert db.execute("SELECT data FROM snapshots WHERE id = ?", (damaged_id,)).fetchone() == (b"]",)
    assert session_data(app, client)["sandbox_id"] != damaged_id


def test_the_redis_store_recovers_the_same_way(make_app, redis_url):
    import redis

    url, prefix = redis_url
    app = make_app(STORE=url, REDIS_PREFIX=prefix)
    client, damaged_id = browser_with_work(app)
    server = redis.Redis.from_url(url)
    server.set(f"{prefix}snap:{damaged_id}", b"\xff\xfe not a record")
    sandboxes.cache_of(app.extensions["sandbox_store"]).drop(damaged_id)
    page = client.get("/")
    assert page.status_code == 200 and "Your sandbox could not be read" in page.get_data(as_text=True)
    assert session_data(app, client)["sandbox_id"] != damaged_id
    assert server.get(f"{prefix}damaged:snap:{damaged_id}") == b"\xff\xfe not a record"
    assert client.get("/").status_code == 200
