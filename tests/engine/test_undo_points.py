"""Undo points: the states before the last changes, kept as forks, so that undo replays nothing.

Whatever undo restores, the state is the one a replay of the kept log from scratch gives (seed +
log + uploads), including the host files written between commands; a restored point is the live
state from then on, never also kept; the points are bounded.
"""
from __future__ import annotations


from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import undo_points
from engine.daemon.model import Daemon
from engine.sandbox import Sandbox
from engine.undo_points import UNDO_POINTS_KEPT, looks_read_only
from tests.engine.test_checkpoints import state_of
from tests.engine.test_fork import _mutables, by_design_shared


def replayed(box: Sandbox) -> dict:
    return state_of(Sandbox.replay(box.seed, box.scenario, box.log, box.uploads))


class Counted:
    """Counts the commands run and the checkpoints unpacked while an undo works."""

    def __init__(self, monkeypatch):
        self.runs, self.loads = [], 0
        real_run, real_load = Sandbox.run, Daemon.from_json

        def run(box, line):
            self.runs.append(line)
            return real_run(box, line)

        def load(data):
            self.loads += 1
            return real_load(data)

        monkeypatch.setattr(Sandbox, "run", run)
        monkeypatch.setattr(Daemon, "from_json", staticmethod(load))


CHANGES = ["docker pull alpine", "docker run -d --name web alpine sleep 1000", "docker exec web touch /a",
           "docker tag alpine mine:v1", "docker exec web mkdir /data", "docker run --name once alpine echo hi",
           "docker commit web snap", "docker stop -t 1 web", "docker start web", "docker rm -f once",
           "docker rmi mine:v1", "docker exec web touch /data/x"]


def test_the_first_undo_after_a_change_replays_nothing_even_after_many_looks(monkeypatch):
    box = Sandbox.create(5)
    for line in CHANGES:
        box.run(line)
    for _ in range(30):
        box.run("docker ps")
    counted = Counted(monkeypatch)
    assert box.undo()
    assert counted.runs == [] and counted.loads == 0           # no replay, no checkpoint unpacked
    monkeypatch.undo()
    assert box.log == CHANGES[:-1] and state_of(box) == replayed(box)


def test_undos_in_a_row_give_the_replayed_state_and_rarely_replay(monkeypatch):
    box = Sandbox.create(5)
    for index, line in enumerate(CHANGES):
        box.run(line)
        box.run("docker ps -a")
    counted = Counted(monkeypatch)
    replays = []
    for _ in CHANGES:
        before = len(counted.runs)
        assert box.undo()
        replays.append(len(counted.runs) > before)
        monkeypatch.undo()
        assert state_of(box) == replayed(box)
        counted = Counted(monkeypatch)
    assert box.log == [] and sum(replays) <= 2                 # 12 undos: the kept forks, then one replay's


def test_an_undo_keeps_the_host_files_written_before_the_change_it_takes_back():
    box = Sandbox.create(5)
    box.run("docker pull alpine")
    box.host_write("Dockerfile", b"FROM alpine\nRUN touch /one\n")
    box.run("docker build -t app .")
    assert box.undo()
    assert box.host_read("Dockerfile") == b"FROM alpine\nRUN touch /one\n" and state_of(box) == replayed(box)
    # written again at the same position, after the undo: the next undo keeps the new text
    box.host_write("Dockerfile", b"FROM alpine\nRUN touch /two\n")
    box.host_write("notes.txt", b"more\n")
    box.run("docker build -t app .")
    box.run("docker images")
    assert box.undo()
    assert box.host_read("Dockerfile") == b"FROM alpine\nRUN touch /two\n" and box.host_read("notes.txt") == b"more\n"
    assert state_of(box) == replayed(box)
    assert box.undo() and box.host_files() == [] and state_of(box) == replayed(box)


def test_a_restored_point_is_the_live_state_not_also_kept():
    box = Sandbox.create(5)
    for line in CHANGES:
        box.run(line)
    for _ in range(3):
        box.undo()
        assert all(point.at < len(box.log) for point in box.undo_points)
        box.run("docker exec web touch /after-undo")          # changes the live state in place
        box.run("docker tag alpine later")
        for point in box.undo_points:                         # no kept point moved with it
            shared = by_design_shared(box.daemon) | by_design_shared(point.daemon)
            assert _mutables(point.daemon, shared) & _mutables(box.daemon, shared) == set()
            assert _mutables(point.host, set()) & _mutables(box.host, set()) == set()
        box.undo()
        assert state_of(box) == replayed(box)


