"""Result.invocations: what the CLI understood, so nothing downstream re-parses the typed line."""
from engine.invocation import Invocation
from engine.sandbox import Sandbox


def run(sandbox, line):
    return sandbox.run(line)


def test_alias_resolves_to_canonical_path_with_options_and_args():
    sandbox = Sandbox.create(seed=1, scenario="article")
    result = run(sandbox, "docker ps -a")
    (inv,) = result.invocations
    assert (inv.path, inv.typed, inv.args, inv.ok) == ("container ls", "ps", (), True)
    assert inv.option("all") is True


def test_every_docker_command_of_a_line_is_recorded_with_its_exit_code():
    sandbox = Sandbox.create(seed=1)
    result = run(sandbox, "docker pull alpine && docker run --name box alpine true; docker stop nosuch")
    assert [(i.path, i.args, i.exit_code) for i in result.invocations] == [
        ("image pull", ("alpine",), 0), ("container run", ("alpine", "true"), 0),
        ("container stop", ("nosuch",), 1)]
    assert result.invocations[1].option("name") == "box"


def test_usage_error_is_recorded_as_not_parsed():
    sandbox = Sandbox.create(seed=1)
    (inv,) = run(sandbox, "docker ps --bogus").invocations
    assert (inv.path, inv.parsed, inv.ok) == ("container ls", False, False)
    assert run(sandbox, "ls").invocations == []


def test_environment_prefix_and_substitution_are_seen():
    sandbox = Sandbox.create(seed=1, scenario="article")
    result = run(sandbox, "docker rm -f $(docker ps -aq)")
    assert [i.path for i in result.invocations] == ["container ls", "container rm"]
    sandbox.host_write("Dockerfile", b"FROM alpine\nRUN touch /x\n")
    (build,) = run(sandbox, "DOCKER_BUILDKIT=0 docker build -t x .").invocations
    assert build.env == {"DOCKER_BUILDKIT": "0"} and build.ok


def test_json_round_trip():
    inv = Invocation("container stop", "stop", ("web",), {"time": 3}, {}, 0)
    assert Invocation.from_json(inv.to_json()) == inv
