"""System commands: version, info, system df, and the generic `docker inspect`.

LayerLab imitates the output of Docker 28.5.2 but says what it is: the server platform is named
"LayerLab simulated engine", and values that only a real build has (git commit, Go version, build
time) are marked as simulated instead of being invented. The host's kernel and OS are those of the
one simulated host (engine/kernel.py) that `uname` in every container reports too.
"""
from __future__ import annotations

from engine import events as ev
from engine import kernel
from engine.cli.container import commands as containers
from engine.cli.container.inspect import container_inspect_json
from engine.cli.context import Context
from engine.cli.formatter.display import human_size4, tabwrite
from engine.cli.formatter.gojson import go_json
from engine.cli.gotemplate import template as gotemplate
from engine.cli.image import commands as images
from engine.cli.image.info import FORMAT_HELP, image_inspect_json, inspect_objects, inspect_text
from engine.cli.listing import render_rows
from engine.cli.parser import Command, Flag
from engine.daemon import images as images_ops
from engine.errors import DockerError, NotFound
from engine.layers.fs import chain_ids

VERSION = "28.5.2"
API_VERSION = "1.51"
MIN_API_VERSION = "1.24"
PLATFORM = "LayerLab simulated engine"
SIMULATED = "n/a (simulated)"


def version_line() -> str:
    """`docker --version` (real: "Docker version 28.5.2, build ecc6942")."""
    return f"Docker version {VERSION}, build layerlab"


# ---- docker version ----------------------------------------------------------------------------


def _version_text() -> str:
    """cli/command/system/version.go defaultVersionTemplate through tabwriter(minwidth 20, padding 1)."""
    lines = [
        "Client:",
        f" Version:\t{VERSION}",
        f" API version:\t{API_VERSION}",
        f" Go version:\t{SIMULATED}",
        " Git commit:\tlayerlab",
        f" Built:\t{SIMULATED}",
        f" OS/Arch:\t{kernel.OS_TYPE}/{kernel.GOARCH}",
        " Context:\tdefault",
        "",
        f"Server: {PLATFORM}",
        " Engine:",
        f"  Version:\t{VERSION}",
        f"  API version:\t{API_VERSION} (minimum version {MIN_API_VERSION})",
        f"  Go version:\t{SIMULATED}",
        "  Git commit:\tlayerlab",
        f"  Built:\t{SIMULATED}",
        f"  OS/Arch:\t{kernel.OS_TYPE}/{kernel.GOARCH}",
        "  Experimental:\tfalse",
    ]
    return tabwrite("\n".join(lines) + "\n", minwidth=20, padding=1)


def _cmd_version(ctx: Context, opts: dict, args: list[str]) -> int:
    if opts["format"]:
        # moby api/types/types.go:46-62 Version (field order); daemon/info.go:142 KernelVersion
        data = {"Client": {"Version": VERSION, "ApiVersion": API_VERSION, "Os": kernel.OS_TYPE,
                           "Arch": kernel.GOARCH, "Context": "default", "Platform": {"Name": PLATFORM}},
                "Server": {"Platform": {"Name": PLATFORM}, "Version": VERSION, "ApiVersion": API_VERSION,
                           "MinAPIVersion": MIN_API_VERSION, "Os": kernel.OS_TYPE, "Arch": kernel.GOARCH,
                           "KernelVersion": kernel.RELEASE, "Experimental": False}}
        return _formatted(ctx, data, opts["format"], "version")
    ctx.write(_version_text())
    return 0


def _formatted(ctx: Context, data: dict, template: str, name: str) -> int:
    """version.go / info.go formatInfo: `json`, or the template once over the whole object. A template
    that does not parse is StatusError 64 ("template parsing error", info.go:493-498)."""
    if template == "json":
        ctx.print(go_json(data))
        return 0
    try:
        gotemplate.parse(template)
    except gotemplate.TemplateError as err:
        raise DockerError("template parsing error: " + err.message.replace("template: :", f"template: {name}:", 1),
                          64) from None
    ctx.write(inspect_text([data], template, errors := []))
    if errors:
        raise DockerError("\n".join(errors))
    return 0


