"""Container commands through the terminal: run exit codes, stop timing, signals, exec, --rm, names."""
import pytest

from engine.clock import NS
from engine.events import ContainerRemoved, FileEvent
from engine.sandbox import Sandbox

HELP = "\n\nRun 'docker run --help' for more information\n"
START_FAIL = ("docker: Error response from daemon: failed to create task for container: failed to create shim "
              "task: OCI runtime create failed: runc create failed: unable to start container process: error "
              "during container init: {cause}: unknown" + HELP)


@pytest.fixture
def sb():
    sandbox = Sandbox.create(11)
    sandbox.run("docker pull alpine")
    sandbox.run("docker pull nginx")
    return sandbox


def c(sb, name):
    return sb.daemon.find_container(name)


# ---- run ----------------------------------------------------------------------------------
def test_run_prints_output_and_exits_with_the_process_code(sb):
    ok = sb.run("docker run --name hello alpine echo hello")
    assert (ok.stdout, ok.stderr, ok.exit_code) == ("hello\n", "", 0)
    assert (c(sb, "hello").status, c(sb, "hello").exit_code) == ("exited", 0)
    fail = sb.run("docker run --name one alpine sh -c 'exit 1'")
    assert (fail.stdout, fail.stderr, fail.exit_code) == ("", "", 1)
    assert c(sb, "one").exit_code == 1


def test_run_127_not_found_keeps_a_created_container(sb):
    r = sb.run("docker run --name bad alpine nosuch")
    assert r.exit_code == 127
    assert r.stderr == START_FAIL.format(cause='exec: "nosuch": executable file not found in $PATH')
    assert (c(sb, "bad").status, c(sb, "bad").exit_code) == ("created", 127)


def test_run_126_not_executable(sb):
    r = sb.run("docker run alpine /etc/passwd")
    assert r.exit_code == 126
    assert r.stderr == START_FAIL.format(cause='exec: "/etc/passwd": permission denied')


def test_run_125_for_daemon_and_cli_errors(sb):
    r = sb.run("docker run --name x! alpine true")
    assert r.exit_code == 125
    assert r.stderr == ("docker: Error response from daemon: Invalid container name (x!), only "
                        "[a-zA-Z0-9][a-zA-Z0-9_.-] are allowed" + HELP)
    r = sb.run("docker run Alpine")
    assert r.exit_code == 125
    assert r.stderr.startswith("docker: invalid reference format")


def test_run_pulls_a_missing_image(sb):
    r = sb.run("docker run busybox echo hi")
    assert r.stdout == "hi\n"
    assert r.stderr.startswith("Unable to find image 'busybox:latest' locally\nlatest: Pulling from library/busybox\n")
    assert r.exit_code == 0


def test_run_detached_prints_the_full_id(sb):
    r = sb.run("docker run -d --name web nginx")
    assert r.stdout == c(sb, "web").id + "\n" and len(r.stdout) == 65
    assert c(sb, "web").status == "running"


def test_long_running_attached_run_returns_zero_and_keeps_running(sb):
    r = sb.run("docker run --name s1 alpine sleep 1000")
    assert (r.stdout, r.stderr, r.exit_code) == ("", "", 0)
    assert c(sb, "s1").status == "running"


def test_name_conflict_texts_differ_for_run_and_create(sb):
    sb.run("docker create --name box alpine")
    cid = c(sb, "box").id
    message = (f'Error response from daemon: Conflict. The container name "/box" is already in use by container '
               f'"{cid}". You have to remove (or rename) that container to be able to reuse that name.')
    create = sb.run("docker create --name box alpine")
    assert (create.stderr, create.exit_code) == (message + "\n", 1)
    run = sb.run("docker run --name box alpine")
    assert (run.stderr, run.exit_code) == ("docker: " + message + HELP, 125)
    assert len(sb.daemon.containers) == 1


def test_run_options_reach_the_process(sb):
    r = sb.run("docker run -e GREETING=hi -w /tmp -h myhost alpine sh -c 'echo $GREETING; pwd; hostname'")
    assert r.stdout == "hi\n/tmp\nmyhost\n"
    r = sb.run("docker run --entrypoint echo alpine from-entrypoint")
    assert r.stdout == "from-entrypoint\n"


def test_rm_flag_removes_on_exit(sb):
    r = sb.run("docker run --rm alpine echo bye")
    assert r.stdout == "bye\n"
    assert not sb.daemon.containers
    assert any(isinstance(e, ContainerRemoved) for e in r.events)


def test_rm_flag_removes_a_container_that_ends_later(sb):
    sb.run("docker run -d --rm --name nap alpine sleep 5")
    assert c(sb, "nap").status == "running"
    sb.daemon.clock.advance(10)
    r = sb.run("docker ps -a")
    assert "nap" not in r.stdout
    assert not sb.daemon.containers


