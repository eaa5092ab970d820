"""What the daemon does to containers once its API allowed it: create, exits and time passing,
signals (stop, kill, pause), removal. These plain operations are shared by the daemon's API
(engine/daemon/api.py), the builder and an attached session; each returns the events the stage
highlights. Running a program in a container is engine/daemon/processes.py.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field, replace

from engine import events as ev
from engine import limits
from engine.daemon import lifecycle
from engine.daemon.model import Container, Process
from engine.errors import Conflict, DaemonError, InvalidArgument

DEFAULT_STOP_TIMEOUT = 10  # daemon defaultStopTimeout on Linux (seconds)
NAME_PATTERN = re.compile(r"^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$")  # daemon validContainerNamePattern


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
