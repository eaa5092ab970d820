"""Read-only container commands: logs, top, port, diff, and the command table that gathers them
with ps (engine/cli/container/ps.py) and inspect (docker/cli v28.5, moby daemon)."""
from __future__ import annotations

import datetime as _dt
import re

from engine.cli.container.inspect import COMMANDS as INSPECT_COMMANDS
from engine.cli.container.inspect import network_settings
from engine.cli.container.ps import COMMANDS as PS_COMMANDS
from engine.cli.container.ps import join_host_port
from engine.cli.formatter.display import quote_go, tabwrite
from engine.cli.parser import Command, Flag
from engine.clock import NS
from engine.daemon import lifecycle
from engine.errors import CliError, DaemonError, DockerError


# ---- logs, top, diff ------------------------------------------------------------------------
def logs_cmd(ctx, opts, args):
    """Stored stdout/stderr lines. --follow cannot wait in a simulator: it prints what is there."""
    container = ctx.daemon.find_container(args[0])
    lifecycle.check("logs", container, args[0])
    lines = container.logs
    tail = opts["tail"]
    if tail not in ("all", "", None):
        try:
            count = int(tail)
        except ValueError:
            raise DaemonError(f'invalid value for "tail": "{tail}"') from None
        lines = lines[-count:] if count > 0 else ([] if count == 0 else lines)
    for stream, text in lines:
        (ctx.write if stream == "stdout" else ctx.ewrite)(text)


# `ps -o` field -> column title (procps-ng ps/output.c) and the value LayerLab knows for it
PS_FIELDS = {"pid": "PID", "ppid": "PPID", "user": "USER", "uid": "UID", "comm": "COMMAND", "args": "COMMAND",
             "cmd": "CMD", "command": "COMMAND", "etime": "ELAPSED", "stat": "STAT", "tty": "TT", "time": "TIME",
             "stime": "STIME", "pcpu": "%CPU", "%cpu": "%CPU", "pmem": "%MEM", "%mem": "%MEM", "c": "C"}
PS_EF = ["uid_name", "pid", "ppid", "c", "stime", "tty_long", "time", "cmd"]
PS_AUX = ["user", "pid", "pcpu", "pmem", "vsz", "rss", "tty_long", "stat", "start", "bsdtime", "command"]
_TITLES = {**PS_FIELDS, "uid_name": "UID", "vsz": "VSZ", "rss": "RSS", "start": "START", "tty_long": "TTY",
           "bsdtime": "TIME"}


def _ps_columns(ps_args: str) -> list[str] | None:
    """The columns `ps <ps_args>` prints, for the forms LayerLab models; None for others."""
    words = ps_args.split()
    if not words or words in (["-ef"], ["-e", "-f"], ["-f"], ["-fe"]):
        return PS_EF
    if words in (["aux"], ["-aux"], ["au"], ["ax", "-u"]):
        return PS_AUX
    columns = []
    for i, word in enumerate(words):
        if word in ("-o", "-eo", "o") and i + 1 < len(words):
            columns += words[i + 1].split(",")
        elif i == 0 or words[i - 1] not in ("-o", "-eo", "o"):
            if word not in ("-e", "-A", "ax"):
                return None
    return columns if columns and all(c in PS_FIELDS for c in columns) else None


