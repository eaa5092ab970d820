"""The goal language: parsing rejects mistakes up front; each fact reads the sandbox as a learner sees it."""
from __future__ import annotations

import pytest

from types import SimpleNamespace

from course.checks import run_step
from course.goals import GoalError, World, holds, parse_goal
from course.history import Step
from engine.sandbox import Sandbox

NO_QUESTIONS = SimpleNamespace(questions=())


def play(sandbox: Sandbox, lines: list[str]) -> World:
    steps = ()
    for line in lines:
        _result, step = run_step(NO_QUESTIONS, sandbox, steps, line)
        steps += (step,) if step else ()
    return World(sandbox, steps)


@pytest.fixture(scope="module")
def world():
    sandbox = Sandbox.create(0)
    sandbox.host_write("Dockerfile", b"FROM alpine\nRUN echo hi > /greeting\n")
    return play(sandbox, ["docker pull alpine", "docker run -d --name web alpine sleep 1000",
                 "docker exec web touch /tmp/hello", "docker exec web rm /etc/os-release",
                 "docker create --name box alpine", "docker run -d --name gone alpine sleep 1000",
                 "docker kill gone", "docker commit web snap:1", "docker save -o alpine.tar alpine",
                 "docker export -o box.tar box", "docker pause web", "docker image history alpine",
                 "docker start nosuch", "docker run -d --name stopped alpine sleep 1000",
                 "docker stop stopped", "docker tag snap:1 snap:2", "docker images -a"])


@pytest.mark.parametrize("goal, expected", [
    ({"container": "web", "state": "paused"}, True),
    ({"container": "web", "state": "running"}, False),
    ({"container": "box", "state": "created", "image": "alpine"}, True),
    ({"container": "box", "image": "snap:1"}, False),
    ({"container": "nosuch", "absent": True}, True),
    ({"container": "web", "absent": True}, False),
    ({"container": "web", "rw_has": "/tmp/hello"}, True),
    ({"container": "web", "rw_has": "/etc/os-release"}, False),
    ({"container": "web", "rw_whiteout": "/etc/os-release"}, True),
    ({"container": "box", "rw_lacks": "/tmp/hello"}, True),
    ({"container": "web", "process_matches": "^sleep 1000$"}, True),
    ({"container": "web", "command_matches": "sleep 1000$"}, True),
    ({"container": "box", "command_matches": "sleep"}, False),
    ({"container": "web", "processes_at_least": 2}, False),
    ({"container": "gone", "exit_code": 137, "signal": "SIGKILL"}, True),
    ({"container": "web", "exit_code": 0}, False),   # running: it has no exit code yet
    ({"container": "web", "file": "/tmp/hello", "contains": ""}, True),
    ({"container": "web", "file": "/etc/os-release", "contains": "Alpine"}, False),
    ({"image": "alpine", "layers": 1}, True),
    ({"image": "snap:1", "extends": "alpine", "has_parent": True, "layers_at_least": 2}, True),
    ({"image": "alpine", "extends": "snap:1"}, False),
    ({"image": "snap:1", "same_as": "snap:1"}, True),
    ({"image": "snap:1", "same_as": "alpine:latest"}, False),
    ({"image": "nginx", "absent": True}, True),
    ({"image": "alpine", "file": "/etc/os-release", "contains": "Alpine"}, True),
    ({"image": "snap:1", "file": "/etc/os-release", "contains": "Alpine"}, False),  # whited out
    ({"image": "alpine", "history_matches": "^ADD alpine-minirootfs"}, True),
    ({"untagged_images_at_least": 1}, False),
    ({"host_file": "alpine.tar", "tar_has": "manifest.json"}, True),
    ({"host_file": "box.tar", "tar_has": "etc/os-release", "tar_lacks": "manifest.json"}, True),
    ({"host_file": "Dockerfile", "tar_has": "x"}, False),       # not a tar at all
    ({"host_file": "nothing.tar", "absent": True}, True),
    ({"last_ran": "images", "options": {"all": True}}, True),
    ({"last_ran": "image history"}, False),                     # not the last one
    ({"ran": "image history", "target": "alpine"}, True),
    ({"ran": "image history", "target": "docker.io/library/alpine:latest"}, True),  # one image, any spelling
    ({"ran": "image history", "target": "snap:1"}, False),      # ran, but on another object
    ({"ran": "container start"}, False),                        # it failed: not counted
    ({"ran": "container start", "target": "nosuch"}, False),
    ({"container": "gone", "ended_by": "container kill"}, True),
    ({"container": "stopped", "exit_code": 137, "signal": "SIGKILL"}, True),  # stop's SIGKILL after the grace period...
    ({"container": "stopped", "ended_by": "container kill"}, False),          # ...is not a kill
    ({"container": "stopped", "ended_by": "container stop"}, True),
    ({"container": "web", "ended_by": "container stop"}, False),              # still running
    ({"container": "box", "made_by": "container create"}, True),
    ({"container": "web", "made_by": "container create"}, False),
    ({"container": "web", "made_by": "container run"}, True),
    ({"image": "snap:2", "tagged_by": "image tag"}, True),
    ({"image": "snap:1", "tagged_by": "image tag"}, False),
    ({"image": "snap:1", "tagged_by": "container commit"}, True),
    ({"revealed": 0}, False),
    ({"all": [{"container": "web", "state": "paused"}, {"image": "snap:1"}]}, True),
    ({"all": [{"container": "web", "state": "paused"}, {"image": "nope:1"}]}, False),
    ({"any": [{"image": "nope:1"}, {"image": "snap:1"}]}, True),
    ({"not": {"image": "snap:1"}}, False),
])
def test_each_fact_reads_the_sandbox(world, goal, expected):
    assert holds(parse_goal(goal), world) is expected


