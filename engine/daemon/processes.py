"""Running programs in a container: its runtime environment (PATH, HOSTNAME, TERM, Config.Env, HOME
from /etc/passwd), PID 1 at start, `docker exec`, and the HEALTHCHECK probe, each through the shell
on the container's union filesystem at the daemon's virtual time; runc's errors when argv[0] cannot
be executed.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace

from engine import events as ev
from engine import limits
from engine.clock import NS
from engine.daemon import health, lifecycle
from engine.daemon.containers import RunResult, discard, stopped
from engine.daemon.model import Process
from engine.daemon.rw_layer import restore_rw
from engine.errors import FsError, LimitError, StartFailed
from engine.shell import programs as shell

DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# runc's messages as Docker 28 (containerd 1.7/2.x, runc 1.2+) relays them for a failed start.
START_FAILED = ("failed to create task for container: failed to create shim task: OCI runtime create "
                "failed: runc create failed: unable to start container process: error during container "
                "init: {cause}: unknown")
EXEC_FAILED = "OCI runtime exec failed: exec failed: unable to start container process: {cause}: unknown"


# ---- running programs ---------------------------------------------------------------------
def shell_flavor(fs) -> str:
    return "busybox" if fs.exists("/bin/busybox") else "gnu"


def runtime_env(container, extra=()) -> dict[str, str]:
    """What the process sees: PATH default, HOSTNAME, TERM with a tty, then Config.Env (+ exec -e)."""
    env = dict(e.split("=", 1) for e in [DEFAULT_PATH])
    env["HOSTNAME"] = container.config.get("Hostname", container.id[:12])
    if container.config.get("Tty"):
        env["TERM"] = "xterm"
    for item in list(container.config.get("Env") or []) + list(extra):
        key, _, value = item.partition("=")
        env[key] = value
    return env


def _run_shell(daemon, container, argv, *, env, workdir, tty, interactive, fs):
    """shell.run as the container's user, in its working directory, at the daemon's time."""
    user = container.config.get("User", "")
    if "HOME" not in env:  # runc sets HOME from the user's passwd entry when the env has none
        env = {**env, "HOME": home_of(fs, user)}
    return shell.run(argv, fs, env=env, workdir=workdir or "/", flavor=shell_flavor(fs), tty=tty,
                     interactive=interactive, now_ns=daemon.now, user=user)


def health_of(daemon, container) -> dict | None:
    """State.Health while the container runs a HEALTHCHECK (None otherwise); the probe runs on a
    copy of the read-write layer, so it changes nothing."""
    config = container.config.get("Healthcheck")
    if not config or config.get("Test", ["NONE"])[0] == "NONE" or not container.running:
        return None

    def probe() -> tuple[int, str]:
        test = config["Test"]
        argv = ["/bin/sh", "-c", test[1]] if test[0] == "CMD-SHELL" else list(test[1:])
        saved, container.rw = container.rw, dict(container.rw)
        try:
            result = _run_shell(daemon, container, argv, env=runtime_env(container),
                                workdir=container.config.get("WorkingDir", ""), tty=False, interactive=False,
                                fs=daemon.container_fs(container))
        except (shell.ExecNotFound, shell.NotExecutable) as err:
            return 127, _exec_error(err)[0]
        finally:
            container.rw = saved
        return result.exit_code, result.stdout + result.stderr

    return health.health_state(config, container.started_at, daemon.now, probe)


def home_of(fs, user: str) -> str:
    """The home directory of `user` (name or uid) in the image's /etc/passwd; "/" when unknown
    (runc libcontainer: execUser.Home, whose default is "/")."""
    wanted = (user or "root").split(":")[0]
    try:
        lines = fs.read("/etc/passwd").splitlines()
    except FsError:
        lines = []
    for line in lines:
        fields = line.split(":")
        if len(fields) >= 6 and wanted in (fields[0], fields[2]):
            return fields[5]
    return "/root" if wanted in ("root", "0") else "/"


@contextmanager
def undo_writes_on_limit(container):
    """A program that hits a sandbox limit is refused as a whole: its earlier writes are undone,
    so the command reports one error and changes nothing (entries are immutable: a copy suffices)."""
    before = dict(container.rw)
    try:
        yield
    except LimitError:
        restore_rw(container, before)
        raise


def _exec_error(err) -> tuple[str, int]:
    """runc's reason for not executing argv[0] and the exit status Docker assigns (errors.go)."""
    if isinstance(err, shell.ExecNotFound):
        if "/" in err.name:
            return f'exec: "{err.name}": stat {err.name}: no such file or directory', 127
        return f'exec: "{err.name}": executable file not found in $PATH', 127
    return f'exec: "{err.path}": permission denied', 126


