"""docker rmi / image rm: every rule of moby's image_delete.go, the soft delete of shared layers."""
import pytest

from engine.daemon.model import Container
from engine.sandbox import Sandbox

from test_images import add_child, run_ok


@pytest.fixture
def box():
    box = Sandbox.create(seed=11)
    run_ok(box, "docker pull alpine")
    return box


def add_container(box, ref: str, running: bool) -> Container:
    """A container made from `ref` (what `docker create`/`docker run -d` leave in the daemon)."""
    d = box.daemon
    image = d.find_image(ref)
    c = Container(id=d.ids.hex64("container"), name=d.ids.container_name(d.container_names()), image_id=image.id,
                  image_ref=ref, diff_ids=image.diff_ids, created=d.now, path="sleep", args=["1000"], config={})
    if running:
        c.running, c.started_at, c.pid = True, d.now, d.new_pid()
    d.containers[c.id] = c
    return c


def alpine(box):
    return box.daemon.image_by_tag("alpine:latest")


def test_rmi_of_one_of_two_tags_only_untags(box):
    image = alpine(box)
    run_ok(box, "docker tag alpine mine:1")
    add_container(box, "alpine", running=True)  # no conflict: the image keeps another tag
    digest_ref = image.repo_digests[0]
    r = run_ok(box, "docker rmi alpine")
    # no alpine tag is left, so the alpine@sha256 reference goes too (image_delete.go)
    assert r.stdout == f"Untagged: alpine:latest\nUntagged: {digest_ref}\n"
    assert image.id in box.daemon.images and image.repo_tags == ["mine:1"] and image.repo_digests == []
    assert [e.kind for e in r.events] == ["untagged", "untagged"]


def test_rmi_with_a_same_repo_tag_left_keeps_the_digest(box):
    run_ok(box, "docker pull alpine:3.22")
    r = run_ok(box, "docker rmi alpine:3.22")
    assert r.stdout == "Untagged: alpine:3.22\n"
    assert len(alpine(box).repo_digests) == 1


def test_last_tag_deletes_image_and_its_layer(box):
    image = alpine(box)
    digest_ref = image.repo_digests[0]
    r = run_ok(box, "docker image rm alpine")
    assert r.stdout.splitlines() == [
        "Untagged: alpine:latest",
        f"Untagged: {digest_ref}",
        f"Deleted: {image.id}",
        f"Deleted: {image.chain_ids[0]}",
    ]
    assert box.daemon.images == {} and box.daemon.layers == {}
    assert [e.kind for e in r.events] == ["untagged", "untagged", "image_removed", "layer_removed"]


def test_single_tag_used_by_container_needs_force(box):
    image = alpine(box)
    c = add_container(box, "alpine", running=False)
    r = box.run("docker rmi alpine")
    assert (r.stdout, r.stderr, r.exit_code) == ("", (
        'Error response from daemon: conflict: unable to remove repository reference "alpine" (must force) - '
        f"container {c.short_id} is using its referenced image {image.short_id}\n"), 1)
    assert image.repo_tags == ["alpine:latest"]
    by_id = box.run(f"docker rmi {image.short_id}")
    assert by_id.stderr == (f"Error response from daemon: conflict: unable to delete {image.short_id} (must be forced)"
                            f" - image is being used by stopped container {c.short_id}\n")
    # -f on the tag of an image only a stopped container uses: really deleted, the layer stays for the container
    r = run_ok(box, "docker rmi -f alpine")
    assert r.stdout.splitlines()[-1] == f"Deleted: {image.id}"
    assert image.id not in box.daemon.images
    assert box.daemon.layer(image.diff_ids[0]) is not None and c.id in box.daemon.containers


def test_running_container_cannot_be_forced_by_id_and_force_on_tag_only_untags(box):
    image = alpine(box)
    c = add_container(box, "alpine", running=True)
    for line in (f"docker rmi {image.short_id}", f"docker rmi -f {image.id}"):
        r = box.run(line)
        assert (r.stderr, r.exit_code) == (
            f"Error response from daemon: conflict: unable to delete {image.short_id} (cannot be forced) - "
            f"image is being used by running container {c.short_id}\n", 1)
    r = run_ok(box, "docker rmi -f alpine")
    assert r.stdout.startswith("Untagged: alpine:latest\nUntagged: alpine@sha256:") and "Deleted" not in r.stdout
    assert image.id in box.daemon.images and image.repo_tags == []


