"""Read-only container commands: ps / container ls, logs, top, diff (docker/cli v28.5 formatters,
moby daemon/list.go and daemon/container/state.go for the STATUS strings)."""
from __future__ import annotations

import datetime as _dt
import re

from .. import lifecycle, patterns
from ..clock import NS
from ..containers_run import health_of
from ..errors import CliError, DaemonError, DockerError, UsageError
from ..refs import InvalidReference, looks_like_id, parse as parse_ref
from ..unionfs_diff import diff
from . import gotemplate
from .container_flags import command_text
from .container_inspect import COMMANDS as INSPECT_COMMANDS
from .container_inspect import network_settings
from .format import ellipsis, human_duration_ns, human_size, quote_go, since, tabwrite
from .image_listfmt import render_rows
from .parser import Command, Flag

PS_TABLE = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"
PS_RAW = ("container_id: {{.ID}}\nimage: {{.Image}}\ncommand: {{.Command}}\ncreated_at: {{.CreatedAt}}\n"
          "state: {{- pad .State 1 0}}\nstatus: {{- pad .Status 1 0}}\nnames: {{.Names}}\n"
          "labels: {{- pad .Labels 1 0}}\nports: {{- pad .Ports 1 0}}\n")
PS_HEADERS = {"ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND", "CreatedAt": "CREATED AT",
              "RunningFor": "CREATED", "Ports": "PORTS", "State": "STATE", "Status": "STATUS",
              "Size": "SIZE", "Names": "NAMES", "Labels": "LABELS", "Mounts": "MOUNTS",
              "Networks": "NETWORKS", "LocalVolumes": "LOCAL VOLUMES"}
FILTER_KEYS = {"ancestor", "before", "expose", "exited", "health", "id", "isolation", "is-task", "label",
               "name", "network", "publish", "since", "status", "volume"}
STATE_NAMES = ("created", "running", "paused", "restarting", "removing", "exited", "dead")
HEALTH_NAMES = ("none", "starting", "healthy", "unhealthy")


# ---- STATUS, PORTS, IMAGE ------------------------------------------------------------------
def status_text(c, now: int, health: dict | None = None) -> str:
    """(*State).String(), verbatim rules (moby daemon/container/state.go); health: State.Health."""
    if c.running:
        if c.restarting:
            return f"Restarting ({c.exit_code}) {human_duration_ns(now - c.finished_at)} ago"
        up = "Up " + human_duration_ns(now - c.started_at)
        if c.paused:
            return up + " (Paused)"
        if health is not None:  # Health.String(): "health: starting", else the status
            status = health["Status"]
            return f"{up} ({'health: starting' if status == 'starting' else status})"
        return up
    if c.dead:
        return "Dead"
    if not c.started_at:
        return "Created"
    if not c.finished_at:
        return ""
    return f"Exited ({c.exit_code}) {human_duration_ns(now - c.finished_at)} ago"


def port_list(c) -> list[tuple[int, str, str]]:
    """(private port, proto, display) for a running container: published or just exposed."""
    if not c.running:
        return []  # a stopped container has no network settings, so PORTS is empty
    exposed = set(c.config.get("ExposedPorts") or {}) | set(c.host_config.get("PortBindings") or {})
    out = []
    for key in exposed:
        port, _, proto = key.partition("/")
        bindings = (c.host_config.get("PortBindings") or {}).get(key) or []
        if not bindings:
            out.append((int(port), proto, f"{port}/{proto}"))
        for b in bindings:
            host = b.get("HostPort") or port
            if b.get("HostIp"):
                out.append((int(port), proto, f"{_join_host_port(b['HostIp'], host)}->{port}/{proto}"))
            else:
                out.append((int(port), proto, f"0.0.0.0:{host}->{port}/{proto}"))
                out.append((int(port), proto, f"[::]:{host}->{port}/{proto}"))
    return sorted(out, key=lambda p: (p[0], p[1], "[" in p[2]))


