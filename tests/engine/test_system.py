"""docker version / --version / info / system df / generic docker inspect."""
import json

import pytest

from engine.sandbox import Sandbox

from test_images_rmi import add_container
from test_images import run_ok


@pytest.fixture
def box():
    box = Sandbox.create(seed=2)
    run_ok(box, "docker pull alpine")
    return box


def test_version_is_docker_28_5_and_honest(box):
    r = run_ok(box, "docker version")
    assert r.stdout == (
        "Client:\n"
        " Version:           28.5.2\n"
        " API version:       1.51\n"
        " Go version:        n/a (simulated)\n"
        " Git commit:        layerlab\n"
        " Built:             n/a (simulated)\n"
        " OS/Arch:           linux/amd64\n"
        " Context:           default\n"
        "\n"
        "Server: LayerLab simulated engine\n"
        " Engine:\n"
        "  Version:          28.5.2\n"
        "  API version:      1.51 (minimum version 1.24)\n"
        "  Go version:       n/a (simulated)\n"
        "  Git commit:       layerlab\n"
        "  Built:            n/a (simulated)\n"
        "  OS/Arch:          linux/amd64\n"
        "  Experimental:     false\n")
    assert run_ok(box, "docker --version").stdout == "Docker version 28.5.2, build layerlab\n"
    assert run_ok(box, "docker version --format '{{.Server.Version}}'").stdout == "28.5.2\n"


def test_info_counts_containers_and_images(box):
    add_container(box, "alpine", running=True)
    add_container(box, "alpine", running=False)
    out = run_ok(box, "docker info").stdout
    assert " Containers: 2\n  Running: 1\n  Paused: 0\n  Stopped: 1\n Images: 1\n Server Version: 28.5.2\n" in out
    assert " Storage Driver: overlay2\n" in out  # the simulated host's kernel and OS: the test below
    assert out.startswith("Client:\n Version:    28.5.2\n Context:    default\n Debug Mode: false\n\nServer:\n")


def test_system_df(box):
    run_ok(box, "docker pull busybox")
    add_container(box, "alpine", running=True)
    r = run_ok(box, "docker system df")
    assert r.stdout == (
        "TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE\n"
        "Images          2         1         12.74MB   4.43MB (34%)\n"
        "Containers      1         1         0B        0B\n"
        "Local Volumes   0         0         0B        0B\n"
        "Build Cache     0         0         0B        0B\n")


def test_generic_inspect_finds_images_and_reports_missing_objects(box):
    image = box.daemon.image_by_tag("alpine:latest")
    r = run_ok(box, "docker inspect alpine")
    assert json.loads(r.stdout)[0]["Id"] == image.id
    assert r.stdout == run_ok(box, "docker image inspect alpine").stdout
    r = box.run("docker inspect nosuch")
    assert (r.stdout, r.stderr, r.exit_code) == ("[]\n", "Error: No such object: nosuch\n", 1)
    r = box.run("docker inspect Upper")  # an invalid reference is skipped like a missing one
    assert r.stderr == "Error: No such object: Upper\n"
    r = box.run("docker inspect --type image nosuch")
    assert r.stderr == "Error response from daemon: No such image: nosuch:latest\n"
    r = box.run("docker inspect -f '{{.Id}}' nosuch alpine")
    assert (r.stdout, r.stderr, r.exit_code) == (image.id + "\n", "Error: No such object: nosuch\n", 1)
    r = box.run("docker inspect --type colour x")
    assert r.stderr.startswith('unknown type: "colour": must be one of "config", "container", "image"')


def test_info_reports_the_kernel_every_container_shares(box):
    # Containers run on the host's kernel: moby daemon/info.go:60-65 fills KernelVersion from uname's
    # release, OSType from GOOS, Architecture from uname's machine; docker/cli
    # cli/command/system/info.go:336-339 prints them. `uname` in a container must agree.
    uname_r = run_ok(box, "docker run --rm alpine uname -r").stdout.strip()
    uname_m = run_ok(box, "docker run --rm alpine uname -m").stdout.strip()
    assert uname_r == "6.8.0-45-generic" and uname_m == "x86_64"
    out = run_ok(box, "docker info").stdout
    assert (f" Kernel Version: {uname_r}\n Operating System: Ubuntu 24.04.1 LTS\n OSType: linux\n"
            f" Architecture: {uname_m}\n Name: layerlab\n") in out
    assert "n/a" not in out
    # the same fields through --format (info.go:483 formatInfo) and `docker version` (types.go:59)
    assert run_ok(box, "docker info --format '{{.KernelVersion}} {{.OSType}} {{.Architecture}}'").stdout == \
        f"{uname_r} linux {uname_m}\n"
    assert run_ok(box, "docker version --format '{{.Server.KernelVersion}} {{.Server.Os}}/{{.Server.Arch}}'"
                  ).stdout == f"{uname_r} linux/amd64\n"
    info = json.loads(run_ok(box, "docker info --format json").stdout)
    assert (info["KernelVersion"], info["OSType"], info["Containers"], info["Images"]) == (uname_r, "linux", 0, 1)
    assert "uname" not in run_ok(box, "docker ps -a").stdout  # --rm: nothing left behind


def test_info_format_errors_like_docker(box):
    # info.go:493-498: a template that does not parse is exit 64, "template parsing error"
    r = box.run("docker info --format '{{.Kernel'")
    assert (r.stderr, r.exit_code) == ("template parsing error: template: info:1: unclosed action\n", 64)