def file_events(fs, container) -> list[ev.Event]:
    return [replace(e, container=container.id) for e in getattr(fs, "events", [])]


def _log(container, result, tty: bool) -> None:
    for stream, text in (("stdout", result.stdout), ("stderr", result.stderr)):
        for line in text.splitlines(keepends=True):
            container.logs.append(["stdout" if tty else stream, line])
    limits.trim_log(container.logs)


def _new_process(daemon, container, proc, exec_id: str = "") -> Process:
    ends_at = None if proc.ends_after is None else daemon.now + int(proc.ends_after * NS)
    return Process(pid=daemon.new_pid(), command=proc.command, on_sigterm=proc.on_sigterm,
                   ends_at=ends_at, exec_id=exec_id, extra=list(proc.extra))


def start(daemon, container) -> RunResult:
    """Run PID 1 in the container's union filesystem. Raises StartFailed (126/127) if it cannot exec."""
    fs = daemon.container_fs(container)
    argv = [container.path] + list(container.args)
    tty = bool(container.config.get("Tty"))
    try:
        with undo_writes_on_limit(container):
            result = _run_shell(daemon, container, argv, env=runtime_env(container),
                                workdir=container.config.get("WorkingDir", ""), tty=tty,
                                interactive=bool(container.config.get("OpenStdin")), fs=fs)
    except (shell.ExecNotFound, shell.NotExecutable) as err:
        cause, code = _exec_error(err)
        message = START_FAILED.format(cause=cause)
        container.exit_code = code
        lifecycle.set_error(container, message)
        failure = StartFailed(message, code)
        failure.events = []
        if container.host_config.get("AutoRemove"):  # start.go removes an AutoRemove container that failed
            failure.events = discard(daemon, container)
        raise failure from None
    events = file_events(fs, container)
    pid = daemon.new_pid()
    events.append(lifecycle.mark_running(daemon, container, pid))
    _log(container, result, tty)
    if result.process is not None:
        process = _new_process(daemon, container, result.process)
        process.pid = pid
        container.processes = [process]
        events.append(ev.ProcessAdded(container.id, pid, process.command))
        return RunResult(result.stdout, result.stderr, 0, True, events)
    # A program that finishes at once: it ran, and the container is exited with its status.
    daemon.clock.advance(daemon.ids.number(20, 400, "runtime") / 1000)
    events += stopped(daemon, container, result.exit_code)
    return RunResult(result.stdout, result.stderr, result.exit_code, False, events)


def exec_in(daemon, container, argv: list[str], *, env=(), workdir: str = "", tty: bool = False,
            interactive: bool = False) -> RunResult:
    """`docker exec`: another process in the same filesystem; a long-running one stays listed."""
    fs = daemon.container_fs(container)
    try:
        with undo_writes_on_limit(container):
            result = _run_shell(daemon, container, argv, env=runtime_env(container, env),
                                workdir=workdir or container.config.get("WorkingDir", ""), tty=tty,
                                interactive=interactive, fs=fs)
    except (shell.ExecNotFound, shell.NotExecutable) as err:
        cause, code = _exec_error(err)
        # The API router writes the failure into the attached stream (stdout), exit code from errors.go.
        return RunResult(EXEC_FAILED.format(cause=cause) + "\r\n", "", code, False, [])
    events = file_events(fs, container)
    if result.process is not None:
        exec_id = daemon.ids.hex64("exec")
        process = _new_process(daemon, container, result.process, exec_id)
        container.processes.append(process)
        container.exec_ids.append(exec_id)
        events.append(ev.ProcessAdded(container.id, process.pid, process.command, exec_id))
        return RunResult(result.stdout, result.stderr, 0, True, events)
    return RunResult(result.stdout, result.stderr, result.exit_code, False, events)
