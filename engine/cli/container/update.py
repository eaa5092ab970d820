"""`docker update`: a container's restart policy and resource limits (docker/cli
cli/command/container/update.go, moby daemon/update.go, v28.5.2). LayerLab stores the limits and
shows them in `inspect`; it does not enforce them."""
from __future__ import annotations

import re
from fractions import Fraction

from engine import events as ev
from engine.cli.container.commands import each_name
from engine.cli.context import Context
from engine.cli.parser import Command, Flag
from engine.daemon import lifecycle
from engine.errors import CliError, DaemonError, UsageError

_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3, "t": 1024 ** 4, "p": 1024 ** 5}
MIN_MEMORY = 6 * 1024 * 1024  # daemon/daemon_unix.go linuxMinMemory
POLICIES = ("no", "always", "on-failure", "unless-stopped")


def ram_in_bytes(text: str, flag: str) -> int:
    """go-units RAMInBytes: 512m, 1g, 1024 (binary units)."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([kmgtp]?)b?", text.strip(), re.IGNORECASE)
    if not match:
        raise UsageError(f'invalid argument "{text}" for "{flag}" flag: invalid size: \'{text}\'')
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def nano_cpus(text: str) -> int:
    """opts.NanoCPUs.Set: a rational number of CPUs, stored in billionths."""
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise UsageError(f'invalid argument "{text}" for "--cpus" flag: failed to parse {text} as a rational number')
    return int(value * 10 ** 9)


def restart_policy(text: str) -> dict:
    """opts.ParseRestartPolicy (the CLI's part of the checks)."""
    name, colon, count = text.partition(":")
    if colon and not name:
        raise CliError("invalid restart policy format: no policy provided before colon")
    if count and not re.fullmatch(r"[+-]?\d+", count):
        raise CliError("invalid restart policy format: maximum retry count must be an integer")
    return {"Name": name, "MaximumRetryCount": int(count or 0)}


def verify(policy: dict | None, changes: dict) -> None:
    """The daemon's checks of each ContainerUpdate (verifyContainerSettings): policy name, retry count,
    the smallest memory limit."""
    name = (policy or {}).get("Name")
    if policy and name not in POLICIES:
        raise DaemonError(f"invalid restart policy: unknown policy '{name}'; use one of "
                          "'no', 'always', 'on-failure', or 'unless-stopped'")
    if policy and policy["MaximumRetryCount"] and name != "on-failure":
        raise DaemonError("invalid restart policy: maximum retry count can only be used with 'on-failure'")
    if changes.get("Memory") and changes["Memory"] < MIN_MEMORY:
        raise DaemonError("Minimum memory limit allowed is 6MB")


def update_cmd(ctx: Context, opts: dict, args: list[str]) -> int:
    changes: dict = {}
    if opts["memory"] is not None:
        changes["Memory"] = ram_in_bytes(opts["memory"], "-m, --memory")
    if opts["memory-swap"] is not None:
        changes["MemorySwap"] = -1 if opts["memory-swap"] == "-1" else ram_in_bytes(opts["memory-swap"], "--memory-swap")
    if opts["cpus"] is not None:
        changes["NanoCpus"] = nano_cpus(opts["cpus"])
    if opts["cpu-shares"] is not None:
        changes["CpuShares"] = opts["cpu-shares"]
    if opts["pids-limit"] is not None:
        changes["PidsLimit"] = opts["pids-limit"]
    if not changes and not opts["restart"]:
        raise CliError("you must provide one or more flags when using this command")
    policy = restart_policy(opts["restart"]) if opts["restart"] else None
    def update(name):
        verify(policy, changes)  # the daemon checks each request before it looks the container up
        container = ctx.daemon.find_container(name)
        if lifecycle.check("update", container, name) == lifecycle.NOOP:
            return False
        # replaced, never edited in place: an undo point shares it (Container.fork)
        container.host_config = {**container.host_config, **changes, **({"RestartPolicy": policy} if policy else {})}
        ctx.events.append(ev.ContainerUpdated(container=container.id))
    return each_name(ctx, args, update)


COMMANDS = [
    Command("docker container update", "docker container update [OPTIONS] CONTAINER [CONTAINER...]",
            "Update configuration of one or more containers", update_cmd,
            flags=[Flag("cpu-shares", "c", "int", "CPU shares (relative weight)", type_name="int"),
                   Flag("cpus", "", "string", "Number of CPUs", type_name="decimal"),
                   Flag("memory", "m", "string", "Memory limit", type_name="bytes"),
                   Flag("memory-swap", "", "string", "Swap limit equal to memory plus swap: -1 to enable unlimited swap",
                        type_name="bytes"),
                   Flag("pids-limit", "", "int", "Tune container pids limit (set -1 for unlimited)", type_name="int"),
                   Flag("restart", "", "string", "Restart policy to apply when a container exits", type_name="string")],
            aliases=["docker update"], min_args=1),
]
