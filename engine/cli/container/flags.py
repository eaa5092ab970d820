"""The flags `docker create` and `docker run` share (cli/command/container/opts.go, v28.5), and
their translation into daemon.containers.create_container() arguments."""
from __future__ import annotations

import shlex

from engine.cli.parser import Flag
from engine.errors import FlagValueError


SHARED = [
    Flag("attach", "a", "list", "Attach to STDIN, STDOUT or STDERR", type_name="list"),
    Flag("entrypoint", "", "string", "Overwrite the default ENTRYPOINT of the image", type_name="string"),
    Flag("env", "e", "list", "Set environment variables", type_name="list"),
    Flag("expose", "", "list", "Expose a port or a range of ports", type_name="list"),
    Flag("hostname", "h", "string", "Container host name", type_name="string"),
    Flag("interactive", "i", "bool", "Keep STDIN open even if not attached"),
    Flag("label", "l", "list", "Set meta data on a container", type_name="list"),
    Flag("platform", "", "string", "Set platform if server is multi-platform capable", type_name="string"),
    Flag("publish", "p", "list", "Publish a container's port(s) to the host", type_name="list"),
    Flag("publish-all", "P", "bool", "Publish all exposed ports to random ports"),
    Flag("pull", "", "string", 'Pull image before running ("always", "missing", "never")', "missing",
         type_name="string"),
    Flag("quiet", "q", "bool", "Suppress the pull output"),
    Flag("restart", "", "string", "Restart policy to apply when a container exits", "no", type_name="string"),
    Flag("rm", "", "bool", "Automatically remove the container and its associated anonymous volumes "
                           "when it exits"),
    Flag("name", "", "string", "Assign a name to the container", type_name="string"),
    Flag("stop-signal", "", "string", "Signal to stop the container", type_name="string"),
    Flag("stop-timeout", "", "int", "Timeout (in seconds) to stop a container", type_name="int"),
    Flag("tty", "t", "bool", "Allocate a pseudo-TTY"),
    Flag("user", "u", "string", "Username or UID (format: <name|uid>[:<group|gid>])", type_name="string"),
    Flag("workdir", "w", "string", "Working directory inside the container", type_name="string"),
    # Real flags of docker run/create whose subject LayerLab does not model: accepted by the
    # parser (they are valid Docker), then refused with a plain explanation.
    Flag("volume", "v", "list", "Bind mount a volume", type_name="list"),
    Flag("mount", "", "list", "Attach a filesystem mount to the container", type_name="mount"),
    Flag("network", "", "string", "Connect a container to a network", "default", type_name="network"),
]
NOT_MODELLED = {"volume": "volumes and bind mounts", "mount": "volumes and bind mounts",
                "network": "networks"}
CREATE_FLAGS = sorted(SHARED, key=lambda f: f.long)
RUN_FLAGS = sorted(SHARED + [
    Flag("detach", "d", "bool", "Run container in background and print container ID"),
    Flag("detach-keys", "", "string", "Override the key sequence for detaching a container", type_name="string"),
    Flag("sig-proxy", "", "bool", "Proxy received signals to the process", True),
], key=lambda f: f.long)


def parse_env(ctx, items: list[str]) -> list[str]:
    """-e KEY=VALUE, or -e KEY to copy the client's variable (dropped when unset: opts.ValidateEnv)."""
    out = []
    for item in items:
        key, eq, _ = item.partition("=")
        if not key:
            raise FlagValueError(f"invalid environment variable: {item}")
        if eq:
            out.append(item)
        elif item in ctx.env:
            out.append(f"{item}={ctx.env[item]}")
    return out


def parse_labels(items: list[str]) -> dict[str, str]:
    labels = {}
    for item in items:
        key, _, value = item.partition("=")
        labels[key] = value
    return labels


def parse_publish(items: list[str]) -> dict[str, list[dict]]:
    """-p [ip:]host:container[/proto] -> HostConfig.PortBindings."""
    bindings: dict[str, list[dict]] = {}
    for item in items:
        spec, _, proto = item.partition("/")
        bracketed = ""
        if spec.startswith("[") and "]:" in spec:  # an IPv6 host address: [::]:8080:80 (nat.ParsePortSpec)
            bracketed, _, spec = spec[1:].partition("]:")
        parts = spec.split(":")
        if bracketed:
            parts = [bracketed] + parts
        if not parts[-1].isdigit() or not all(p.isdigit() or p == "" for p in parts[-2:-1]):
            raise FlagValueError(f"invalid containerPort: {parts[-1]}" if not parts[-1].isdigit()
                                 else f"invalid hostPort: {parts[-2]}")
        host_ip = parts[0] if len(parts) == 3 else ""
        host_port = parts[-2] if len(parts) >= 2 else ""
        bindings.setdefault(f"{parts[-1]}/{proto or 'tcp'}", []).append({"HostIp": host_ip, "HostPort": host_port})
    return bindings


def container_options(ctx, opts: dict, args: list[str]) -> dict:
    """Flags -> create_container keyword arguments (the daemon-side Config/HostConfig pieces)."""
    for flag, what in NOT_MODELLED.items():
        if opts.get(flag) and opts[flag] != "default":
            raise FlagValueError(f"LayerLab: --{flag} is real Docker, but LayerLab does not simulate {what}: "
                                 "it models images, layers and containers. Run the command without it")
    entrypoint = opts.get("entrypoint")
    restart = opts.get("restart") or "no"
    if opts.get("rm") and restart not in ("no", ""):
        raise FlagValueError("conflicting options: cannot specify both --restart and --rm")
    return {
        "name": opts.get("name") or "",
        "cmd": args[1:] or None,
        # --entrypoint "" clears the image's entrypoint; a value is one program (no splitting)
        "entrypoint": None if entrypoint is None else ([entrypoint] if entrypoint else []),
        "env": parse_env(ctx, opts.get("env") or []),
        "workdir": opts.get("workdir") or "",
        "user": opts.get("user") or "",
        "hostname": opts.get("hostname") or "",
        "tty": bool(opts.get("tty")),
        "stdin_open": bool(opts.get("interactive")),
        "auto_remove": bool(opts.get("rm")),
        "stop_signal": opts.get("stop-signal") or "",
        "stop_timeout": opts.get("stop-timeout"),
        "labels": parse_labels(opts.get("label") or []),
        "port_bindings": parse_publish(opts.get("publish") or []),
        "restart": restart,
    }


def command_text(path: str, args: list[str]) -> str:
    """daemon/container/view.go: Path + args, an arg containing a space wrapped in single quotes."""
    words = [path] + [f"'{a}'" if " " in a else a for a in args]
    return " ".join(words)


__all__ = ["CREATE_FLAGS", "RUN_FLAGS", "container_options", "command_text", "shlex"]
