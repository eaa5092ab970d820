"""docker/cli v28.5.2's own golden files (and table-test cases) as LayerLab tests; see README.md.

Each test: the docker/cli test it mirrors, the golden file, how the engine reaches the same state.
"""
from pathlib import Path

import pytest

from engine.sandbox import Sandbox
from engine.terminal import run_line

GOLDEN = Path(__file__).parent / "docker_cli" / "cli" / "command"


def golden(name: str) -> str:
    return (GOLDEN / name).read_text()


def now(sb, line):
    """Run a line without the few seconds of 'thinking time' Sandbox.run adds (the fake client's
    timestamps are 'now')."""
    return run_line(line, sb.daemon, sb.host)


@pytest.fixture
def empty():
    return Sandbox.create(5)


@pytest.fixture
def two_containers():
    """list_test.go's fake containers c1 (label some.label=value) and c2 (label foo=bar), busybox:latest,
    running `top`; c1 listed first (newest first, so c2 is created first)."""
    sb = Sandbox.create(5)
    sb.run("docker pull busybox")
    for line in ("docker run -d --name c2 --label foo=bar busybox:latest top",
                 "docker run -d --name c1 --label some.label=value busybox:latest top"):
        assert sb.run(line).exit_code == 0
    return sb


# ---- cli/command/container/list_test.go ------------------------------------------------------
def test_container_list_format_name_name(two_containers):
    # TestContainerListNamesMultipleTime -> container/testdata/container-list-format-name-name.golden
    out = now(two_containers, 'docker ps --format "{{.Names}} {{.Names}}"')
    assert out.stdout == golden("container/testdata/container-list-format-name-name.golden")


def test_container_list_format_with_arg(two_containers):
    # TestContainerListFormatTemplateWithArg -> container/testdata/container-list-format-with-arg.golden
    out = now(two_containers, """docker ps --format '{{.Names}} {{.Label "some.label"}}'""")
    assert out.stdout == golden("container/testdata/container-list-format-with-arg.golden")


def test_container_list_with_format(two_containers):
    # TestContainerListWithFormat "with format" -> container/testdata/container-list-with-format.golden
    out = now(two_containers, 'docker ps --format "{{ .Names }} {{ .Image }} {{ .Labels }}"')
    assert out.stdout == golden("container/testdata/container-list-with-format.golden")


def test_container_list_with_format_and_quiet(two_containers):
    # TestContainerListWithFormat "with format and quiet" -> container/testdata/container-list-quiet.golden
    # (ids replaced by the fake's "container_id": one per line)
    out = now(two_containers, 'docker ps --format "{{ .Names }} {{ .Image }} {{ .Labels }}" --quiet')
    assert out.stderr == "WARNING: Ignoring custom format, because both --format and --quiet are set.\n"
    ids = [two_containers.daemon.find_container(n).id[:12] for n in ("c1", "c2")]
    assert out.stdout == "".join(i + "\n" for i in ids)
    assert out.stdout.replace(ids[0], "container_id").replace(ids[1], "container_id") == \
        golden("container/testdata/container-list-quiet.golden")


@pytest.mark.parametrize("fmt, message", [
    # TestContainerListErrors (ErrorContains); the prefixes are list.go buildContainerListOptions'
    ("{{invalid}}", 'failed to parse template: template: :1: function "invalid" not defined'),
    ("{{join}}", 'failed to execute template: template: :1:2: executing "" at <join>: '
                 "wrong number of args for join: want 2 got 0"),
])
def test_container_list_errors(empty, fmt, message):
    out = now(empty, f"docker ps --format '{fmt}'")
    assert (out.stdout, out.stderr, out.exit_code) == ("", message + "\n", 1)