def _process_rows(daemon, container) -> list[dict]:
    """PID 1 (parent: the containerd shim), its children, exec'd processes."""
    shim, now = container.pid - 21, daemon.now
    user = container.config.get("User") or "root"
    tty = "pts/0" if container.config.get("Tty") else "?"
    stime = _dt.datetime.fromtimestamp(container.started_at // NS, _dt.timezone.utc).strftime("%H:%M")
    elapsed = max(0, (now - container.started_at) // NS)
    etime = f"{elapsed // 60:02d}:{elapsed % 60:02d}" if elapsed < 3600 else \
        f"{elapsed // 3600:02d}:{elapsed // 60 % 60:02d}:{elapsed % 60:02d}"
    base = {"uid_name": user, "user": user, "uid": "0" if user == "root" else user, "c": "0", "stime": stime,
            "start": stime, "tty": tty, "tty_long": tty, "time": "00:00:00", "bsdtime": "0:00", "etime": etime, "pcpu": "0.0", "pmem": "0.0",
            "%cpu": "0.0", "%mem": "0.0", "vsz": "1624", "rss": "4", "stat": "Ss"}
    rows = []
    for proc in container.processes:
        rows.append({**base, "pid": str(proc.pid), "ppid": str(shim), "comm": lifecycle.program_of(proc),
                     "args": proc.command, "cmd": proc.command, "command": proc.command})
        # children the program started (nginx workers, a script's current command): PIDs after it
        for offset, child in enumerate(proc.extra, start=1):
            rows.append({**base, "pid": str(proc.pid + 30 + offset), "ppid": str(proc.pid), "stat": "S",
                         "comm": child.split()[0].rstrip(":").rsplit("/", 1)[-1], "args": child, "cmd": child,
                         "command": child})
    return rows


def top_cmd(ctx, opts, args):
    """daemon/top_unix.go ContainerTop: `ps <args>` (default -ef) on the host, lines kept for the
    container's PIDs; no PID column is an error. LayerLab knows -ef, aux and -o FIELDS."""
    container = ctx.daemon.find_container(args[0])
    lifecycle.check("top", container, args[0])
    ps_args = " ".join(args[1:])
    columns = _ps_columns(ps_args)
    if columns is None:
        raise DockerError(f"LayerLab's docker top knows the ps options -ef, aux and -o FIELD,… "
                          f"({', '.join(PS_FIELDS)}), not `{ps_args}`")
    if "pid" not in columns:
        raise DaemonError("Couldn't find PID field in ps output")  # top_unix.go parsePSOutput
    rows = ["\t".join(_TITLES[c] for c in columns)]
    rows += ["\t".join(p[c] for c in columns) for p in _process_rows(ctx.daemon, container)]
    # cli top.go: tabwriter.NewWriter(out, 20, 1, 3, ' ', 0)
    ctx.write(tabwrite("\n".join(rows) + "\n", minwidth=20))


def port_cmd(ctx, opts, args):
    """docker/cli cli/command/container/port.go runPort (v28.5.2): the published ports from inspect's
    NetworkSettings.Ports, sorted (NaturalLess), or one private port's host addresses."""
    container = ctx.daemon.find_container(args[0])
    ports = network_settings(container)["Ports"]
    if len(args) > 1:
        port, _, proto = args[1].partition("/")
        if not port.isdigit() or int(port) > 65535:
            raise CliError(f"Error: invalid port ({port}): strconv.ParseUint: parsing {quote_go(port)}: "
                           + ("value out of range" if port.isdigit() else "invalid syntax"))
        frontends = ports.get(f"{port}/{proto or 'tcp'}") or []
        if not frontends:
            raise CliError(f"Error: No public port '{args[1]}' published for {args[0]}")
        out = [join_host_port(f["HostIp"], f["HostPort"]) for f in frontends]
    else:
        out = [f"{key} -> {join_host_port(f['HostIp'], f['HostPort'])}"
               for key, frontends in ports.items() for f in frontends or []]
    if out:
        ctx.print("\n".join(sorted(out, key=_natural_key)))


def _natural_key(text: str):
    """sortorder.NaturalLess: digit runs compare as numbers."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text) if part]


def diff_cmd(ctx, opts, args):
    container = ctx.daemon.find_container(args[0])
    for kind, path in ctx.daemon.rw_changes(container):  # diff() memoised by what it depends on
        ctx.print(f"{kind} {path}")


COMMANDS = [
    Command("docker container port", "docker container port CONTAINER [PRIVATE_PORT[/PROTO]]",
            "List port mappings or a specific mapping for the container", port_cmd,
            aliases=["docker port"], min_args=1, max_args=2),
] + PS_COMMANDS + [
    Command("docker container logs", "docker container logs [OPTIONS] CONTAINER", "Fetch the logs of a container",
            logs_cmd, [
                Flag("details", "", "bool", "Show extra details provided to logs"),
                Flag("follow", "f", "bool", "Follow log output"),
                Flag("since", "", "string", 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative '
                     '(e.g. "42m" for 42 minutes)', type_name="string"),
                Flag("tail", "n", "string", "Number of lines to show from the end of the logs", "all",
                     type_name="string"),
                Flag("timestamps", "t", "bool", "Show timestamps"),
                Flag("until", "", "string", 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or '
                     'relative (e.g. "42m" for 42 minutes)', type_name="string")],
            ["docker logs"], 1, 1),
    Command("docker container top", "docker container top CONTAINER [ps OPTIONS]",
            "Display the running processes of a container", top_cmd, [], ["docker top"], 1, None, False),
    Command("docker container diff", "docker container diff CONTAINER",
            "Inspect changes to files or directories on a container's filesystem", diff_cmd, [],
            ["docker diff"], 1, 1),
] + INSPECT_COMMANDS