# ---- docker info -------------------------------------------------------------------------------


def _info_json(d) -> dict:
    """moby api/types/system/info.go Info, in its field order, trimmed to what LayerLab models
    (info.go's dockerInfo embeds it, then ClientInfo)."""
    states = [c.status for c in d.containers.values()]
    running = sum(s in ("running", "restarting") for s in states)
    paused = states.count("paused")
    return {"Containers": len(states), "ContainersRunning": running, "ContainersPaused": paused,
            "ContainersStopped": len(states) - running - paused, "Images": len(d.images), "Driver": "overlay2",
            "DriverStatus": [[k, v] for k, v in OVERLAY2_STATUS], "Debug": False, "LoggingDriver": "json-file",
            "CgroupDriver": "systemd", "CgroupVersion": "2", "KernelVersion": kernel.RELEASE,
            "OperatingSystem": kernel.OPERATING_SYSTEM, "OSVersion": kernel.OS_VERSION, "OSType": kernel.OS_TYPE,
            "Architecture": kernel.MACHINE, "DockerRootDir": "/var/lib/docker", "Name": "layerlab",
            "ExperimentalBuild": False, "ServerVersion": VERSION, "LiveRestoreEnabled": False,
            "ClientInfo": {"Debug": False, "Version": VERSION, "Context": "default", "Plugins": [],
                           "Warnings": None}}


# daemon/graphdriver/overlay2 Status(): what `docker info` lists under the storage driver
OVERLAY2_STATUS = (("Backing Filesystem", "extfs"), ("Supports d_type", "true"), ("Using metacopy", "false"),
                   ("Native Overlay Diff", "true"), ("userxattr", "false"))


def _cmd_info(ctx: Context, opts: dict, args: list[str]) -> int:
    """cli/command/system/info.go prettyPrintInfo, trimmed to what LayerLab models; --format runs
    over the same fields (info.go:483 formatInfo)."""
    info = _info_json(ctx.daemon)
    if opts["format"]:
        return _formatted(ctx, info, opts["format"], "info")
    lines = [
        "Client:",
        f" Version:    {VERSION}",
        " Context:    default",
        " Debug Mode: false",
        "",
        "Server:",
        f" Containers: {info['Containers']}",
        f"  Running: {info['ContainersRunning']}",
        f"  Paused: {info['ContainersPaused']}",
        f"  Stopped: {info['ContainersStopped']}",
        f" Images: {info['Images']}",
        f" Server Version: {VERSION}",
        " Storage Driver: overlay2",
        *(f"  {k}: {v}" for k, v in OVERLAY2_STATUS),
        " Logging Driver: json-file",
        " Cgroup Driver: systemd",
        " Cgroup Version: 2",
        # docker/cli cli/command/system/info.go:336-339; the host every container's uname reports
        f" Kernel Version: {kernel.RELEASE}",
        f" Operating System: {kernel.OPERATING_SYSTEM}",
        f" OSType: {kernel.OS_TYPE}",
        f" Architecture: {kernel.MACHINE}",
        " Name: layerlab",
        " Docker Root Dir: /var/lib/docker",
        " Debug Mode: false",
        " Experimental: false",
        " Live Restore Enabled: false",
        "",
    ]
    ctx.write("\n".join(lines) + "\n")
    return 0


# ---- docker system df --------------------------------------------------------------------------


