"""What the daemon does to containers: create, start, stop, kill, pause, exec, remove.

The `container_*` functions are the daemon's API, as moby's ContainerStart, ContainerStop…: each
enforces the state rules (`lifecycle.check`: ok, a silent 304 no-op, or Docker's exact error)
before it acts. The plain operations below them (start, stop, kill…) are what the daemon, the
builder and an attached session use once a rule allowed them. Each returns the events the stage
highlights.
"""
from __future__ import annotations

import posixpath
import re
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from . import events as ev
from . import health, lifecycle, limits, shell
from .clock import NS
from .errors import Conflict, DaemonError, FsError, InvalidArgument, LimitError, StartFailed
from .model import Container, Process

DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
DEFAULT_STOP_TIMEOUT = 10  # daemon defaultStopTimeout on Linux (seconds)
NAME_PATTERN = re.compile(r"^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$")  # daemon validContainerNamePattern
# runc's messages as Docker 28 (containerd 1.7/2.x, runc 1.2+) relays them for a failed start.
START_FAILED = ("failed to create task for container: failed to create shim task: OCI runtime create "
                "failed: runc create failed: unable to start container process: error during container "
                "init: {cause}: unknown")
EXEC_FAILED = "OCI runtime exec failed: exec failed: unable to start container process: {cause}: unknown"


@dataclass
class RunResult:
    stdout: str = ""
    stderr: str = ""
    exit_code: int = 0
    still_running: bool = False
    events: list = field(default_factory=list)


# ---- create -------------------------------------------------------------------------------
def validate_name(daemon, name: str) -> None:
    if not NAME_PATTERN.match(name):
        raise InvalidArgument(f"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed")
    for other in daemon.containers.values():
        if other.name == name.lstrip("/"):
            raise Conflict(f'Conflict. The container name "/{name.lstrip("/")}" is already in use by container '
                           f'"{other.id}". You have to remove (or rename) that container to be able to '
                           "reuse that name.")


def resolve_command(image_config: dict, entrypoint: list[str] | None, cmd: list[str] | None):
    """daemon/create.go merge: an --entrypoint drops the image's Cmd; args replace Cmd."""
    if entrypoint is None:
        entrypoint = image_config.get("Entrypoint") or None
        if not cmd:
            cmd = image_config.get("Cmd") or None
    argv = list(entrypoint or []) + list(cmd or [])
    if not argv:
        raise DaemonError("no command specified")
    return entrypoint or None, cmd or None, argv


def merge_env(image_env: list[str], user_env: list[str]) -> list[str]:
    """daemon/commit.go merge (moby v28.5.2, lines 39-61): the user's variables first, then the
    image's whose name the user did not set."""
    if not user_env:
        return list(image_env)
    names = {item.split("=", 1)[0] for item in user_env}
    return list(user_env) + [item for item in image_env if item.split("=", 1)[0] not in names]


