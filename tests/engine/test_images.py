"""docker pull / images / tag / image prune, through the sandbox terminal as a learner types them."""
import pytest

from engine.daemon.model import Image
from engine.events import LayerReused
from engine.layers.fs import Entry, Layer
from engine.registry import catalog as registry
from engine.sandbox import Sandbox


def remote(repo, tag):
    return registry.lookup(repo, tag)


def short(digest):
    return digest.split(":", 1)[1][:12]


@pytest.fixture
def box():
    return Sandbox.create(seed=7)


def run_ok(box, line):
    result = box.run(line)
    assert result.exit_code == 0, (line, result.stderr)
    return result


def test_pull_prints_docker_lines_and_stores_the_image(box):
    r = run_ok(box, "docker pull alpine")
    alpine = remote("alpine", "latest")
    assert r.stdout == (
        "Using default tag: latest\n"
        "latest: Pulling from library/alpine\n"
        f"{short(alpine.compressed_digests[0])}: Pull complete\n"
        f"Digest: {alpine.manifest_digest}\n"
        "Status: Downloaded newer image for alpine:latest\n"
        "docker.io/library/alpine:latest\n")
    assert r.stderr == ""
    image = box.daemon.image_by_tag("alpine:latest")
    assert image.id == registry.image_id(alpine.config)
    assert image.repo_digests == [f"alpine@{alpine.manifest_digest}"]
    kinds = [e.kind for e in r.events]
    assert kinds.count("layer_added") == 1 and "image_added" in kinds and "tagged" in kinds


def test_pull_again_is_up_to_date_and_second_tag_reuses_every_layer(box):
    run_ok(box, "docker pull alpine")
    again = run_ok(box, "docker pull alpine:latest")
    alpine = remote("alpine", "latest")
    layer = short(alpine.compressed_digests[0])
    assert again.stdout == (
        "latest: Pulling from library/alpine\n"
        f"{layer}: Already exists\n"
        f"Digest: {alpine.manifest_digest}\n"
        "Status: Image is up to date for alpine:latest\n"
        "docker.io/library/alpine:latest\n")
    second = run_ok(box, "docker pull docker.io/library/alpine:3.22")
    # the image id exists under another tag: the tag is new, so Docker says "Downloaded newer image"
    assert second.stdout == (
        "3.22: Pulling from library/alpine\n"
        f"{layer}: Already exists\n"
        f"Digest: {alpine.manifest_digest}\n"
        "Status: Downloaded newer image for alpine:3.22\n"
        "docker.io/library/alpine:3.22\n")
    assert len(box.daemon.images) == 1
    assert sorted(box.daemon.image_by_tag("alpine:latest").repo_tags) == ["alpine:3.22", "alpine:latest"]


def test_python_after_nginx_shares_the_debian_base_layer(box):
    run_ok(box, "docker pull nginx")
    r = run_ok(box, "docker pull python:3.12-slim")
    python = remote("python", "3.12-slim")
    lines = r.stdout.splitlines()
    assert lines[0] == "3.12-slim: Pulling from library/python"
    assert lines[1] == f"{short(python.compressed_digests[0])}: Already exists"
    assert lines[2:2 + len(python.layers) - 1] == [
        f"{short(d)}: Pull complete" for d in python.compressed_digests[1:]]
    assert lines[-1] == "docker.io/library/python:3.12-slim"
    reused = [e for e in r.events if isinstance(e, LayerReused)]
    assert reused == [LayerReused(python.layers[0].diff_id)]
    # stored once: both images point at the same base DiffID
    nginx = box.daemon.image_by_tag("nginx:latest")
    assert nginx.diff_ids[0] == box.daemon.image_by_tag("python:3.12-slim").diff_ids[0]


@pytest.mark.parametrize("line, stdout, stderr", [
    ("docker pull nosuch", "Using default tag: latest\n",
     "Error response from daemon: pull access denied for nosuch, repository does not exist or may require "
     "'docker login': denied: requested access to the resource is denied\n"),
    ("docker pull alpine:9.9", "",
     "Error response from daemon: manifest for alpine:9.9 not found: manifest unknown: manifest unknown\n"),
    ("docker pull Alpine", "", "invalid reference format: repository name (library/Alpine) must be lowercase\n"),
    ("docker pull alpine:", "", "invalid reference format\n"),
])
def test_pull_errors_change_nothing(box, line, stdout, stderr):
    before = box.daemon.to_json()
    r = box.run(line)
    assert (r.stdout, r.stderr, r.exit_code) == (stdout, stderr, 1)
    after = box.daemon.to_json()
    assert after["images"] == before["images"] == [] and after["layers"] == before["layers"]


def test_pull_advances_the_clock(box):
    start = box.daemon.now
    run_ok(box, "docker pull busybox")
    assert box.daemon.now - start >= 5 * 10**9  # think time (3 s+) and a download of 2 s+


