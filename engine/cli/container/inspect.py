"""`docker container inspect`: the daemon's InspectResponse JSON in its key order (api/types/container
container.go, graph-driver store, API 1.51 = Docker 28.5)."""
from __future__ import annotations

from engine.cli.formatter.display import rfc3339nano
from engine.cli.formatter.goprint import GoNil, GoTime
from engine.cli.image.info import FORMAT_HELP, inspect_objects
from engine.cli.parser import Command, Flag
from engine.daemon import images as images_ops
from engine.daemon.model import Container
from engine.daemon.processes import health_of
from engine.layers.fs import chain_ids

CONTAINERS_ROOT = "/var/lib/docker/containers"


def state_json(c: Container, health: dict | None = None) -> dict:
    state = {"Status": c.status, "Running": c.running, "Paused": c.paused, "Restarting": c.restarting,
             "OOMKilled": c.oom_killed, "Dead": c.dead, "Pid": c.pid, "ExitCode": c.exit_code,
             "Error": c.error, "StartedAt": rfc3339nano(c.started_at),
             "FinishedAt": rfc3339nano(c.finished_at)}
    if health is not None:  # Health *Health `json:",omitempty"` (api/types/container/state.go)
        state["Health"] = {**health, "Log": [{**entry, "Start": GoTime(entry["Start"]), "End": GoTime(entry["End"])}
                                             for entry in health["Log"]]}
    return state


def graph_driver(c: Container) -> dict:
    """overlay2 metadata of the RW layer: its -init layer, then the image layers nearest first."""
    root = images_ops.OVERLAY_ROOT
    lower = [f"{root}/{c.mount_id}-init/diff"]
    lower += [f"{root}/{images_ops.layer_cache_id(chain)}/diff" for chain in reversed(chain_ids(c.diff_ids))]
    return {"Data": {"LowerDir": ":".join(lower), "MergedDir": f"{root}/{c.mount_id}/merged",
                     "UpperDir": f"{root}/{c.mount_id}/diff", "WorkDir": f"{root}/{c.mount_id}/work"},
            "Name": "overlay2"}


def host_config(c: Container) -> dict:
    """A real HostConfig's leading keys with the defaults `docker run` sends (trimmed)."""
    hc = c.host_config
    return {
        "Binds": None, "ContainerIDFile": "", "LogConfig": {"Type": "json-file", "Config": {}},
        "NetworkMode": "bridge", "PortBindings": hc.get("PortBindings") or {},
        "RestartPolicy": hc.get("RestartPolicy") or {"Name": "no", "MaximumRetryCount": 0},
        "AutoRemove": bool(hc.get("AutoRemove")), "VolumeDriver": "", "VolumesFrom": None,
        "ConsoleSize": [0, 0], "CapAdd": None, "CapDrop": None, "CgroupnsMode": "private", "Dns": [],
        "DnsOptions": [], "DnsSearch": [], "ExtraHosts": None, "GroupAdd": None, "IpcMode": "private",
        "Cgroup": "", "Links": None, "OomScoreAdj": 0, "PidMode": "", "Privileged": False,
        "PublishAllPorts": False, "ReadonlyRootfs": False, "SecurityOpt": None, "UTSMode": "",
        "UsernsMode": "", "ShmSize": 67108864, "Runtime": "runc", "Isolation": "", "CpuShares": hc.get("CpuShares", 0),
        "Memory": hc.get("Memory", 0), "NanoCpus": hc.get("NanoCpus", 0), "CgroupParent": "", "BlkioWeight": 0,
        "PidsLimit": hc.get("PidsLimit"),
        "MaskedPaths": ["/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys",
                        "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
                        "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap"],
        "ReadonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    }


def network_settings(c: Container) -> dict:
    """Minimal bridge settings; addresses only while running (the daemon releases them on stop)."""
    running = c.running
    ip = f"172.17.0.{2 + int(c.id[:2], 16) % 200}" if running else ""
    ports = {}
    if running:
        for key in c.config.get("ExposedPorts") or {}:
            ports[key] = None
        for key, bindings in (c.host_config.get("PortBindings") or {}).items():
            # no host address: the daemon binds IPv4 and IPv6 (ps shows both, cli.container.ps.port_list)
            ports[key] = [{"HostIp": ip, "HostPort": b.get("HostPort") or key.split("/")[0]}
                          for b in bindings for ip in ([b["HostIp"]] if b.get("HostIp") else ["0.0.0.0", "::"])]
    return {"Bridge": "", "SandboxID": "", "SandboxKey": "", "Ports": ports,
            "HairpinMode": False, "LinkLocalIPv6Address": "", "LinkLocalIPv6PrefixLen": 0,
            "SecondaryIPAddresses": None, "SecondaryIPv6Addresses": None, "EndpointID": "",
            "Gateway": "172.17.0.1" if running else "", "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0,
            "IPAddress": ip, "IPPrefixLen": 16 if running else 0, "IPv6Gateway": "", "MacAddress": "",
            "Networks": {"bridge": {"IPAMConfig": None, "Links": None, "Aliases": None, "MacAddress": "",
                                    "DriverOpts": None, "GwPriority": 0, "NetworkID": "", "EndpointID": "",
                                    "Gateway": "172.17.0.1" if running else "", "IPAddress": ip,
                                    "IPPrefixLen": 16 if running else 0, "IPv6Gateway": "",
                                    "GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0, "DNSNames": None}}}


def config_json(c: Container) -> dict:
    """Config exactly as stored at create (Hostname … Labels, StopSignal?, StopTimeout?)."""
    config = dict(c.config)
    for key in ("Cmd", "Entrypoint", "Volumes", "OnBuild"):
        if config.get(key) is None and key in config:
            config[key] = None
    return config


def container_inspect_json(daemon, c: Container, size: bool = False) -> dict:
    base = f"{CONTAINERS_ROOT}/{c.id}"
    data = {
        "Id": c.id, "Created": rfc3339nano(c.created), "Path": c.path, "Args": list(c.args),
        "State": state_json(c, health_of(daemon, c)), "Image": c.image_id,
        "ResolvConfPath": f"{base}/resolv.conf", "HostnamePath": f"{base}/hostname",
        "HostsPath": f"{base}/hosts", "LogPath": f"{base}/{c.id}-json.log", "Name": "/" + c.name,
        "RestartCount": c.restart_count, "Driver": "overlay2", "Platform": "linux", "MountLabel": "",
        "ProcessLabel": "", "AppArmorProfile": "docker-default" if c.started_at else "",
        "ExecIDs": list(c.exec_ids) or None, "HostConfig": host_config(c), "GraphDriver": graph_driver(c),
    }
    if size:
        rw = daemon.rw_size(c)
        data["SizeRw"] = rw
        data["SizeRootFs"] = rw + sum(daemon.layer(d).size for d in c.diff_ids)
    data["Mounts"] = []
    data["Config"] = config_json(c)
    data["NetworkSettings"] = network_settings(c)
    return data


def inspect_cmd(ctx, opts, args):
    return inspect_objects(ctx, args, opts["format"], lambda name: container_inspect_json(
        ctx.daemon, ctx.daemon.find_container(name), opts["size"]))


COMMANDS = [
    Command("docker container inspect", "docker container inspect [OPTIONS] CONTAINER [CONTAINER...]",
            "Display detailed information on one or more containers", inspect_cmd, [
                Flag("format", "f", "string", FORMAT_HELP, type_name="string"),
                Flag("size", "s", "bool", "Display total file sizes")], [], 1, None),
]

__all__ = ["container_inspect_json", "COMMANDS", "GoNil"]