def test_the_points_are_bounded_and_memory_only():
    box = Sandbox.create(5)
    for index in range(40):
        box.run(f"docker tag alpine t{index}" if index else "docker pull alpine")
    assert len(box.undo_points) == UNDO_POINTS_KEPT
    assert [p.at for p in box.undo_points] == list(range(40 - UNDO_POINTS_KEPT, 40))
    for _ in range(3):                         # read-only (a failure), yet not a plain look: forked, not kept
        box.run("docker rm nosuch")
    assert [p.at for p in box.undo_points] == list(range(40 - UNDO_POINTS_KEPT, 40))
    assert "undo_points" not in box.to_json()
    assert Sandbox.from_json(box.to_json()).undo_points == []


def test_no_fork_before_a_look_and_a_look_that_changed_something_is_still_undone_right(monkeypatch):
    box = Sandbox.create(5)
    box.run("docker pull alpine")
    box.run("docker run -d --name sleeper alpine sleep 5")
    forks = []
    real_fork = Daemon.fork
    monkeypatch.setattr(Daemon, "fork", lambda self: forks.append(1) or real_fork(self))
    box.run("docker ps")                       # 3 to 9 seconds pass before it: the sleep has ended
    assert forks == [] and "read_only" not in box.transcript[-1]
    monkeypatch.undo()
    box.run("docker images")
    assert box.undo()                          # back before `docker ps`: replayed, no fork was kept
    assert box.log == ["docker pull alpine", "docker run -d --name sleeper alpine sleep 5"]
    assert state_of(box) == replayed(box)


def test_which_lines_only_look():
    for line in ("docker ps -a", "docker image ls", "docker inspect web", "docker container logs web",
                 "docker system df", "ls", "cat Dockerfile", "docker inspect -f '{{.State.Status}}' web"):
        assert looks_read_only(line), line
    for line in ("docker ps > out.txt", "docker ps; docker rm -f web", "docker image rm alpine", "docker system prune",
                 "docker -H x ps", "cat a | tee b", "docker run alpine", "echo hi", "", "docker", "docker image"):
        assert not looks_read_only(line), line


def test_a_bug_goes_back_to_the_fork_before_it(monkeypatch):
    box = Sandbox.create(5)
    for line in CHANGES[:5]:
        box.run(line)
    before = state_of(box)
    real_apply = Sandbox._apply

    def broken(self, line):
        if line == "docker boom":
            self.daemon.containers.clear()
            raise RuntimeError("bug")
        return real_apply(self, line)

    monkeypatch.setattr(Sandbox, "_apply", broken)
    counted = Counted(monkeypatch)
    assert box.run("docker boom").exit_code == 1
    assert counted.runs == ["docker boom"] and counted.loads == 0
    monkeypatch.undo()
    assert state_of(box) == before


LINES = CHANGES + ["docker ps", "docker images", "docker inspect web", "docker rm -f web", "docker pull busybox",
                   "docker run -it --name sh alpine sh", "touch /x", "exit", "docker build -t app ."]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(LINES), st.just("undo"), st.just("redo"),
                          st.sampled_from(["Dockerfile", "a.txt"])), min_size=10, max_size=40))
def test_any_mix_of_commands_uploads_undos_and_redos_undoes_to_the_replayed_state(steps):
    box = Sandbox.create(5)
    box.host_write("Dockerfile", b"FROM alpine\nRUN touch /x\n")
    for index, item in enumerate(steps):
        if item == "undo":
            box.undo()
            assert state_of(box) == replayed(box)
        elif item == "redo":
            box.redo()
        elif item in ("Dockerfile", "a.txt"):
            box.host_write(item, f"FROM alpine\nRUN touch /f{index}\n".encode())
        else:
            box.run(item)
        assert len(box.undo_points) <= undo_points.UNDO_POINTS_KEPT
    while box.undo():
        assert state_of(box) == replayed(box)


def test_big_sandboxes_keep_fewer_points_but_always_the_last(monkeypatch):
    """The kept forks stay within UNDO_POINTS_BYTES (estimated): a sandbox with many files in its
    containers keeps fewer, and always the state before its last change."""
    box = Sandbox.create(5)
    box.run("docker pull alpine")
    box.run("docker run -d --name big alpine sleep 100000")
    for index in range(4):
        box.run("docker exec big touch " + " ".join(f"/f{index}-{n}" for n in range(100)))
    assert [p.at for p in box.undo_points] == [0, 1, 2, 3, 4, 5]
    sizes = [p.size for p in box.undo_points]
    assert sizes == sorted(sizes) and sizes[-1] == undo_points.fork_size(1, 300, 1)   # before the 4th: 300 files
    monkeypatch.setattr(undo_points, "UNDO_POINTS_BYTES", sizes[-1] + undo_points.fork_size(1, 400, 1))
    box.run("docker tag alpine t1")                          # a point of 400 files at 6
    assert [p.at for p in box.undo_points] == [5, 6]         # the one before no longer fits
    monkeypatch.setattr(undo_points, "UNDO_POINTS_BYTES", 0)
    box.run("docker tag alpine t2")
    assert [p.at for p in box.undo_points] == [7]            # always the last one
    assert box.undo() and state_of(box) == replayed(box)