# ---- cli/command/image/list_test.go ----------------------------------------------------------
@pytest.mark.parametrize("line, name", [
    ("docker images", "simple"),                  # TestNewImagesCommandSuccess "simple"
    ("docker images -q", "quiet-format"),         # "quiet-format" (ImagesFormat "table" + -q)
    ("docker images image", "match-name"),        # "match-name"
    # "format": the config file's ImagesFormat "raw"; LayerLab has no config file, --format raw takes
    # the same path (formatter.NewImageFormat)
    ("docker images --format raw", "format"),
])
def test_images_list_success(empty, line, name):
    out = now(empty, line)
    assert (out.stdout, out.exit_code) == (golden(f"image/testdata/list-command-success.{name}.golden"), 0)


def test_images_list_ambiguous(empty):
    # TestNewListCommandAmbiguous -> image/testdata/list-command-ambiguous.golden (stderr)
    out = now(empty, "docker images ls")
    assert out.stderr == golden("image/testdata/list-command-ambiguous.golden")


def test_images_wrong_args(empty):
    # TestNewImagesCommandErrors "wrong-args": ErrorContains "requires at most 1 argument"
    assert "requires at most 1 argument" in now(empty, "docker images arg1 arg2").stderr


# ---- cli/command/image/history_test.go -------------------------------------------------------
@pytest.fixture
def imported():
    """history_test.go's fake: one history item created now, no CreatedBy, size 0, comment "none":
    `docker import -m none` of an empty tar gives exactly that (moby daemon/images/image_import.go)."""
    sb = Sandbox.create(5)
    sb.host_write("empty.tar", b"\0" * 1024)
    assert sb.run("docker import -m none empty.tar image:tag").exit_code == 0
    sb.daemon.clock.now_ns = sb.daemon.image_or_none("image:tag").created_ns
    return sb


def test_history_simple(imported):
    # TestNewHistoryCommandSuccess "simple" -> image/testdata/history-command-success.simple.golden
    # (LayerLab's 12-hex id in the 12-character IMAGE column stands for the fake's 123456789012)
    image_id = imported.daemon.image_or_none("image:tag").id
    out = now(imported, "docker history image:tag")
    assert out.stdout.replace(image_id[7:19], "123456789012") == \
        golden("image/testdata/history-command-success.simple.golden")


@pytest.mark.parametrize("flags, name, fake_id, shown", [
    ("--quiet", "quiet", "tag", lambda i: i[7:19]),                                # "quiet"
    ("--quiet --no-trunc", "quiet-no-trunc", "1234567890123456789", lambda i: i),  # "quiet-no-trunc"
])
def test_history_quiet(imported, flags, name, fake_id, shown):
    image_id = imported.daemon.image_or_none("image:tag").id
    out = now(imported, f"docker history {flags} image:tag")
    assert out.stdout == shown(image_id) + "\n"
    assert out.stdout.replace(shown(image_id), fake_id) == golden(f"image/testdata/history-command-success.{name}.golden")


# ---- cli/command/formatter/{container,image}_test.go (Context.Write error cases) ---------------
@pytest.mark.parametrize("fmt, expected", [
    ("{{InvalidFunction}}", 'template parsing error: template: :1: function "InvalidFunction" not defined\n'),
    ("{{nil}}", 'template parsing error: template: :1:2: executing "" at <nil>: nil is not a command\n'),
])
def test_context_write_errors(two_containers, fmt, expected):
    # `docker images` renders straight through formatter.Context.Write (no pre-pass as in ps)
    out = now(two_containers, f"docker images --format '{fmt}'")
    assert (out.stdout, out.stderr, out.exit_code) == ("", expected, 1)


def test_container_context_custom_format(two_containers):
    # Context{Format: "{{.Image}}"} -> "ubuntu\nubuntu\n" (here busybox:latest, the image they run)
    assert now(two_containers, "docker ps --format '{{.Image}}'").stdout == "busybox:latest\nbusybox:latest\n"


def test_container_context_json_keys(two_containers):
    # TestContainerContextWriteJSON: the keys formatter.MarshalJSON writes for a container
    import json
    rows = [json.loads(line) for line in now(two_containers, "docker ps --format json").stdout.splitlines()]
    assert list(rows[0]) == ["Command", "CreatedAt", "ID", "Image", "Labels", "LocalVolumes", "Mounts", "Names",
                             "Networks", "Platform", "Ports", "RunningFor", "Size", "State", "Status"]
    assert (rows[0]["Platform"], rows[0]["Size"], rows[0]["Labels"]) == (None, "0B", "some.label=value")