def test_create_makes_an_empty_rw_layer_and_mount_id(sb):
    r = sb.run("docker create --name box alpine")
    box = c(sb, "box")
    assert r.stdout == box.id + "\n"
    assert box.rw == {} and len(box.mount_id) == 64 and box.mount_id != box.id
    assert box.status == "created"


# ---- stop / kill --------------------------------------------------------------------------
def test_stop_pid1_ignoring_sigterm_waits_the_grace_period_then_137(sb):
    sb.run("docker run -d --name s1 alpine sleep 1000")
    before = sb.daemon.now
    r = sb.run("docker stop s1")
    assert (r.stdout, r.exit_code) == ("s1\n", 0)
    box = c(sb, "s1")
    assert (box.status, box.exit_code) == ("exited", 137)
    assert box.finished_at - before >= 10 * NS


def test_stop_timeout_flag(sb):
    sb.run("docker run -d --name s1 alpine sleep 1000")
    before = sb.daemon.now
    sb.run("docker stop -t 2 s1")
    waited = c(sb, "s1").finished_at - before
    assert 2 * NS <= waited < 10 * NS


def test_nginx_stops_at_once_with_exit_0(sb):
    sb.run("docker run -d --name web nginx")
    before = sb.daemon.now
    sb.run("docker stop web")
    web = c(sb, "web")
    assert (web.status, web.exit_code) == ("exited", 0)
    assert web.finished_at - before < 10 * NS  # 9 s is the most the terminal's think time adds


def test_kill_default_is_sigkill(sb):
    sb.run("docker run -d --name web nginx")
    r = sb.run("docker kill web")
    assert (r.stdout, r.exit_code) == ("web\n", 0)
    assert c(sb, "web").exit_code == 137


@pytest.mark.parametrize("signal,running,code", [("SIGHUP", True, 0), ("SIGTERM", False, 0), ("QUIT", False, 0),
                                                 ("SIGUSR1", True, 0)])
def test_kill_signals_to_nginx(sb, signal, running, code):
    sb.run("docker run -d --name web nginx")
    sb.run(f"docker kill -s {signal} web")
    web = c(sb, "web")
    assert web.running == running
    if not running:
        assert web.exit_code == code


def test_sigterm_to_pid1_without_handler_does_nothing(sb):
    sb.run("docker run -d --name s1 alpine sleep 1000")
    r = sb.run("docker kill -s SIGTERM s1")
    assert (r.stdout, r.exit_code) == ("s1\n", 0)
    assert c(sb, "s1").status == "running"


def test_multi_name_output_and_errors(sb):
    sb.run("docker run -d --name aa alpine sleep 1000")
    sb.run("docker run -d --name bb alpine sleep 1000")
    r = sb.run("docker stop aa nope bb")
    assert r.stdout == "aa\nbb\n"
    assert r.stderr == "Error response from daemon: No such container: nope\n"
    assert r.exit_code == 1


def test_start_summary_error(sb):
    sb.run("docker run -d --name aa alpine sleep 1000")
    sb.run("docker pause aa")
    r = sb.run("docker start aa nope")
    assert r.stdout == ""
    assert r.stderr == ("Error response from daemon: cannot start a paused container, try unpause instead\n"
                        "Error response from daemon: No such container: nope\n"
                        "Error: failed to start containers: aa, nope\n")
    assert r.exit_code == 1


def test_start_keeps_the_rw_layer_and_gets_a_new_pid(sb):
    sb.run("docker run --name box alpine sh -c 'echo kept > /data.txt'")
    box = c(sb, "box")
    old_rw = dict(box.rw)
    sb.run("docker start box")
    assert "/data.txt" in box.rw and box.rw["/data.txt"] == old_rw["/data.txt"]


def test_restart_running_and_exited(sb):
    sb.run("docker run -d --name s1 alpine sleep 1000")
    pid = c(sb, "s1").pid
    r = sb.run("docker restart s1")
    assert (r.stdout, r.exit_code) == ("s1\n", 0)
    assert c(sb, "s1").status == "running" and c(sb, "s1").pid != pid
    sb.run("docker kill s1")
    sb.run("docker restart s1")
    assert c(sb, "s1").status == "running"


# ---- pause / exec -------------------------------------------------------------------------
def test_exec_on_paused_and_stopped_containers(sb):
    sb.run("docker run -d --name s1 alpine sleep 1000")
    sb.run("docker pause s1")
    r = sb.run("docker exec s1 ls")
    assert r.stderr == "Error response from daemon: Container s1 is paused, unpause the container before exec\n"
    assert r.exit_code == 1
    sb.run("docker unpause s1")
    sb.run("docker stop s1")
    r = sb.run("docker exec s1 ls")
    assert r.stderr == f"Error response from daemon: container {c(sb, 's1').id} is not running\n"


