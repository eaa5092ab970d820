"""The goal language: parsing rejects mistakes up front; each fact reads the sandbox as a learner sees it."""
from __future__ import annotations

import pytest

from course.goals import GoalError, holds, parse_goal
from engine.sandbox import Sandbox


@pytest.fixture(scope="module")
def world():
    sandbox = Sandbox.create(0)
    sandbox.host_write("Dockerfile", b"FROM alpine\nRUN echo hi > /greeting\n")
    for line in ["docker pull alpine", "docker run -d --name web alpine sleep 1000",
                 "docker exec web touch /tmp/hello", "docker exec web rm /etc/os-release",
                 "docker create --name box alpine", "docker run -d --name gone alpine sleep 1000",
                 "docker kill gone", "docker commit web snap:1", "docker save -o alpine.tar alpine",
                 "docker export -o box.tar box", "docker pause web", "docker image history alpine",
                 "docker start nosuch"]:
        sandbox.run(line)
    return sandbox


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
    ({"last_command_matches": "docker (image )?history"}, False),  # the last one failed
    ({"ran": "^docker (image )?history alpine$"}, True),
    ({"ran": "^docker start nosuch"}, False),                   # it failed: not counted
    ({"all": [{"container": "web", "state": "paused"}, {"image": "snap:1"}]}, True),
    ({"all": [{"container": "web", "state": "paused"}, {"image": "nope:1"}]}, False),
    ({"any": [{"image": "nope:1"}, {"image": "snap:1"}]}, True),
    ({"not": {"image": "snap:1"}}, False),
])
def test_each_fact_reads_the_sandbox(world, goal, expected):
    assert holds(parse_goal(goal), world) is expected


def test_commands_before_the_lesson_started_do_not_count(world):
    goal = parse_goal({"ran": "^docker (image )?history alpine$"})
    assert holds(goal, world, since=len(world.transcript)) is False


@pytest.mark.parametrize("table, message", [
    ({}, "a goal is a non-empty table"),
    ({"container": "web", "colour": "red"}, "container has no fact 'colour'"),
    ({"container": "web", "state": "sleeping"}, "goal.state: one of created, dead, exited, paused, restarting, running"),
    ({"image": "x", "layers": True}, "goal.layers: expected int, got True"),
    ({"image": 3}, "goal.image: expected str, got 3"),
    ({"ran": "docker ("}, "goal.ran: bad regular expression"),
    ({"all": []}, "goal.all: a non-empty list of goals"),
    ({"all": [{"image": "x"}], "image": "y"}, "'all' stands alone"),
    ({"image": "x", "host_file": "y"}, "name exactly one of"),
    ({"image": "x", "file": "/a"}, "'file' and 'contains' go together"),
    ({"image": "x", "absent": True, "layers": 1}, "'absent' cannot be combined"),
    ({"all": [{"not": {"container": "a", "pid": 1}}]}, "goal.all[0].not: container has no fact 'pid'"),
])
def test_a_mistake_in_a_goal_is_named(table, message):
    with pytest.raises(GoalError) as info:
        parse_goal(table)
    assert message in str(info.value)
