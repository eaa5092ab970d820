"""`docker ps` / `container ls`: the rows a --format template sees (formatter.ContainerContext),
the STATUS, PORTS and IMAGE columns (moby daemon/list.go, daemon/container/state.go), filters
(ancestor, before/since, label, status, health…) and the default table (docker/cli v28.5)."""
from __future__ import annotations

import datetime as _dt
import re

from engine import patterns
from engine.cli.container.flags import command_text
from engine.cli.formatter.display import ellipsis, human_duration_ns, human_size, quote_go, since
from engine.cli.gotemplate import template as gotemplate
from engine.cli.listing import render_rows
from engine.cli.parser import Command, Flag
from engine.clock import NS
from engine.daemon.processes import health_of
from engine.errors import DaemonError, DockerError, UsageError
from engine.refs import InvalidReference, looks_like_id, parse as parse_ref

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
                out.append((int(port), proto, f"{join_host_port(b['HostIp'], host)}->{port}/{proto}"))
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

    def __init__(self, daemon, c, trunc: bool, with_size: bool, image: str):
        """image: the IMAGE column, image_column(daemon, c, trunc)."""
        now = daemon.now
        command = command_text(c.path, c.args)
        self.ID = c.id[:12] if trunc else c.id
        self.Image = image
        self.Command = quote_go(ellipsis(command, 20) if trunc else command)
        self.CreatedAt = _dt.datetime.fromtimestamp(c.created // NS, _dt.timezone.utc).strftime(
            "%Y-%m-%d %H:%M:%S +0000 UTC")
        self.RunningFor = since(now, c.created)
        self.Ports = ports_text(c)
        self.State = c.status
        self.Status = status_text(c, now, health_of(daemon, c))
        if with_size:  # sizes walk the R/W layer: only when a column shows them (list.go SizeRw)
            rw = daemon.rw_size(c)
            virtual = sum(daemon.layer(d).size for d in c.diff_ids) + rw
            self.Size = f"{human_size(rw)} (virtual {human_size(virtual)})"
        else:
            self.Size = human_size(0)
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
    images: dict[tuple[str, str], str] = {}  # the IMAGE column by (reference, image id), for this listing
    rows = []
    for c in select_containers(ctx.daemon, opts, filters):
        key = (c.image_ref, c.image_id)
        if key not in images:  # many containers, few images; the daemon does not change meanwhile
            images[key] = image_column(ctx.daemon, c, trunc)
        rows.append(PsRow(ctx.daemon, c, trunc, with_size, images[key]))
    if fmt and opts["quiet"]:  # cli/command/container/list.go runPs
        ctx.eprint("WARNING: Ignoring custom format, because both --format and --quiet are set.")
    if fmt == "raw":  # formatter.NewContainerFormat
        fmt = "container_id: {{.ID}}" if opts["quiet"] else PS_RAW + ("size: {{.Size}}\n" if with_size else "")
    elif opts["quiet"]:  # quiet wins over any other format
        fmt = "{{.ID}}"
    elif not fmt or fmt == "table":
        fmt = PS_TABLE + ("\t{{.Size}}" if opts["size"] else "")
    ctx.write(render_rows(fmt, rows, PS_HEADERS))


def join_host_port(host: str, port: str) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"  # net.JoinHostPort


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
]
