"""Property test: random sequences of valid docker commands keep the engine's invariants.

Commands come from a small vocabulary whose names are drawn from what exists right now (plus a few
that do not), so most commands hit real objects. After every command:
- engine.daemon.invariants.check(daemon) == [] and no "LayerLab internal error";
- a single-object command the daemon refused (one `Error response from daemon:` line) changed
  nothing: the state equals what the same moment looks like when nothing is typed (the sandbox lets
  virtual time pass before each command, so `sleep 5` may end meanwhile: that is not a change);
and at the end: replaying the log on a new sandbox gives the identical JSON, and the JSON round
trip (through json text, as the store keeps it) is lossless.

Profiles: the default is quick (runs in seconds); LAYERLAB_HYPOTHESIS=thorough runs many more.
"""
from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, event, given, settings, strategies as st

from engine.daemon import invariants
from engine.sandbox import Sandbox

settings.register_profile("quick", max_examples=60, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("thorough", max_examples=1000, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = os.environ.get("LAYERLAB_HYPOTHESIS", "quick")
STEPS = 40 if PROFILE == "thorough" else 18

DOCKERFILE = (b"FROM alpine\nRUN echo built > /built.txt\nCOPY hello.txt /hello.txt\n"
              b"ENV GREETING=hi\nCMD [\"cat\", \"/built.txt\"]\n")
CATALOG = ["alpine", "busybox", "nginx", "hello-world", "alpine:3.20"]
NAMES = ["web", "db", "box"]
TAGS = ["img:1", "img:2", "built", "imported", "alpine"]
PROGRAMS = ["sleep 1000", "sleep 5", "sh -c 'echo hi'", "echo hello", "", "sh -c 'exit 3'", "nosuchprog"]
EXEC_SCRIPTS = ["echo data > /f1", "echo more >> /f1", "rm -f /etc/motd", "rm -rf /etc/apk",
                "mkdir -p /d/e && touch /d/e/x", "rm -rf /d && mkdir /d", "cp /etc/hostname /tmp/h",
                "sleep 300", "false"]
# Commands that name one object and are refused as a whole by the daemon: a failure changes nothing.
ATOMIC = {"stop", "kill", "pause", "unpause", "rm", "rmi", "tag", "commit", "pull", "create", "save",
          "load", "import", "export", "cp", "exec", "rename"}


def container_refs(sb: Sandbox) -> list[str]:
    cs = list(sb.daemon.containers.values())
    return [c.name for c in cs] + [c.id[:12] for c in cs[:2]] + NAMES


def image_refs(sb: Sandbox) -> list[str]:
    tags = [t for i in sb.daemon.images.values() for t in i.repo_tags]
    ids = [i.short_id for i in list(sb.daemon.images.values())[:3]]
    return tags + ids + TAGS + CATALOG[:2]


def draw_command(data, sb: Sandbox) -> tuple[str, str]:
    """(kind, line): kind is the command's verb, used to decide which assertions apply."""
    c = lambda: data.draw(st.sampled_from(container_refs(sb)))  # noqa: E731
    i = lambda: data.draw(st.sampled_from(image_refs(sb)))  # noqa: E731
    name = lambda: data.draw(st.sampled_from([""] + [f"--name {n} " for n in NAMES]))  # noqa: E731
    kind = data.draw(st.sampled_from(
        ["pull", "create", "run", "run", "start", "stop", "kill", "pause", "unpause", "restart", "rm",
         "rm-many", "exec", "exec", "commit", "tag", "rmi", "build", "save", "load", "export", "import",
         "image-prune", "container-prune", "cp", "rename", "ps"]))
    if kind == "pull":
        return kind, f"docker pull {data.draw(st.sampled_from(CATALOG))}"
    if kind == "create":
        return kind, f"docker create {name()}{i()} {data.draw(st.sampled_from(PROGRAMS))}".rstrip()
    if kind == "run":
        mode = data.draw(st.sampled_from(["-d ", "-d --rm ", "", "--rm "]))
        return kind, f"docker run {mode}{name()}{i()} {data.draw(st.sampled_from(PROGRAMS))}".rstrip()
    if kind in ("start", "pause", "unpause", "restart"):
        return kind, f"docker {kind} {c()}"
    if kind == "stop":
        return kind, f"docker stop {data.draw(st.sampled_from(['', '-t 2 ', '-t 0 ']))}{c()}"
    if kind == "kill":
        return kind, f"docker kill {data.draw(st.sampled_from(['', '-s HUP ', '-s TERM ']))}{c()}"
    if kind == "rm":
        return kind, f"docker rm {data.draw(st.sampled_from(['', '-f ']))}{c()}"
    if kind == "rm-many":
        return kind, f"docker rm -f {c()} {c()}"
    if kind == "exec":
        script = data.draw(st.sampled_from(EXEC_SCRIPTS))
        detach = "-d " if script.startswith("sleep") else ""
        return kind, f"docker exec {detach}{c()} sh -c '{script}'"
    if kind == "commit":
        return kind, f"docker commit {c()} {data.draw(st.sampled_from(['', 'img:1', 'img:2']))}".rstrip()
    if kind == "tag":
        return kind, f"docker tag {i()} {data.draw(st.sampled_from(TAGS))}"
    if kind == "rmi":
        return kind, f"docker rmi {data.draw(st.sampled_from(['', '-f ']))}{i()}"
    if kind == "build":
        legacy = data.draw(st.booleans())
        return kind, f"{'DOCKER_BUILDKIT=0 ' if legacy else ''}docker build -t built ."
    if kind == "save":
        return kind, f"docker save -o s.tar {i()}"
    if kind == "load":
        return kind, "docker load -i s.tar"
    if kind == "export":
        return kind, f"docker export -o e.tar {c()}"
    if kind == "import":
        return kind, "docker import e.tar imported"
    if kind == "image-prune":
        return kind, f"docker image prune -f{data.draw(st.sampled_from(['', ' -a']))}"
    if kind == "container-prune":
        return kind, "docker container prune -f"
    if kind == "cp":
        return kind, f"docker cp hello.txt {c()}:/tmp/"
    if kind == "rename":
        return kind, f"docker rename {c()} {data.draw(st.sampled_from(NAMES))}"
    return kind, "docker ps -a"


def new_sandbox(scenario: str | None) -> Sandbox:
    sb = Sandbox.create(seed=7, scenario=scenario)
    sb.host_write("Dockerfile", DOCKERFILE)
    sb.host_write("hello.txt", b"hello\n")
    return sb


def comparable(state: dict) -> dict:
    """Daemon JSON without what passes by itself: the clock, the id/pid counters."""
    return {k: v for k, v in state.items() if k not in ("clock", "ids", "next_pid")}


def quiet_moment(sb: Sandbox) -> dict:
    """The daemon as it would be if the learner had typed a command that does nothing."""
    twin = Sandbox.from_json(json.loads(json.dumps(sb.to_json())))
    assert twin.run("pwd").exit_code == 0
    return comparable(twin.daemon.to_json())


def refused_as_a_whole(kind: str, result) -> bool:
    lines = result.stderr.strip().splitlines()
    return (kind in ATOMIC and result.exit_code != 0 and len(lines) == 1
            and lines[0].startswith("Error response from daemon:"))


def check_run(sb: Sandbox, kind: str, line: str, *, in_hypothesis: bool = False) -> None:
    expected = quiet_moment(sb) if kind in ATOMIC else None
    result = sb.run(line)
    if in_hypothesis:  # --hypothesis-show-statistics: how often each kind of command worked
        event(f"{kind}: {'ok' if result.exit_code == 0 else 'failed'}")
    assert "LayerLab internal error" not in result.stderr, (line, result.stderr)
    problems = invariants.check(sb.daemon)
    assert problems == [], (line, result.stdout, result.stderr, problems)
    if expected is not None and refused_as_a_whole(kind, result):
        assert comparable(sb.daemon.to_json()) == expected, (line, result.stderr)


@settings(settings.get_profile(PROFILE))
@given(st.data())
def test_random_valid_command_sequences_keep_invariants(data):
    scenario = data.draw(st.sampled_from([None, "article"]))
    sb = new_sandbox(scenario)
    assert invariants.check(sb.daemon) == []
    steps = data.draw(st.integers(min_value=1, max_value=STEPS))
    for _ in range(steps):
        kind, line = draw_command(data, sb)
        check_run(sb, kind, line, in_hypothesis=True)
    # determinism: the same seed, scenario, uploads and log give the same state
    again = Sandbox.replay(sb.seed, sb.scenario, sb.log, sb.uploads)
    assert again.to_json() == sb.to_json()
    # the store keeps JSON text: the round trip through it is lossless
    text = json.dumps(sb.to_json())
    restored = Sandbox.from_json(json.loads(text))
    assert restored.to_json() == json.loads(text)
    assert invariants.check(restored.daemon) == []


# ---- regressions found by the property test -------------------------------------------------------
def run_all(lines: list[str], scenario: str | None = None) -> Sandbox:
    sb = new_sandbox(scenario)
    for line in lines:
        kind = line.split()[1] if line.startswith("docker ") else ""
        check_run(sb, kind, line)
    return sb


def test_refused_stop_of_unknown_container_changes_nothing():
    run_all(["docker pull alpine", "docker stop nosuch", "docker rmi nosuch"])


def test_commit_of_a_container_whose_image_was_force_removed_is_refused():
    # found by the property test: the commit made an image with layers but no history for them.
    # moby's CommitImage fails when the parent image's config is gone (image/fs.go Get).
    sb = run_all(["docker rmi -f alpine:latest"], "article")
    image_id = sb.daemon.find_container("box").image_id
    assert image_id not in sb.daemon.images
    before = len(sb.daemon.images)
    result = sb.run("docker commit box")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (f"Error response from daemon: failed to get digest {image_id}: open /var/lib/docker/"
                             f"image/overlay2/imagedb/content/sha256/{image_id[7:]}: no such file or directory\n")
    assert len(sb.daemon.images) == before and invariants.check(sb.daemon) == []
