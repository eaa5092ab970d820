"""Container state rules: what each command may do in each state, and time passing."""
from __future__ import annotations


def settle(daemon) -> list[dict]:
    """Let virtual time act: processes that end by themselves (sleep N) exit; returns events."""
    events = []
    for container in daemon.containers.values():
        if not container.running or container.paused:
            continue
        for proc in list(container.processes):
            if proc.ends_at is None or proc.ends_at > daemon.now:
                continue
            if proc.pid == container.pid:
                container.running = container.paused = False
                container.exit_code, container.finished_at, container.pid = 0, proc.ends_at, 0
                container.last_signal = ""
                container.processes = []
                events.append({"type": "state", "container": container.id, "to": "exited",
                               "exit_code": 0, "reason": "process ended"})
                break
            container.processes.remove(proc)
    return events
