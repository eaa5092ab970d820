"""docker history and docker image inspect: exact tables, <missing> rows, JSON key order, --format."""
import json
import re

import pytest

from engine.daemon.images import layer_cache_id
from engine.registry import catalog as registry
from engine.sandbox import Sandbox

from test_images import add_child, run_ok


def cells(header: str, line: str) -> dict:
    """Cut a table line at the header's column starts (the tabwriter aligns both)."""
    found = list(re.finditer(r"\S+(?: \S+)*", header))
    starts = [m.start() for m in found] + [None]
    return {m.group(): line[starts[i]:starts[i + 1]].rstrip() for i, m in enumerate(found)}


@pytest.fixture
def box():
    box = Sandbox.create(seed=5)
    run_ok(box, "docker pull nginx")
    return box


def test_history_of_a_pulled_image_has_missing_rows(box):
    nginx = box.daemon.image_by_tag("nginx:latest")
    r = run_ok(box, "docker history nginx")
    lines = r.stdout.splitlines()
    assert lines[0] == "IMAGE          CREATED       CREATED BY                                      SIZE      COMMENT"
    assert lines[1] == (f"{nginx.short_id}   8 weeks ago   CMD [\"nginx\" \"-g\" \"daemon off;\"]"
                        "                0B        buildkit.dockerfile.v0")
    assert all(line.startswith("<missing>      8 weeks ago   ") for line in lines[2:])
    assert len(lines) == 1 + len(nginx.history)
    # CREATED BY is cut at 45 display columns with an ellipsis; the base layer's size is shown
    base = cells(lines[0], lines[-1])
    assert base["CREATED BY"].endswith("…") and len(base["CREATED BY"]) == 45
    assert base["SIZE"] == "74.8MB"


def test_history_quiet_no_trunc_and_raw(box):
    nginx = box.daemon.image_by_tag("nginx:latest")
    quiet = run_ok(box, "docker image history -q nginx").stdout.splitlines()
    assert quiet == [nginx.short_id] + ["<missing>"] * (len(nginx.history) - 1)
    full = run_ok(box, "docker history --no-trunc nginx").stdout.splitlines()
    assert full[1].startswith(nginx.id + "   ")
    assert nginx.history[0]["created_by"] in full[-1]
    raw = run_ok(box, "docker history -H=false nginx").stdout.splitlines()
    assert raw[0].startswith("IMAGE          CREATED AT             CREATED BY")
    bottom = cells(raw[0], raw[-1])
    assert bottom["CREATED AT"] == nginx.history[0]["created"]
    assert bottom["SIZE"] == str(box.daemon.layer(nginx.diff_ids[0]).size)
    fmt = run_ok(box, "docker history --format '{{.ID}}|{{.Size}}' nginx").stdout.splitlines()
    assert fmt[0] == f"{nginx.short_id}|0B" and fmt[-1] == "<missing>|74.8MB"


def test_history_fills_ids_along_the_local_parent_chain(box):
    nginx = box.daemon.image_by_tag("nginx:latest")
    child = add_child(box, nginx, "web:2")
    grandchild = add_child(box, child, "web:3")
    lines = run_ok(box, "docker history web:3").stdout.splitlines()
    assert lines[1].startswith(grandchild.short_id + "   ")
    assert lines[2].startswith(child.short_id + "   ")
    assert lines[3].startswith(nginx.short_id + "   ")
    assert lines[4].startswith("<missing>      ")
    top = cells(lines[0], lines[1])
    assert (top["CREATED BY"], top["SIZE"], top["COMMENT"]) == ("/bin/sh -c echo hi > /greeting", "19B", "")
    assert lines[1].endswith("19B       ")  # the empty last cell leaves the padding of SIZE


def test_history_errors(box):
    r = box.run("docker history nosuch")
    assert (r.stdout, r.stderr, r.exit_code) == ("", "Error response from daemon: No such image: nosuch:latest\n", 1)


