"""ps, inspect, logs, top, commit and cp as the learner sees them."""
import json
import re

import pytest

from engine.cli.container.ps import status_text
from engine.clock import NS
from engine.daemon.model import Container
from engine.sandbox import Sandbox


@pytest.fixture
def sb():
    sandbox = Sandbox.create(21)
    sandbox.run("docker pull alpine")
    sandbox.run("docker pull nginx")
    return sandbox


def c(sb, name):
    return sb.daemon.find_container(name)


@pytest.mark.parametrize("fields,expected", [
    (dict(), "Created"),
    (dict(started_at=100 * NS, running=True), "Up 5 seconds"),
    (dict(started_at=100 * NS, running=True, paused=True), "Up 5 seconds (Paused)"),
    (dict(started_at=10 * NS, finished_at=45 * NS, exit_code=137), "Exited (137) About a minute ago"),
    (dict(started_at=10 * NS, running=True, restarting=True, finished_at=103 * NS, exit_code=1),
     "Restarting (1) 2 seconds ago"),
    (dict(dead=True, started_at=10 * NS), "Dead"),
])
def test_status_strings(fields, expected):
    box = Container("x" * 64, "n1", "sha256:" + "0" * 64, "alpine", [], 0, "sh", [], {}, **fields)
    assert status_text(box, 105 * NS) == expected


def test_ps_table_columns_and_order(sb):
    sb.run("docker create --name fresh alpine")
    sb.run("docker run -d --name web nginx")
    sb.run("docker run --name said alpine echo 'a long message here'")
    web, said, fresh = c(sb, "web"), c(sb, "said"), c(sb, "fresh")
    r = sb.run("docker ps")
    lines = r.stdout.splitlines()
    assert re.split(r"\s{3,}", lines[0]) == ["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS",
                                              "NAMES"]
    assert lines[0].startswith("CONTAINER ID   IMAGE     COMMAND                  CREATED")
    assert len(lines) == 2 and lines[1].startswith(web.id[:12] + "   nginx     \"/docker-entrypoint.…\"   ")
    assert lines[1].endswith("   80/tcp    web")
    r = sb.run("docker ps -a")
    names = [line.split()[-1] for line in r.stdout.splitlines()[1:]]
    assert names == ["said", "web", "fresh"]  # newest first
    assert "\"echo 'a long messag…\"" in r.stdout
    assert "Created" in r.stdout.splitlines()[3]
    assert sb.run("docker ps -q").stdout == web.id[:12] + "\n"
    assert sb.run("docker ps -aq --no-trunc").stdout == f"{said.id}\n{web.id}\n{fresh.id}\n"
    assert sb.run("docker ps -l -q").stdout == said.id[:12] + "\n"
    assert sb.run("docker ps -n 2 --format '{{.Names}}'").stdout == "said\nweb\n"


def test_ps_empty_is_header_only(sb):
    assert sb.run("docker ps").stdout == "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n"


def test_ps_filters(sb):
    sb.run("docker create --name fresh alpine")
    sb.run("docker run -d --name web nginx")
    sb.run("docker run --name said alpine echo hi")
    fmt = " --format '{{.Names}}'"
    assert sb.run("docker ps -f status=exited" + fmt).stdout == "said\n"
    assert sb.run("docker ps -f status=created" + fmt).stdout == "fresh\n"
    assert sb.run("docker ps -a -f name=we" + fmt).stdout == "web\n"
    assert sb.run("docker ps -a -f ancestor=alpine" + fmt).stdout == "said\nfresh\n"
    assert sb.run(f"docker ps -a -f id={c(sb, 'web').id[:5]}" + fmt).stdout == "web\n"
    r = sb.run("docker ps -f status=nope")
    assert r.stderr.startswith("Error response from daemon: invalid filter 'status=nope'")
    r = sb.run("docker ps -f colour=red")
    assert r.stderr == "Error response from daemon: invalid filter 'colour'\n"


def test_ps_size_and_table_format(sb):
    sb.run("docker run --name said alpine sh -c 'echo 1234 > /f'")
    r = sb.run("docker ps -a -s")
    assert r.stdout.splitlines()[0].endswith("NAMES     SIZE")
    assert r.stdout.splitlines()[1].endswith(" said      5B (virtual 8.31MB)")
    r = sb.run("docker ps -a --format 'table {{.Names}}\\t{{.State}}'")
    assert r.stdout == "NAMES     STATE\nsaid      exited\n"


