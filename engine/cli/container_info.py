"""Read-only container commands: ps / container ls, logs, top, diff (docker/cli v28.5 formatters,
moby daemon/list.go and daemon/container/state.go for the STATUS strings)."""
from __future__ import annotations

import datetime as _dt

from .. import lifecycle, patterns
from ..clock import NS
from ..errors import DaemonError, DockerError, UsageError
from ..refs import InvalidReference, looks_like_id, parse as parse_ref
from ..unionfs import diff
from . import gotemplate
from .container_flags import command_text
from .container_inspect import COMMANDS as INSPECT_COMMANDS
from .container_inspect import container_inspect_json  # noqa: F401  (docker inspect uses it)
from .format import ellipsis, human_duration_ns, human_size, quote_go, since, tabwrite
from .parser import Command, Flag

PS_TABLE = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"
PS_HEADERS = {"ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND", "CreatedAt": "CREATED AT",
              "RunningFor": "CREATED", "Ports": "PORTS", "State": "STATE", "Status": "STATUS",
              "Size": "SIZE", "Names": "NAMES", "Labels": "LABELS", "Mounts": "MOUNTS",
              "Networks": "NETWORKS", "LocalVolumes": "LOCAL VOLUMES"}
FILTER_KEYS = {"ancestor", "before", "expose", "exited", "health", "id", "isolation", "is-task", "label",
               "name", "network", "publish", "since", "status", "volume"}
STATE_NAMES = ("created", "running", "paused", "restarting", "removing", "exited", "dead")


# ---- STATUS, PORTS, IMAGE ------------------------------------------------------------------
def status_text(c, now: int) -> str:
    """(*State).String(), verbatim rules."""
    if c.running:
        if c.restarting:
            return f"Restarting ({c.exit_code}) {human_duration_ns(now - c.finished_at)} ago"
        up = "Up " + human_duration_ns(now - c.started_at)
        return up + " (Paused)" if c.paused else up
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
                out.append((int(port), proto, f"{b['HostIp']}:{host}->{port}/{proto}"))
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
        self.Status = status_text(c, now)
        rw = daemon.rw_size(c)
        virtual = sum(daemon.layer(d).size for d in c.diff_ids) + rw
        self.Size = f"{human_size(rw)} (virtual {human_size(virtual)})" if with_size else human_size(0)
        self.Names = c.name
        self.Labels = ",".join(f"{k}={v}" for k, v in (c.config.get("Labels") or {}).items())
        self.Mounts = self.Networks = self.LocalVolumes = ""
        self.Networks = "bridge"
        self.LocalVolumes = "0"


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
    for state in filters.get("status", []):
        if state not in STATE_NAMES:
            raise DaemonError(f"invalid filter 'status={state}': invalid value for state ({state}): "
                              f"must be one of {', '.join(STATE_NAMES)}")
    return filters


def _regex_match(pattern: str, text: str) -> bool:
    found = patterns.go_search(pattern, text)  # Go's regexp is RE2: linear, no backtracking
    return pattern in text if found is None else found


def _ancestors_match(daemon, c, refs: list[str]) -> bool:
    """ancestor=: the container's image or any image it was built FROM (image chain)."""
    chain, image = set(), daemon.images.get(c.image_id)
    while image is not None:
        chain.add(image.id)
        image = daemon.images.get(image.parent)
    for ref in refs:
        try:
            wanted = daemon.image_or_none(ref)
        except DaemonError:
            wanted = None
        if wanted is not None and (wanted.id in chain or set(wanted.diff_ids) <= set(c.diff_ids)
                                   and wanted.diff_ids == c.diff_ids[:len(wanted.diff_ids)]):
            return True
    return False


def matches(daemon, c, filters) -> bool:
    checks = {
        "status": lambda v: c.status == v,
        "name": lambda v: _regex_match(v, c.name) or _regex_match(v, "/" + c.name),
        "id": lambda v: _regex_match(v, c.id),
        "exited": lambda v: v.isdigit() and int(v) == c.exit_code and not c.running and bool(c.started_at),
        "label": lambda v: _label_match(c, v),
    }
    for key, values in filters.items():
        if key == "ancestor":
            if not _ancestors_match(daemon, c, values):
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
    rows = [c for c in rows if (show_all or c.running) and matches(daemon, c, filters)]
    if last is not None and last > 0:
        rows = rows[:last]
    return rows


def render_rows(fmt: str, headers: dict, rows: list) -> str:
    """Docker's formatter: a table format gets a header line and the tabwriter; others print rows."""
    is_table = gotemplate.is_table_format(fmt)
    text = gotemplate.table_template(fmt)
    try:
        template = gotemplate.parse(text)
        out = []
        if is_table:
            out.append(gotemplate.parse(text, header=True).execute(headers) + "\n")
        out += [template.execute(row) + "\n" for row in rows]
    except gotemplate.TemplateError as err:
        raise DockerError(f"template parsing error: {err.message}") from None
    if is_table:
        return tabwrite("".join(out))
    return "".join(out)


def ps_cmd(ctx, opts, args):
    filters = parse_filters(opts["filter"])
    trunc = not opts["no-trunc"]
    fmt = opts["format"] or ""
    with_size = opts["size"] or ".Size" in fmt
    rows = [PsRow(ctx.daemon, c, trunc, with_size) for c in select_containers(ctx.daemon, opts, filters)]
    if opts["quiet"] and not fmt:
        fmt = "{{.ID}}"
    if not fmt or fmt == "table":
        fmt = PS_TABLE + ("\t{{.Size}}" if opts["size"] else "")
    ctx.write(render_rows(fmt, PS_HEADERS, rows))


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


def top_cmd(ctx, opts, args):
    container = ctx.daemon.find_container(args[0])
    lifecycle.check("top", container, args[0])
    shim = container.pid - 21
    tty = "pts/0" if container.config.get("Tty") else "?"
    rows = ["UID\tPID\tPPID\tC\tSTIME\tTTY\tTIME\tCMD"]
    for proc in container.processes:
        started = container.started_at if proc.pid == container.pid else container.started_at
        stime = _dt.datetime.fromtimestamp(started // NS, _dt.timezone.utc).strftime("%H:%M")
        user = container.config.get("User") or "root"
        rows.append(f"{user}\t{proc.pid}\t{shim}\t0\t{stime}\t{tty}\t00:00:00\t{proc.command}")
        # children the program started (nginx workers, a script's current command): PIDs after it
        for offset, child in enumerate(proc.extra, start=1):
            rows.append(f"{user}\t{proc.pid + 30 + offset}\t{proc.pid}\t0\t{stime}\t{tty}\t00:00:00\t{child}")
    # cli top.go: tabwriter.NewWriter(out, 20, 1, 3, ' ', 0)
    ctx.write(tabwrite("\n".join(rows) + "\n", minwidth=20))


def diff_cmd(ctx, opts, args):
    container = ctx.daemon.find_container(args[0])
    for kind, path in diff(ctx.daemon.merged(container.diff_ids), container.rw):
        ctx.print(f"{kind} {path}")


COMMANDS = [
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
