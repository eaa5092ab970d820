"""Undo and recovery restore the nearest checkpoint and replay the rest: the state must be the
one a replay of the whole log from scratch gives (same seed + log + uploads => same state)."""
import json

from engine import sandbox as sandbox_module
from engine.sandbox import Sandbox

COMMANDS = [
    "docker pull alpine", "docker run -d --name web alpine sleep 1000", "docker exec web touch /a",
    "docker tag alpine mine:v1", "docker exec web mkdir /data", "docker exec web rm /etc/motd",
    "docker run --name once alpine echo hi", "docker commit web snap", "docker images",
    "docker stop -t 1 web", "docker start web", "docker exec web touch /data/x /data/y",
    "docker rm -f once", "docker rmi mine:v1", "docker ps -a", "docker diff web",
]


def state_of(box: Sandbox) -> dict:
    """Everything but the checkpoints (a cache) and what redo would run (both depend on history)."""
    data = json.loads(json.dumps(box.to_json()))
    data.pop("checkpoints")
    data.pop("undone", None)
    return data


def build(count: int) -> Sandbox:
    box = Sandbox.create(seed=7)
    for i in range(count):
        if i % 7 == 3:  # a host file written between commands (the editor / API upload)
            box.host_write(f"note{i}.txt", f"written before command {i}\n".encode())
        assert box.run(COMMANDS[i % len(COMMANDS)]).stdout is not None
    return box


def test_every_undo_gives_the_state_of_a_replay_from_scratch():
    box = build(34)
    assert [at for at, _ in box.checkpoints] == [10, 20, 30]
    while box.log:
        keep = len(box.log) - 1  # read-only commands go with the change before them
        while keep > 0 and box.transcript[keep].get("read_only"):
            keep -= 1
        assert box.undo()
        expected = Sandbox.replay(box.seed, box.scenario, box.log, box.uploads)
        assert len(box.log) == keep
        assert state_of(box) == state_of(expected)
    assert box.log == [] and box.checkpoints == [] and not box.undo()


def test_undo_after_a_save_uses_the_stored_checkpoint(monkeypatch):
    box = build(25)
    restored = Sandbox.from_json(json.loads(json.dumps(box.to_json())))
    assert restored.to_json() == box.to_json()
    calls = []
    monkeypatch.setattr(Sandbox, "create", classmethod(lambda cls, *a, **k: calls.append(a) or None))
    # back to 23 commands (the 25th, `docker images`, goes with the commit before it): from the
    # checkpoint at 20, never from an empty sandbox
    restored.undo()
    assert calls == [] and len(restored.log) == 23
    monkeypatch.undo()
    assert state_of(restored) == state_of(Sandbox.replay(7, None, box.log[:23], box.uploads))


def test_old_checkpoints_are_thinned_to_every_hundredth_command():
    box = Sandbox.create()
    for i in range(250):
        box.run("docker images" if i % 2 else "docker pull alpine")
    assert [at for at, _ in box.checkpoints] == [100, 200, 230, 240, 250]
    box.rewind(150)
    assert len(box.log) == 150 and [at for at, _ in box.checkpoints] == [100, 130, 140, 150]


def test_a_bug_is_undone_from_the_checkpoint(monkeypatch):
    box = build(12)
    before = state_of(box)
    real_apply = Sandbox._apply

    def broken(self, line):
        if line == "docker boom":
            self.daemon.images.clear()  # half-done changes, then a crash
            raise RuntimeError("bug")
        return real_apply(self, line)

    monkeypatch.setattr(Sandbox, "_apply", broken)
    result = box.run("docker boom")
    assert result.stderr == "LayerLab internal error (RuntimeError); nothing was changed.\n"
    assert state_of(box) == before
    assert sandbox_module.CHECKPOINT_EVERY == 10


def test_a_long_replay_is_remembered(monkeypatch):
    box = build(24)
    first = Sandbox.replay(box.seed, box.scenario, box.log, box.uploads)
    monkeypatch.setattr(Sandbox, "_apply", lambda self, line: 1 / 0)  # no command may run now
    second = Sandbox.replay(box.seed, box.scenario, box.log, box.uploads)
    assert second is not first and second.to_json() == first.to_json()
    assert state_of(second) == state_of(box)


def test_undoing_again_restores_the_undo_point_the_replay_packed(monkeypatch):
    """A rewind's replay packs the states the next undos go back to (in memory, not in to_json):
    the next undo restores one instead of replaying, and gives the same state as a replay."""
    box = build(27)
    box.undo()                                   # replays from the checkpoint at 20
    assert box.undo_points and "undo_points" not in box.to_json()
    runs = []
    real_run = Sandbox.run
    monkeypatch.setattr(Sandbox, "run", lambda self, line: runs.append(line) or real_run(self, line))
    box.undo()
    assert runs == []                            # nothing replayed
    monkeypatch.undo()
    assert state_of(box) == state_of(Sandbox.replay(box.seed, box.scenario, box.log, box.uploads))
    # a new line of work after the undo point: the point still holds for the log before it
    box.run("docker tag alpine again")
    box.host_write("later.txt", b"after the undo\n")
    while box.log:
        box.undo()
        assert state_of(box) == state_of(Sandbox.replay(box.seed, box.scenario, box.log, box.uploads))


def test_an_undo_after_many_read_only_commands_replays_from_the_checkpoint_before_the_change(monkeypatch):
    box = Sandbox.create()
    for i in range(125):
        box.run(f"docker tag alpine t{i}" if i else "docker pull alpine")
    for _ in range(40):                          # looking around: the recent checkpoints come after the change
        box.run("docker ps")
    assert [at for at, _ in box.checkpoints] == [100, 120, 140, 150, 160]
    box = Sandbox.from_json(box.to_json())       # loaded by another process: no undo points
    runs = []
    real_run = Sandbox.run
    monkeypatch.setattr(Sandbox, "run", lambda self, line: runs.append(line) or real_run(self, line))
    box.undo()                                   # back to 124 commands: from the checkpoint at 120
    assert len(box.log) == 124 and len(runs) == 4
    monkeypatch.undo()
    assert state_of(box) == state_of(Sandbox.replay(box.seed, box.scenario, box.log, box.uploads))


def test_a_transcript_shorter_than_the_log_never_breaks_a_checkpoint():
    """While a stored record's ops are replayed its transcript may lag its log (the stored table was
    cut by a later undo): the checkpoint's look for the last change must not fail on it."""
    box = build(8)
    box.transcript = box.transcript[:5]
    box.run("docker ps")
    box.run("docker tag alpine late")            # the 10th command: a checkpoint
    assert [at for at, _ in box.checkpoints] == [10]
