"""The record owner (web/sandboxes.py) on both stores: a snapshot and its op log replay to the same
state, caches in different processes stay coherent, no update is lost, a slow sandbox never holds up
another, the byte budget refuses a command and changes nothing."""
from __future__ import annotations

import json
import random
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from store_helpers import in_two_processes, open_store, store_location

from web import sandboxes

# "app", not "c" (a one-letter name is refused by Docker's name rule ([a-zA-Z0-9][a-zA-Z0-9_.-]+), and the article has web and box)
COMMANDS = ["docker pull alpine", "docker run -d --name app alpine sleep 1000", "docker exec app touch /x",
            "docker commit app img", "docker rm -f app", "docker tag alpine t:1", "docker rmi t:1", "echo hi > f.txt",
            "docker ps -a", "docker build -t b .", "clear", "docker images", ""]
DOCKERFILE = b"FROM alpine\nRUN touch /built\n"



def small_intervals(monkeypatch) -> None:
    """Several snapshots and op tails in a few commands, and old outputs compacted now and then."""
    for name, value in (("SNAPSHOT_EVERY", 4), ("COMPACT_EVERY", 3), ("COMPACT_KEEP", 2), ("COMPACT_LONGER_THAN", 10)):
        monkeypatch.setattr(sandboxes, name, value)


def comparable(outcome: sandboxes.Outcome) -> dict:
    """Everything a learner can see or get back, in JSON form (checkpoints are a cache and may differ)."""
    state = outcome.sandbox.to_json()
    state.pop("checkpoints")
    return json.loads(json.dumps({"head": outcome.record, "sandbox": state}))


def fresh_view(make_store, sandbox_id: str) -> dict:
    return comparable(sandboxes.load(make_store(), sandbox_id))


OPS = st.one_of(st.tuples(st.just("run"), st.sampled_from(COMMANDS)), st.just(("undo",)), st.just(("redo",)),
                st.tuples(st.just("write"), st.sampled_from(["Dockerfile", "notes.txt"])),
                st.tuples(st.just("branch"), st.integers(0, 6)), st.just(("reset",)))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(OPS, min_size=1, max_size=25))
def test_a_snapshot_and_its_log_replay_to_the_same_state(make_store, monkeypatch, ops):
    small_intervals(monkeypatch)
    store = make_store()
    sandbox_id = sandboxes.create(store, scenario="article")
    for kind, *args in ops:
        if kind == "run":
            sandboxes.run_command(store, sandbox_id, args[0])
        elif kind == "write":
            sandboxes.write_file(store, sandbox_id, args[0], DOCKERFILE)
        elif kind == "branch":
            sandboxes.branch(store, sandbox_id, args[0])
        else:
            getattr(sandboxes, kind)(store, sandbox_id)
    live = comparable(sandboxes.load(store, sandbox_id))
    # another process (a new cache) loads the latest snapshot and replays the ops after it
    assert fresh_view(make_store, sandbox_id) == live
    # and the engine agrees: the same seed, scenario, log and uploads replay to the same daemon
    outcome = sandboxes.load(store, sandbox_id)
    replayed = sandboxes.Sandbox.replay(outcome.sandbox.seed, outcome.sandbox.scenario, outcome.sandbox.log,
                                        outcome.sandbox.uploads)
    assert replayed.state() == outcome.sandbox.state()


@pytest.mark.parametrize("pulls", [4, 5, 9])
def test_an_undo_after_a_snapshot_replays_on_a_cold_load(make_store, monkeypatch, pulls):
    """Found by the property test above: undo chose what to take back from the transcript's read-only
    marks, but a cold load replays the ops onto a snapshot whose transcript the stored table has
    already cut, so the record read as damaged. An undo is now stored as what it did (undo_to)."""
    monkeypatch.setattr(sandboxes, "SNAPSHOT_EVERY", 4)
    store = make_store()
    sandbox_id = sandboxes.create(store, scenario="article")
    for _ in range(pulls):
        sandboxes.run_command(store, sandbox_id, "docker pull alpine")
    sandboxes.undo(store, sandbox_id)
    sandboxes.redo(store, sandbox_id)
    sandboxes.undo(store, sandbox_id)
    assert fresh_view(make_store, sandbox_id) == comparable(sandboxes.load(store, sandbox_id))


def test_old_outputs_are_compacted_once_even_when_the_compaction_is_replayed(make_store, monkeypatch):
    """A compaction replayed onto a transcript already compacted must keep the first note (it once
    counted the note's own length as the output's)."""
    small_intervals(monkeypatch)
    store = make_store()
    sandbox_id = sandboxes.create(store, scenario="article")
    for _ in range(6):
        sandboxes.run_command(store, sandbox_id, "docker pull alpine")
    assert fresh_view(make_store, sandbox_id) == comparable(sandboxes.load(store, sandbox_id))


