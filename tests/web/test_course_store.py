"""A lesson's sandbox in the record owner (web/sandboxes.py), on both stores: a lesson command is one
op row (not a snapshot), a lesson undo is journaled like the playground's, a snapshot and its log
replay to the same lesson state, and two processes serving one learner see each other's commands."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from store_helpers import in_two_processes, open_store, store_location

from course import progress
from course.lessons import find
from web import sandboxes

PAUSE, STOP_KILL = find("12-pause"), find("11-stop-kill")
LINES = ["docker pause web", "docker unpause web", "docker stop web", "docker kill worker", "docker ps -a",
         "docker stp web", "clear", "", "docker rm -f web"]



def new_learner(store, lesson=PAUSE) -> str:
    return sandboxes.create_course(store, progress.open_lesson(None, lesson))


def run(store, sandbox_id, lesson, line):
    return sandboxes.lesson_change(store, sandbox_id,
                                   lambda now: progress.run(progress.enter(now, lesson), lesson, line))


def undo(store, sandbox_id, lesson):
    return sandboxes.lesson_change(store, sandbox_id, lambda now: (progress.undo(progress.enter(now, lesson)),))


def comparable(learner: progress.Progress) -> dict:
    """What the learner sees or gets back, in JSON form (checkpoints are a cache and may differ)."""
    state = learner.sandbox.to_json()
    state.pop("checkpoints")
    return json.loads(json.dumps({"meta": learner.meta.to_json(), "last": learner.last,
                                  "clear_from": learner.clear_from, "sandbox": state}))


def seen_by(store, sandbox_id) -> dict:
    return comparable(sandboxes.course_progress(sandboxes.load(store, sandbox_id)))


def test_a_lesson_command_is_one_small_op_row_and_an_undo_is_journaled(make_store):
    store = make_store()
    sandbox_id = new_learner(store)
    learner, result, solved_now = run(store, sandbox_id, PAUSE, "docker pause web")
    assert result.exit_code == 0 and solved_now and learner.meta.solved == ("12-pause",)
    undo(store, sandbox_id, PAUSE)
    stored = store.load(sandbox_id)
    assert (stored.version, stored.snap_version) == (2, 0)            # two op rows on the first snapshot
    ran, undone = (json.loads(op) for op in stored.ops)
    assert ran["do"] == [["run", "docker pause web"]] and len(stored.ops[0]) < 2048
    assert set(ran["head"]) == {"last", "course", "step.0", "glance"}   # solved: the step and the meta
    assert undone["do"][0][0] == "undo_to" and undone["head"]["step.0"] is None
    # the learner's setup stays: nothing more to undo, nothing stored
    undo(store, sandbox_id, PAUSE)
    assert store.version(sandbox_id) == 2
    # solved stays solved after the undo; the lesson's goal no longer holds
    learner = sandboxes.course_progress(sandboxes.load(make_store(), sandbox_id))
    assert learner.meta.solved == ("12-pause",) and learner.last["undone"] is True
    assert learner.sandbox.log == list(PAUSE.setup)


def test_a_long_session_writes_only_each_commands_own_step(make_store):
    store = make_store()
    sandbox_id = new_learner(store, STOP_KILL)
    for n in range(8):
        run(store, sandbox_id, STOP_KILL, f"docker tag nginx t{n}")
    last = json.loads(store.load(sandbox_id).ops[-1])
    assert set(last["head"]) == {"last", "step.7", "glance"} and last["head"]["step.7"]["line"] == "docker tag nginx t7"
    for _ in range(4):   # back to 4 steps: the later fields are emptied, not removed
        undo(store, sandbox_id, STOP_KILL)
    learner = sandboxes.course_progress(sandboxes.load(make_store(), sandbox_id))
    assert [s.line for s in learner.meta.steps] == [f"docker tag nginx t{n}" for n in range(4)]
    assert [sandboxes.load(store, sandbox_id).record[f"step.{n}"] for n in range(4, 8)] == [None] * 4
    run(store, sandbox_id, STOP_KILL, "docker kill worker")
    assert seen_by(make_store(), sandbox_id) == seen_by(store, sandbox_id)
    assert len(sandboxes.course_progress(sandboxes.load(store, sandbox_id)).meta.steps) == 5


def test_two_caches_see_each_others_lesson_commands(make_store):
    a, b = make_store(), make_store()
    sandbox_id = new_learner(a, STOP_KILL)
    run(a, sandbox_id, STOP_KILL, "docker stop web")
    learner, _result, solved_now = run(b, sandbox_id, STOP_KILL, "docker kill worker")
    assert solved_now and [s.line for s in learner.meta.steps] == ["docker stop web", "docker kill worker"]
    undo(a, sandbox_id, STOP_KILL)
    assert seen_by(a, sandbox_id) == seen_by(b, sandbox_id) == seen_by(make_store(), sandbox_id)
    assert sandboxes.course_progress(sandboxes.load(b, sandbox_id)).last["command"] == "docker kill worker"


OPS = st.one_of(st.tuples(st.just("run"), st.sampled_from(LINES)), st.just(("undo",)), st.just(("hint",)),
                st.just(("restart",)), st.just(("other lesson",)))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(OPS, min_size=1, max_size=20))
def test_a_lesson_snapshot_and_its_log_replay_to_the_same_state(make_store, monkeypatch, ops):
    monkeypatch.setattr(sandboxes, "SNAPSHOT_EVERY", 4)   # several snapshots and op tails per example
    store, dashboard = make_store(), make_store()
    sandbox_id = new_learner(store, STOP_KILL)
    lesson = STOP_KILL
    for kind, *args in ops:
        sandboxes.course_glance(dashboard, sandbox_id)   # a dashboard's head catches up op by op
        if kind == "run":
            run(store, sandbox_id, lesson, args[0])
        elif kind == "undo":
            undo(store, sandbox_id, lesson)
        elif kind == "hint":
            sandboxes.lesson_change(store, sandbox_id, lambda now: (
                replace(now, meta=progress.reveal_hint(now.meta, lesson)),))
        elif kind == "restart":
            sandboxes.lesson_change(store, sandbox_id, lambda now: (progress.restart(now, lesson),))
        else:   # leave for the other lesson (its earlier lines come back there)
            lesson = PAUSE if lesson is STOP_KILL else STOP_KILL
            sandboxes.lesson_change(store, sandbox_id, lambda now: (progress.enter(now, lesson),))
    live = seen_by(store, sandbox_id)
    assert seen_by(make_store(), sandbox_id) == live   # another process: latest snapshot + the ops after it
    # the class dashboard's glance, from the head alone (caught up, and cold), is the sandbox's
    learner = sandboxes.course_progress(sandboxes.load(store, sandbox_id))
    for handle in (dashboard, make_store()):
        expected = (replace(learner.meta, steps=()), progress.glance(learner))
        assert sandboxes.course_glance(handle, sandbox_id) == expected
    # and the lesson agrees: the learner's lines replayed on the lesson's start leave the same steps
    learner = sandboxes.course_progress(sandboxes.load(store, sandbox_id))
    replayed = progress.open_lesson(None, lesson)
    for line in learner.sandbox.log[len(lesson.setup):]:
        replayed, _result, _solved = progress.run(replayed, lesson, line)
    assert replayed.meta.to_json()["steps"] == learner.meta.to_json()["steps"]
    assert replayed.sandbox.state() == learner.sandbox.state()


def _worker(where: str, prefix: str, sandbox_id: str, lines: list[str], start) -> None:
    store = open_store(where, prefix)
    start.wait()
    for line in lines:
        run(store, sandbox_id, STOP_KILL, line)


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_two_processes_serving_one_learner_never_lose_a_lesson_command(kind, tmp_path, request):
    where, prefix = store_location(kind, tmp_path, request)
    store = open_store(where, prefix)
    sandbox_id = new_learner(store, STOP_KILL)
    lines = {name: [f"docker tag nginx {name}{i}" for i in range(15)] for name in "pq"}
    in_two_processes(_worker, {name: (where, prefix, sandbox_id, lines[name]) for name in "pq"})
    learner = sandboxes.course_progress(sandboxes.load(store, sandbox_id))
    typed = learner.sandbox.log[len(STOP_KILL.setup):]
    assert sorted(typed) == sorted(lines["p"] + lines["q"])
    for name in "pq":   # each process's lines in its order, each with its step
        assert [line for line in typed if line.split()[-1].startswith(name)] == lines[name]
    assert [step.line for step in learner.meta.steps] == typed


def test_a_glance_left_behind_by_a_change_outside_the_lesson_is_not_read(make_store, monkeypatch):
    """A host file written through the playground's API changes what a goal may check but not the
    glance; when that change is the one that snapshots, a cold head reader must see it is behind."""
    monkeypatch.setattr(sandboxes, "SNAPSHOT_EVERY", 2)
    store = make_store()
    sandbox_id = new_learner(store, STOP_KILL)
    run(store, sandbox_id, STOP_KILL, "docker stop web")
    assert sandboxes.course_glance(make_store(), sandbox_id)[1].met == 1
    sandboxes.write_file(store, sandbox_id, "notes.txt", b"hello")   # the second change: a snapshot
    assert store.load(sandbox_id).ops == []
    assert sandboxes.course_glance(make_store(), sandbox_id) is None
    run(store, sandbox_id, STOP_KILL, "docker kill worker")          # a lesson change takes it again
    meta, seen = sandboxes.course_glance(make_store(), sandbox_id)
    assert meta.solved == ("11-stop-kill",) and (seen.met, seen.total, seen.goal_met) == (2, 2, True)
    assert seen.last()["command"] == "docker kill worker"
