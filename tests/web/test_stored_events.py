"""The record keeps a command's events as the JSON the engine's dicts were (byte for byte), and
reads them back typed; an event kind this version does not know still loads."""
from engine.events import ContainerStateChanged
from web import sandboxes


def test_the_stored_last_command_keeps_the_old_event_json_and_reads_back_typed(app, api):
    sandbox_id = api.new(scenario="article")
    answer = api.run(sandbox_id, "docker run -d --name sleeper alpine sleep 100")
    assert answer["exit_code"] == 0, answer
    assert api.run(sandbox_id, "docker stop sleeper")["exit_code"] == 0
    store = app.extensions["sandbox_store"]
    stored = sandboxes.record_dict(store, sandbox_id)["last"]["events"]
    state = next(e for e in stored if e["type"] == "state")
    assert list(state) == ["type", "container", "from", "to", "exit_code", "signal"]
    assert (state["from"], state["to"], state["exit_code"]) == ("running", "exited", 137)
    typed = sandboxes.last_events({"events": stored})
    assert [e.to_json() for e in typed] == stored
    assert any(isinstance(e, ContainerStateChanged) and e.to_state == "exited" for e in typed)


def test_an_unknown_stored_event_kind_is_kept_as_it_was():
    events = sandboxes.last_events({"events": [{"type": "teleported", "container": "c1"}]})
    assert [e.kind for e in events] == ["teleported"] and events[0].to_json() == {"type": "teleported", "container": "c1"}
