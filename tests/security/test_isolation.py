"""One learner can never read or change another's sandbox: not by guessing ids, not with another
cookie, not with a tampered cookie, not through the API with a wrong id."""
from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from security_helpers import page_token, session_data

from web.store import new_sandbox_id


def browser(app) -> FlaskClient:
    client = FlaskClient(app, app.response_class)
    client.token = page_token(client.get("/").get_data(as_text=True))
    return client


def run(client, command):
    """Run a command as the page does; return the whole page this browser then shows."""
    response = client.post("/commands", data={"command": command, "csrf_token": client.token},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    return client.get("/").get_data(as_text=True)


def commands_shown(html: str) -> list[str]:
    return re.findall(r'<div class="entry[^"]*" data-command="([^"]*)">', html)


def test_ids_are_128_random_bits_and_never_repeat():
    ids = {new_sandbox_id() for _ in range(5000)}
    assert len(ids) == 5000
    for sandbox_id in list(ids)[:50]:
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", sandbox_id)


def test_guessed_ids_reach_nothing(app, plain_client):
    real = plain_client.post("/api/sandboxes").get_json()["id"]
    guesses = [real[:-1], real + "A", real.upper() if real.upper() != real else real.lower(), real[1:] + real[0],
               "1", "0" * 22, new_sandbox_id(), "..", "%2e%2e", "*", "' OR '1'='1", real[:8]]
    for guess in guesses:
        for method, path, kwargs in [("GET", f"/api/sandboxes/{guess}", {}),
                                     ("POST", f"/api/sandboxes/{guess}/commands", {"json": {"command": "docker ps"}}),
                                     ("POST", f"/api/sandboxes/{guess}/undo", {}),
                                     ("GET", f"/api/sandboxes/{guess}/host/Dockerfile", {}),
                                     ("PUT", f"/api/sandboxes/{guess}/host/Dockerfile", {"data": b"FROM x"})]:
            response = plain_client.open(path, method=method, **kwargs)
            assert response.status_code in (404, 405), (guess, path, response.status_code)
    assert plain_client.get(f"/api/sandboxes/{real}").get_json()["host"] == []


def test_two_browsers_never_see_each_others_commands(app):
    alice, bob = browser(app), browser(app)
    run(alice, "docker pull alpine")
    assert commands_shown(run(alice, "docker tag alpine alices-secret")) == [
        "docker pull alpine", "docker tag alpine alices-secret"]
    bob_page = bob.get("/").get_data(as_text=True)
    assert "alices-secret" not in bob_page and commands_shown(bob_page) == []
    assert commands_shown(run(bob, "docker image ls")) == ["docker image ls"]
    assert "alices-secret" not in bob.get("/complete?line=docker%20rmi%20al").get_data(as_text=True)


def test_a_cookie_signed_with_another_key_is_ignored(app):
    alice, mallory = browser(app), browser(app)
    run(alice, "docker pull alpine")
    alice_id = session_data(app, alice)["sandbox_id"]
    forged = URLSafeTimedSerializer("guessed-secret", salt="cookie-session", signer_kwargs={
        "key_derivation": "hmac", "digest_method": __import__("hashlib").sha1}).dumps(
        {"sandbox_id": alice_id, "csrf_token": "x" * 43})
    mallory.set_cookie("layerlab", forged)
    page = mallory.get("/").get_data(as_text=True)
    assert "docker pull alpine" not in commands_shown(page)
    assert session_data(app, mallory)["sandbox_id"] != alice_id
    # and a post with the forged cookie's token is refused: the forged session was never accepted
    response = mallory.post("/commands", data={"command": "docker rmi alpine", "csrf_token": "x" * 43})
    assert response.status_code == 400
    assert commands_shown(run(alice, "docker image ls -q"))[:1] == ["docker pull alpine"]


def test_a_tampered_cookie_is_ignored(app):
    alice = browser(app)
    run(alice, "docker pull alpine")
    cookie = alice.get_cookie("layerlab").value
    payload, rest = cookie.split(".", 1)
    tampered = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + "." + rest
    mallory = FlaskClient(app, app.response_class)
    mallory.set_cookie("layerlab", tampered)
    assert commands_shown(mallory.get("/").get_data(as_text=True)) == []


def test_the_api_with_a_browsers_cookie_and_a_wrong_id_is_404(app):
    alice = browser(app)
    run(alice, "docker pull alpine")
    response = alice.post("/api/sandboxes/wrong-id/commands", json={"command": "docker rmi -f alpine"})
    assert response.status_code == 404
    assert response.get_json() == {"error": "no such sandbox: wrong-id"}
    assert commands_shown(alice.get("/").get_data(as_text=True)) == ["docker pull alpine"]


@pytest.mark.parametrize("path", ["../x", "/etc/passwd", "a/../../x", "..%2fx"])
def test_host_paths_cannot_leave_the_working_directory(plain_client, path):
    sandbox_id = plain_client.post("/api/sandboxes").get_json()["id"]
    response = plain_client.put(f"/api/sandboxes/{sandbox_id}/host/{path}", data=b"x")
    assert response.status_code in (400, 404, 308)   # 308: Werkzeug merges the double slash first
    assert plain_client.get(f"/api/sandboxes/{sandbox_id}").get_json()["host"] == []