def test_an_undo_keeps_old_outputs_compacted_on_a_cold_load_too(make_store, monkeypatch):
    """Found by the property test above: an undo replays the commands after the nearest checkpoint,
    which printed their old outputs again in full, while another process (whose checkpoints differ)
    kept them compacted. What was compacted stays compacted, in every process."""
    small_intervals(monkeypatch)
    store = make_store()
    sandbox_id = sandboxes.create(store, scenario="article")
    for _ in range(6):
        sandboxes.run_command(store, sandbox_id, "docker pull alpine")
    sandboxes.run_command(store, sandbox_id, "docker tag alpine t:1")
    sandboxes.undo(store, sandbox_id)
    live = comparable(sandboxes.load(store, sandbox_id))
    assert any(entry.get("compacted") for entry in live["sandbox"]["transcript"])
    assert fresh_view(make_store, sandbox_id) == live


def test_two_caches_stay_coherent(make_store):
    """Two processes serving one sandbox: each sees the other's commands before running its own."""
    a, b = make_store(), make_store()
    sandbox_id = sandboxes.create(a)
    sandboxes.run_command(a, sandbox_id, "docker pull alpine")
    sandboxes.run_command(b, sandbox_id, "docker tag alpine from-b")
    sandboxes.run_command(a, sandbox_id, "docker tag alpine from-a")
    sandboxes.undo(b, sandbox_id)
    for handle in (a, b):
        outcome = sandboxes.load(handle, sandbox_id)
        assert outcome.sandbox.log == ["docker pull alpine", "docker tag alpine from-b"]
        assert outcome.record["last"]["undone"] is True
    sandboxes.redo(a, sandbox_id)
    assert sandboxes.load(b, sandbox_id).sandbox.log[-1] == "docker tag alpine from-a"


def _worker(where: str, prefix: str, sandbox_id: str, name: str, count: int, start) -> None:
    store = open_store(where, prefix)
    start.wait()
    for i in range(count):
        sandboxes.run_command(store, sandbox_id, f"docker tag alpine {name}{i}")


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_two_processes_serving_one_sandbox_never_lose_an_update(kind, tmp_path, request):
    where, prefix = store_location(kind, tmp_path, request)
    store = open_store(where, prefix)
    sandbox_id = sandboxes.create(store)
    sandboxes.run_command(store, sandbox_id, "docker pull alpine")
    in_two_processes(_worker, {name: (where, prefix, sandbox_id, name, 25) for name in "pq"})
    log = sandboxes.load(store, sandbox_id).sandbox.log
    assert sorted(log[1:]) == sorted(f"docker tag alpine {n}{i}" for n in "pq" for i in range(25))
    for name in "pq":
        assert [c for c in log if c.split()[-1].startswith(name)] == [f"docker tag alpine {name}{i}" for i in range(25)]


def test_a_slow_sandbox_never_delays_another_sandboxs_write(make_store):
    store = make_store()
    slow, quick = sandboxes.create(store), sandboxes.create(store)
    inside = threading.Event()

    def slow_edit(live):
        live.sandbox.run("docker pull alpine")
        inside.set()
        time.sleep(2)   # a command that takes long (an engine budget stops real ones sooner)
        return None

    thread = threading.Thread(target=sandboxes._change, args=(store, slow, slow_edit))
    thread.start()
    assert inside.wait(10)
    started = time.monotonic()
    sandboxes.run_command(store, quick, "docker pull busybox")
    assert time.monotonic() - started < 1.0
    thread.join()
    assert sandboxes.load(make_store(), slow).sandbox.log == ["docker pull alpine"]


def test_over_the_storage_budget_a_command_is_refused_and_changes_nothing(make_store):
    store = make_store(budget=256 * 1024)
    sandbox_id = sandboxes.create(store)
    noise = random.Random(7)
    with pytest.raises(sandboxes.HostLimitReached, match="storage limit of 0 MiB|storage limit"):
        for n in range(10):   # 40 KiB that do not compress, kept as a host file and in the upload history
            version = store.version(sandbox_id)
            sandboxes.write_file(store, sandbox_id, f"f{n}.bin", noise.randbytes(40 * 1024))
    assert store.version(sandbox_id) == version            # the refused upload wrote nothing
    before = comparable(sandboxes.load(store, sandbox_id))
    assert before == fresh_view(make_store, sandbox_id)    # nor changed the live sandbox
    stored = store.load(sandbox_id)
    assert stored.stored_bytes <= 256 * 1024
    store.budget = stored.stored_bytes + 5                 # no room left for a command's op row either
    outcome = sandboxes.run_command(store, sandbox_id, "docker pull alpine")
    assert outcome.result.exit_code == 1 and "storage limit" in outcome.result.stderr
    assert outcome.new_entry["output"] == [["stderr", outcome.result.stderr]]   # shown, not stored
    assert store.version(sandbox_id) == version
    assert comparable(sandboxes.load(make_store(), sandbox_id)) == before
    assert comparable(sandboxes.load(store, sandbox_id)) == before
    # Reset makes room again
    sandboxes.reset(store, sandbox_id)
    assert sandboxes.run_command(store, sandbox_id, "docker pull alpine").result.exit_code == 0


