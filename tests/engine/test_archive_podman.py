"""Proof with a real container engine: podman reads LayerLab's archives, and LayerLab reads podman's.

Podman runs as root without a daemon, against a private storage root in a temporary directory
(vfs driver, no events, no network), so nothing global is touched. Needs the Debian package `podman`.
"""
from __future__ import annotations

import io
import json
import shutil
import subprocess
import tarfile

import pytest

from engine.archive.formats import INIT_LAYER_CHANGES
from engine.sandbox import Sandbox

PODMAN = shutil.which("podman")
pytestmark = pytest.mark.skipif(
    PODMAN is None, reason="podman is not installed (Debian: apt-get install -y podman): "
                           "the real-engine proof of the archives cannot run")


@pytest.fixture(scope="module")
def podman(tmp_path_factory):
    base = tmp_path_factory.mktemp("podman")

    def run(*args: str) -> str:
        command = [PODMAN, "--root", str(base / "root"), "--runroot", str(base / "run"),
                   "--tmpdir", str(base / "tmp"), "--storage-driver", "vfs", "--events-backend", "none",
                   *args]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=180)
        assert proc.returncode == 0, f"{' '.join(args)}: {proc.stderr}"
        return proc.stdout

    run.dir = base
    yield run
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def layerlab():
    """alpine + a committed layer that adds a file and deletes one (a whiteout), saved to m.tar."""
    box = Sandbox.create(seed=11)
    for line in ("docker pull alpine",
                 'docker run --name d1 alpine sh -c "echo hi > /root/x; rm /etc/motd"',
                 "docker commit d1 mine:1",
                 "docker save -o m.tar mine:1 alpine",
                 "docker create --name e1 mine:1",
                 "docker export -o e.tar e1",
                 "docker import e.tar flat:1"):
        result = box.run(line)
        assert result.exit_code == 0, (line, result.stderr)
    return box


@pytest.fixture(scope="module")
def loaded(podman, layerlab):
    path = podman.dir / "m.tar"
    path.write_bytes(layerlab.host_read("m.tar"))
    output = podman("load", "-i", str(path))
    names = [line.split(": ", 1)[1] for line in output.splitlines() if line.startswith("Loaded image: ")]
    # podman 4.x qualifies the names of a multi-image docker-archive with localhost/, a single one
    # with docker.io/library/ (its own naming rule, not the archive's: RepoTags say 'mine:1')
    return {name.rsplit("/", 1)[1]: name for name in names}


def tar_files(data: bytes) -> dict[str, tuple[str, bytes]]:
    """path -> (kind, bytes) for each member, directories without their trailing slash."""
    out = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for info in tar:
            kind = "dir" if info.isdir() else "symlink" if info.issym() else "file"
            data = tar.extractfile(info).read() if info.isreg() else info.linkname.encode()
            out[info.name.strip("/").removeprefix("./")] = (kind, data)
    return out


def test_podman_load_gives_the_same_image_id_layers_and_tags(layerlab, podman, loaded):
    mine = layerlab.daemon.find_image("mine:1")
    alpine = layerlab.daemon.find_image("alpine")
    assert set(loaded) == {"mine:1", "alpine:latest"}
    for image, name in ((mine, "mine:1"), (alpine, "alpine:latest")):
        assert loaded[name] in ("docker.io/library/" + name, "localhost/" + name)
        info = json.loads(podman("image", "inspect", loaded[name]))[0]
        assert "sha256:" + info["Id"] == image.id
        assert info["RootFS"]["Layers"] == image.diff_ids
        assert info["RepoTags"] == [loaded[name]]


def test_podman_history_rows_match(layerlab, podman, loaded):
    mine = layerlab.daemon.find_image("mine:1")
    rows = podman("history", "--no-trunc", "--format", "{{.CreatedBy}}|{{.Comment}}", loaded["mine:1"]).splitlines()
    expected = [f"{h.get('created_by', '')}|{h.get('comment', '')}" for h in reversed(mine.history)]
    assert rows == expected


def test_podman_export_of_the_loaded_image_has_layerlabs_files(layerlab, podman, loaded):
    podman("create", "--network", "none", "--name", "proof", loaded["mine:1"])
    out = podman.dir / "p-export.tar"
    podman("export", "-o", str(out), "proof")
    theirs = tar_files(out.read_bytes())
    ours = tar_files(layerlab.host_read("e.tar"))
    # Docker's -init layer (mount points, /.dockerenv) is Docker's, not the image's: podman has none.
    init_only = {p.lstrip("/") for p in INIT_LAYER_CHANGES} - set(theirs)
    assert set(ours) - init_only == set(theirs)
    assert "etc/motd" not in theirs and theirs["root/x"] == ("file", b"hi\n")
    same = {p: v for p, v in ours.items() if p not in init_only and p not in INIT_LAYER_CHANGES and "/" + p not in INIT_LAYER_CHANGES}
    assert {p: theirs[p] for p in same} == same  # every file's contents and every link target


def test_layerlab_loads_podmans_docker_archive_with_the_same_id(layerlab, podman, loaded):
    mine = layerlab.daemon.find_image("mine:1")
    out = podman.dir / "p-save.tar"
    podman("save", "--format", "docker-archive", "-o", str(out), loaded["mine:1"])
    box = Sandbox.create(seed=12)
    box.host_write("p-save.tar", out.read_bytes())
    result = box.run("docker load -i p-save.tar")
    familiar = loaded["mine:1"].removeprefix("docker.io/library/")
    assert (result.exit_code, result.stdout, result.stderr) == (0, f"Loaded image: {familiar}\n", "")
    image = box.daemon.find_image(familiar)
    assert (image.id, image.diff_ids) == (mine.id, mine.diff_ids)


def test_podman_import_of_layerlabs_export_has_the_same_layer_digest(layerlab, podman):
    flat = layerlab.daemon.find_image("flat:1")
    path = podman.dir / "e.tar"
    path.write_bytes(layerlab.host_read("e.tar"))
    podman("import", str(path), "flat:1")
    info = json.loads(podman("image", "inspect", "flat:1"))[0]
    assert info["RootFS"]["Layers"] == flat.diff_ids
