"""Container state rules: what each command may do in each state, signals, and state changes.

RULES is Docker's allowed-operations matrix (moby daemon/start.go, stop.go, kill.go, pause.go,
unpause.go, exec.go, delete.go, commit.go; reference §7.3) as one table: for a (command, state)
it says OK (do it), NOOP (the daemon answers 304 Not Modified, which the client treats as a
silent success) or the exact error the daemon returns. Handlers ask `check()` before acting.
"""
from __future__ import annotations

from engine import events as ev
from engine.errors import Conflict, DaemonError

OK, NOOP = "ok", "noop"
STATES = ("created", "running", "paused", "restarting", "exited", "dead")

# Error texts; {id} = full 64-hex id, {name} = the argument as the user typed it.
NOT_RUNNING = (Conflict, "container {id} is not running")  # errNotRunning / GetRunningTask
KILL_NOT_RUNNING = (Conflict, "cannot kill container: {name}: container {id} is not running")
RESTARTING = (Conflict, "Container {id} is restarting, wait until the container is running")
NOT_PAUSED = (DaemonError, "Container {id} is not paused")  # plain error -> 500
MARKED_FOR_REMOVAL = (Conflict, "container is marked for removal and cannot be started")
RM_RUNNING = (Conflict, 'cannot remove container "{name}": container is running: stop the container '
                        "before removing or force remove")
RM_PAUSED = (Conflict, 'cannot remove container "{name}": container is paused and must be unpaused first')
RM_RESTARTING = (Conflict, 'cannot remove container "{name}": container is restarting: stop the '
                           "container before removing or force remove")

RULES: dict[str, dict[str, object]] = {
    #          created            running  paused   restarting   exited             dead
    "start": dict(zip(STATES, (OK, NOOP, (Conflict, "cannot start a paused container, try unpause instead"),
                               NOOP, OK, MARKED_FOR_REMOVAL))),
    "stop": dict(zip(STATES, (NOOP, OK, OK, OK, NOOP, NOOP))),
    "restart": dict(zip(STATES, (OK, OK, OK, OK, OK,
                                 (DaemonError, "Cannot restart container {name}: "
                                               "container is marked for removal and cannot be started")))),
    "kill": dict(zip(STATES, (KILL_NOT_RUNNING, OK, OK, OK, KILL_NOT_RUNNING, KILL_NOT_RUNNING))),
    "pause": dict(zip(STATES, (NOT_RUNNING, OK, (Conflict, "Container {id} is already paused"),
                               RESTARTING, NOT_RUNNING, NOT_RUNNING))),
    "unpause": dict(zip(STATES, (NOT_PAUSED, NOT_PAUSED, OK, NOT_PAUSED, NOT_PAUSED, NOT_PAUSED))),
    "exec": dict(zip(STATES, (NOT_RUNNING, OK,
                              (Conflict, "Container {name} is paused, unpause the container before exec"),
                              RESTARTING, NOT_RUNNING, NOT_RUNNING))),
    "top": dict(zip(STATES, (NOT_RUNNING, OK, OK, RESTARTING, NOT_RUNNING, NOT_RUNNING))),
    "rm": dict(zip(STATES, (OK, RM_RUNNING, RM_PAUSED, RM_RESTARTING, OK, OK))),
    "rm -f": dict(zip(STATES, (OK,) * 6)),
    "commit": dict(zip(STATES, (OK, OK, OK, OK, OK,
                                (DaemonError, "You cannot commit container {id} which is Dead")))),
    "logs": dict(zip(STATES, (OK, OK, OK, OK, OK,
                              (DaemonError, "can not get logs from container which is dead or marked "
                                            "for removal")))),
    "update": dict(zip(STATES, (OK, OK, OK, OK, OK,
                                (DaemonError, 'Cannot update container {id}: container is marked for removal '
                                              'and cannot be "update"')))),  # daemon/update.go:57-59
    "export": dict(zip(STATES, (OK, OK, OK, OK, OK,
                                (DaemonError, "You cannot export container {id} which is Dead")))),
}


def rule(command: str, state: str):
    return RULES[command][state]


def check(command: str, container, typed: str) -> str:
    """OK or NOOP for `command` on `container` in its current state; raises Docker's error otherwise."""
    outcome = RULES[command][container.status]
    if outcome in (OK, NOOP):
        return outcome
    cls, text = outcome
    raise cls(text.format(id=container.id, name=typed))