def create_container(daemon, image, image_ref: str, *, name: str = "", cmd=None, entrypoint=None,
                     env=(), workdir: str = "", user: str = "", hostname: str = "", tty: bool = False,
                     stdin_open: bool = False, auto_remove: bool = False, stop_signal: str = "",
                     stop_timeout: int | None = None, labels: dict | None = None,
                     port_bindings: dict | None = None, restart: str = "no",
                     attach: bool = False) -> tuple[Container, list[ev.Event]]:
    """A created container: id, name, config and an empty read-write layer (moby daemon/create.go)."""
    limits.check_new_container(daemon)
    if workdir:  # daemon/container.go:367 translateWorkingDir (verifyContainerSettings, before the name)
        if not workdir.startswith("/"):
            raise InvalidArgument(f"the working directory '{workdir}' is invalid, it needs to be an absolute path")
        workdir = posixpath.normpath(workdir).replace("//", "/")
    if name:
        validate_name(daemon, name)
    base = image.run_config
    entrypoint, cmd, argv = resolve_command(base, entrypoint, cmd)
    cid = daemon.ids.hex64("container")
    name = name.lstrip("/") or daemon.ids.container_name(daemon.container_names())
    config = {
        "Hostname": hostname or cid[:12], "Domainname": "", "User": user or base.get("User", ""),
        "AttachStdin": attach and stdin_open, "AttachStdout": attach, "AttachStderr": attach,
    }
    if base.get("ExposedPorts"):
        config["ExposedPorts"] = dict(base["ExposedPorts"])
    config.update({
        "Tty": tty, "OpenStdin": stdin_open, "StdinOnce": attach and stdin_open,
        "Env": merge_env(base.get("Env") or [], list(env)), "Cmd": cmd,
    })
    if base.get("Healthcheck"):  # commit.go merge: the image's Healthcheck (no --health-* flags here)
        config["Healthcheck"] = dict(base["Healthcheck"])
    config.update({
        "Image": image_ref,
        "Volumes": base.get("Volumes"), "WorkingDir": workdir or base.get("WorkingDir", ""),
        "Entrypoint": entrypoint, "OnBuild": base.get("OnBuild"),
        "Labels": {**(base.get("Labels") or {}), **(labels or {})},
    })
    if stop_signal or base.get("StopSignal"):
        config["StopSignal"] = stop_signal or base["StopSignal"]
    if stop_timeout is not None:
        config["StopTimeout"] = stop_timeout
    container = Container(
        id=cid, name=name, image_id=image.id, image_ref=image_ref, diff_ids=image.diff_ids,
        created=daemon.now, path=argv[0], args=argv[1:], config=config,
        host_config={"AutoRemove": auto_remove, "PortBindings": port_bindings or {},
                     "RestartPolicy": {"Name": restart or "no", "MaximumRetryCount": 0}},
        mount_id=daemon.ids.hex64("mount"))
    daemon.containers[cid] = container
    return container, [ev.ContainerAdded(cid, image.id)]


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
        container.rw.clear()
        container.rw.update(before)
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


# ---- exits and time passing ---------------------------------------------------------------
def stopped(daemon, container, exit_code: int, signal: str = "", at: int | None = None) -> list[ev.Event]:
    """The container's task ended: SetStopped, then --rm removes it (daemon/monitor.go
    handleContainerExit defers daemon.autoRemove), whatever ended it: stop, kill or its own exit."""
    events = lifecycle.mark_stopped(daemon, container, exit_code, signal, at)
    if container.host_config.get("AutoRemove"):
        events += discard(daemon, container)
    return events


def settle(daemon) -> list[ev.Event]:
    """Let virtual time act: processes that end by themselves (sleep N) exit."""
    events: list[ev.Event] = []
    for container in list(daemon.containers.values()):
        if not container.running or container.paused:
            continue  # frozen processes cannot exit until thawed; their timers end them after unpause
        for proc in list(container.processes):
            if proc.ends_at is None or proc.ends_at > daemon.now:
                continue
            if proc.pid == container.pid:
                events += [replace(e, reason="process ended") if isinstance(e, ev.ContainerStateChanged) else e
                           for e in stopped(daemon, container, 0, at=proc.ends_at)]
                break
            container.processes.remove(proc)
            if proc.exec_id in container.exec_ids:
                container.exec_ids.remove(proc.exec_id)
            events.append(ev.ProcessRemoved(container.id, proc.pid, proc.command))
    return events


# ---- signals ------------------------------------------------------------------------------
def pid1(container) -> Process | None:
    return next((p for p in container.processes if p.pid == container.pid), None)


def stop_signal_of(container) -> int:
    return lifecycle.parse_signal(container.config.get("StopSignal") or "SIGTERM")


def stop(daemon, container, timeout: int | None = None, signal: str | None = None) -> list[ev.Event]:
    """containerStop: stop signal, wait the grace period, then SIGKILL (moby daemon/stop.go).

    A paused container is resumed so the signal can be delivered (killWithSignal).
    """
    if timeout is None:
        timeout = container.config.get("StopTimeout", DEFAULT_STOP_TIMEOUT)
    number = lifecycle.parse_signal(signal) if signal else stop_signal_of(container)
    process = pid1(container)
    code = lifecycle.signal_outcome(process, number) if process else 128 + number
    sent = [ev.SignalSent(container.id, lifecycle.signal_name(number))]
    if code is not None:  # ended by the signal (SIGKILL always): no grace wait, no second kill
        daemon.clock.advance(daemon.ids.number(10, 200, "shutdown") / 1000)
        return sent + stopped(daemon, container, code, lifecycle.signal_name(number))
    # Still running when the grace period ends: the daemon uses the force.
    if timeout > 0:
        daemon.clock.advance(timeout)
    sent.append(ev.SignalSent(container.id, "SIGKILL", after_seconds=timeout))
    return sent + stopped(daemon, container, 137, "SIGKILL")