def ports_text(c) -> str:
    """DisplayablePorts: consecutive unpublished ports of one protocol grouped as 80-82/tcp."""
    items, out = port_list(c), []
    for port, proto, text in items:
        if "->" not in text and out and out[-1][0] == "range" and out[-1][2] == proto and out[-1][3] == port - 1:
            out[-1] = ("range", out[-1][1], proto, port)
        elif "->" not in text:
            out.append(("range", port, proto, port))
        else:
            out.append(("text", text, "", 0))
    return ", ".join(o[1] if o[0] == "text" else (f"{o[1]}/{o[2]}" if o[1] == o[3] else f"{o[1]}-{o[3]}/{o[2]}")
                     for o in out)


def image_column(daemon, c, trunc: bool) -> str:
    """Config.Image as typed, familiar form; the image id if the reference now means another image."""
    ref = c.image_ref
    try:
        current = daemon.image_or_none(ref)
    except DaemonError:
        current = None
    if current is None or current.id != c.image_id or looks_like_id(ref.replace("sha256:", "")):
        return c.image_id[7:19] if trunc else c.image_id
    try:
        parsed = parse_ref(ref)
        text = parsed.repository + (f":{parsed.tag}" if ":" in ref.rsplit("/", 1)[-1].split("@")[0] else "")
    except InvalidReference:
        text = ref
    return text or "<no image>"


class PsRow:
    """The fields a `docker ps --format` template sees (formatter.ContainerContext)."""

    go_type = "*formatter.ContainerContext"

    def __init__(self, daemon, c, trunc: bool, with_size: bool):
        now = daemon.now
        command = command_text(c.path, c.args)
        self.ID = c.id[:12] if trunc else c.id
        self.Image = image_column(daemon, c, trunc)
        self.Command = quote_go(ellipsis(command, 20) if trunc else command)
        self.CreatedAt = _dt.datetime.fromtimestamp(c.created // NS, _dt.timezone.utc).strftime(
            "%Y-%m-%d %H:%M:%S +0000 UTC")
        self.RunningFor = since(now, c.created)
        self.Ports = ports_text(c)
        self.State = c.status
        self.Status = status_text(c, now, health_of(daemon, c))
        rw = daemon.rw_size(c)
        virtual = sum(daemon.layer(d).size for d in c.diff_ids) + rw
        self.Size = f"{human_size(rw)} (virtual {human_size(virtual)})" if with_size else human_size(0)
        self.Names = c.name
        self._labels = c.config.get("Labels") or {}
        self.Labels = ",".join(sorted(f"{k}={v}" for k, v in self._labels.items()))  # sort.Strings
        self.Mounts = ""
        self.Networks = "bridge"
        self.LocalVolumes = "0"
        self.Platform = None  # ImageManifestDescriptor: set by the containerd image store only

    @classmethod
    def empty(cls) -> "PsRow":
        """A ContainerContext over a zero container.Summary (what list.go's pre-pass sees)."""
        row = cls.__new__(cls)
        row.__dict__.update(ID="", Image="<no image>", Command='""', CreatedAt="1970-01-01 00:00:00 +0000 UTC",
                            RunningFor="", Ports="", State="", Status="", Size="0B", Names="", _labels={},
                            Labels="", Mounts="", Networks="", LocalVolumes="0", Platform=None)
        return row

    def Label(self, name: str) -> str:  # noqa: N802 - the template calls it by Go's name
        """formatter.ContainerContext.Label: one label's value, "" when missing."""
        return self._labels.get(name, "")

    def go_marshal_json(self) -> dict:
        """formatter.MarshalJSON: every exported method without arguments, keys sorted."""
        return {k: v for k, v in sorted(vars(self).items()) if not k.startswith("_")}