def disk_usage(daemon) -> list[list[str]]:
    """The TYPE/TOTAL/ACTIVE/SIZE/RECLAIMABLE rows (formatter/disk_usage.go, sizes in HumanSize)."""
    images = list(daemon.images.values())
    chain_size: dict[str, int] = {}
    chain_users: dict[str, int] = {}
    for image in images:
        for chain, diff_id in zip(image.chain_ids, image.diff_ids):
            chain_size[chain] = daemon.layer(diff_id).size
            chain_users[chain] = chain_users.get(chain, 0) + 1
    for container in daemon.containers.values():  # layers a removed image left to its containers
        for chain, diff_id in zip(chain_ids(container.diff_ids), container.diff_ids):
            chain_size.setdefault(chain, daemon.layer(diff_id).size)
    total = sum(chain_size.values())
    used = 0
    active_images = 0
    for image in images:
        if daemon.containers_using(image):
            active_images += 1
            shared = sum(chain_size[c] for c in image.chain_ids if chain_users[c] > 1)
            used += daemon.image_size(image) - shared
    containers = list(daemon.containers.values())
    active = [c for c in containers if c.status in ("running", "paused", "restarting")]
    rw_sizes = {c.id: daemon.rw_size(c) for c in containers}  # each R/W layer walked once
    rw_total = sum(rw_sizes.values())
    rw_free = rw_total - sum(rw_sizes[c.id] for c in active)
    return [
        ["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"],
        ["Images", str(len(images)), str(active_images), human_size4(total), _reclaimable(total - used, total)],
        ["Containers", str(len(containers)), str(len(active)), human_size4(rw_total),
         _reclaimable(rw_free, rw_total)],
        ["Local Volumes", "0", "0", "0B", "0B"],
        ["Build Cache", "0", "0", "0B", "0B"],
    ]


def _reclaimable(amount: int, total: int) -> str:
    if total > 0:
        return f"{human_size4(amount)} ({amount * 100 // total}%)"
    return human_size4(amount)


DF_RAW = "type: {{.Type}}\ntotal: {{.TotalCount}}\nactive: {{.Active}}\nsize: {{.Size}}\nreclaimable: {{.Reclaimable}}\n"
DF_HEADERS = {"Type": "TYPE", "TotalCount": "TOTAL", "Active": "ACTIVE", "Size": "SIZE", "Reclaimable": "RECLAIMABLE"}


def _cmd_df(ctx: Context, opts: dict, args: list[str]) -> int:
    if opts["verbose"]:
        raise DockerError("LayerLab's docker system df shows the summary (no -v)")
    rows = disk_usage(ctx.daemon)
    fmt = opts["format"] or "table"
    if fmt == "table":
        ctx.write(tabwrite("".join("\t".join(r) + "\n" for r in rows)))
        return 0
    # formatter/disk_usage.go NewDiskUsageFormat (not verbose): raw, json or a template per type
    fields = [dict(zip(DF_HEADERS, row)) for row in rows[1:]]
    ctx.write(render_rows(DF_RAW if fmt == "raw" else fmt, fields, DF_HEADERS, "*formatter.diskUsageImagesContext"))
    return 0


# ---- docker inspect ----------------------------------------------------------------------------


def _container_json(daemon, ref: str) -> dict:
    return container_inspect_json(daemon, daemon.find_container(ref))


def _lookup_any(daemon, ref: str, kind: str) -> dict:
    """system/inspect.go inspectAll: container first, then image; a not-found (or, for the image, an
    invalid reference) moves on to the next kind; nothing found is `Error: No such object: x` (v28)."""
    if kind in ("", "container"):
        try:
            return _container_json(daemon, ref)
        except NotFound:
            if kind:
                raise
    if kind in ("", "image"):
        try:
            return image_inspect_json(daemon, images_ops.resolve_image(daemon, ref))
        except DockerError as err:
            if kind or not (isinstance(err, NotFound) or "invalid reference format" in str(err)):
                raise
    raise DockerError(f"Error: No such object: {ref}")


ALL_TYPES = ("config", "container", "image", "network", "node", "plugin", "secret", "service", "task", "volume")


def _cmd_inspect(ctx: Context, opts: dict, args: list[str]) -> int:
    kind = opts["type"] or ""
    if kind and kind not in ALL_TYPES:
        raise DockerError(f'unknown type: "{kind}": must be one of "' + '", "'.join(ALL_TYPES) + '"')

    def lookup(ref: str) -> dict:
        if kind not in ("", "container", "image"):
            raise DockerError(f"Error: No such object: {ref}")
        return _lookup_any(ctx.daemon, ref, kind)
    return inspect_objects(ctx, args, opts["format"], lookup)


