"""Per-sandbox limits: each is reported with its number and advice, and hitting one changes nothing."""
from __future__ import annotations

import json

import pytest

from engine import limits
from engine.daemon import invariants
from engine.sandbox import Sandbox


def comparable(sb: Sandbox) -> dict:
    return {k: v for k, v in sb.daemon.to_json().items() if k not in ("clock", "ids", "next_pid")}


def refused(sb: Sandbox, line: str, stderr: str, exit_code: int = 1) -> None:
    """The line fails with exactly `stderr` and leaves images, containers and layers as they were."""
    twin = Sandbox.from_json(json.loads(json.dumps(sb.to_json())))
    twin.run("pwd")  # the same moment with nothing typed
    result = sb.run(line)
    assert (result.stderr, result.exit_code) == (stderr, exit_code)
    assert comparable(sb) == comparable(twin)
    assert invariants.check(sb.daemon) == []


def ok(sb: Sandbox, line: str):
    result = sb.run(line)
    assert result.exit_code == 0, (line, result.stderr)
    return result


PREFIX = "Error response from daemon: LayerLab limit: "


def test_the_documented_numbers():
    assert (limits.MAX_CONTAINERS, limits.MAX_IMAGES, limits.MAX_LAYERS) == (50, 60, 300)
    assert (limits.MAX_LAYER_ENTRIES, limits.MAX_FILE_BYTES, limits.MAX_LAYER_BYTES) == (2000, 2**20, 16 * 2**20)
    assert limits.MAX_TEXT == 2 * 2**20
    assert (limits.MAX_STEPS, limits.MAX_WORK_CHARS, limits.MAX_DEPTH) == (500_000, 256 * 2**20, 32)
    assert (limits.MAX_TEMPLATE_DEPTH, limits.MAX_SUBSTITUTION, limits.MAX_CONFIG_CHARS) == (64, 64 * 1024, 256 * 1024)


def test_fifty_containers_then_create_is_refused():
    sb = Sandbox.create(3)
    ok(sb, "docker pull busybox")
    for _ in range(50):
        ok(sb, "docker create busybox")
    message = (PREFIX + "this sandbox already has 50 containers; the limit is 50 containers per sandbox. "
               "Remove some with `docker rm` or `docker container prune` first.\n")
    refused(sb, "docker create busybox", message)
    refused(sb, "docker run -d --name extra busybox sleep 100",
            "docker: " + message + "\nRun 'docker run --help' for more information\n", 125)
    ok(sb, "docker container prune -f")
    ok(sb, "docker run -d --name extra busybox sleep 100")


def test_images_limit_refuses_a_pull_before_any_layer_is_stored(monkeypatch):
    monkeypatch.setattr(limits, "MAX_IMAGES", 1)
    sb = Sandbox.create(3)
    ok(sb, "docker pull alpine")
    refused(sb, "docker pull busybox",
            PREFIX + "this sandbox already has 1 images; the limit is 1 images per sandbox (intermediate "
            "build images count too). Remove some with `docker rmi` or `docker image prune -a` first.\n")
    ok(sb, "docker pull alpine")  # already there: no new image
    ok(sb, "docker tag alpine mine:1")  # a tag is not an image


def test_layers_limit_counts_only_new_layers(monkeypatch):
    sb = Sandbox.create(3)
    ok(sb, "docker pull debian:bookworm-slim")
    monkeypatch.setattr(limits, "MAX_LAYERS", len(sb.daemon.layers))
    refused(sb, "docker pull alpine",
            PREFIX + f"the layer store already holds {len(sb.daemon.layers)} layers; the limit is "
            f"{len(sb.daemon.layers)} layers per sandbox. Remove images and containers you no longer need first.\n")


def test_commit_and_build_respect_the_images_limit(monkeypatch):
    sb = Sandbox.create(3)
    sb.host_write("Dockerfile", b"FROM alpine\nRUN echo a > /a\nRUN echo b > /b\n")
    ok(sb, "docker run --name box alpine touch /x")
    monkeypatch.setattr(limits, "MAX_IMAGES", 1)
    refused(sb, "docker commit box",
            PREFIX + "this sandbox already has 1 images; the limit is 1 images per sandbox (intermediate "
            "build images count too). Remove some with `docker rmi` or `docker image prune -a` first.\n")
    result = sb.run("DOCKER_BUILDKIT=0 docker build -t b .")
    assert result.exit_code == 1 and PREFIX + "this sandbox already has 1 images" in result.stderr
    assert len(sb.daemon.images) == 1 and invariants.check(sb.daemon) == []


def refused_any(sb, line):
    """refused() when only the beginning of the message matters."""
    twin = Sandbox.from_json(json.loads(json.dumps(sb.to_json())))
    twin.run("pwd")
    result = sb.run(line)
    assert result.exit_code == 1 and result.stderr.startswith(PREFIX), result.stderr
    assert comparable(sb) == comparable(twin)
    return result.stderr


def test_files_per_read_write_layer_and_a_refused_exec_changes_nothing(monkeypatch):
    sb = Sandbox.create(3)
    ok(sb, "docker run -d --name box alpine sleep 1000")
    monkeypatch.setattr(limits, "MAX_LAYER_ENTRIES", 6)
    ok(sb, "docker exec box touch /1 /2 /3")
    stderr = refused_any(sb, "docker exec box sh -c 'touch /4 /5 /6 /7'")
    assert stderr == (PREFIX + "the read-write layer already has 6 changed files and directories; the limit is 6 "
                      "per layer. Remove files you no longer need, or remove the container and start a new one.\n")
    assert sorted(sb.daemon.find_container("box").rw) == ["/1", "/2", "/3"]