# ---- ps -----------------------------------------------------------------------------------
def parse_filters(values: list[str]) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for value in values:
        key, eq, val = value.partition("=")
        if not eq:
            raise UsageError(f'invalid argument "{value}" for "-f, --filter" flag: bad format of filter '
                             "(expected name=value)", "docker ps")
        filters.setdefault(key.strip().lower(), []).append(val)
    for key in filters:
        if key not in FILTER_KEYS:
            raise DaemonError(f"invalid filter '{key}'")
    for value in filters.get("exited", []):  # daemon/list.go foldFilter: strconv.Atoi
        if not re.fullmatch(r"[+-]?\d+", value):
            raise DaemonError(f"invalid filter 'exited={value}': strconv.Atoi: parsing {quote_go(value)}: "
                              "invalid syntax")
    for value in filters.get("health", []):  # api/types/container/health.go ValidateHealthStatus
        if value not in HEALTH_NAMES:
            raise DaemonError(f"invalid filter 'health={value}': invalid value for health ({value}): "
                              f"must be one of {', '.join(HEALTH_NAMES)}")
    for state in filters.get("status", []):
        if state not in STATE_NAMES:
            raise DaemonError(f"invalid filter 'status={state}': invalid value for state ({state}): "
                              f"must be one of {', '.join(STATE_NAMES)}")
    return filters


def _regex_match(pattern: str, text: str) -> bool:
    found = patterns.go_search(pattern, text)  # Go's regexp is RE2: linear, no backtracking
    return pattern in text if found is None else found


def _ancestors_match(daemon, c, refs: list[str]) -> bool:
    """ancestor=: the named image and its descendants through Parent links (daemon/list.go:328-342,
    populateImageFilterByParents over imageService.Children): images built here by the legacy
    builder; a pulled image that merely shares layers is not a descendant. Unknown names match nothing."""
    chain, image = set(), daemon.images.get(c.image_id)
    while image is not None:
        chain.add(image.id)
        image = daemon.images.get(image.parent)
    for ref in refs:
        try:
            wanted = daemon.image_or_none(ref)
        except DaemonError:
            wanted = None
        if wanted is not None and wanted.id in chain:
            return True
    return False


def matches(daemon, c, filters) -> bool:
    checks = {
        "status": lambda v: c.status == v,
        "name": lambda v: _regex_match(v, c.name) or _regex_match(v, "/" + c.name),
        "id": lambda v: _regex_match(v, c.id),
        "exited": lambda v: int(v) == c.exit_code and not c.running and bool(c.started_at),
        # ExactMatch against the snapshot's Health: "none" without a running healthcheck (list.go:497)
        "health": lambda v: v == ((health_of(daemon, c) or {}).get("Status") or "none"),
    }
    for key, values in filters.items():
        if key == "ancestor":
            if not _ancestors_match(daemon, c, values):
                return False
        elif key == "label":  # Args.MatchKVList: every label filter must match
            if not all(_label_match(c, v) for v in values):
                return False
        elif key in checks and not any(checks[key](v) for v in values):
            return False
    return True


def _label_match(c, spec: str) -> bool:
    labels = c.config.get("Labels") or {}
    key, eq, value = spec.partition("=")
    return key in labels and (not eq or labels[key] == value)


def select_containers(daemon, opts, filters) -> list:
    rows = sorted(daemon.containers.values(), key=lambda c: c.created, reverse=True)
    # equal creation times keep the newest created first (creation order reversed)
    order = {cid: i for i, cid in enumerate(daemon.containers)}
    rows.sort(key=lambda c: (c.created, order[c.id]), reverse=True)
    last = 1 if opts["latest"] else opts["last"]
    show_all = opts["all"] or bool(filters.get("status")) or (last is not None and last > 0)
    # before=/since= name a container (its last value wins); the walk goes newest first and drops
    # everything up to and including `before`, stops at `since` (daemon/list.go includeContainerInList)
    before = [daemon.find_container(v) for v in filters.get("before", [])][-1:]
    since_ = [daemon.find_container(v) for v in filters.get("since", [])][-1:]
    if before:
        rows = rows[[c.id for c in rows].index(before[0].id) + 1:]
    if since_:
        rows = rows[:[c.id for c in rows].index(since_[0].id)] if since_[0] in rows else rows
    rows = [c for c in rows if (show_all or c.running) and matches(daemon, c, filters)]
    if last is not None and last > 0:
        rows = rows[:last]
    return rows