SYSTEM_PRUNE_WARNINGS = ["all stopped containers", "all networks not used by at least one container"]


def _cmd_system_prune(ctx: Context, opts: dict, args: list[str]) -> int:
    """docker/cli cli/command/system/prune.go (v28.5.2): containers, networks, images, build cache,
    each printing what it removed, then the total. LayerLab has no user networks or volumes."""
    warnings = SYSTEM_PRUNE_WARNINGS + (["all anonymous volumes not used by at least one container"]
                                        if opts["volumes"] else [])
    warnings += ["all images without at least one container associated to them", "all build cache"] \
        if opts["all"] else ["all dangling images", "unused build cache"]
    message = "WARNING! This will remove:\n" + "".join(f"  - {w}\n" for w in warnings) + "\nAre you sure you want to continue?"
    if not opts["force"] and not images.confirmed(ctx, message):
        return 1  # cancelled: nothing more is printed, exit 1
    total = 0
    ids, events, reclaimed = containers.prune_containers(ctx.daemon)
    ctx.events.extend(events)
    if ids:
        ctx.print("Deleted Containers:\n" + "\n".join(ids) + "\n")
    total += reclaimed
    lines, events, reclaimed = images.prune_images(ctx.daemon, opts["all"])
    ctx.events.extend(events)
    if lines:
        ctx.print("Deleted Images:\n" + "".join(line + "\n" for line in lines))
    total += reclaimed
    cache = sorted(ctx.daemon.build_cache)
    if cache:  # builder.CachePrune; record ids are BuildKit's own (LayerLab shows its cache keys, cut)
        layers_before = dict(ctx.daemon.layers)
        ctx.daemon.build_cache.clear()
        ctx.daemon.release_layers([])
        freed = [d for d in layers_before if d not in ctx.daemon.layers]
        total += sum(layers_before[d].size for d in freed)
        ctx.events.append(ev.BuildCachePruned(len(cache)))
        ctx.print("Deleted build cache objects:\n" + "".join(key[:25] + "\n" for key in cache))
    ctx.print(f"Total reclaimed space: {human_size4(total)}")
    return 0


COMMANDS = [
    Command("docker version", "docker version [OPTIONS]", "Show the Docker version information", _cmd_version,
            flags=[Flag("format", "f", "string", FORMAT_HELP, type_name="string")], max_args=0),
    Command("docker info", "docker info [OPTIONS]", "Display system-wide information", _cmd_info,
            flags=[Flag("format", "f", "string", FORMAT_HELP, type_name="string")], max_args=0,
            aliases=["docker system info"]),
    Command("docker system df", "docker system df [OPTIONS]", "Show docker disk usage", _cmd_df,
            flags=[Flag("format", "", "string", FORMAT_HELP, type_name="string"),
                   Flag("verbose", "v", help="Show detailed information on space usage")], max_args=0),
    Command("docker inspect", "docker inspect [OPTIONS] NAME|ID [NAME|ID...]",
            "Return low-level information on Docker objects", _cmd_inspect,
            flags=[Flag("format", "f", "string", FORMAT_HELP, type_name="string"),
                   Flag("size", "s", help="Display total file sizes if the type is container"),
                   Flag("type", "", "string", "Only inspect objects of the given type", type_name="string")],
            min_args=1),
    Command("docker system prune", "docker system prune [OPTIONS]", "Remove unused data", _cmd_system_prune,
            flags=[Flag("all", "a", help="Remove all unused images not just dangling ones"),
                   Flag("filter", "", "list", 'Provide filter values (e.g. "label=<key>=<value>")', type_name="filter"),
                   Flag("force", "f", help="Do not prompt for confirmation"),
                   Flag("volumes", "", help="Prune anonymous volumes")], max_args=0),
]
