"""Every (command, state) pair of Docker's allowed-operations matrix, through the terminal."""
import pytest

from engine.daemon import containers as containers_ops, lifecycle
from engine.events import ContainerRemoved
from engine.sandbox import Sandbox

STATES = lifecycle.STATES


def _sandbox_with(state: str):
    """A sandbox holding one container named `box` in the given state."""
    sb = Sandbox.create(7)
    sb.run("docker pull alpine")
    if state == "created":
        sb.run("docker create --name box alpine sleep 1000")
    elif state == "exited":
        sb.run("docker run --name box alpine true")
    else:
        sb.run("docker run -d --name box alpine sleep 1000")
        if state == "paused":
            sb.run("docker pause box")
    c = sb.daemon.find_container("box")
    if state == "restarting":  # only a restart policy gets here; set the state record directly
        c.restarting, c.pid, c.processes = True, 0, []
    if state == "dead":  # only a failed removal gets here
        c.running = c.paused = False
        c.processes, c.pid, c.dead = [], 0, True
    assert c.status == state
    return sb, c


LINES = {
    "start": "docker start box", "stop": "docker stop box", "restart": "docker restart box",
    "kill": "docker kill box", "pause": "docker pause box", "unpause": "docker unpause box",
    "exec": "docker exec box true", "rm": "docker rm box", "commit": "docker commit box",
}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("command", sorted(LINES))
def test_matrix(command, state):
    sb, c = _sandbox_with(state)
    before = sb.daemon.to_json()
    result = sb.run(LINES[command])
    outcome = lifecycle.rule(command, state)
    if outcome == lifecycle.NOOP:
        assert (result.exit_code, result.stdout, result.stderr) == (0, "box\n", "")
        assert sb.daemon.to_json()["containers"] == before["containers"]
    elif outcome == lifecycle.OK:
        assert result.exit_code == 0, result.stderr
        assert result.stderr == ""
    else:
        _, text = outcome
        message = "Error response from daemon: " + text.format(id=c.id, name="box")
        if command == "start":
            message += "\nError: failed to start containers: box"
        assert result.exit_code == 1
        assert result.stderr == message + "\n"
        assert result.stdout == ""
        assert sb.daemon.to_json()["containers"] == before["containers"]


@pytest.mark.parametrize("state,expected", [("created", "created"), ("running", "exited"), ("paused", "exited"),
                                            ("exited", "exited")])
def test_stop_moves_to_exited_or_stays(state, expected):
    sb, c = _sandbox_with(state)
    sb.run("docker stop box")
    assert sb.daemon.find_container("box").status == expected


def test_ok_transitions_reach_the_expected_state():
    sb, c = _sandbox_with("running")
    sb.run("docker pause box")
    assert c.status == "paused" and c.running and c.paused
    sb.run("docker unpause box")
    assert c.status == "running"
    sb.run("docker kill box")
    assert c.status == "exited" and c.exit_code == 137
    sb.run("docker start box")
    assert c.status == "running" and c.exit_code == 0
    sb.run("docker rm -f box")
    assert "box" not in sb.daemon.container_names()


def test_rm_force_works_in_every_state():
    for state in STATES:
        sb, c = _sandbox_with(state)
        result = sb.run("docker rm -f box")
        assert (result.exit_code, result.stdout) == (0, "box\n"), state
        assert not sb.daemon.containers


@pytest.mark.parametrize("text,number", [("SIGTERM", 15), ("term", 15), ("9", 9), ("KILL", 9), ("sighup", 1)])
def test_parse_signal(text, number):
    assert lifecycle.parse_signal(text) == number


def test_invalid_signal_is_reported_per_container():
    sb, c = _sandbox_with("running")
    result = sb.run("docker kill -s FOO box")
    # moby/sys/signal ParseSignal text, wrapped by the kill route (container_routes.go:268, v28.5.2)
    assert (result.exit_code, result.stderr) == (
        1, "Error response from daemon: cannot kill container: box: invalid signal: FOO\n")
    assert c.status == "running"


def test_settle_ends_a_timed_process_and_removes_rm_container():
    sb = Sandbox.create(3)
    sb.run("docker pull alpine")
    sb.run("docker run -d --name short alpine sleep 2")
    sb.run("docker run -d --rm --name gone alpine sleep 2")
    sb.daemon.clock.advance(30)
    events = containers_ops.settle(sb.daemon)
    short = sb.daemon.find_container("short")
    assert (short.status, short.exit_code) == ("exited", 0)
    assert "gone" not in sb.daemon.container_names()
    assert ContainerRemoved(events[-1].container, "gone") in events


def test_paused_process_does_not_end_until_unpaused():
    sb = Sandbox.create(3)
    sb.run("docker pull alpine")
    sb.run("docker run -d --name pz alpine sleep 20")
    sb.run("docker pause pz")
    sb.daemon.clock.advance(60)
    containers_ops.settle(sb.daemon)
    assert sb.daemon.find_container("pz").status == "paused"
    sb.run("docker unpause pz")
    sb.run("docker ps")
    assert sb.daemon.find_container("pz").status == "exited"