def test_images_table_layout(box):
    run_ok(box, "docker pull alpine")
    run_ok(box, "docker pull nginx")
    run_ok(box, "docker tag nginx myweb:1.0")
    d = box.daemon
    nginx, alpine = d.image_by_tag("nginx:latest"), d.image_by_tag("alpine:latest")
    r = run_ok(box, "docker images")
    assert r.stdout == (
        "REPOSITORY   TAG       IMAGE ID       CREATED        SIZE\n"
        f"myweb        1.0       {nginx.short_id}   8 weeks ago    192MB\n"
        f"nginx        latest    {nginx.short_id}   8 weeks ago    192MB\n"
        f"alpine       latest    {alpine.short_id}   3 months ago   8.31MB\n")
    assert run_ok(box, "docker image ls -q").stdout == f"{nginx.short_id}\n{nginx.short_id}\n{alpine.short_id}\n"
    no_trunc = run_ok(box, "docker image list --no-trunc alpine").stdout
    assert no_trunc == (
        "REPOSITORY   TAG       IMAGE ID                                                                  CREATED        SIZE\n"
        f"alpine       latest    {alpine.id}   3 months ago   8.31MB\n")
    digests = run_ok(box, "docker images --digests alpine").stdout.splitlines()
    assert digests[0].split() == ["REPOSITORY", "TAG", "DIGEST", "IMAGE", "ID", "CREATED", "SIZE"]
    assert digests[1].split()[:4] == ["alpine", "latest", alpine.repo_digests[0].split("@")[1], alpine.short_id]
    assert run_ok(box, "docker images --format '{{.Repository}}:{{.Tag}} {{.Size}}' 'n*'").stdout == \
        "nginx:latest 192MB\n"


def test_images_reference_filter_and_ambiguity_hint(box):
    run_ok(box, "docker pull alpine")
    empty = "REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n"
    r = run_ok(box, "docker images nosuch")
    assert (r.stdout, r.stderr) == (empty, "")
    r = run_ok(box, "docker images ls")
    assert (r.stdout, r.stderr) == (empty, '\nNo images found matching "ls": did you mean "docker image ls"?\n')
    r = run_ok(box, "docker image ls ls")
    assert (r.stdout, r.stderr) == (empty, "")
    r = box.run("docker images -f colour=red")
    assert (r.stderr, r.exit_code) == ("Error response from daemon: invalid filter 'colour'\n", 1)


def add_child(box, parent: Image, tag: str | None) -> Image:
    """An image whose Parent is `parent`, as `docker commit` or the legacy builder makes one."""
    layer = Layer.from_changes({"/greeting": Entry.file("hello from a layer\n")})
    box.daemon.add_layer(layer)
    config = dict(parent.config)
    config["created"] = "2026-01-15T09:00:00Z"
    config["rootfs"] = {"type": "layers", "diff_ids": parent.diff_ids + [layer.diff_id]}
    config["history"] = parent.history + [{"created": "2026-01-15T09:00:00Z",
                                           "created_by": "/bin/sh -c echo hi > /greeting"}]
    child = Image.from_config(config, parent=parent.id, repo_tags=[tag] if tag else [], built_locally=True)
    box.daemon.images[child.id] = child
    return child


def test_intermediate_images_only_with_all_and_dangling_filter(box):
    run_ok(box, "docker pull alpine")
    alpine = box.daemon.image_by_tag("alpine:latest")
    middle = add_child(box, alpine, None)
    top = add_child(box, middle, "app:1")
    run_ok(box, "docker rmi alpine")  # untag only: the image has a child
    listing = run_ok(box, "docker images").stdout
    assert middle.short_id not in listing and top.short_id in listing
    assert alpine.short_id not in listing  # untagged parent = intermediate: hidden
    all_rows = run_ok(box, "docker images -a").stdout
    assert f"<none>       <none>    {middle.short_id}" in all_rows and alpine.short_id in all_rows
    # a dangling leaf shows without -a and under dangling=true
    leaf = add_child(box, top, None)
    assert run_ok(box, "docker images -q -f dangling=true").stdout == f"{leaf.short_id}\n"


def test_tag_errors_and_last_tag_time(box):
    run_ok(box, "docker pull alpine")
    r = box.run("docker tag nosuch mine")
    assert (r.stderr, r.exit_code) == ("Error response from daemon: No such image: nosuch:latest\n", 1)
    r = box.run("docker tag alpine Mine")
    assert r.stderr == ('Error parsing reference: "Mine" is not a valid repository/tag: invalid reference format: '
                        "repository name (library/Mine) must be lowercase\n")
    r = box.run("docker tag alpine mine:bad:tag")
    assert r.stderr == 'Error parsing reference: "mine:bad:tag" is not a valid repository/tag: invalid reference format\n'
    assert box.daemon.image_by_tag("alpine:latest").last_tag_time == 0
    r = run_ok(box, "docker tag alpine mine")
    assert (r.stdout, r.stderr) == ("", "")
    image = box.daemon.image_by_tag("mine:latest")
    assert image is box.daemon.image_by_tag("alpine:latest") and image.last_tag_time == box.daemon.now


def test_image_prune_prompt_and_force(box):
    run_ok(box, "docker pull alpine")
    alpine = box.daemon.image_by_tag("alpine:latest")
    leaf = add_child(box, alpine, None)
    r = box.run("docker image prune")
    assert (r.stdout, r.stderr, r.exit_code) == (
        "WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] ", "", 1)
    assert leaf.id in box.daemon.images
    r = run_ok(box, "docker image prune -f")
    top_chain = leaf.chain_ids[-1]
    assert r.stdout == (f"Deleted Images:\ndeleted: {leaf.id}\ndeleted: {top_chain}\n\n"
                        "Total reclaimed space: 19B\n")
    assert leaf.id not in box.daemon.images and alpine.id in box.daemon.images
    assert run_ok(box, "docker image prune -f").stdout == "Total reclaimed space: 0B\n"
    r = run_ok(box, "docker image prune -a -f")
    assert r.stdout.startswith("Deleted Images:\nuntagged: alpine:latest\nuntagged: alpine@sha256:")
    assert r.stdout.endswith("Total reclaimed space: 8.31MB\n") and box.daemon.images == {}
