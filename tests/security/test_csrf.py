"""CSRF: a state-changing request to the pages needs this browser's token; the JSON API needs none."""
from __future__ import annotations

import json
import re

import pytest
from security_helpers import HX, page_token, session_data
from flask.testing import FlaskClient

from web import sandboxes


def transcript(app, client) -> list[str]:
    outcome = sandboxes.load(app.extensions["sandbox_store"], session_data(app, client)["sandbox_id"])
    return [entry["command"] for entry in outcome.sandbox.transcript]


def test_the_page_hands_out_one_token_in_every_form_and_in_htmx_headers(plain_client):
    html = plain_client.get("/").get_data(as_text=True)
    token = page_token(html)
    assert len(token) >= 60   # a random per-session secret (160 bits), signed with the app's key
    forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", html, re.S)
    assert len(forms) >= 4
    for form in forms:
        assert f'name="csrf_token" value="{token}"' in form, form[:80]
    headers = re.search(r"<body hx-headers='([^']*)'>", html).group(1)
    assert json.loads(headers) == {"X-CSRF-Token": token}


@pytest.mark.parametrize("path, form", [
    ("/commands", {"command": "docker pull alpine"}),
    ("/undo", {}),
    ("/reset", {}),
    ("/new", {"scenario": "article"}),
])
def test_every_page_post_without_the_token_is_refused_and_changes_nothing(app, plain_client, path, form):
    token = page_token(plain_client.get("/").get_data(as_text=True))
    plain_client.post("/commands", data={"command": "docker pull busybox", "csrf_token": token})
    before_id = session_data(app, plain_client)["sandbox_id"]
    before = app.extensions["sandbox_store"].version(before_id)   # any change writes a new version

    for headers in ({}, HX):
        response = plain_client.post(path, data=form, headers=headers)
        assert response.status_code == 400
        assert "did not come from this LayerLab page" in response.get_data(as_text=True)
    assert session_data(app, plain_client)["sandbox_id"] == before_id
    assert app.extensions["sandbox_store"].version(before_id) == before


def test_a_wrong_or_foreign_token_is_refused(app, make_app):
    victim = FlaskClient(app, app.response_class)
    attacker = FlaskClient(app, app.response_class)
    page_token(victim.get("/").get_data(as_text=True))
    attacker_token = page_token(attacker.get("/").get_data(as_text=True))
    for token in (attacker_token, "", "x" * 43, attacker_token[:-1]):
        response = victim.post("/commands", data={"command": "docker pull alpine", "csrf_token": token})
        assert response.status_code == 400, token
        response = victim.post("/commands", data={"command": "docker pull alpine"}, headers={**HX, "X-CSRF-Token": token})
        assert response.status_code == 400, token
    assert transcript(app, victim) == []


def test_a_post_without_any_session_is_refused(app):
    client = FlaskClient(app, app.response_class)
    assert client.post("/commands", data={"command": "docker ps", "csrf_token": "x" * 43}).status_code == 400
    assert client.get_cookie("layerlab") is None or "sandbox_id" not in session_data(app, client)


def test_the_form_field_and_the_htmx_header_both_work(app, plain_client):
    token = page_token(plain_client.get("/").get_data(as_text=True))
    response = plain_client.post("/commands", data={"command": "docker pull alpine", "csrf_token": token})
    assert response.status_code == 303
    response = plain_client.post("/commands", data={"command": "docker image ls -q"},
                                 headers={**HX, "X-CSRF-Token": token})
    assert response.status_code == 200
    assert transcript(app, plain_client) == ["docker pull alpine", "docker image ls -q"]


def test_a_token_stays_good_for_the_session_and_across_new_sandboxes(app, plain_client, monkeypatch):
    """A page left open for hours (a whole lesson) still posts: the token has no time limit."""
    import itsdangerous.timed

    token = page_token(plain_client.get("/").get_data(as_text=True))
    later = itsdangerous.timed.time.time() + 6 * 3600
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    assert plain_client.post("/new", data={"scenario": "article", "csrf_token": token}).status_code == 303
    newer = page_token(plain_client.get("/").get_data(as_text=True))
    for good in (token, newer):
        assert plain_client.post("/commands", data={"command": "docker ps", "csrf_token": good}).status_code == 303


def test_reading_is_never_blocked(plain_client):
    assert plain_client.get("/").status_code == 200
    assert plain_client.get("/complete?line=docker%20pu").status_code == 200


def test_the_api_needs_no_token_and_ignores_the_session_cookie(app, plain_client):
    plain_client.get("/")   # the client now holds a page session cookie
    page_sandbox = session_data(app, plain_client)["sandbox_id"]
    created = plain_client.post("/api/sandboxes", json={})
    assert created.status_code == 201
    api_id = created.get_json()["id"]
    assert api_id != page_sandbox
    answer = plain_client.post(f"/api/sandboxes/{api_id}/commands", json={"command": "docker pull alpine"})
    assert answer.status_code == 200 and answer.get_json()["exit_code"] == 0
    assert "Set-Cookie" not in answer.headers
    # the cookie's sandbox is untouched: the API only ever acts on the id in its URL
    assert transcript(app, plain_client) == []


def test_a_token_signed_with_another_key_is_refused(app, make_app):
    """The session's secret alone is not enough: the token must be signed with this server's key."""
    from itsdangerous import URLSafeTimedSerializer

    client = FlaskClient(app, app.response_class)
    page_token(client.get("/").get_data(as_text=True))
    secret = session_data(app, client)["csrf_token"]
    forged = URLSafeTimedSerializer("another key", salt="wtf-csrf-token").dumps(secret)
    assert client.post("/commands", data={"command": "docker pull alpine", "csrf_token": forged}).status_code == 400
    assert client.post("/commands", data={"command": "docker pull alpine", "csrf_token": secret}).status_code == 400
    assert transcript(app, client) == []


def test_a_view_can_be_exempted(make_app):
    from web.security import csrf_exempt

    app = make_app()

    @app.post("/hook")
    @csrf_exempt
    def hook():
        return "ok"

    client = FlaskClient(app, app.response_class)
    assert client.post("/hook").get_data(as_text=True) == "ok"
