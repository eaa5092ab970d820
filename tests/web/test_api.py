"""The JSON API contract (README, "The JSON API"): status codes, bodies, exit codes and the stdout/stderr split."""
from __future__ import annotations

import pytest

from web import sandboxes

PS_HEADER = "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n"


# ---- creating sandboxes ----------------------------------------------------------------------
def test_create_answers_201_with_an_id_and_a_location(client):
    response = client.post("/api/sandboxes")
    assert response.status_code == 201
    sandbox_id = response.get_json()["id"]
    assert isinstance(sandbox_id, str) and len(sandbox_id) >= 22
    assert response.headers["Location"] == f"/api/sandboxes/{sandbox_id}"


def test_a_new_sandbox_without_scenario_is_a_fresh_daemon(api):
    state = api.state(api.new())
    assert state["images"] == [] and state["containers"] == [] and state["layers"] == []
    assert state["host"] == []


def test_ids_differ_between_sandboxes(api):
    assert len({api.new() for _ in range(5)}) == 5


def test_create_with_the_article_scenario(api):
    state = api.state(api.new(scenario="article"))
    tags = {tag for image in state["images"] for tag in image["tags"]}
    assert {"nginx:latest", "alpine:latest"} <= tags
    assert {c["name"] for c in state["containers"]} >= {"web"}
    assert "Dockerfile" in state["host"]


def test_same_seed_and_scenario_give_the_same_state(api):
    first = api.state(api.new(scenario="article", seed=7))
    second = api.state(api.new(scenario="article", seed=7))
    assert first == second