def test_image_inspect_json_shape_and_key_order(box):
    nginx = box.daemon.image_by_tag("nginx:latest")
    remote = registry.lookup("nginx", "latest")
    r = run_ok(box, "docker image inspect nginx")
    assert r.stdout.startswith('[\n    {\n        "Id": "' + nginx.id + '",\n        "RepoTags": [\n')
    data = json.loads(r.stdout)
    assert len(data) == 1
    obj = data[0]
    assert list(obj) == ["Id", "RepoTags", "RepoDigests", "Parent", "Comment", "Created", "DockerVersion",
                         "Author", "Architecture", "Os", "Size", "GraphDriver", "RootFS", "Metadata", "Config"]
    assert obj["RepoTags"] == ["nginx:latest"] and obj["RepoDigests"] == [f"nginx@{remote.manifest_digest}"]
    assert obj["Size"] == sum(layer.size for layer in remote.layers)
    assert obj["RootFS"] == {"Type": "layers", "Layers": nginx.diff_ids}
    assert obj["Metadata"] == {"LastTagTime": "0001-01-01T00:00:00Z"}
    assert list(obj["Config"]) == sorted(obj["Config"])  # a Go map in the v28 response
    assert obj["Config"]["Entrypoint"] == ["/docker-entrypoint.sh"] and obj["Config"]["OnBuild"] is None
    graph = obj["GraphDriver"]
    assert graph["Name"] == "overlay2" and list(graph["Data"]) == ["LowerDir", "MergedDir", "UpperDir", "WorkDir"]
    top = layer_cache_id(nginx.chain_ids[-1])
    assert graph["Data"]["UpperDir"] == f"/var/lib/docker/overlay2/{top}/diff"
    lowers = graph["Data"]["LowerDir"].split(":")
    assert lowers[0] == f"/var/lib/docker/overlay2/{layer_cache_id(nginx.chain_ids[-2])}/diff"
    assert lowers[-1] == f"/var/lib/docker/overlay2/{layer_cache_id(nginx.chain_ids[0])}/diff"
    assert '"maintainer": "NGINX Docker Maintainers \\u003cdocker-maint@nginx.com\\u003e"' in r.stdout


def test_inspect_format_forms(box):
    nginx = box.daemon.image_by_tag("nginx:latest")
    assert run_ok(box, "docker image inspect --format '{{.Id}}' nginx").stdout == nginx.id + "\n"
    assert run_ok(box, "docker image inspect -f '{{.Config.Cmd}}' nginx").stdout == "[nginx -g daemon off;]\n"
    layers = run_ok(box, "docker image inspect -f '{{json .RootFS}}' nginx").stdout
    assert layers == '{"Type":"layers","Layers":[' + ",".join(f'"{d}"' for d in nginx.diff_ids) + "]}\n"
    ranged = run_ok(box, "docker image inspect -f '{{range .RootFS.Layers}}{{println .}}{{end}}' nginx").stdout
    assert ranged == "".join(d + "\n" for d in nginx.diff_ids) + "\n"
    plain = run_ok(box, "docker image inspect -f '{{.RootFS.Layers}}' nginx").stdout
    assert plain == "[" + " ".join(nginx.diff_ids) + "]\n"


def test_inspect_missing_and_bad_templates(box):
    r = box.run("docker image inspect nosuch")
    assert (r.stdout, r.stderr, r.exit_code) == ("[]\n", "Error response from daemon: No such image: nosuch:latest\n", 1)
    r = box.run("docker image inspect -f '{{.Os}}' nosuch nginx")
    assert (r.stdout, r.stderr, r.exit_code) == ("linux\n", "Error response from daemon: No such image: nosuch:latest\n", 1)
    r = box.run("docker image inspect -f '{{.Nope}}' nginx")
    assert r.stdout == "\n" and r.exit_code == 1
    assert r.stderr == 'template parsing error: template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope"\n'
    r = box.run("docker image inspect -f '{{.Id' nginx")
    assert r.exit_code == 64 and r.stderr.startswith("template parsing error: template: :1: ")


def test_last_tag_time_and_cache_ids_are_stable(box):
    before = json.loads(run_ok(box, "docker image inspect nginx").stdout)[0]
    run_ok(box, "docker tag nginx web")
    after = json.loads(run_ok(box, "docker image inspect web").stdout)[0]
    assert after["RepoTags"] == ["nginx:latest", "web:latest"]
    assert after["Metadata"]["LastTagTime"] != "0001-01-01T00:00:00Z"
    assert after["GraphDriver"] == before["GraphDriver"]


def test_same_log_gives_same_state_and_output():
    log = ["docker pull alpine", "docker pull nginx", "docker tag alpine a:1", "docker rmi alpine",
           "docker images", "docker history nginx", "docker image inspect a:1"]
    first, second = Sandbox.create(seed=9), Sandbox.create(seed=9)
    outs = [[b.run(line).stdout for line in log] for b in (first, second)]
    assert outs[0] == outs[1]
    assert json.dumps(first.to_json(), sort_keys=True) == json.dumps(second.to_json(), sort_keys=True)