# ---- signals ------------------------------------------------------------------------------
SIGNALS = {
    "HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "TRAP": 5, "ABRT": 6, "IOT": 6, "BUS": 7, "FPE": 8,
    "KILL": 9, "USR1": 10, "SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15,
    "STKFLT": 16, "CHLD": 17, "CONT": 18, "STOP": 19, "TSTP": 20, "TTIN": 21, "TTOU": 22,
    "URG": 23, "XCPU": 24, "XFSZ": 25, "VTALRM": 26, "PROF": 27, "WINCH": 28, "IO": 29,
    "POLL": 29, "PWR": 30, "SYS": 31,
}
SIGNAL_NAMES = {n: "SIG" + name for name, n in reversed(list(SIGNALS.items()))}
# Signals whose default action does not end a process (ignore / stop / continue).
NON_TERMINATING = {SIGNALS[n] for n in ("CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG", "WINCH")}


def parse_signal(text: str) -> int:
    """moby/sys/signal ParseSignal (vendored in moby v28.5.2, signal.go:42-48): a number, or a name
    with or without SIG, any case; "invalid signal: X" otherwise."""
    if text.lstrip("-").isdigit():
        number = int(text)
        if number <= 0 or number > 64:
            raise DaemonError(f"invalid signal: {text}")
        return number
    name = text.upper()
    name = name[3:] if name.startswith("SIG") else name
    if name not in SIGNALS:
        raise DaemonError(f"invalid signal: {text}")
    return SIGNALS[name]


def signal_name(number: int) -> str:
    return SIGNAL_NAMES.get(number, str(number))


def program_of(process) -> str:
    first = process.command.split()[0] if process.command.split() else ""
    name = first.rsplit("/", 1)[-1]
    return name.split(":")[0]  # "nginx: master process" -> nginx


def signal_outcome(process, number: int, *, pid1: bool = True) -> int | None:
    """Exit code when `process` receives signal `number`, or None when it keeps running.

    Linux gives PID 1 no default signal actions (docs container_run.md: it "ignores any signal
    with the default action"), so sleep/sh/tail as PID 1 survive SIGTERM; only SIGKILL is certain.
    Programs with handlers: nginx exits 0 on TERM/INT (fast shutdown) and QUIT (graceful), and
    keeps running on HUP (reload), USR1 (reopen logs), USR2, WINCH (nginx.org docs control.html).
    """
    if number == SIGNALS["KILL"]:
        return 128 + number
    if number in NON_TERMINATING:
        return None
    program = program_of(process)
    if program == "nginx" or process.on_sigterm == "exit0":
        if number in (SIGNALS["TERM"], SIGNALS["INT"], SIGNALS["QUIT"]):
            return 0
        return None
    if program.startswith("python") and number == SIGNALS["INT"]:
        return 130  # KeyboardInterrupt: python's own handler, then exit 128+SIGINT
    if process.on_sigterm == "terminate" or not pid1:
        return 128 + number
    return None  # PID 1 without a handler: default action ignored


# ---- state changes ------------------------------------------------------------------------
def mark_running(daemon, container, pid: int) -> dict:
    """SetRunning: FinishedAt is kept (moby daemon/container/state.go)."""
    before = container.status
    container.running, container.paused, container.restarting = True, False, False
    container.exit_code, container.pid, container.oom_killed = 0, pid, False
    container.started_at, container.last_signal = daemon.now, ""
    set_error(container, "")
    return ev.ContainerStateChanged(container.id, before, "running")


def mark_stopped(daemon, container, exit_code: int, signal: str = "", at: int | None = None) -> list[ev.Event]:
    """SetStopped: every process of the container ends with PID 1 (exec'd ones die with it)."""
    before = container.status
    events: list[ev.Event] = [ev.ProcessRemoved(container.id, p.pid, p.command)
              for p in container.processes]
    container.running = container.paused = container.restarting = False
    container.pid, container.exit_code = 0, exit_code
    container.finished_at = daemon.now if at is None else at
    container.last_signal = signal
    container.processes = []
    container.exec_ids = []
    return events + [ev.ContainerStateChanged(container.id, before, "exited", exit_code, signal or None)]


def set_error(container, message: str) -> None:
    """State.Error: the start failure text (`docker inspect` shows it)."""
    container.error = message
