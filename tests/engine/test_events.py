"""Typed events: the JSON the web layer stores is the dict the engine used to build, key for key."""
import json

import pytest

from engine.events import (BY_KIND, ContainerStateChanged, CopiedUp, UnknownEvent, event_from_json, make,
                           events_to_json)
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