# ---- cli/command/formatter/disk_usage_test.go (TestDiskUsageContextFormatWrite) -----------------
@pytest.mark.parametrize("line, name", [
    ('docker system df --format "table {{.Type}}\\t{{.Active}}"', "disk-usage-context-write-custom"),
    ("docker system df --format raw", "disk-usage-raw-format"),
])
def test_disk_usage_goldens(empty, line, name):
    # an empty daemon, as the test's zero DiskUsageContext
    assert now(empty, line).stdout == golden(f"formatter/testdata/{name}.golden")


def test_disk_usage_default_table(empty):
    # the table case of TestDiskUsageContextFormatWrite (expected text inline in the Go test)
    assert now(empty, "docker system df").stdout == (
        "TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE\n"
        "Images          0         0         0B        0B\n"
        "Containers      0         0         0B        0B\n"
        "Local Volumes   0         0         0B        0B\n"
        "Build Cache     0         0         0B        0B\n")


# ---- cli/command/image/{prune,remove,pull}_test.go ---------------------------------------------
def test_image_prune_all_with_the_prompt_answered(empty):
    # TestNewPruneCommandSuccess "all": stdin "Y\n" -> image/testdata/prune-command-success.all.golden
    empty.host_write("yes", b"Y\n")
    out = now(empty, "docker image prune --all < yes")
    assert (out.stdout, out.exit_code) == (golden("image/testdata/prune-command-success.all.golden"), 0)


def test_image_prune_label_filter(empty):
    # TestNewPruneCommandSuccess "label-filter" -> image/testdata/prune-command-success.label-filter.golden
    out = now(empty, "docker image prune --force --filter label=foobar")
    assert out.stdout == golden("image/testdata/prune-command-success.label-filter.golden")


def test_rmi_force_of_a_missing_image(empty):
    # TestNewRemoveCommandSuccess "Image not found with force option": nothing on stdout, success
    # -> image/testdata/remove-command-success.Image not found with force option.golden
    out = now(empty, "docker rmi -f image1")
    assert (out.stdout, out.exit_code) == (
        golden("image/testdata/remove-command-success.Image not found with force option.golden"), 0)


def test_pull_quiet(empty):
    # TestNewPullCommandSuccess "simple-quiet" -> image/testdata/pull-command-success.simple-quiet.golden
    # (the fake pulls "image"; LayerLab's registry has alpine: the name is swapped after the run)
    out = now(empty, "docker pull --quiet alpine")
    assert out.stdout.replace("alpine", "image") == golden("image/testdata/pull-command-success.simple-quiet.golden")


# ---- cli/command/container/port_test.go (TestNewPortCommandOutput) ---------------------------------
@pytest.mark.parametrize("publish, port, name", [
    ("-p 0.0.0.0:3456:80 -p 0.0.0.0:4567:443 -p 0.0.0.0:5678:443/udp", "80", "container-port-ipv4"),
    ("-p [::]:3456:80 -p [::]:4567:443 -p [::]:5678:443/udp", "80", "container-port-ipv6"),
    ("-p 3456:80 -p 4567:443 -p 5678:443/udp", "80", "container-port-ipv6-and-ipv4"),
    ("-p 3456:80 -p 4567:443 -p 5678:443/udp", "443/udp", "container-port-ipv6-and-ipv4-443-udp"),
    ("-p 3456:80 -p 4567:443 -p 5678:443/udp", "", "container-port-all-ports"),
])
def test_port(empty, publish, port, name):
    # the fake's PortMap: 80/tcp, 443/tcp, 443/udp bound on the given addresses (no address: both)
    empty.run("docker pull alpine")
    assert empty.run(f"docker run -d --name some_container {publish} alpine sleep 1000").exit_code == 0
    out = now(empty, f"docker port some_container {port}".rstrip())
    assert (out.stdout, out.exit_code) == (golden(f"container/testdata/{name}.golden"), 0)
