"""Interactive sessions: `run -it`, `exec -it`, `start -ai` attach the terminal to the container's
shell (engine/daemon/session.py). Prompts: busybox shell/ash.c initvar ("PS1=\\w \\$ " with the fancy
prompt), dash src/var.c initvar ("PS1=# " for root), Debian's /etc/bash.bashrc
('\\u@\\h:\\w\\$ '); bash prints "exit" when an interactive shell exits (builtins/exit.def)."""
import pytest

from engine.daemon import invariants
from engine.sandbox import Sandbox


@pytest.fixture
def sb():
    s = Sandbox.create(12)
    s.run("docker pull alpine")
    return s


def test_run_it_session_then_exit_stops_the_container(sb):
    r = sb.run("docker run -it --name box alpine sh")
    assert (r.stdout, r.exit_code, r.prompt) == ("", 0, "/ # ")
    r = sb.run("echo hi > /x")
    assert (r.stdout, r.prompt) == ("", "/ # ")
    assert sb.run("cat /x").stdout == "hi\n"
    assert sb.run("cd /tmp").prompt == "/tmp # "
    assert sb.run("cd").prompt == "~ # "  # root's home /root shown as ~ (busybox lineedit)
    r = sb.run("exit")
    assert (r.exit_code, r.prompt) == (0, "")
    assert sb.run("docker diff box").stdout == "A /x\n"
    box = sb.daemon.find_container("box")
    assert (box.status, box.exit_code) == ("exited", 0)


def test_exit_code_and_dollar_question(sb):
    sb.run("docker run -it --name box alpine sh")
    assert sb.run("ls /nope").exit_code == 1
    assert sb.run("echo $?").stdout == "1\n"
    assert sb.run("A=5").exit_code == 0 and sb.run("echo $A").stdout == "5\n"  # variables persist
    r = sb.run("exit 3")
    assert r.exit_code == 3  # docker run returns the container's status
    assert sb.daemon.find_container("box").exit_code == 3


def test_ctrl_d_ends_the_session(sb):
    sb.run("docker run -it --name box alpine sh")
    assert sb.run("\x04").prompt == ""
    assert sb.daemon.find_container("box").status == "exited"


def test_exec_it_session_leaves_the_container_running(sb):
    sb.run("docker run -d --name web alpine sleep 1000")
    r = sb.run("docker exec -it web sh")
    assert r.prompt == "/ # "
    pids = len(sb.daemon.find_container("web").processes)
    assert pids == 2
    sb.run("touch /made-in-exec")
    r = sb.run("exit 4")
    assert (r.exit_code, r.prompt) == (4, "")  # docker exec returns the exec's status
    web = sb.daemon.find_container("web")
    assert web.status == "running" and len(web.processes) == 1
    assert "A /made-in-exec" in sb.run("docker diff web").stdout


def test_detach_keeps_the_shell_running(sb):
    sb.run("docker run -it --name box alpine sh")
    r = sb.run("\x10\x11")  # Ctrl+P Ctrl+Q: run.go returns nil on term.EscapeError
    assert (r.stdout, r.stderr, r.exit_code, r.prompt) == ("", "", 0, "")
    assert sb.daemon.find_container("box").status == "running"
    assert sb.run("docker ps --format '{{.Names}}'").stdout == "box\n"  # back on the host


def test_start_ai_attaches_again(sb):
    sb.run("docker run -it --name box alpine sh")
    sb.run("echo one > /one")
    sb.run("exit")
    r = sb.run("docker start -ai box")
    assert r.prompt == "/ # "
    assert sb.run("cat /one").stdout == "one\n"  # the same read-write layer
    sb.run("exit")
    assert sb.daemon.find_container("box").status == "exited"


def test_rm_container_goes_when_its_shell_exits(sb):
    sb.run("docker run -it --rm --name tmp alpine sh")
    sb.run("exit")
    assert sb.run("docker ps -aq").stdout == ""


def test_bash_and_dash_prompts(sb):
    sb.run("docker pull ubuntu")
    sb.run("docker run -it --name ub ubuntu bash")
    cid = sb.daemon.find_container("ub").id[:12]
    assert sb.run("cd /etc").prompt == f"root@{cid}:/etc# "
    r = sb.run("exit")
    assert (r.stdout, r.prompt) == ("exit\n", "")  # interactive bash says "exit"
    assert sb.run("docker run -it ubuntu sh").prompt == "# "  # sh is dash in Debian-based images
    assert sb.run("exit").stdout == ""


def test_a_foreground_program_is_stopped_with_a_note(sb):
    sb.run("docker run -it --name box alpine sh")
    r = sb.run("sleep 100")
    assert r.exit_code == 130 and r.stderr.startswith("LayerLab: `sleep 100` would keep running")
    assert r.prompt == "/ # "


def test_undo_and_round_trip_keep_the_session(sb):
    sb.run("docker run -it --name box alpine sh")
    sb.run("cd /tmp")
    sb.run("echo x > /x")
    assert sb.undo()
    assert sb.prompt == "/tmp # "
    again = Sandbox.from_json(sb.to_json())
    assert again.prompt == "/tmp # " and again.run("pwd").stdout == "/tmp\n"


def test_no_session_without_a_tty(sb):
    r = sb.run("docker run -i --name box alpine sh")
    assert r.prompt == ""
    r = sb.run("docker run -it --name top1 alpine sleep 100")
    assert r.prompt == ""


def test_caret_notation_for_control_keys(sb):
    sb.run("docker run -it --name box alpine sh")
    assert sb.run("^P^Q").prompt == ""
    assert sb.daemon.find_container("box").status == "running"
    sb.run("docker run -it --name box2 alpine sh")
    sb.run("^D")
    assert sb.daemon.find_container("box2").status == "exited"


def test_transcript_keeps_the_prompts(sb):
    sb.run("docker run -it --name box alpine sh")
    sb.run("cd /tmp")
    sb.run("exit")
    last = sb.transcript[-3:]
    assert [(e.get("prompt"), e.get("prompt_after")) for e in last] == [
        ("", "/ # "), ("/ # ", "/tmp # "), ("/tmp # ", "")]


def test_invariants_hold_through_a_session_and_completion_is_off(sb):

    sb.run("docker run -it --name box alpine sh")
    assert invariants.check(sb.daemon) == [] and sb.complete("doc") == []
    sb.run("exit")
    assert invariants.check(sb.daemon) == [] and sb.complete("doc") != []


def test_attach_takes_the_terminal_back_to_a_detached_shell(sb):
    # attach.go inspectContainerAndCheckState (v28.5.2 lines 30-38) for the state errors
    sb.run("docker run -it --name box alpine sh")
    sb.run("^P^Q")
    assert sb.run("docker attach box").prompt == "/ # "
    sb.run("exit")
    r = sb.run("docker attach box")
    assert (r.stderr, r.exit_code) == ("You cannot attach to a stopped container, start it first\n", 1)
    sb.run("docker run -d --name s1 alpine sleep 1000")
    sb.run("docker pause s1")
    assert sb.run("docker attach s1").stderr == "You cannot attach to a paused container, unpause it first\n"
    sb.run("docker unpause s1")
    r = sb.run("docker attach s1")  # not a shell: LayerLab cannot hold the terminal, and says so
    assert r.exit_code == 0 and r.prompt == "" and r.stderr.startswith("LayerLab: `docker attach` would now show")
