"""Replay flood: permalinks, timeline positions and lesson pages rebuild a sandbox command by command.
Each counts against a per-address budget (web/ratelimit.py); past it the answer is a quick 429 with
Retry-After and a message, other addresses are still answered, and opening a lesson changes nothing."""
from __future__ import annotations

import time

from flask.testing import FlaskClient
from security_helpers import page_token, session_data

from engine.sandbox import Sandbox
from web import sandboxes
from web.permalinks import encode_link

BUDGET = 5
ATTACKER = {"REMOTE_ADDR": "10.0.0.66"}
OTHER = {"REMOTE_ADDR": "10.0.0.7"}


def long_link(app, commands: int = 300) -> str:
    """A link we made ourselves, as long as links go: 300 commands (the most a link may hold)."""
    sandbox = Sandbox.create(seed=0)
    lines = ["docker pull alpine"] + [f"docker create --name c{i % 40} alpine" if i % 2 else f"docker rm c{(i - 1) % 40}"
                                      for i in range(commands - 1)]
    for line in lines:
        sandbox.run(line)
    with app.test_request_context():
        return encode_link(sandbox)


def test_a_permalink_flood_is_answered_429_quickly_and_others_still_get_through(make_app):
    app = make_app(REPLAYS_PER_MINUTE=BUDGET, SANDBOXES_PER_MINUTE=0)
    token = long_link(app)
    attacker = FlaskClient(app, app.response_class)
    other = FlaskClient(app, app.response_class)
    for _ in range(BUDGET):
        assert attacker.get(f"/s/{token}", environ_base=ATTACKER).status_code == 200

    started = time.monotonic()
    refused = [attacker.get(f"/s/{token}", environ_base=ATTACKER) for _ in range(200)]
    flood_seconds = time.monotonic() - started
    assert {r.status_code for r in refused} == {429}
    assert flood_seconds < 3.0, flood_seconds          # 200 refusals cost less than one replay each
    first = refused[0]
    assert 1 <= int(first.headers["Retry-After"]) <= 61
    assert first.mimetype == "text/html"
    text = first.get_data(as_text=True)
    assert f"Too many replays from your address: at most {BUDGET} a minute" in text
    assert f"Try again in {first.headers['Retry-After']} s." in text

    # the rest of the class, on other addresses, is answered meanwhile
    assert other.get(f"/s/{token}", environ_base=OTHER).status_code == 200
    assert other.get("/", environ_base=OTHER).status_code == 200
    # the attacker's own sandbox keeps working: only replays are refused
    html = attacker.get("/", environ_base=ATTACKER).get_data(as_text=True)
    answer = attacker.post("/commands", data={"command": "docker ps", "csrf_token": page_token(html)},
                           environ_base=ATTACKER)
    assert answer.status_code == 303


def test_continuing_from_a_link_and_timeline_positions_spend_the_same_budget(make_app):
    app = make_app(REPLAYS_PER_MINUTE=BUDGET, SANDBOXES_PER_MINUTE=0)
    client = FlaskClient(app, app.response_class)
    token = page_token(client.get("/", environ_base=ATTACKER).get_data(as_text=True))
    for line in ("docker pull alpine", "docker create --name a alpine", "docker start a"):
        client.post("/commands", data={"command": line, "csrf_token": token}, environ_base=ATTACKER)
    assert client.get("/timeline", environ_base=ATTACKER).status_code == 200     # the present: no replay
    for at in range(BUDGET):
        assert client.get(f"/timeline?at={at % 3}", environ_base=ATTACKER).status_code == 200
    assert client.get("/timeline?at=1", environ_base=ATTACKER).status_code == 429
    assert client.get("/timeline", environ_base=ATTACKER).status_code == 200     # still no replay
    store = app.extensions["sandbox_store"]
    before = store.count()
    link = long_link(app, commands=5)
    assert client.post(f"/s/{link}", data={"csrf_token": token}, environ_base=ATTACKER).status_code == 429
    assert client.post("/timeline", data={"at": "1", "csrf_token": token}, environ_base=ATTACKER).status_code == 429
    assert store.count() == before
    assert [e["command"] for e in sandboxes.load(store, session_data(app, client)["sandbox_id"]).sandbox.transcript] \
        == ["docker pull alpine", "docker create --name a alpine", "docker start a"]


def test_the_lesson_goal_picture_is_replayed_once_per_lesson_not_per_request(make_app):
    """The goal picture is the lesson's fixed solution: worked out once per process and kept
    (web/course_routes._solved), so asking again and again costs no replay and needs no budget."""
    from web import course_routes

    app = make_app(REPLAYS_PER_MINUTE=1, SANDBOXES_PER_MINUTE=0)
    client = FlaskClient(app, app.response_class)
    course_routes._solved.cache_clear()
    for _ in range(20):
        assert client.get("/lessons/01-layers/goal", environ_base=ATTACKER).status_code == 200
    assert course_routes._solved.cache_info().misses == 1


