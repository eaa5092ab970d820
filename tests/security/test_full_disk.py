"""A full disk: SQLite answers "database or disk is full" (simulated on every write statement of the
store's connection), or a write fails with ENOSPC. Every write answers 503 with a
clear message and Retry-After, nothing is half-saved, reading keeps working, and once there is
room again everything goes on."""
from __future__ import annotations

import errno
import html
import logging
import sqlite3
import time

import pytest
from flask.testing import FlaskClient
from security_helpers import HX, page_token, session_data

from web import sandboxes

FULL_TEXT = "the server's storage is full"


class NoWritesConnection:
    """A SQLite connection on a disk with no byte left: every write statement fails as SQLite's does."""

    WRITES = ("INSERT", "UPDATE", "DELETE", "BEGIN IMMEDIATE", "REPLACE")

    def __init__(self, db):
        self._db = db

    def execute(self, sql, *args):
        if sql.lstrip().upper().startswith(self.WRITES):
            raise sqlite3.OperationalError("database or disk is full")
        return self._db.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._db, name)


@pytest.fixture
def disk(monkeypatch):
    """disk.fill(app): from now on no write reaches the database (SQLite's own answer when full)."""

    class Disk:
        def fill(self, app):
            store = app.extensions["sandbox_store"]
            real = store._db
            monkeypatch.setattr(store, "_db", lambda: NoWritesConnection(real()))

        def free(self):
            monkeypatch.undo()

    return Disk()


def browser(app) -> FlaskClient:
    client = FlaskClient(app, app.response_class)
    client.token = page_token(client.get("/").get_data(as_text=True))
    client.post("/commands", data={"command": "docker pull alpine", "csrf_token": client.token})
    return client


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def commands(app, client) -> list[str]:
    outcome = sandboxes.load(app.extensions["sandbox_store"], session_data(app, client)["sandbox_id"])
    return [entry["command"] for entry in outcome.sandbox.transcript]


def test_a_full_database_answers_503_and_reads_keep_working(make_app, disk, caplog):
    app = make_app()
    client = browser(app)
    api = app.test_client()
    api_id = api.post("/api/sandboxes").get_json()["id"]
    disk.fill(app)

    started = time.monotonic()
    with caplog.at_level(logging.ERROR):
        # a command that grows the record by several pages (nginx's layers and history)
        plain = client.post("/commands", data={"command": "docker pull nginx", "csrf_token": client.token})
        htmx = client.post("/commands", data={"command": "docker pull nginx"}, headers={**HX, "X-CSRF-Token": client.token})
        created = api.post("/api/sandboxes", json={"scenario": "article"})
        command = api.post(f"/api/sandboxes/{api_id}/commands", json={"command": "docker pull nginx"})
    assert time.monotonic() - started < 3.0
    for answer in (plain, htmx, created, command):
        assert answer.status_code == 503
        assert answer.headers["Retry-After"] == "60"
    assert FULL_TEXT in text(plain) and "Nothing was changed" in text(plain)
    assert FULL_TEXT in created.get_json()["error"] and FULL_TEXT in command.get_json()["error"]
    assert any("storage full" in r.getMessage() and "database or disk is full" in r.getMessage() for r in caplog.records)
    assert not any("unexpected error" in r.getMessage() for r in caplog.records)

    # nothing half-saved; reading still works
    assert commands(app, client) == ["docker pull alpine"]
    page = client.get("/")
    assert page.status_code == 200 and "docker pull alpine" in page.get_data(as_text=True)
    assert api.get(f"/api/sandboxes/{api_id}").status_code == 200
    assert client.get("/lessons").status_code == 200

    disk.free()
    assert client.post("/commands", data={"command": "docker pull nginx", "csrf_token": client.token}).status_code == 303
    assert commands(app, client) == ["docker pull alpine", "docker pull nginx"]


def test_with_no_byte_left_every_write_is_503_and_pages_still_read(make_app, monkeypatch):
    """Even the page view's 'last used' stamp cannot be saved: the page is shown all the same."""
    app = make_app()
    client = browser(app)
    api = app.test_client()
    api_id = api.post("/api/sandboxes").get_json()["id"]
    store = app.extensions["sandbox_store"]
    real = store._db
    monkeypatch.setattr(store, "_db", lambda: NoWritesConnection(real()))

    page = client.get("/")
    assert page.status_code == 200 and "docker pull alpine" in page.get_data(as_text=True)
    assert client.get("/lessons").status_code == 200
    assert api.get(f"/api/sandboxes/{api_id}").status_code == 200
    for answer in (client.post("/commands", data={"command": "docker ps", "csrf_token": client.token}),
                   client.post("/undo", data={"csrf_token": client.token}),
                   api.post(f"/api/sandboxes/{api_id}/commands", json={"command": "docker ps"}),
                   api.post("/api/sandboxes"),
                   FlaskClient(app, app.response_class).get("/")):   # a first visit must create a sandbox
        assert answer.status_code == 503 and FULL_TEXT in text(answer)
    monkeypatch.undo()
    assert commands(app, client) == ["docker pull alpine"]


def test_enospc_from_any_write_is_the_same_503(make_app, monkeypatch):
    """Whatever the store (a file write, Redis's own disk), ENOSPC anywhere in the cause is a full disk."""
    app = make_app()
    client = browser(app)
    store = app.extensions["sandbox_store"]

    def no_space(*args, **kwargs):
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as error:
            raise RuntimeError("save failed") from error

    monkeypatch.setattr(store, "append", no_space)
    monkeypatch.setattr(store, "create", no_space)
    answer = client.post("/commands", data={"command": "docker ps", "csrf_token": client.token})
    assert answer.status_code == 503 and FULL_TEXT in text(answer)
    assert app.test_client().post("/api/sandboxes").status_code == 503
    assert client.get("/").status_code == 200


def test_other_errors_are_still_500_not_disguised_as_a_full_disk(make_app, monkeypatch):
    app = make_app()
    client = browser(app)
    monkeypatch.setattr(app.extensions["sandbox_store"], "append",
                        lambda *a, **k: (_ for _ in ()).throw(OSError(errno.EIO, "I/O error")))
    answer = client.post("/commands", data={"command": "docker ps", "csrf_token": client.token})
    assert answer.status_code == 500

