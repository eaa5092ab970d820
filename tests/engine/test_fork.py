"""Daemon.fork and HostDir.fork: an independent copy for undo, sharing only what is immutable.

A fork is what undo restores, so it must be exactly the state it was taken from (a field that fork
forgets fails here), and no command on the original may change it, nor the other way round: whatever
the learner types (every lesson's solution, the realistic sandbox's build and mix, random mixes).
"""
from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.realistic import build_commands, mix
from engine.daemon.model import Daemon, Image
from engine.daemon.rw_layer import rw_snapshot
from engine.host import HostDir
from engine.layers.fs import Layer
from engine.sandbox import Sandbox

LESSONS = sorted((Path(__file__).resolve().parents[2] / "lessons").glob("[0-9]*.toml"))   # the walkthrough has no solution


def text(daemon: Daemon, host: HostDir) -> str:
    return json.dumps([daemon.to_json(), host.to_json()], sort_keys=True)


def step(box: Sandbox, item) -> None:
    """A terminal line, or ("write", path, text): a host file written outside commands."""
    if isinstance(item, tuple):
        box.host_write(item[1], item[2].encode())
    else:
        box.run(item)


def lesson_steps(path: Path) -> list:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    files = [("write", name, body) for name, body in data.get("host_files", {}).items()]
    return files + list(data["setup"]) + list(data["solution"])


# Lines that reach every part of the daemon's state: BuildKit's cache, the legacy builder's
# intermediate images, a container shell (the Session), restart policies, logs, processes, pauses,
# commits, tags and digests, saved and loaded tars, prunes.
SESSION_AND_MORE = [
    "docker pull alpine", "docker pull nginx",
    ("write", "Dockerfile", "FROM alpine\nRUN echo hi > /hi\nENV A=1\nLABEL x=y\nCMD [\"sleep\", \"1000\"]\n"),
    "docker build -t b1 .", "DOCKER_BUILDKIT=0 docker build -t b2 .",
    "docker run -d --name web nginx", "docker exec -d web sleep 50", "docker update --restart always web",
    "docker run -it --name shell alpine sh", "cd /tmp", "X=5", "export X", "touch made", "echo $X > f",
    "exit", "docker start shell", "docker exec -it web sh", "echo inside > /tmp/in", "exit",
    "docker pause web", "docker unpause web", "docker commit web snap:1", "docker tag snap:1 snap:2",
    "docker rename web www", "docker logs www", "docker save -o s.tar snap:1", "docker rmi snap:1 snap:2",
    "docker load -i s.tar", "docker stop -t 1 www", "docker rm -f shell", "docker builder prune -f",
    "docker system prune -af", "docker images -a",
]


def forks_stay_as_taken(steps: list, every: int = 1) -> None:
    """Fork along the way; run on; every fork still reads as it did when it was taken."""
    box = Sandbox.create(3)
    kept = []
    for index, item in enumerate(steps):
        if index % every == 0:
            daemon, host = box.daemon.fork(), box.host.fork()
            taken = text(daemon, host)
            assert taken == text(box.daemon, box.host)      # a fork is the state it was taken from
            kept.append((daemon, host, taken))
        step(box, item)
    for daemon, host, taken in kept:
        assert text(daemon, host) == taken


def the_original_stays_while_its_fork_runs(steps: list, at: int) -> None:
    """Fork at `at`, run the rest on the fork: the original does not move; run the rest on the
    original as well: both end in the same state (a fork behaves as the original would)."""
    box = Sandbox.create(3)
    for item in steps[:at]:
        step(box, item)
    before = text(box.daemon, box.host)
    twin = Sandbox(box.seed, box.scenario, box.daemon.fork(), box.host.fork())
    for item in steps[at:]:
        step(twin, item)
    assert text(box.daemon, box.host) == before
    for item in steps[at:]:
        step(box, item)
    assert text(box.daemon, box.host) == text(twin.daemon, twin.host)


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_lesson_leaves_the_forks_taken_on_its_way_alone(path):
    steps = lesson_steps(path)
    forks_stay_as_taken(steps)
    for at in range(len(steps)):
        the_original_stays_while_its_fork_runs(steps, at)


def test_a_shell_session_builds_and_prunes_leave_the_forks_alone():
    forks_stay_as_taken(SESSION_AND_MORE)
    for at in (2, 5, 9, 12, 17, 22, 28):
        the_original_stays_while_its_fork_runs(SESSION_AND_MORE, at)


def test_the_realistic_sandbox_leaves_the_forks_alone():
    steps = build_commands() + mix(0) + mix(1)
    forks_stay_as_taken(steps, every=7)
    the_original_stays_while_its_fork_runs(steps, len(build_commands()))


