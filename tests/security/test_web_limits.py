"""Limits a classroom server needs: sandboxes per client per minute, command length, body and upload
size, idle cleanup. Each is explicit, answered with a clear error, and corrupts nothing."""
from __future__ import annotations

from types import SimpleNamespace

import limits.storage.memory
from flask.testing import FlaskClient
from security_helpers import page_token

import web.ratelimit


class FakeClock:
    def __init__(self, now: float = 10_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def limited_app(make_app, monkeypatch, per_minute=3, **config):
    """An app whose budgets (the `limits` memory storage) count on a clock the test moves."""
    app = make_app(SANDBOXES_PER_MINUTE=per_minute, **config)
    clock = FakeClock()
    for module in (limits.storage.memory, web.ratelimit):
        monkeypatch.setattr(module, "time", SimpleNamespace(time=clock))
    return app, clock


def test_the_api_refuses_the_fourth_new_sandbox_in_a_minute_with_429_json(make_app, monkeypatch):
    app, clock = limited_app(make_app, monkeypatch)
    client = app.test_client()
    for _ in range(3):
        assert client.post("/api/sandboxes").status_code == 201
    clock.now += 20
    refused = client.post("/api/sandboxes")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "41"
    assert refused.get_json() == {"error": "Too many new sandboxes from your address: at most 3 a minute. "
                                           "Try again in 41 s, or keep using the sandbox you have."}
    assert app.extensions["sandbox_store"].count() == 3
    clock.now += 40
    assert client.post("/api/sandboxes").status_code == 429   # a hit counts for 60 s, inclusive
    clock.now += 1
    assert client.post("/api/sandboxes").status_code == 201


def test_the_page_answers_429_html_for_a_new_browser_over_the_limit(make_app, monkeypatch):
    app, _ = limited_app(make_app, monkeypatch, per_minute=2)
    for _ in range(2):
        assert FlaskClient(app, app.response_class).get("/").status_code == 200
    response = FlaskClient(app, app.response_class).get("/")
    assert response.status_code == 429
    assert response.mimetype == "text/html"
    assert "Too many new sandboxes from your address" in response.get_data(as_text=True)


def test_a_browser_that_has_a_sandbox_is_never_limited(make_app, monkeypatch):
    app, _ = limited_app(make_app, monkeypatch, per_minute=1)
    client = FlaskClient(app, app.response_class)
    token = page_token(client.get("/").get_data(as_text=True))
    for _ in range(5):
        assert client.get("/").status_code == 200
        assert client.post("/commands", data={"command": "docker ps", "csrf_token": token}).status_code == 303
    assert client.post("/new", data={"csrf_token": token}).status_code == 429   # a new one is a creation


def test_each_address_has_its_own_budget_and_a_trusted_proxy_passes_the_real_one(make_app, monkeypatch):
    app, _ = limited_app(make_app, monkeypatch, per_minute=1)
    client = app.test_client()
    assert client.post("/api/sandboxes", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 201
    assert client.post("/api/sandboxes", environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 201
    assert client.post("/api/sandboxes", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 429
    # untrusted X-Forwarded-For is ignored: one address, whatever it claims
    assert client.post("/api/sandboxes", environ_base={"REMOTE_ADDR": "10.0.0.2"},
                       headers={"X-Forwarded-For": "10.9.9.9"}).status_code == 429

    proxied, _ = limited_app(make_app, monkeypatch, per_minute=1, TRUST_PROXY=1)
    client = proxied.test_client()
    for student in ("192.168.1.10", "192.168.1.11"):
        assert client.post("/api/sandboxes", environ_base={"REMOTE_ADDR": "10.0.0.1"},
                           headers={"X-Forwarded-For": student}).status_code == 201
    assert client.post("/api/sandboxes", environ_base={"REMOTE_ADDR": "10.0.0.1"},
                       headers={"X-Forwarded-For": "192.168.1.10"}).status_code == 429


def test_zero_turns_the_rate_limit_off(make_app, monkeypatch):
    monkeypatch.setenv("LAYERLAB_SANDBOXES_PER_MINUTE", "0")
    client = make_app().test_client()
    assert all(client.post("/api/sandboxes").status_code == 201 for _ in range(25))


def test_the_rate_limit_is_shared_through_redis(make_app, redis_url):
    """Two app servers on one Redis: a client's creations count on both together."""
    url, prefix = redis_url
    servers = [make_app(STORE=url, REDIS_PREFIX=prefix, SANDBOXES_PER_MINUTE=2) for _ in range(2)]
    first, second = (server.test_client() for server in servers)
    assert first.post("/api/sandboxes").status_code == 201
    assert second.post("/api/sandboxes").status_code == 201
    refused = first.post("/api/sandboxes")
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    assert second.post("/api/sandboxes").status_code == 429


def test_command_length_limit_on_the_page_and_the_api(app):
    client = app.test_client()
    sandbox_id = client.post("/api/sandboxes").get_json()["id"]
    long_line = "echo " + "x" * 4092
    assert len(long_line) == 4097
    answer = client.post(f"/api/sandboxes/{sandbox_id}/commands", json={"command": long_line})
    assert answer.status_code == 400
    assert answer.get_json() == {"error": "command too long: 4097 characters (at most 4096)"}
    assert client.post(f"/api/sandboxes/{sandbox_id}/commands", json={"command": long_line[:4096]}).status_code == 200
    assert client.post("/commands", data={"command": long_line}).status_code == 400


def test_bodies_over_one_mebibyte_are_413_and_change_nothing(app):
    client = app.test_client()
    sandbox_id = client.post("/api/sandboxes").get_json()["id"]
    big = b"x" * (1024 * 1024 + 1)
    upload = client.put(f"/api/sandboxes/{sandbox_id}/host/big.bin", data=big)
    assert upload.status_code == 413 and "error" in upload.get_json()
    command = client.post(f"/api/sandboxes/{sandbox_id}/commands", data=b'{"command": "' + big + b'"}')
    assert command.status_code == 413
    page = client.post("/commands", data={"command": "x" * (1024 * 1024 + 1)})
    assert page.status_code == 413
    assert client.get(f"/api/sandboxes/{sandbox_id}").get_json()["host"] == []
    ok = client.put(f"/api/sandboxes/{sandbox_id}/host/ok.bin", data=b"x" * (1024 * 1024 - 64))
    assert ok.status_code == 201


def test_a_full_host_directory_is_413_and_keeps_what_it_had(app, monkeypatch):
    import engine.host

    monkeypatch.setattr(engine.host, "MAX_FILES", 2)
    client = app.test_client()
    sandbox_id = client.post("/api/sandboxes").get_json()["id"]
    for name in ("a", "b"):
        assert client.put(f"/api/sandboxes/{sandbox_id}/host/{name}", data=name.encode()).status_code == 201
    full = client.put(f"/api/sandboxes/{sandbox_id}/host/c", data=b"c")
    assert full.status_code == 413
    assert full.get_json() == {"error": "c: too many files in the working directory (limit 2)"}
    assert client.get(f"/api/sandboxes/{sandbox_id}").get_json()["host"] == ["a", "b"]
    missing = client.get(f"/api/sandboxes/{sandbox_id}/host/c")
    assert missing.status_code == 404 and missing.get_json() == {"error": "not in the host directory: c: No such file or directory"}


def test_an_engine_limit_is_a_docker_style_error_and_changes_nothing(app):
    client = app.test_client()
    sandbox_id = client.post("/api/sandboxes").get_json()["id"]
    run = lambda command: client.post(f"/api/sandboxes/{sandbox_id}/commands", json={"command": command}).get_json()
    run("docker pull busybox")
    from engine.limits import MAX_CONTAINERS

    for i in range(MAX_CONTAINERS):
        assert run(f"docker create --name c{i} busybox")["exit_code"] == 0
    before = client.get(f"/api/sandboxes/{sandbox_id}").get_json()
    answer = run("docker create --name one-too-many busybox")
    assert answer["exit_code"] == 1 and answer["stdout"] == ""
    assert answer["stderr"].startswith("Error response from daemon: LayerLab limit: ")
    assert client.get(f"/api/sandboxes/{sandbox_id}").get_json()["containers"] == before["containers"]


def test_idle_sandboxes_are_deleted_and_used_ones_kept(make_app):
    app = make_app(SANDBOX_IDLE_SECONDS=3600, CLEANUP_EVERY_SECONDS=0)
    clock = FakeClock()
    store = app.extensions["sandbox_store"]
    store.clock = clock
    client = app.test_client()
    idle = client.post("/api/sandboxes").get_json()["id"]
    used = client.post("/api/sandboxes").get_json()["id"]
    clock.now += 3000
    client.post(f"/api/sandboxes/{used}/commands", json={"command": "docker ps"})
    clock.now += 1000   # idle: 4000 s unused; used: 1000 s
    client.post("/api/sandboxes")   # creating one runs the cleanup
    assert client.get(f"/api/sandboxes/{idle}").status_code == 404
    assert client.get(f"/api/sandboxes/{used}").status_code == 200