def kill(daemon, container, number: int) -> list[ev.Event]:
    """Deliver one signal to PID 1; the container ends only if the process does (daemon/kill.go)."""
    if container.restarting:
        return []  # no task to signal
    process = pid1(container)
    code = lifecycle.signal_outcome(process, number) if process else 128 + number
    event = ev.SignalSent(container.id, lifecycle.signal_name(number))
    if code is None:
        return [event]
    return [event] + stopped(daemon, container, code, lifecycle.signal_name(number))


def pause(daemon, container) -> list[ev.Event]:
    container.paused = True
    return [ev.ContainerStateChanged(container.id, "running", "paused")]


def unpause(daemon, container) -> list[ev.Event]:
    container.paused = False
    return [ev.ContainerStateChanged(container.id, "paused", "running")]


# ---- removal ------------------------------------------------------------------------------
def discard(daemon, container) -> list[ev.Event]:
    """Delete the container and its read-write layer; free image layers nothing else uses."""
    daemon.containers.pop(container.id, None)
    events = [ev.ContainerRemoved(container.id, container.name)]
    for chain in daemon.release_layers(container.diff_ids):
        events.append(ev.LayerRemoved(chain))
    return events


def remove(daemon, container, force: bool = False) -> list[ev.Event]:
    """`docker rm [-f]`: -f kills a running container with SIGKILL first."""
    events = []
    if force and container.running:
        events += lifecycle.mark_stopped(daemon, container, 137, "SIGKILL")
    return events + discard(daemon, container)


# ---- the daemon's API: state rules enforced here (moby daemon/start.go, stop.go, kill.go…) -------
def container_start(daemon, container, typed: str) -> RunResult | None:
    """None when the container already runs (304 "container is already running": a success)."""
    if lifecycle.check("start", container, typed) == lifecycle.NOOP:
        return None
    return start(daemon, container)


def container_stop(daemon, container, typed: str, timeout: int | None = None, signal: str | None = None) -> list[ev.Event]:
    """[] when already stopped (304). The signal is parsed inside, its error wrapped (daemon/stop.go)."""
    if lifecycle.check("stop", container, typed) == lifecycle.NOOP:
        return []
    if signal:
        try:
            lifecycle.parse_signal(signal)
        except DaemonError as err:
            raise DaemonError(f"cannot stop container: {typed}: {err.message}") from None
    return stop(daemon, container, timeout, signal=signal)


def container_kill(daemon, container, typed: str, number: int) -> list[ev.Event]:
    lifecycle.check("kill", container, typed)
    return kill(daemon, container, number)


def container_pause(daemon, container, typed: str) -> list[ev.Event]:
    lifecycle.check("pause", container, typed)
    return pause(daemon, container)


def container_unpause(daemon, container, typed: str) -> list[ev.Event]:
    lifecycle.check("unpause", container, typed)
    return unpause(daemon, container)


def container_restart(daemon, container, typed: str, timeout: int | None = None,
                      signal: str | None = None) -> list[ev.Event]:
    """Stop if running, then start (daemon/restart.go); a start failure is wrapped."""
    lifecycle.check("restart", container, typed)
    events = stop(daemon, container, timeout, signal=signal) if container.running else []
    try:
        return events + start(daemon, container).events
    except StartFailed as err:
        raise DaemonError(f"Cannot restart container {typed}: {err.message}") from None


def container_rm(daemon, container, typed: str, force: bool = False) -> list[ev.Event]:
    lifecycle.check("rm -f" if force else "rm", container, typed)
    return remove(daemon, container, force)


def container_exec(daemon, container, typed: str, argv: list[str], **options) -> RunResult:
    lifecycle.check("exec", container, typed)
    return exec_in(daemon, container, argv, **options)

