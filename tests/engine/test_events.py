"""Typed events: the JSON the web layer stores is the dict the engine used to build, key for key."""
import json

import pytest

from engine.events import (BY_KIND, BuildFinished, BuildStep, ContainerStateChanged, CopiedUp, UnknownEvent,
                           event_from_json, make, events_to_json)
from engine.sandbox import Sandbox


def test_a_state_change_serialises_with_docker_words_from_and_to_in_the_old_key_order():
    event = ContainerStateChanged("c1", "running", "exited", 137, "SIGKILL")
    assert json.dumps(event.to_json()) == (
        '{"type": "state", "container": "c1", "from": "running", "to": "exited", "exit_code": 137, "signal": "SIGKILL"}')
    assert event_from_json(event.to_json()) == event


def test_unset_optional_fields_are_left_out():
    assert CopiedUp("/etc/motd").to_json() == {"type": "copy_up", "path": "/etc/motd"}


def test_every_event_a_session_makes_round_trips_through_json():
    sb = Sandbox.create(5)
    lines = ["docker pull alpine", "docker run -d --name web alpine sleep 100", "docker exec web touch /x",
             "docker cp web:/x ./x", "docker commit web snap:1", "docker rename web box", "docker stop box",
             "docker rm box", "docker rmi snap:1", "clear"]
    seen = set()
    for line in lines:
        for event in sb.run(line).events:
            stored = json.loads(json.dumps(event.to_json()))
            assert event_from_json(stored) == event, line
            seen.add(event.kind)
    assert {"image_added", "container_added", "state", "signal", "renamed", "container_removed",
            "untagged", "clear", "host_file"} <= seen


def test_an_unknown_or_malformed_stored_event_is_kept_as_it_was():
    old = {"type": "teleported", "container": "c1"}
    event = event_from_json(old)
    assert isinstance(event, UnknownEvent) and event.kind == "teleported" and event.to_json() == old
    odd = {"type": "state", "container": "c1", "colour": "red"}
    assert events_to_json([event_from_json(odd)]) == [odd]


def test_kind_names_are_unique_per_class():
    assert len(BY_KIND) == len(set(BY_KIND.values())) and "state" in BY_KIND


def test_the_engine_cannot_make_an_event_of_an_unknown_kind_or_field():
    with pytest.raises(KeyError):
        make("teleported", container="c1")
    with pytest.raises(TypeError):
        make("host_file", path="a", colour="red")


# A build event as records stored before the steps were typed hold it (keys in this order).
STORED_BUILD = {"type": "build", "steps": [
    {"number": 2, "total": 3, "instruction": "RUN echo hi > /x", "cached": False, "container": "0123456789ab",
     "changes": ["A /x"], "layer": "sha256:" + "1" * 64, "image": "sha256:" + "2" * 64},
    {"number": 3, "total": 3, "instruction": 'CMD ["sh"]', "cached": True, "container": "", "changes": [],
     "layer": "", "image": "sha256:" + "3" * 64}], "image": "sha256:" + "3" * 64, "legacy": True}


def test_build_steps_are_typed_and_keep_the_stored_form_key_for_key():
    event = event_from_json(json.loads(json.dumps(STORED_BUILD)))
    assert isinstance(event, BuildFinished) and all(isinstance(s, BuildStep) for s in event.steps)
    first = event.steps[0]
    assert (first.number, first.instruction, first.cached, first.changes, first.container) == \
        (2, "RUN echo hi > /x", False, ("A /x",), "0123456789ab")
    assert json.dumps(event.to_json()) == json.dumps(STORED_BUILD)


def test_a_build_the_engine_runs_stores_its_steps_as_before():
    sb = Sandbox.create(5)
    sb.host_write("Dockerfile", b"FROM alpine\nRUN echo hi > /x\nCMD [\"sh\"]\n")
    build = next(e for e in sb.run("DOCKER_BUILDKIT=0 docker build .").events if isinstance(e, BuildFinished))
    stored = json.loads(json.dumps(build.to_json()))
    assert [list(s) for s in stored["steps"]] == [list(STORED_BUILD["steps"][0])] * 2
    assert stored["steps"][0]["changes"] == ["A /x"] and len(stored["steps"][0]["container"]) == 12
    assert event_from_json(stored) == build


def test_an_older_or_damaged_stored_step_still_loads():
    old = {"type": "build", "steps": [{"number": 2, "instruction": "RUN true", "cached": 1}, "junk"],
           "image": "sha256:" + "a" * 64, "legacy": False}
    event = event_from_json(old)
    assert event.steps == (BuildStep(2, 0, "RUN true", True),)  # missing keys: defaults; a non-dict is skipped
    bad = {**old, "steps": [{"number": "two"}]}
    assert isinstance(event_from_json(bad), UnknownEvent) and event_from_json(bad).to_json() == bad
