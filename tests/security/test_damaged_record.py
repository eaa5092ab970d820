"""A damaged stored record (corrupted directly in SQLite, as a torn write or a bad disk would leave
it) no longer answers 500 on every page: the learner reads what happened and gets a new sandbox,
the damaged record is kept aside for the admin and logged with its id, other learners see nothing."""
from __future__ import annotations

import logging
import sqlite3
import time
from contextlib import closing

import pytest
from flask.testing import FlaskClient
from security_helpers import HX, page_token, session_data


@pytest.fixture
def app(make_app, tmp_path):
    return make_app(DAMAGED_FOLDER=str(tmp_path / "damaged"))


def damage(app, sandbox_id: str, data: str | None = None) -> str:
    """Overwrite the record in the database file itself; `data` None = cut it in half."""
    with closing(sqlite3.connect(app.config["DATABASE"])) as db:
        (text,) = db.execute("SELECT data FROM sandboxes WHERE id = ?", (sandbox_id,)).fetchone()
        damaged = text[: len(text) // 2] if data is None else data
        with db:
            db.execute("UPDATE sandboxes SET data = ? WHERE id = ?", (damaged, sandbox_id))
    return damaged


def browser_with_work(app) -> tuple[FlaskClient, str]:
    client = FlaskClient(app, app.response_class)
    client.token = page_token(client.get("/").get_data(as_text=True))
    for line in ("docker pull alpine", "docker create --name web alpine"):
        client.post("/commands", data={"command": line, "csrf_token": client.token})
    return client, session_data(app, client)["sandbox_id"]


def commands(app, client) -> list[str]:
    record = app.extensions["sandbox_store"].get(session_data(app, client)["sandbox_id"])
    return [entry["command"] for entry in record["sandbox"]["transcript"]]


@pytest.mark.parametrize("data", [None, "[1, 2]", "", "null"])
def test_the_page_explains_and_gives_a_new_sandbox(app, tmp_path, caplog, data):
    client, damaged_id = browser_with_work(app)
    neighbour, neighbour_id = browser_with_work(app)
    stored = damage(app, damaged_id, data)

    started = time.monotonic()
    with caplog.at_level(logging.ERROR):
        page = client.get("/")
    assert time.monotonic() - started < 3.0
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Your sandbox could not be read" in text and "you now have a new, empty sandbox" in text
    assert f"damaged sandbox {damaged_id}" in text
    new_id = session_data(app, client)["sandbox_id"]
    assert new_id != damaged_id
    # kept aside for the admin, byte for byte, and logged with its id
    kept = tmp_path / "damaged" / f"{damaged_id}.json"
    assert kept.read_bytes() == stored.encode("utf-8", "surrogateescape")
    assert any(damaged_id in r.getMessage() and "kept aside" in r.getMessage() for r in caplog.records)
    assert app.extensions["sandbox_store"].get(damaged_id) is None

    # the learner goes on in the new sandbox; the neighbour never noticed
    assert client.get("/").status_code == 200
    assert client.post("/commands", data={"command": "docker pull busybox", "csrf_token": client.token}).status_code == 303
    assert commands(app, client) == ["docker pull busybox"]
    assert session_data(app, neighbour)["sandbox_id"] == neighbour_id
    assert commands(app, neighbour) == ["docker pull alpine", "docker create --name web alpine"]


def test_an_htmx_command_is_sent_to_the_explanation(app):
    client, damaged_id = browser_with_work(app)
    damage(app, damaged_id)
    answer = client.post("/commands", data={"command": "docker ps"}, headers={**HX, "X-CSRF-Token": client.token})
    assert answer.status_code == 200 and answer.headers["HX-Redirect"] == "/recovered"
    page = client.get("/recovered")
    assert page.status_code == 200 and "your last action was not carried out" in page.get_data(as_text=True)
    assert client.get("/recovered").status_code == 303          # read once, then back to the page
    assert commands(app, client) == []


def test_every_page_of_that_browser_recovers_not_only_the_main_one(app):
    for path in ("/timeline", "/share", "/files", "/complete?line=docker%20p"):
        client, damaged_id = browser_with_work(app)
        damage(app, damaged_id)
        answer = client.get(path)
        assert answer.status_code < 500, path
        assert client.get("/").status_code == 200
        assert session_data(app, client)["sandbox_id"] != damaged_id, path


def test_a_damaged_course_sandbox_recovers_too(app):
    client, _ = browser_with_work(app)
    client.post("/lessons/01-layers/commands", data={"command": "docker image ls", "csrf_token": client.token})
    course_id = session_data(app, client)["course_sandbox_id"]
    damage(app, course_id)
    page = client.get("/lessons/01-layers")
    assert page.status_code == 200 and "Your sandbox could not be read" in page.get_data(as_text=True)
    assert "course_sandbox_id" not in session_data(app, client)
    assert client.get("/lessons/01-layers").status_code == 200
    assert client.post("/lessons/01-layers/commands", data={"command": "docker ps", "csrf_token": client.token}).status_code == 303


def test_the_api_answers_json_410_and_keeps_the_record_aside(app, tmp_path):
    client = app.test_client()
    sandbox_id = client.post("/api/sandboxes").get_json()["id"]
    damage(app, sandbox_id, "{not json")
    for answer in (client.get(f"/api/sandboxes/{sandbox_id}"),
                   client.post(f"/api/sandboxes/{sandbox_id}/commands", json={"command": "docker ps"})):
        assert answer.status_code in (410, 404)
        assert "error" in answer.get_json()
    assert (tmp_path / "damaged" / f"{sandbox_id}.json").read_text() == "{not json"
    assert client.get(f"/api/sandboxes/{sandbox_id}").get_json() == {"error": f"no such sandbox: {sandbox_id}"}


def test_a_record_the_store_cannot_copy_stays_where_it_is(make_app, tmp_path):
    """When the copy cannot be written (e.g. the folder is a file), nothing is lost: the record stays."""
    (tmp_path / "blocked").write_text("a file where the folder should be")
    app = make_app(DAMAGED_FOLDER=str(tmp_path / "blocked"))
    client, damaged_id = browser_with_work(app)
    damage(app, damaged_id, "]")
    assert client.get("/").status_code == 200
    with closing(sqlite3.connect(app.config["DATABASE"])) as db:
        assert db.execute("SELECT data FROM sandboxes WHERE id = ?", (damaged_id,)).fetchone() == ("]",)
    assert session_data(app, client)["sandbox_id"] != damaged_id


def test_the_redis_store_recovers_the_same_way(make_app, redis_url, tmp_path):
    import redis

    url, prefix = redis_url
    app = make_app(STORE=url, REDIS_PREFIX=prefix, DAMAGED_FOLDER=str(tmp_path / "damaged"))
    client, damaged_id = browser_with_work(app)
    redis.Redis.from_url(url).set(f"{prefix}sandbox:{damaged_id}", b"\xff\xfe not a record")
    page = client.get("/")
    assert page.status_code == 200 and "Your sandbox could not be read" in page.get_data(as_text=True)
    assert session_data(app, client)["sandbox_id"] != damaged_id
    assert (tmp_path / "damaged" / f"{damaged_id}.json").read_bytes() == b"\xff\xfe not a record"
    assert client.get("/").status_code == 200