def _validate_template(fmt: str) -> None:
    """list.go buildContainerListOptions: a --format is parsed and run once over an empty
    ContainerContext before the daemon is asked, with its own error prefixes."""
    try:
        template = gotemplate.parse(fmt)
    except gotemplate.TemplateError as err:
        raise DockerError(f"failed to parse template: {err.message}") from None
    try:
        template.execute(PsRow.empty())
    except gotemplate.TemplateError as err:
        raise DockerError(f"failed to execute template: {err.message}") from None


def ps_cmd(ctx, opts, args):
    filters = parse_filters(opts["filter"])
    trunc = not opts["no-trunc"]
    fmt = opts["format"] or ""
    if fmt:
        _validate_template(fmt)
    with_size = opts["size"] or ".Size" in fmt
    rows = [PsRow(ctx.daemon, c, trunc, with_size) for c in select_containers(ctx.daemon, opts, filters)]
    if fmt and opts["quiet"]:  # cli/command/container/list.go runPs
        ctx.eprint("WARNING: Ignoring custom format, because both --format and --quiet are set.")
    if fmt == "raw":  # formatter.NewContainerFormat
        fmt = "container_id: {{.ID}}" if opts["quiet"] else PS_RAW + ("size: {{.Size}}\n" if with_size else "")
    elif opts["quiet"]:  # quiet wins over any other format
        fmt = "{{.ID}}"
    elif not fmt or fmt == "table":
        fmt = PS_TABLE + ("\t{{.Size}}" if opts["size"] else "")
    ctx.write(render_rows(fmt, rows, PS_HEADERS))


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
        out = [_join_host_port(f["HostIp"], f["HostPort"]) for f in frontends]
    else:
        out = [f"{key} -> {_join_host_port(f['HostIp'], f['HostPort'])}"
               for key, frontends in ports.items() for f in frontends or []]
    if out:
        ctx.print("\n".join(sorted(out, key=_natural_key)))


def _join_host_port(host: str, port: str) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"  # net.JoinHostPort


def _natural_key(text: str):
    """sortorder.NaturalLess: digit runs compare as numbers."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text) if part]


def diff_cmd(ctx, opts, args):
    container = ctx.daemon.find_container(args[0])
    for kind, path in diff(ctx.daemon.merged(container.diff_ids), container.rw):
        ctx.print(f"{kind} {path}")


COMMANDS = [
    Command("docker container port", "docker container port CONTAINER [PRIVATE_PORT[/PROTO]]",
            "List port mappings or a specific mapping for the container", port_cmd,
            aliases=["docker port"], min_args=1, max_args=2),
    Command("docker container ls", "docker container ls [OPTIONS]", "List containers", ps_cmd, [
        Flag("all", "a", "bool", "Show all containers (default shows just running)"),
        Flag("filter", "f", "list", "Filter output based on conditions provided", type_name="filter"),
        Flag("format", "", "string", "Format output using a custom template:\n'table':            Print output "
             "in table format with column headers (default)\n'table TEMPLATE':   Print output in table format "
             "using the given Go template\n'json':             Print in JSON format\n'TEMPLATE':         Print "
             "output using the given Go template.\nRefer to https://docs.docker.com/go/formatting/ for more "
             "information about formatting output with templates", type_name="string"),
        Flag("last", "n", "int", "Show n last created containers (includes all states)", -1, type_name="int"),
        Flag("latest", "l", "bool", "Show the latest created container (includes all states)"),
        Flag("no-trunc", "", "bool", "Don't truncate output"),
        Flag("quiet", "q", "bool", "Only display container IDs"),
        Flag("size", "s", "bool", "Display total file sizes")],
        ["docker container list", "docker container ps", "docker ps"], 0, 0),
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