def test_exec_missing_program(sb):
    sb.run("docker run -d --name s1 alpine sleep 1000")
    r = sb.run("docker exec s1 nosuch")
    assert r.stdout == ('OCI runtime exec failed: exec failed: unable to start container process: '
                        'exec: "nosuch": executable file not found in $PATH: unknown\r\n')
    assert r.exit_code == 127


def test_exec_processes_and_their_end_with_the_container(sb):
    sb.run("docker run -d --name s1 alpine sleep 1000")
    r = sb.run("docker exec -it s1 sh")
    assert (r.stdout, r.stderr, r.exit_code, r.prompt) == ("", "", 0, "/ # ")
    sb.run("\x10\x11")  # detach (Ctrl+P Ctrl+Q): the shell keeps running
    sb.run("docker exec -d s1 sleep 500")
    box = c(sb, "s1")
    assert [p.command for p in box.processes] == ["sleep 1000", "sh", "sleep 500"]
    assert len(box.exec_ids) == 2
    sb.run("docker kill s1")
    assert box.processes == [] and box.exec_ids == []


def test_exec_writes_copy_up_and_whiteout_then_diff(sb):
    sb.run("docker run -d --name s1 alpine sleep 1000")
    r = sb.run("docker exec s1 sh -c 'echo x >> /etc/hostname; rm /etc/motd; mkdir -p /data && touch /data/f'")
    assert r.exit_code == 0
    kinds = {(e.kind, e.path) for e in r.events if isinstance(e, FileEvent) and e.container == c(sb, "s1").id}
    assert ("copy_up", "/etc/hostname") in kinds and ("whiteout", "/etc/motd") in kinds
    d = sb.run("docker diff s1")
    assert d.stdout == "A /data\nA /data/f\nC /etc\nC /etc/hostname\nD /etc/motd\n"


def test_exec_env_and_workdir(sb):
    sb.run("docker run -d --name s1 alpine sleep 1000")
    r = sb.run("docker exec -e A=1 -w /etc s1 sh -c 'echo $A; pwd'")
    assert r.stdout == "1\n/etc\n"


# ---- rm, rename, wait, prune -------------------------------------------------------------------
def test_rm_running_refused_then_forced(sb):
    sb.run("docker run -d --name web nginx")
    r = sb.run("docker rm web")
    assert r.stderr == ('Error response from daemon: cannot remove container "web": container is running: stop '
                        "the container before removing or force remove\n")
    assert r.exit_code == 1
    r = sb.run("docker rm -f web")
    assert (r.stdout, r.exit_code) == ("web\n", 0)
    assert not sb.daemon.containers


def test_rm_force_of_missing_container_is_reported_with_exit_0(sb):
    r = sb.run("docker rm -f nope")
    assert (r.stdout, r.stderr, r.exit_code) == ("", "Error response from daemon: No such container: nope\n", 0)


def test_rename(sb):
    sb.run("docker create --name old alpine")
    assert sb.run("docker rename old new").exit_code == 0
    assert c(sb, "new")
    sb.run("docker create --name other alpine")
    r = sb.run("docker rename other new")
    assert r.stderr.endswith("Error: failed to rename container named other\n")
    assert 'Error when allocating new name: Conflict. The container name "/new"' in r.stderr


def test_wait_prints_the_exit_code(sb):
    sb.run("docker run --name one alpine sh -c 'exit 3'")
    r = sb.run("docker wait one")
    assert (r.stdout, r.exit_code) == ("3\n", 0)


def test_container_prune(sb):
    sb.run("docker run --name done alpine true")
    sb.run("docker run -d --name web nginx")
    r = sb.run("docker container prune")
    assert r.stdout == ("WARNING! This will remove all stopped containers.\n"
                        "Are you sure you want to continue? [y/N] ")
    assert r.exit_code == 1 and len(sb.daemon.containers) == 2
    done = c(sb, "done").id
    r = sb.run("docker container prune -f")
    assert r.stdout == f"Deleted Containers:\n{done}\n\nTotal reclaimed space: 0B\n"
    assert list(sb.daemon.container_names()) == ["web"]


# ---- determinism -----------------------------------------------------------------------------
def test_same_seed_and_log_give_identical_state():
    log = ["docker pull alpine", "docker run -d alpine sleep 100", "docker run alpine echo hi",
           "docker create --name box alpine", "docker stop $(true)", "docker ps -a"]
    a, b = Sandbox.create(5), Sandbox.create(5)
    for line in log:
        assert a.run(line).stdout == b.run(line).stdout
    assert a.to_json() == b.to_json()
