"""Permalinks (web/permalinks.py): a link names a stored state by its content hash; links of the older
kind (the log in the URL) still open; a changed or unknown link is a clear 400; the timeline shows
an earlier state without touching the live sandbox."""
from __future__ import annotations

import re

from engine.sandbox import Sandbox

from web import permalinks, sandboxes

HX = {"HX-Request": "true"}


def share_path(client) -> str:
    page = client.get("/share").get_data(as_text=True)
    link = re.search(r'id="share-link" type="text" readonly value="([^"]+)"', page).group(1)
    return link.split("localhost", 1)[1]


def test_a_link_names_the_state_by_its_hash_and_continuing_keeps_the_terminal(app, client):
    client.get("/")
    for line in ("docker pull alpine", "docker tag alpine mine:1", "echo hello > notes.txt"):
        client.post("/commands", data={"command": line}, headers=HX)
    path = share_path(client)
    assert re.fullmatch(r"/s/k[A-Za-z0-9_-]{43}", path)
    assert share_path(client) == path                       # the same state: the same link
    other = app.test_client()
    assert "Someone shared this state with you: 3 commands." in other.get(path).get_data(as_text=True)
    assert other.post(path).status_code == 303
    with other.session_transaction() as session:
        continued = sandboxes.load(app.extensions["sandbox_store"], session["sandbox_id"])
    assert continued.sandbox.log == ["docker pull alpine", "docker tag alpine mine:1", "echo hello > notes.txt"]
    assert continued.sandbox.host_read("notes.txt") == b"hello\n"
    assert [e["command"] for e in continued.sandbox.transcript] == continued.sandbox.log
    # and it is a sandbox of its own: undo there does not touch the original
    assert other.post("/undo", headers=HX).status_code == 200
    assert "notes.txt" in client.get("/api/sandboxes/" + _session_id(client)).get_json()["host"]


def _session_id(client) -> str:
    with client.session_transaction() as session:
        return session["sandbox_id"]


def test_a_changed_or_unknown_link_is_a_clear_400(app, client):
    client.get("/")
    client.post("/commands", data={"command": "docker pull alpine"}, headers=HX)
    path = share_path(client)
    tampered = path[:-1] + ("A" if path[-1] != "A" else "B")
    for bad in (tampered, "/s/k" + "0" * 43, "/s/nonsense"):
        answer = client.get(bad)
        assert answer.status_code == 400
        assert "not a working LayerLab link" in answer.get_data(as_text=True)
        assert client.post(bad).status_code == 400


def test_a_stored_state_that_does_not_match_its_hash_is_refused(app):
    store = app.extensions["sandbox_store"]
    token = permalinks.share(store, Sandbox.create())
    store.put_shared("k" + "B" * 43, store.get_shared(token))   # someone else's bytes under a made-up key
    with app.test_request_context():
        try:
            permalinks.open_link(store, "k" + "B" * 43, 4096)
            raise AssertionError("accepted")
        except permalinks.BadLink as error:
            assert "does not match" in str(error)


def test_a_link_of_the_older_kind_still_opens(app, client):
    sandbox = Sandbox.create(scenario="article")
    sandbox.run("docker tag alpine old:1")
    token = permalinks.encode_link(sandbox)
    answer = client.get(f"/s/{token}")
    assert answer.status_code == 200
    assert "Someone shared this state with you: 1 commands." in answer.get_data(as_text=True)


def test_the_timeline_rebuilds_an_earlier_state_from_a_checkpoint_and_leaves_the_live_one(app):
    store = app.extensions["sandbox_store"]
    sandbox_id = sandboxes.create(store)
    sandboxes.run_command(store, sandbox_id, "docker pull alpine")
    for i in range(24):
        sandboxes.run_command(store, sandbox_id, f"docker tag alpine t{i}")
    live = sandboxes.load(store, sandbox_id).sandbox
    before = live.state()
    earlier = permalinks.state_at(live, 12)
    assert earlier is not live and earlier.log == live.log[:12]
    assert earlier.state() == Sandbox.replay(0, None, live.log[:12]).state()
    assert live.state() == before and len(live.log) == 25
