"""Undo steps back the last command that changed something; read-only commands (ps, inspect,
history, a failed command…) go with it instead of being undone one by one."""
from engine.sandbox import Sandbox


def test_read_only_commands_go_with_the_change_before_them():
    sb = Sandbox.create(4)
    sb.run("docker pull alpine")
    sb.run("docker create --name one alpine")
    for line in ("docker ps -a", "docker inspect one", "docker history alpine", "docker rm nosuch", "ls"):
        sb.run(line)
    assert [e.get("read_only", False) for e in sb.transcript] == [False, False, True, True, True, True, True]
    assert sb.undo()
    assert sb.log == ["docker pull alpine"]  # `create` and the five looks after it
    assert sb.redo().command == "docker create --name one alpine"  # redo runs the change again
    assert sb.log == ["docker pull alpine", "docker create --name one alpine"]


def test_changes_are_undone_one_by_one():
    sb = Sandbox.create(4)
    for line in ("docker pull alpine", "docker tag alpine a1", "docker tag alpine a2"):
        sb.run(line)
    assert sb.undo() and sb.log == ["docker pull alpine", "docker tag alpine a1"]
    assert sb.undo() and sb.log == ["docker pull alpine"]


def test_only_read_only_commands_are_undone_together():
    sb = Sandbox.create(4)
    sb.run("docker ps")
    sb.run("docker images")
    assert sb.undo() and sb.log == [] and sb.redo() is None


def test_floor_keeps_a_lessons_setup():
    sb = Sandbox.create(4)
    sb.run("docker pull alpine")  # the setup
    sb.run("docker ps")  # the learner's first command, read-only
    assert sb.undo(floor=1) and sb.log == ["docker pull alpine"]
    assert not sb.undo(floor=1)


def test_last_undone_names_the_change():
    sb = Sandbox.create(4)
    sb.run("docker pull alpine")
    sb.run("docker ps")
    assert sb.undo() and sb.last_undone == "docker pull alpine"
    sb.run("docker images")
    assert sb.undo() and sb.last_undone == "docker images"  # only a read-only line was there