def test_inspect_keys_state_and_graphdriver(sb):
    sb.run("docker run -d --name web nginx")
    web = c(sb, "web")
    r = sb.run("docker container inspect web")
    data = json.loads(r.stdout)[0]
    assert list(data)[:20] == ["Id", "Created", "Path", "Args", "State", "Image", "ResolvConfPath", "HostnamePath",
                               "HostsPath", "LogPath", "Name", "RestartCount", "Driver", "Platform", "MountLabel",
                               "ProcessLabel", "AppArmorProfile", "ExecIDs", "HostConfig", "GraphDriver"]
    assert list(data)[20:] == ["Mounts", "Config", "NetworkSettings"]
    assert data["Name"] == "/web" and data["Path"] == "/docker-entrypoint.sh"
    assert data["State"]["Status"] == "running" and data["State"]["FinishedAt"] == "0001-01-01T00:00:00Z"
    lower = data["GraphDriver"]["Data"]["LowerDir"].split(":")
    assert lower[0] == f"/var/lib/docker/overlay2/{web.mount_id}-init/diff"
    assert len(lower) == 1 + len(web.diff_ids)
    assert data["Config"]["Image"] == "nginx" and data["Config"]["Hostname"] == web.id[:12]
    r = sb.run("docker inspect -f '{{.State.Status}} {{.State.Pid}}' web")
    assert r.stdout == f"running {web.pid}\n"
    sized = json.loads(sb.run("docker container inspect -s web").stdout)[0]
    assert list(sized)[20:23] == ["SizeRw", "SizeRootFs", "Mounts"]
    r = sb.run("docker container inspect nope")
    assert (r.stdout, r.stderr, r.exit_code) == ("[]\n", "Error response from daemon: No such container: nope\n", 1)


def test_logs_keep_streams_and_tail(sb):
    sb.run("docker run --name talk alpine sh -c 'echo one; echo two; echo oops >&2'")
    r = sb.run("docker logs talk")
    assert (r.stdout, r.stderr) == ("one\ntwo\n", "oops\n")
    assert sb.run("docker logs --tail 1 talk").stderr == "oops\n"


def test_top_lists_processes(sb):
    sb.run("docker run -d --name s1 alpine sleep 1000")
    pid = c(sb, "s1").pid
    r = sb.run("docker top s1")
    header, row = r.stdout.splitlines()
    assert header.split() == ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]
    assert header.startswith("UID                 PID")  # minwidth 20 (cli top.go)
    assert row.split()[:2] == ["root", str(pid)] and row.endswith("sleep 1000")
    sb.run("docker stop s1")
    r = sb.run("docker top s1")
    assert r.stderr == f"Error response from daemon: container {c(sb, 's1').id} is not running\n"


def test_commit_adds_one_layer_history_and_parent(sb):
    sb.run("docker run --name box alpine sh -c 'echo hi > /greeting'")
    alpine = sb.daemon.find_image("alpine")
    r = sb.run("docker commit -m 'add greeting' -a learner -c 'CMD [\"cat\", \"/greeting\"]' box greet:v1")
    assert r.exit_code == 0 and r.stdout.startswith("sha256:") and len(r.stdout) == 72
    image = sb.daemon.find_image("greet:v1")
    assert image.id == r.stdout.strip()
    assert image.parent == alpine.id
    assert image.diff_ids[:-1] == alpine.diff_ids and len(image.diff_ids) == len(alpine.diff_ids) + 1
    top = image.history[-1]
    assert top["created_by"] == "sh -c echo hi > /greeting"
    assert top["comment"] == "add greeting" and top["author"] == "learner" and "empty_layer" not in top
    assert image.run_config["Cmd"] == ["cat", "/greeting"]
    assert {"layer_added", "image_added", "tagged"} <= {e.kind for e in r.events}
    assert sb.run("docker run --rm greet:v1").stdout == "hi\n"


def test_commit_without_changes_is_an_empty_layer(sb):
    sb.run("docker create --name box alpine")
    sb.run("docker commit box same")
    image = sb.daemon.find_image("same")
    assert image.diff_ids == sb.daemon.find_image("alpine").diff_ids
    assert image.history[-1]["empty_layer"] is True


def test_commit_rejects_invalid_change(sb):
    sb.run("docker create --name box alpine")
    r = sb.run("docker commit -c 'RUN echo' box")
    assert r.stderr == "Error response from daemon: run is not a valid change command\n"


def test_cp_both_ways(sb):
    sb.run("docker run -d --name s1 alpine sleep 1000")
    r = sb.run("docker cp s1:/etc/hostname ./name.txt")
    assert r.stderr.startswith("Successfully copied ") and r.stderr.endswith(" to /home/learner/name.txt\n")
    assert sb.host.read("name.txt") == sb.daemon.container_fs(c(sb, "s1")).read("/etc/hostname").encode()
    sb.host_write("app.conf", b"key=value\n")
    r = sb.run("docker cp app.conf s1:/etc/")
    assert r.stderr == "Successfully copied 2.05kB to s1:/etc/\n"
    assert sb.run("docker exec s1 cat /etc/app.conf").stdout == "key=value\n"
    assert sb.run("docker diff s1").stdout == "C /etc\nA /etc/app.conf\n"
    r = sb.run("docker cp s1:/nope .")
    assert r.stderr == "Error response from daemon: Could not find the file /nope in container s1\n"