def test_opening_a_lesson_changes_nothing(make_app):
    app = make_app(REPLAYS_PER_MINUTE=BUDGET)
    store = app.extensions["sandbox_store"]
    client = FlaskClient(app, app.response_class)
    token = page_token(client.get("/").get_data(as_text=True))
    before = store.count()
    page = client.get("/lessons/01-layers")
    assert page.status_code == 200 and "Cache-Control" in page.headers
    assert store.count() == before                                   # no course sandbox yet
    assert "course_sandbox_id" not in session_data(app, client)

    # the first post in the lesson makes the course sandbox; opening another lesson leaves it be
    assert client.post("/lessons/01-layers/commands", data={"command": "docker image ls", "csrf_token": token}).status_code == 303
    course_id = session_data(app, client)["course_sandbox_id"]
    kept = store.version(course_id)
    other = client.get("/lessons/03-create")
    assert other.status_code == 200
    assert store.version(course_id) == kept and store.count() == before + 1
    assert client.get("/lessons/03-create/complete?line=docker%20ima").status_code == 200
    assert store.version(course_id) == kept
    # a plain link from another site cannot move the learner's lessons around any more
    assert client.get("/lessons/01-layers").status_code == 200
    assert "docker image ls" in client.get("/lessons/01-layers").get_data(as_text=True)


def test_every_answer_to_a_learner_is_not_stored_by_caches(make_app):
    app = make_app()
    client = app.test_client()
    sandbox_id = client.post("/api/sandboxes").get_json()["id"]
    for path in ("/", "/lessons", "/timeline", "/share", f"/api/sandboxes/{sandbox_id}", "/api/sandboxes/nope"):
        assert client.get(path).headers.get("Cache-Control") == "no-store", path
    assert client.post(f"/api/sandboxes/{sandbox_id}/commands", json={"command": "docker ps"}).headers["Cache-Control"] == "no-store"
    static = client.get("/static/app.css")
    assert static.status_code == 200 and static.headers.get("Cache-Control") != "no-store"


def test_the_replay_memo_is_bounded_in_bytes(monkeypatch):
    """Many different long links, replayed once each: the memo keeps the newest within its byte budget."""
    import engine.sandbox as sandbox_module

    monkeypatch.setattr(sandbox_module, "_REPLAYED", {})
    monkeypatch.setattr(sandbox_module, "REPLAY_MEMO_BYTES", 32 * 1024)   # ~3 KB each packed: room for ~10
    lines = ["docker pull alpine"] + [f"docker tag alpine t{i}" for i in range(30)]
    for n in range(12):
        Sandbox.replay(n, None, lines)
    memo = sandbox_module._REPLAYED
    assert sum(map(len, memo.values())) <= 32 * 1024
    assert 0 < len(memo) < 12
    # one sandbox bigger than an eighth of the budget is not kept at all
    monkeypatch.setattr(sandbox_module, "REPLAY_MEMO_BYTES", 8 * 1024)
    Sandbox.replay(99, None, lines)
    assert sandbox_module._replay_key(99, None, lines, []) not in memo
    assert sandbox_module._replay_key(11, None, lines, []) in memo      # the newest stays
    assert sandbox_module._replay_key(0, None, lines, []) not in memo      # the oldest went first
    # a remembered replay answers the same as a fresh one
    remembered = Sandbox.replay(11, None, lines).to_json()
    memo.clear()
    assert Sandbox.replay(11, None, lines).to_json() == remembered


def test_posting_in_one_lesson_after_another_spends_the_replay_budget(make_app):
    """Moving the course sandbox between lessons replays the learner's lines there: a script that
    posts to two lessons in turn is held to the same budget as opening links."""
    app = make_app(REPLAYS_PER_MINUTE=3)
    client = FlaskClient(app, app.response_class)
    token = page_token(client.get("/").get_data(as_text=True))
    answers = [client.post(f"/lessons/{slug}/commands", data={"command": "docker ps", "csrf_token": token}).status_code
               for slug in ("01-layers", "02-metadata", "01-layers", "02-metadata", "01-layers")]
    assert answers == [303, 303, 303, 303, 429]    # the first makes the course sandbox; three moves
    # staying in the lesson costs nothing
    assert client.post("/lessons/02-metadata/commands", data={"command": "docker ps", "csrf_token": token}).status_code == 303
