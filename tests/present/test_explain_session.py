"""A line typed inside a container's shell is explained as such, not as a read-only command."""
from engine.sandbox import Sandbox
from present.explain import INSIDE, UNKNOWN, explain


def test_a_write_inside_the_container_is_not_called_a_read():
    sb = Sandbox.create(2)
    sb.run("docker pull alpine")
    sb.run("docker run -it --name box alpine sh")
    r = sb.run("echo hi > /x")
    said = explain(r.command, r.exit_code, r.events)
    assert said.text == INSIDE["en"] and said.text != UNKNOWN["en"]
    assert any("read-write layer" in fact for fact in said.facts)
    r = sb.run("ls /")
    assert explain(r.command, r.exit_code, r.events).text == UNKNOWN["en"]  # a look changes nothing