def _mutables(root, shared: set[int]) -> set[int]:
    """The ids of every mutable object reachable from root (dicts, lists, sets, objects with a
    __dict__), not entering what is shared by design: layers, image configs, cached merges."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or id(obj) in shared or isinstance(obj, (str, bytes, int, float, bool, type(None))):
            continue
        if isinstance(obj, Layer):
            continue
        if isinstance(obj, (dict, list, set, bytearray)) or hasattr(obj, "__dict__"):
            seen.add(id(obj))
        if isinstance(obj, dict):
            stack += list(obj.keys()) + list(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            stack += list(obj)
        elif hasattr(obj, "__dict__"):
            stack += [v for k, v in vars(obj).items() if not (isinstance(obj, Image) and k == "config")]
    return seen


def by_design_shared(daemon: Daemon) -> set[int]:
    """Cached merges, log lines (appended and dropped whole, never edited: Container.fork), a
    container's config and host_config (written at create; `docker update` replaces the latter whole),
    its R/W layer's dict (copied by the first write: engine/daemon/rw_layer.py) and the build cache's
    entries (written once)."""
    return ({id(v) for v in daemon._merged_cache.values()}
            | {id(line) for c in daemon.containers.values() for line in c.logs}
            | {id(d) for c in daemon.containers.values() for d in (c.config, c.host_config, c.rw)}
            | {id(entry) for entry in daemon.build_cache.values()})


def test_a_fork_shares_no_mutable_object_with_its_original():
    box = Sandbox.create(3)
    for item in SESSION_AND_MORE[:14] + build_commands()[:40]:   # a shell attached, builds, containers
        step(box, item)
    assert box.daemon.session is not None and box.daemon.build_cache
    fork, host = box.daemon.fork(), box.host.fork()
    assert set(vars(fork)) == set(vars(box.daemon))           # a field fork forgets fails here
    for mine, theirs in [(fork.containers, box.daemon.containers), (fork.images, box.daemon.images)]:
        assert [set(vars(x)) for x in mine.values()] == [set(vars(x)) for x in theirs.values()]
    shared = by_design_shared(box.daemon) | by_design_shared(fork)
    assert _mutables(fork, shared) & _mutables(box.daemon, shared) == set()
    assert _mutables(host, set()) & _mutables(box.host, set()) == set()
    # and it is cheap because of what it shares: the layers, the R/W entries and the image configs
    name = next(iter(fork.layers))
    assert fork.layers[name] is box.daemon.layers[name]
    image = next(iter(fork.images))
    assert fork.images[image].config is box.daemon.images[image].config
    container = next(iter(fork.containers))
    assert fork.containers[container].config is box.daemon.containers[container].config


def test_docker_update_replaces_the_host_config_an_undo_point_shares():
    box = Sandbox.create(3)
    for line in ["docker pull nginx", "docker run -d --name web nginx"]:
        box.run(line)
    fork = box.daemon.fork()
    assert box.run("docker update --restart always --memory 64m web").exit_code == 0
    [now], [then] = box.daemon.containers.values(), fork.containers.values()
    assert now.host_config["RestartPolicy"]["Name"] == "always" and now.host_config["Memory"] == 64 * 1024 * 1024
    assert then.host_config["RestartPolicy"]["Name"] == "no" and then.host_config.get("Memory", 0) == 0


def test_the_rw_layer_is_shared_until_one_side_writes_to_it():
    """A fork and its original share one R/W dict (no copy of thousands of entries before every
    command); the first write copies it, on either side, and so does a write after a snapshot (what
    the stage keeps to tell whether a container's drawing is still current)."""
    box = Sandbox.create(3)
    for line in ["docker pull alpine", "docker run -d --name box alpine sleep 1000", "docker exec box touch /one"]:
        box.run(line)
    [live] = box.daemon.containers.values()
    snapshot = rw_snapshot(live)
    assert rw_snapshot(live) is snapshot                      # nothing written: the same dict
    fork = box.daemon.fork()
    [forked] = fork.containers.values()
    assert forked.rw is live.rw
    assert box.run("docker exec box touch /two").exit_code == 0
    assert live.rw is not snapshot and "/two" in live.rw   # the write went to a copy
    assert "/two" not in snapshot and forked.rw is snapshot
    fork.container_fs(forked).touch("/three")               # the fork's first write copies too
    assert "/three" in forked.rw and "/three" not in live.rw and "/three" not in snapshot


# A random mix: the lines of SESSION_AND_MORE and of the realistic mix, in any order, from a sandbox
# with images pulled (most lines then do something rather than fail).
POOL = [item for item in SESSION_AND_MORE[2:] + mix(0) + mix(1) + ["docker run -d --name sleeper alpine sleep 5",
        "docker ps", "docker restart -t 1 www", "docker kill www", "docker container prune -f"]]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(POOL), min_size=8, max_size=30), st.integers(0, 25))
def test_random_mixes_leave_forks_and_originals_alone(lines, at):
    steps = ["docker pull alpine", "docker pull nginx"] + lines
    forks_stay_as_taken(steps, every=3)
    the_original_stays_while_its_fork_runs(steps, min(at, len(steps)))