def test_commands_before_the_lesson_started_do_not_count(world):
    goal = parse_goal({"ran": "image history", "target": "alpine"})
    assert holds(goal, World(world.sandbox, ())) is False


def test_a_typo_is_no_command_at_all():
    world = play(Sandbox.create(0), ["docker pull alpine", "docker histroy alpine", "docker image hist alpine",
                                     "docker image history --frmat x alpine"])
    assert [len(s.invocations) for s in world.steps[1:3]] == [0, 0]
    assert [i.ok for i in world.steps[3].invocations] == [False]   # a bad flag: parsed, not run
    assert not holds(parse_goal({"ran": "image history"}), world)


@pytest.mark.parametrize("table, message", [
    ({}, "a goal is a non-empty table"),
    ({"container": "web", "colour": "red"}, "container has no fact 'colour'"),
    ({"container": "web", "state": "sleeping"}, "goal.state: one of created, dead, exited, paused, restarting, running"),
    ({"image": "x", "layers": True}, "goal.layers: expected int, got True"),
    ({"image": 3}, "goal.image: expected str, got 3"),
    ({"ran": "^docker (image )?history"}, "goal.ran: a command path as the CLI names it"),
    ({"container": "w", "ended_by": "kill"}, None),
    ({"container": "w", "ended_by": "docker kill"}, "goal.ended_by: a command path"),
    ({"ran": "image ls", "options": "-a"}, "goal.options: expected dict"),
    ({"process_matches": "(", "container": "w"}, "bad regular expression"),
    ({"all": []}, "goal.all: a non-empty list of goals"),
    ({"all": [{"image": "x"}], "image": "y"}, "'all' stands alone"),
    ({"image": "x", "host_file": "y"}, "name exactly one of"),
    ({"image": "x", "file": "/a"}, "'file' and 'contains' go together"),
    ({"image": "x", "absent": True, "layers": 1}, "'absent' cannot be combined"),
    ({"all": [{"not": {"container": "a", "pid": 1}}]}, "goal.all[0].not: container has no fact 'pid'"),
])
def test_a_mistake_in_a_goal_is_named(table, message):
    if message is None:  # a well-formed goal
        parse_goal(table)
        return
    with pytest.raises(GoalError) as info:
        parse_goal(table)
    assert message in str(info.value)


def test_a_stored_step_reads_as_the_step_that_ran(world):
    stored = World(world.sandbox, tuple(Step.from_json(s.to_json()) for s in world.steps))
    for table in ({"last_ran": "images", "options": {"all": True}}, {"ran": "image ls", "options": {"all": False}},
                  {"container": "stopped", "ended_by": "container stop"}, {"image": "snap:2", "tagged_by": "image tag"}):
        assert holds(parse_goal(table), stored) is holds(parse_goal(table), world), table
    assert "help" not in stored.steps[-1].to_json()["invocations"][0]["options"]   # unset flags are not kept