def test_id_with_tags_in_several_repositories(box):
    image = alpine(box)
    run_ok(box, "docker tag alpine mine:1")
    r = box.run(f"docker rmi {image.short_id}")
    assert r.stderr == (f"Error response from daemon: conflict: unable to delete {image.short_id} (must be forced) - "
                        "image is referenced in multiple repositories\n")
    r = run_ok(box, f"docker rmi -f {image.short_id}")
    lines = r.stdout.splitlines()
    assert lines[0] == "Untagged: alpine:latest" and lines[1].startswith("Untagged: alpine@sha256:")
    assert lines[2:] == ["Untagged: mine:1", f"Deleted: {image.id}", f"Deleted: {image.chain_ids[0]}"]


def test_dependent_child_images(box):
    parent = alpine(box)
    child = add_child(box, parent, "app:1")
    r = box.run(f"docker rmi -f {parent.short_id}")
    assert (r.stderr, r.exit_code) == (f"Error response from daemon: conflict: unable to delete {parent.short_id} "
                                       "(cannot be forced) - image has dependent child images\n", 1)
    # removing the child deletes it, then (PruneChildren) the parent left untagged after `rmi alpine`
    run_ok(box, "docker rmi alpine")
    assert parent.id in box.daemon.images
    r = run_ok(box, "docker rmi app:1")
    assert r.stdout.splitlines() == ["Untagged: app:1", f"Deleted: {child.id}", f"Deleted: {child.chain_ids[1]}",
                                     f"Deleted: {parent.id}", f"Deleted: {parent.chain_ids[0]}"]
    assert box.daemon.images == {}


def test_no_prune_keeps_untagged_parent(box):
    parent = alpine(box)
    child = add_child(box, parent, "app:1")
    run_ok(box, "docker rmi alpine")
    r = run_ok(box, "docker rmi --no-prune app:1")
    assert r.stdout.splitlines() == ["Untagged: app:1", f"Deleted: {child.id}", f"Deleted: {child.chain_ids[1]}"]
    assert list(box.daemon.images) == [parent.id]


def test_shared_layers_are_deleted_only_when_unused():
    box = Sandbox.create(seed=3)
    run_ok(box, "docker pull nginx")
    run_ok(box, "docker pull python:3.12-slim")
    nginx, python = (box.daemon.image_by_tag(t) for t in ("nginx:latest", "python:3.12-slim"))
    base = nginx.chain_ids[0]
    assert python.chain_ids[0] == base
    r = run_ok(box, "docker rmi python:3.12-slim")
    deleted = [line.split(" ", 1)[1] for line in r.stdout.splitlines() if line.startswith("Deleted:")]
    assert deleted == [python.id] + list(reversed(python.chain_ids[1:]))  # top first, base kept
    assert box.daemon.layer(nginx.diff_ids[0]) is not None
    r = run_ok(box, "docker rmi nginx")
    deleted = [line.split(" ", 1)[1] for line in r.stdout.splitlines() if line.startswith("Deleted:")]
    assert deleted == [nginx.id] + list(reversed(nginx.chain_ids)) and deleted[-1] == base


def test_several_names_report_each_and_join_errors(box):
    run_ok(box, "docker pull busybox")
    r = box.run("docker rmi nosuch busybox Bad")
    assert r.exit_code == 1
    assert r.stdout.startswith("Untagged: busybox:latest\n") and "Deleted: sha256:" in r.stdout
    assert r.stderr == ("Error response from daemon: No such image: nosuch:latest\n"
                        "Error response from daemon: invalid reference format: repository name (library/Bad) "
                        "must be lowercase\n")
    r = box.run("docker rmi -f nosuch other")
    assert (r.stdout, r.exit_code) == ("", 0)
    assert r.stderr == ("Error response from daemon: No such image: nosuch:latest\n"
                        "Error response from daemon: No such image: other:latest\n")


def test_failed_rmi_changes_nothing(box):
    add_container(box, "alpine", running=True)
    before = box.daemon.to_json()
    assert box.run("docker rmi alpine").exit_code == 1
    assert box.daemon.to_json()["images"] == before["images"]
