"""Tab completion: subcommands, flags, and names of existing images and containers."""
from __future__ import annotations

import shlex

from engine.cli.dispatch import MANAGEMENT, index, lookup
from engine.terminal import HOST_COMMANDS

# Commands whose arguments are images; every other command's arguments are containers.
IMAGE_ARG_COMMANDS = {"rmi", "history", "tag", "save", "pull", "run", "create",
                      ("image", "rm"), ("image", "history"), ("image", "inspect"), ("image", "tag"),
                      ("image", "save"), ("image", "pull"), ("container", "run"), ("container", "create")}
NO_NAME_COMMANDS = {"ps", "images", "version", "info", "load", "import", "build",
                    ("image", "build"), ("image", "load"), ("image", "import"), ("image", "ls"),
                    ("builder", "build"), ("container", "ls")}


def complete(daemon, host, line: str) -> list[str]:
    """Candidates for the last (partial) word of line."""
    try:
        words = shlex.split(line)
    except ValueError:
        return []
    if line.endswith(" ") or not words:
        words.append("")
    prefix, before = words[-1], words[:-1]
    if not before:
        return sorted(w for w in ["docker", "clear", "help"] + list(HOST_COMMANDS) if w.startswith(prefix))
    if before[0] != "docker":
        if before[0] in ("cat", "tar", "rm"):
            return [n for n in host.names() if n.startswith(prefix)]
        return []
    rest = before[1:]
    table = index()
    if not rest:
        tops = {path[0] for path in table} | set(MANAGEMENT)
        return sorted(w for w in tops if w.startswith(prefix))
    if len(rest) == 1 and rest[0] in MANAGEMENT:
        subs = {path[1] for path in table if len(path) == 2 and path[0] == rest[0]}
        return sorted(w for w in subs if w.startswith(prefix))
    cmd, path, _ = lookup(rest)
    if cmd is None:
        return []
    if prefix.startswith("-"):
        flags = [f"--{f.long}" for f in cmd.flags if not f.hidden]
        return sorted(f for f in flags if f.startswith(prefix))
    key = path[0] if len(path) == 1 else tuple(path)
    if key in NO_NAME_COMMANDS:  # build takes a PATH, load/import a file: no object names
        return []
    if key in IMAGE_ARG_COMMANDS:
        names = [t for i in daemon.images.values() for t in i.repo_tags]
    else:
        names = [c.name for c in daemon.containers.values()]
    return sorted(n for n in set(names) if n.startswith(prefix))

