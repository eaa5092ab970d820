"""--format for ps, images and history as docker/cli v28.5.2's formatter prints it
(cli/command/formatter/{formatter,container,image,reflect}.go, image/formatter_history.go)."""
import json

import pytest

from engine.sandbox import Sandbox


@pytest.fixture(scope="module")
def sb():
    s = Sandbox.create(4)
    s.run("docker pull alpine")
    s.run("docker run -d --name web --label b=2 --label a=1 alpine sleep 1000")
    return s


def test_json_format_escapes_html_like_json_marshal(sb):
    # formatter.MarshalJSON uses json.Marshal: "<none>" is written \u003cnone\u003e (reflect.go)
    line = sb.run("docker images --format json").stdout.splitlines()[0]
    assert '"Digest":"\\u003cnone\\u003e"' in line
    assert list(json.loads(line)) == sorted(json.loads(line))  # a Go map: keys sorted
    history = sb.run("docker history --format json alpine").stdout
    assert '"ID":"\\u003cmissing\\u003e"' in history


def test_images_json_sizes(sb):
    # imageContext.Size: HumanSizeWithPrecision(3); VirtualSize: HumanSize (4 digits) (image.go)
    row = json.loads(sb.run("docker images --format json").stdout.splitlines()[0])
    assert (row["Size"], row["VirtualSize"], row["SharedSize"], row["Containers"]) == ("8.31MB", "8.31MB", "N/A", "1")


def test_digest_in_a_format_shows_the_digest(sb):
    # needDigest: --digests or a format containing "{{.Digest}}" (image.go)
    digest = sb.run("docker images --digests --format '{{.Digest}}'").stdout
    assert digest.startswith("sha256:") and sb.run("docker images --format '{{.Digest}}'").stdout == digest
    assert sb.run("docker images --format '{{ .Digest }}'").stdout == "<none>\n"  # Contains is literal


def test_ps_json_is_one_object_per_line(sb):
    row = json.loads(sb.run("docker ps --format json").stdout)
    assert row["Labels"] == "a=1,b=2" and row["Platform"] is None and row["Names"] == "web"


def test_ps_labels_sorted_and_label_method(sb):
    # ContainerContext.Labels sorts "k=v" (sort.Strings); .Label "k" is a method with an argument
    r = sb.run("""docker ps --format '{{.Labels}}|{{.Label "a"}}|{{.Label "zz"}}|'""")
    assert r.stdout == "a=1,b=2|1||\n"


def test_table_header_stops_at_a_method_call(sb):
    # postFormat executes the template over the header map and ignores the error: the header
    # line ends where {{.Label "a"}} is (formatter.go)
    r = sb.run("""docker ps --format 'table {{.Names}}\\t{{.Label "a"}}\\t{{.Labels}}'""")
    assert r.stdout == "NAMES     \nweb       1         a=1,b=2\n"


def test_ps_quiet_wins_over_format_with_a_warning(sb):
    # list.go runPs + NewContainerFormat
    r = sb.run("docker ps -q --format '{{.Names}}'")
    assert r.stdout == sb.daemon.find_container("web").id[:12] + "\n"
    assert r.stderr == "WARNING: Ignoring custom format, because both --format and --quiet are set.\n"


def test_images_custom_format_wins_over_quiet(sb):
    # NewImageFormat: a custom format is used as is, quiet or not (image.go)
    assert sb.run("docker images -q --format '{{.Repository}}'").stdout == "alpine\n"


def test_unknown_field_names_the_go_type(sb):
    # text/template exec.go: "can't evaluate field X in type T"; list.go's pre-pass prefix for ps
    r = sb.run("docker ps --format '{{.Nope}}'")
    assert (r.stderr, r.exit_code) == ('failed to execute template: template: :1:2: executing "" at <.Nope>: '
                                       "can't evaluate field Nope in type *formatter.ContainerContext\n", 1)
    r = sb.run("docker images --format '{{.Nope}}'")
    assert r.stderr == ('template parsing error: template: :1:2: executing "" at <.Nope>: '
                        "can't evaluate field Nope in type *formatter.imageContext\n")


def test_raw_formats(sb):
    # formatter.NewContainerFormat / NewImageFormat RawFormatKey (container.go, image.go); a blank
    # line after each record (formatter.go contextFormat writes "\n" after the template's own)
    web = sb.daemon.find_container("web")
    r = sb.run("docker ps --format raw")
    assert r.stdout.startswith(f"container_id: {web.id[:12]}\nimage: alpine\ncommand: \"sleep 1000\"\ncreated_at: ")
    assert r.stdout.endswith("\nstate: running\nstatus: " + r.stdout.split("status: ")[1].split("\n")[0] +
                             "\nnames: web\nlabels: a=1,b=2\nports:\n\n")
    assert sb.run("docker ps -q --format raw").stdout == f"container_id: {web.id[:12]}\n"
    image = sb.daemon.image_or_none("alpine")
    assert sb.run("docker images --format raw").stdout == (
        f"repository: alpine\ntag: latest\nimage_id: {image.short_id}\ncreated_at: 2025-10-08 11:04:56 +0000 UTC\n"
        "virtual_size: 8.31MB\n\n")
    assert sb.run("docker images -q --format raw").stdout == f"image_id: {image.short_id}\n"