def test_a_replay_from_a_cold_cache_needs_at_most_one_snapshot_interval(make_store, monkeypatch):
    store = make_store()
    sandbox_id = sandboxes.create(store)
    for i in range(sandboxes.SNAPSHOT_EVERY * 2 + 5):
        sandboxes.run_command(store, sandbox_id, f"docker tag alpine t{i}" if i else "docker pull alpine")
    stored = store.load(sandbox_id)
    assert 0 < len(stored.ops) < sandboxes.SNAPSHOT_EVERY
    assert stored.version == sandboxes.SNAPSHOT_EVERY * 2 + 5


def test_the_replay_memo_keeps_within_its_byte_budget(monkeypatch):
    from engine import sandbox as engine_sandbox

    monkeypatch.setattr(engine_sandbox, "_REPLAYED", {})
    monkeypatch.setattr(engine_sandbox, "REPLAY_MEMO_BYTES", 20_000)
    for n in range(12):   # distinct 20-command logs, each memoised packed
        engine_sandbox.Sandbox.replay(0, None, ["docker pull alpine"] + [f"docker tag alpine t{n}-{i}" for i in range(19)])
    kept = engine_sandbox._REPLAYED
    assert 0 < len(kept) < 12 and sum(map(len, kept.values())) <= 20_000


def test_a_damaged_record_is_set_aside_and_the_learner_gets_a_new_sandbox(make_app):
    import sqlite3

    app = make_app()
    client = app.test_client()
    client.post("/commands", data={"command": "docker pull alpine"})
    store = app.extensions["sandbox_store"]
    with client.session_transaction() as session:
        damaged = session["sandbox_id"]
    sandboxes.cache_of(store).drop(damaged)
    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE snapshots SET data = x'00ff' WHERE id = ?", (damaged,))
    page = client.get("/")
    assert page.status_code == 200
    with client.session_transaction() as session:
        assert session["sandbox_id"] != damaged          # a fresh sandbox
    assert client.get(f"/api/sandboxes/{damaged}").status_code == 404
    with sqlite3.connect(store.path) as db:              # kept whole for the admin
        assert db.execute("SELECT id, snapshot FROM damaged_records").fetchall() == [(damaged, b"\x00\xff")]


def test_a_full_disk_answers_503_and_changes_nothing(make_app, monkeypatch):
    import sqlite3

    app = make_app()
    client = app.test_client()
    sandbox_id = client.post("/api/sandboxes").get_json()["id"]
    store = app.extensions["sandbox_store"]

    def full(*args):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store, "_append", full)
    answer = client.post(f"/api/sandboxes/{sandbox_id}/commands", json={"command": "docker pull alpine"})
    assert answer.status_code == 503 and "cannot save" in answer.get_json()["error"]
    page = client.post("/commands", data={"command": "docker pull alpine"}, headers={"HX-Request": "true"})
    assert page.status_code == 503
    monkeypatch.undo()
    # reads still work, and the refused command left no trace
    assert client.get(f"/api/sandboxes/{sandbox_id}").get_json()["images"] == []
    assert store.version(sandbox_id) == 0


def test_old_outputs_are_compacted_and_recent_ones_kept(make_store, monkeypatch):
    monkeypatch.setattr(sandboxes, "COMPACT_EVERY", 10)
    monkeypatch.setattr(sandboxes, "COMPACT_KEEP", 5)
    store = make_store()
    sandbox_id = sandboxes.create(store)
    sandboxes.run_command(store, sandbox_id, "docker pull alpine")
    for i in range(19):
        sandboxes.run_command(store, sandbox_id, "docker image inspect alpine")   # ~1.5 KiB of JSON each
    transcript = sandboxes.load(store, sandbox_id).sandbox.transcript
    assert "no longer kept" in transcript[1]["output"][0][1]
    assert all("no longer kept" not in entry["output"][0][1] for entry in transcript[-5:])
    assert fresh_view(make_store, sandbox_id) == comparable(sandboxes.load(store, sandbox_id))
    assert sum(len(e) for e in store.load(sandbox_id).transcript) < 20 * 1024


def test_the_storage_budget_is_set_from_the_environment(make_app, monkeypatch):
    monkeypatch.setenv("LAYERLAB_SANDBOX_MIB", "2.5")
    assert make_app().extensions["sandbox_store"].budget == int(2.5 * 1024 * 1024)
    monkeypatch.delenv("LAYERLAB_SANDBOX_MIB")
    assert make_app().extensions["sandbox_store"].budget == 128 * 1024 * 1024
