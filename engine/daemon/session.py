"""The terminal attached to a shell inside a container.

`docker run -it IMAGE sh`, `docker exec -it C sh` and `docker start -ai C` attach the learner's
terminal to the container's shell: the prompt becomes that shell's, and each line runs in the
container until `exit`, Ctrl+D (the line "\\x04", or "^D" typed) or the detach keys Ctrl+P Ctrl+Q
(the line "\\x10\\x11", or "^P^Q" typed). When the shell is the container's PID 1, its exit stops the container (and `--rm`
removes it); an exec'd shell's exit leaves the container running. Detaching leaves the shell running.

Prompts are each shell's default for a non-login interactive shell as root:
busybox ash `\\w \\$ ` (`/ # `), Debian's /etc/bash.bashrc `\\u@\\h:\\w\\$ ` (`root@<hostname>:/# `),
dash `# `.
"""
from __future__ import annotations

import posixpath

from engine import events as ev
from engine.daemon import containers as ops
from engine.daemon.model import Container, Daemon, Session
from engine.daemon.processes import file_events, home_of, runtime_env, shell_flavor, undo_writes_on_limit
from engine.errors import FsError, LongRunning
from engine.shell import programs as shell

SHELLS = {"sh", "ash", "bash", "dash"}
# A web page cannot send control keys as a line: the caret notation stands for them (only inside a session)
CTRL_D = ("\x04", "^D")
DETACH = ("\x10\x11", "^P^Q")  # Ctrl+P Ctrl+Q, Docker's default detach keys (docker/cli hijack.go)


def open_session(daemon: Daemon, container: Container, command: str, exec_id: str = "",
                 tty: bool | None = None, stdin: bool | None = None) -> Session | None:
    """Attach the terminal when `command` (PID 1's or the exec's process) is a shell reading a tty
    (-i and -t: the container's, or the exec's when given); None otherwise (it just keeps running)."""
    words = command.split()
    tty = container.config.get("Tty") if tty is None else tty
    stdin = container.config.get("OpenStdin") if stdin is None else stdin
    if not words or not tty or not stdin:
        return None
    name = posixpath.basename(words[0])
    if name not in SHELLS or any(w == "-c" or not w.startswith("-") for w in words[1:]):
        return None
    busybox = shell_flavor(daemon.container_fs(container)) == "busybox"
    kind = "bash" if name == "bash" else "ash" if busybox else "dash"
    daemon.session = Session(container.id, kind, exec_id, container.config.get("WorkingDir") or "/")
    return daemon.session


def prompt(daemon: Daemon) -> str:
    """The prompt the attached shell prints ("" when no session)."""
    session = daemon.session
    if session is None:
        return ""
    container = daemon.containers[session.container]
    fs = daemon.container_fs(container)
    user = container.config.get("User", "")
    root = (user or "root").split(":")[0] in ("root", "0")
    sign = "#" if root else "$"
    if session.shell == "dash":
        return f"{sign} "
    home = session.vars.get("HOME") or home_of(fs, user)
    cwd = session.cwd
    shown = "~" + cwd[len(home):] if home != "/" and (cwd == home or cwd.startswith(home + "/")) else cwd
    if session.shell == "bash":
        name = _user_name(fs, user)
        host = container.config.get("Hostname", container.id[:12]).split(".")[0]
        return f"{name}@{host}:{shown}{sign} "
    return f"{shown} {sign} "


def _user_name(fs, user: str) -> str:
    wanted = (user or "root").split(":")[0]
    try:
        for line in fs.read("/etc/passwd").splitlines():
            fields = line.split(":")
            if len(fields) > 2 and wanted in (fields[0], fields[2]):
                return fields[0]
    except FsError:
        pass
    return "I have no name!" if wanted.isdigit() else wanted  # bash's \u for an unknown uid


class LineResult:
    def __init__(self, stdout: str = "", stderr: str = "", exit_code: int = 0, events=None):
        self.stdout, self.stderr, self.exit_code = stdout, stderr, exit_code
        self.events = events or []


def run_line(daemon: Daemon, line: str) -> LineResult:
    """One line typed at the attached shell."""
    session = daemon.session
    container = daemon.containers.get(session.container)
    if container is None or not container.running:  # the container went away under the session
        daemon.session = None
        return LineResult()
    if line.strip() in DETACH:  # run.go:237: the escape sequence detaches quietly, status 0
        daemon.session = None
        return LineResult(events=[ev.SessionDetached(container.id)])
    if line.strip() in CTRL_D:
        return _end(daemon, container, session.status, "exit\n" if session.shell == "bash" else "")
    fs = daemon.container_fs(container)
    env = runtime_env(container)
    env.setdefault("HOME", home_of(fs, container.config.get("User", "")))
    sh = shell.new_shell(fs, env=env, cwd=session.cwd, flavor=shell_flavor(fs), kind=session.shell,
                     arg0="bash" if session.shell == "bash" else "sh", now_ns=daemon.now, tty=True,
                     user=container.config.get("User", ""))
    sh.vars.update(session.vars)
    sh.exported |= set(session.exported)
    sh.status = session.status  # $? of the previous line
    note = ""
    try:
        with undo_writes_on_limit(container):
            status = sh.run_script(line)
    except LongRunning as running:  # a foreground program that would not return
        status = 130
        note = (f"LayerLab: `{running.process.command}` would keep running in the foreground here; "
                "LayerLab stops it as Ctrl+C would.\n")
    events = file_events(fs, container)
    session.cwd, session.status = sh.cwd, status
    session.vars = dict(sh.vars)
    session.exported = sorted(sh.exported)
    out = "".join(sh.out) + "".join(sh.err)  # a tty merges the streams
    if sh.exited:
        return _end(daemon, container, status, out + ("exit\n" if session.shell == "bash" else ""), events)
    return LineResult(out, note, status, events)


def _end(daemon: Daemon, container: Container, status: int, out: str, events=None) -> LineResult:
    """The shell exits: PID 1's exit stops the container (monitor.go), an exec'd one just ends."""
    session, daemon.session = daemon.session, None
    events = list(events or [])
    if session.exec_id:
        for proc in [p for p in container.processes if p.exec_id == session.exec_id]:
            container.processes.remove(proc)
            events.append(ev.ProcessRemoved(container.id, proc.pid, proc.command))
        if session.exec_id in container.exec_ids:
            container.exec_ids.remove(session.exec_id)
    else:
        events += ops.stopped(daemon, container, status)
    events.append(ev.SessionEnded(container.id, status))
    return LineResult(out, "", status, events)