def test_commit_refuses_a_layer_with_too_many_entries(monkeypatch):
    sb = Sandbox.create(3)
    ok(sb, "docker run --name box alpine touch /1 /2 /3 /4")
    monkeypatch.setattr(limits, "MAX_LAYER_ENTRIES", 3)  # lowered after the writes, so only commit checks it
    images = dict(sb.daemon.images)
    result = sb.run("docker commit box img")
    assert (result.stderr, result.exit_code) == (
        PREFIX + "a layer with 4 files and directories; the limit is 3 per layer. Change fewer files in one step.\n", 1)
    assert sb.daemon.images == images


def test_a_file_over_one_mib_cannot_be_copied_into_a_container():
    sb = Sandbox.create(3)
    ok(sb, "docker run -d --name box alpine sleep 1000")
    sb.host_write("big.txt", b"x" * (limits.MAX_FILE_BYTES + 1))
    sb.host_write("small.txt", b"y" * limits.MAX_FILE_BYTES)
    refused(sb, "docker cp big.txt box:/big.txt",
            PREFIX + "/big.txt would hold 1,048,577 bytes; the limit is 1 MiB per file written in a container. "
            "Write smaller files.\n")
    ok(sb, "docker cp small.txt box:/small.txt")


def test_bytes_per_layer(monkeypatch):
    sb = Sandbox.create(3)
    ok(sb, "docker run -d --name box alpine sleep 1000")
    monkeypatch.setattr(limits, "MAX_LAYER_BYTES", 10)
    ok(sb, "docker exec box sh -c 'echo 1234 > /a'")
    stderr = refused_any(sb, "docker exec box sh -c 'echo 1234 > /b; echo 12345 > /c'")
    assert stderr == (PREFIX + "the read-write layer would hold 16 bytes; the limit is 10 bytes per layer. "
                      "Write smaller files or remove some.\n")


def test_exponential_text_in_the_shell_stops_at_the_limit():
    # `a=$a$a…` ten times over grows tenfold per step: nine steps would need gigabytes
    sb = Sandbox.create(3)
    ok(sb, "docker run -d --name box alpine sleep 1000")
    script = "echo start > /s; a=0123456789; " + "; ".join(["a=$a$a$a$a$a$a$a$a$a$a"] * 9)
    stderr = refused_any(sb, f"docker exec box sh -c '{script}'")
    assert stderr.startswith(PREFIX + "a command in the container would make a text of ")
    assert stderr.endswith("the limit is 2 Mi characters per word, variable or output. Work with smaller text.\n")
    assert "/s" not in sb.daemon.find_container("box").rw


def test_printf_padding_counts_as_text():
    sb = Sandbox.create(3)
    ok(sb, "docker run -d --name box alpine sleep 1000")
    refused(sb, "docker exec box printf '%999999999d' 5",
            PREFIX + "a command in the container would make a text of 999,999,999 characters; the limit is "
            "2 Mi characters per word, variable or output. Work with smaller text.\n")


def test_a_long_output_is_cut_on_the_terminal_but_not_in_a_redirected_file():
    sb = Sandbox.create(3)
    sb.host_write("half.txt", b"z" * 600_000)
    ok(sb, "docker run -d --name box alpine sleep 1000")
    ok(sb, "docker cp half.txt box:/half")
    result = ok(sb, "docker exec box cat /half")
    assert len(result.stdout) == limits.MAX_TERMINAL_OUTPUT + len(limits.CUT_NOTE)
    assert result.stdout.endswith("[LayerLab: output cut after 262,144 characters; redirect it to a file with "
                                  "`> FILE` to keep all of it]\n")
    ok(sb, "docker exec box cat /half > copy.txt")
    assert sb.host_read("copy.txt") == b"z" * 600_000


def test_container_log_keeps_the_newest_megabyte():
    sb = Sandbox.create(3)
    sb.host_write("line.txt", b"L" * 400_000 + b"\n")
    ok(sb, "docker create --name box alpine cat /line")
    ok(sb, "docker cp line.txt box:/line")
    for _ in range(4):
        ok(sb, "docker start box")
    logs = sb.daemon.find_container("box").logs
    assert len(logs) == 2 and sum(len(t) for _, t in logs) <= limits.MAX_LOG_BYTES


def test_import_refuses_a_layer_with_too_many_entries(monkeypatch):
    sb = Sandbox.create(3)
    ok(sb, "docker create --name box busybox")
    ok(sb, "docker export -o box.tar box")
    monkeypatch.setattr(limits, "MAX_LAYER_ENTRIES", 5)
    stderr = refused_any(sb, "docker import box.tar flat")
    assert "files and directories; the limit is 5 per layer. Change fewer files in one step." in stderr


@pytest.mark.parametrize("line", ["docker load -i saved.tar"])
def test_load_respects_the_images_limit(monkeypatch, line):
    sb = Sandbox.create(3)
    ok(sb, "docker pull busybox")
    ok(sb, "docker save -o saved.tar busybox")
    ok(sb, "docker rmi busybox")
    ok(sb, "docker pull alpine")
    monkeypatch.setattr(limits, "MAX_IMAGES", 1)
    refused_any(sb, line)