def test_create_accepts_a_body_sent_without_json_content_type(client):
    # `curl -d '{"scenario": "article"}'` sends application/x-www-form-urlencoded
    response = client.post("/api/sandboxes", data='{"scenario": "article"}',
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 201


@pytest.mark.parametrize("body, message", [
    ('{"scenario": "nope"}', "unknown scenario: 'nope'"),
    ('{"scenario": 3}', "unknown scenario: 3"),
    ('{"seed": "1"}', "seed must be an integer"),
    ('{"seed": true}', "seed must be an integer"),
    ('{"seed": -1}', "seed must be an integer"),
    ('{"seed": 1.5}', "seed must be an integer"),
    ('{"scenario": "article"', "malformed JSON"),
    ("[1, 2]", "request body must be a JSON object"),
    ('"article"', "request body must be a JSON object"),
    ("[" * 100000, "malformed JSON"),
    (b"\xff\xfe\x00garbage", "malformed JSON"),
])
def test_create_rejects_malformed_requests_with_400(client, body, message):
    response = client.post("/api/sandboxes", data=body, content_type="application/json")
    assert response.status_code == 400
    assert message in response.get_json()["error"]


# ---- running commands --------------------------------------------------------------------------
def test_command_answer_is_exactly_stdout_stderr_exit_code(api):
    answer = api.run(api.new(), "docker ps -a")
    assert answer == {"stdout": PS_HEADER, "stderr": "", "exit_code": 0}


def test_a_docker_error_is_a_200_with_stderr_and_exit_code(api):
    answer = api.run(api.new(), "docker start nosuch")
    assert answer == {
        "stdout": "",
        "stderr": "Error response from daemon: No such container: nosuch\nError: failed to start containers: nosuch\n",
        "exit_code": 1,
    }


def test_docker_run_of_a_missing_image_exits_125(api):
    answer = api.run(api.new(), "docker run nosuchimage")
    assert answer["exit_code"] == 125
    assert answer["stdout"] == ""
    assert answer["stderr"].startswith("Unable to find image 'nosuchimage:latest' locally\n")
    assert answer["stderr"].endswith("Run 'docker run --help' for more information\n")


def test_docker_run_returns_the_process_exit_code(api):
    sandbox_id = api.new(scenario="article")
    answer = api.run(sandbox_id, 'docker run alpine sh -c "exit 3"')
    assert answer["exit_code"] == 3


def test_commands_change_the_state(api):
    sandbox_id = api.new(scenario="article")
    api.run(sandbox_id, "docker create --name extra alpine")
    names = [c["name"] for c in api.state(sandbox_id)["containers"]]
    assert "extra" in names
    listing = api.run(sandbox_id, "docker ps -a --format '{{.Names}}'")
    assert "extra\n" in listing["stdout"]


def test_host_commands_run_on_the_host_directory(api):
    answer = api.run(api.new(scenario="article"), "ls")
    assert answer["exit_code"] == 0
    assert "Dockerfile" in answer["stdout"]


@pytest.mark.parametrize("body", [
    "", "{}", '{"cmd": "docker ps"}', '{"command": 1}', '{"command": null}', '{"command": ["docker"]}',
    "not json", "[]",
])
def test_commands_reject_malformed_bodies_with_400(client, api, body):
    response = client.post(f"/api/sandboxes/{api.new()}/commands", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"]


def test_an_overlong_command_is_a_400(client, api, app):
    limit = app.config["MAX_COMMAND_LENGTH"]
    response = client.post(f"/api/sandboxes/{api.new()}/commands", json={"command": "x" * (limit + 1)})
    assert response.status_code == 400
    assert "command too long" in response.get_json()["error"]


# ---- undo --------------------------------------------------------------------------------------
def test_undo_returns_the_state_before_the_last_command(client, api):
    sandbox_id = api.new(scenario="article")
    before = api.state(sandbox_id)
    api.run(sandbox_id, "docker rm -f web")
    assert api.state(sandbox_id) != before
    response = client.post(f"/api/sandboxes/{sandbox_id}/undo")
    assert response.status_code == 200
    assert response.get_json() == before
    assert api.state(sandbox_id) == before


def test_undo_with_nothing_to_undo_keeps_the_state(client, api):
    sandbox_id = api.new()
    response = client.post(f"/api/sandboxes/{sandbox_id}/undo")
    assert response.status_code == 200
    assert response.get_json() == api.state(sandbox_id)


# ---- host files -----------------------------------------------------------------------------
def test_put_then_get_a_host_file(client, api):
    sandbox_id = api.new()
    body = b"FROM alpine\nRUN echo hi > /hi\n"
    created = client.put(f"/api/sandboxes/{sandbox_id}/host/Dockerfile", data=body)
    assert created.status_code == 201
    assert created.get_json() == {"path": "Dockerfile", "size": len(body)}
    replaced = client.put(f"/api/sandboxes/{sandbox_id}/host/Dockerfile", data=b"FROM busybox\n")
    assert replaced.status_code == 200
    got = client.get(f"/api/sandboxes/{sandbox_id}/host/Dockerfile")
    assert got.status_code == 200
    assert got.data == b"FROM busybox\n"
    assert got.mimetype == "application/octet-stream"
    assert api.state(sandbox_id)["host"] == ["Dockerfile"]
    assert api.run(sandbox_id, "cat Dockerfile")["stdout"] == "FROM busybox\n"


def test_host_files_in_subdirectories(client, api):
    sandbox_id = api.new()
    assert client.put(f"/api/sandboxes/{sandbox_id}/host/app/main.py", data=b"print(1)\n").status_code == 201
    assert client.get(f"/api/sandboxes/{sandbox_id}/host/app/main.py").data == b"print(1)\n"


def test_a_file_written_by_a_command_can_be_downloaded(client, api):
    sandbox_id = api.new(scenario="article")
    assert api.run(sandbox_id, "docker save -o alpine.tar alpine")["exit_code"] == 0
    got = client.get(f"/api/sandboxes/{sandbox_id}/host/alpine.tar")
    assert got.status_code == 200
    assert b"manifest.json" in got.data


def test_get_a_missing_host_file_is_404(client, api):
    response = client.get(f"/api/sandboxes/{api.new()}/host/nothing.txt")
    assert response.status_code == 404
    assert "nothing.txt" in response.get_json()["error"]


def test_put_a_bad_path_is_400(client, api):
    response = client.put(f"/api/sandboxes/{api.new()}/host/bad%01name", data=b"x")
    assert response.status_code == 400
    assert "control characters" in response.get_json()["error"]


def test_put_over_the_upload_limit_is_413_json(make_app):
    app = make_app(MAX_CONTENT_LENGTH=1000)
    client = app.test_client()
    sandbox_id = client.post("/api/sandboxes").get_json()["id"]
    response = client.put(f"/api/sandboxes/{sandbox_id}/host/big.bin", data=b"x" * 1001)
    assert response.status_code == 413
    assert response.is_json and response.get_json()["error"]
    assert client.get(f"/api/sandboxes/{sandbox_id}").get_json()["host"] == []


# ---- unknown sandboxes and routes --------------------------------------------------------------
@pytest.mark.parametrize("method, path, body", [
    ("get", "/api/sandboxes/nope", None),
    ("post", "/api/sandboxes/nope/commands", {"command": "docker ps"}),
    ("post", "/api/sandboxes/nope/undo", None),
    ("get", "/api/sandboxes/nope/host/Dockerfile", None),
    ("put", "/api/sandboxes/nope/host/Dockerfile", None),
])
def test_unknown_sandbox_is_404_json(client, method, path, body):
    response = getattr(client, method)(path, json=body) if body else getattr(client, method)(path, data=b"x")
    assert response.status_code == 404
    assert response.get_json() == {"error": "no such sandbox: nope"}


def test_unknown_api_route_is_404_json(client):
    response = client.get("/api/nothing/here")
    assert response.status_code == 404
    assert response.is_json and response.get_json()["error"]


def test_wrong_method_is_405_json_with_allow(client):
    response = client.get("/api/sandboxes")
    assert response.status_code == 405
    assert response.is_json
    assert "POST" in response.headers["Allow"]


def test_an_unexpected_failure_is_a_json_500_not_a_html_page(client, api, monkeypatch):
    from web import sandboxes

    sandbox_id = api.new()

    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(sandboxes, "run_command", broken)
    response = client.post(f"/api/sandboxes/{sandbox_id}/commands", json={"command": "docker ps"})
    assert response.status_code == 500
    assert response.get_json() == {"error": "LayerLab internal error; nothing was changed"}


def test_api_does_not_set_a_session_cookie(client):
    response = client.post("/api/sandboxes")
    assert "Set-Cookie" not in response.headers


def test_sandboxes_survive_a_restart(make_app, tmp_path):
    database = str(tmp_path / "shared.sqlite3")
    first = make_app(database).test_client()
    sandbox_id = first.post("/api/sandboxes", json={"scenario": "article"}).get_json()["id"]
    first.post(f"/api/sandboxes/{sandbox_id}/commands", json={"command": "docker create --name kept alpine"})
    state = first.get(f"/api/sandboxes/{sandbox_id}").get_json()

    restarted = make_app(database).test_client()
    assert restarted.get(f"/api/sandboxes/{sandbox_id}").get_json() == state
    assert "kept" in [c["name"] for c in state["containers"]]


def test_two_tabs_sending_commands_at_once_lose_nothing(app, api):
    """Concurrent requests on one sandbox are serialised: every command lands in the log."""
    import threading

    sandbox_id = api.new()
    per_tab = 10

    def tab(name: str):
        client = app.test_client()
        for i in range(per_tab):
            response = client.post(f"/api/sandboxes/{sandbox_id}/commands",
                                   json={"command": f"docker start {name}{i}"})
            assert response.status_code == 200

    tabs = [threading.Thread(target=tab, args=(name,)) for name in ("left", "right", "third")]
    for thread in tabs:
        thread.start()
    for thread in tabs:
        thread.join()
    log = sandboxes.record_dict(app.extensions["sandbox_store"], sandbox_id)["sandbox"]["log"]
    assert sorted(log) == sorted(f"docker start {n}{i}" for n in ("left", "right", "third") for i in range(per_tab))
