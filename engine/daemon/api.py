"""The daemon's container API, as moby's ContainerStart, ContainerStop… (daemon/start.go, stop.go,
kill.go, pause.go, restart.go, delete.go, exec.go): each `container_*` enforces the state rules
(`lifecycle.check`: ok, a silent 304 no-op, or Docker's exact error) before it acts through the
plain operations.
"""
from __future__ import annotations

from engine import events as ev
from engine.daemon import lifecycle
from engine.daemon.containers import RunResult, kill, pause, remove, stop, unpause
from engine.daemon.processes import exec_in, start
from engine.errors import DaemonError, StartFailed


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
