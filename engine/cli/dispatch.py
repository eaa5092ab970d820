"""`docker …` words -> the command spec that handles them, parsed options, and the run.

Each command-group module exposes COMMANDS (a list of parser.Command); this module indexes
them by every spelling (`docker image ls`, `docker images`, …) and runs one.
"""
from __future__ import annotations

from engine.cli import archive, build, system
from engine.cli.container import commands as containers, info as container_info, update as container_update
from engine.cli.context import Context
from engine.cli.image import commands as images
from engine.cli.parser import Command, check_arg_count, flag_error_text, help_text, parse_args
from engine.errors import DockerError, UsageError
from engine.invocation import Invocation

# Command-group modules; each has COMMANDS.
GROUP_MODULES = (images, containers, container_info, container_update, system, build, archive)

# The root command's use line (cmd/docker/docker.go, v28.5.2).
ROOT_USE = "docker [OPTIONS] COMMAND [ARG...]"

# Management commands: `docker image` alone prints their help.
MANAGEMENT = {
    "image": "Manage images",
    "container": "Manage containers",
    "system": "Manage Docker",
    "builder": "Manage builds",
}

# Real Docker commands outside LayerLab's model: named honestly instead of "unknown command".
NOT_SIMULATED = {
    "network": "networks", "volume": "volumes", "compose": "Docker Compose", "swarm": "Swarm",
    "service": "Swarm services", "stack": "Swarm stacks", "node": "Swarm nodes", "secret": "secrets",
    "config": "Swarm configs", "plugin": "plugins", "context": "contexts", "trust": "content trust",
    "manifest": "manifest lists", "buildx": "buildx", "scout": "Docker Scout", "init": "docker init",
    "login": "registry logins", "logout": "registry logins", "push": "pushing to a registry",
    "search": "searching Docker Hub", "stats": "live resource statistics",
    "events": "the event stream",
    "checkpoint": "checkpoints",
    ("image", "push"): "pushing to a registry", ("container", "stats"): "live resource statistics",

    ("system", "events"): "the event stream", ("builder", "prune"): "build cache pruning",
}

_INDEX: dict[tuple[str, ...], Command] | None = None


def commands() -> list[Command]:
    return [cmd for module in GROUP_MODULES for cmd in module.COMMANDS]


def index() -> dict[tuple[str, ...], Command]:
    global _INDEX
    if _INDEX is None:
        table = {}
        for cmd in commands():
            for path in [cmd.path] + cmd.aliases:
                table[tuple(path.split()[1:])] = cmd
        _INDEX = table
    return _INDEX


def lookup(words: list[str]) -> tuple[Command | None, list[str], list[str]]:
    """Longest known command path at the start of words -> (command, path words, rest)."""
    table = index()
    for n in (2, 1):
        key = tuple(words[:n])
        if len(key) == n and key in table:
            return table[key], list(key), words[n:]
    return None, [], words


GLOBAL_USAGE = """
Usage:  docker [OPTIONS] COMMAND

A self-sufficient runtime for containers

Common Commands:
  run         Create and run a new container from an image
  exec        Execute a command in a running container
  ps          List containers
  build       Build an image from a Dockerfile
  pull        Download an image from a registry
  images      List images
  version     Show the Docker version information
  info        Display system-wide information

Management Commands:
  builder     Manage builds
  container   Manage containers
  image       Manage images
  system      Manage Docker

Commands:
  commit      Create a new image from a container's changes
  cp          Copy files/folders between a container and the local filesystem
  create      Create a new container
  diff        Inspect changes to files or directories on a container's filesystem
  export      Export a container's filesystem as a tar archive
  history     Show the history of an image
  import      Import the contents from a tarball to create a filesystem image
  inspect     Return low-level information on Docker objects
  kill        Kill one or more running containers
  load        Load an image from a tar archive or STDIN
  logs        Fetch the logs of a container
  pause       Pause all processes within one or more containers
  rename      Rename a container
  restart     Restart one or more containers
  rm          Remove one or more containers
  rmi         Remove one or more images
  save        Save one or more images to a tar archive (streamed to STDOUT by default)
  start       Start one or more stopped containers
  stop        Stop one or more running containers
  tag         Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE
  top         Display the running processes of a container
  unpause     Unpause all processes within one or more containers
  wait        Block until one or more containers stop, then print their exit codes

Global Options:
  -v, --version            Print version information and quit

Run 'docker COMMAND --help' for more information on a command.
"""


def management_help(group: str) -> str:
    subs = sorted({(path[1], cmd.short) for path, cmd in index().items()
                   if len(path) == 2 and path[0] == group and cmd.path.split()[2] == path[1]})
    lines = "\n".join(f"  {name:<11} {short}" for name, short in subs)
    return (f"\nUsage:  docker {group} COMMAND\n\n{MANAGEMENT[group]}\n\nCommands:\n{lines}\n\n"
            f"Run 'docker {group} COMMAND --help' for more information on a command.\n")


def run_docker(ctx: Context, words: list[str]) -> int:
    """Run `docker <words…>`; output goes to ctx; returns the exit code."""
    if not words or words[0] in ("-h", "--help", "help"):
        ctx.write(GLOBAL_USAGE.lstrip("\n") if words else GLOBAL_USAGE)
        return 0
    if words[0] in ("-v", "--version"):
        ctx.print(system.version_line())
        return 0
    if words[0].startswith("-"):
        ctx.eprint(flag_error_text(_pflag_unknown(words[0]), "docker", ROOT_USE))
        return 125
    cmd, path, rest = lookup(words)
    if cmd is None:
        what = NOT_SIMULATED.get(tuple(words[:2])) or NOT_SIMULATED.get(words[0])
        if what:
            typed = " ".join(words[:2] if tuple(words[:2]) in NOT_SIMULATED else words[:1])
            ctx.eprint(f"LayerLab: `docker {typed}` is real Docker, but LayerLab does not simulate {what}: "
                       "it models images, layers and containers. Type `help` for what it understands.")
            return 1
        if words[0] in MANAGEMENT:
            group = f"docker {words[0]}"
            if len(words) == 1 or words[1] in ("-h", "--help"):
                ctx.write(management_help(words[0]))
                return 0
            if words[1].startswith("-"):  # FlagErrorFunc on the group command (cli/cobra.go)
                ctx.eprint(flag_error_text(_pflag_unknown(words[1]), group, group))
                return 125
            # cli.NoArgs on a command with subcommands (cli/required.go)
            ctx.eprint(f"docker: unknown command: {group} {words[1]}\n\nUsage:  {group}\n\n"
                       f"Run '{group} --help' for more information")
            return 1
        ctx.eprint(f"docker: unknown command: docker {words[0]}\n\n"
                   "Run 'docker --help' for more information")
        return 1
    # cobra's CommandPath: the parent as typed + the command's own name (`docker ps`, but
    # `docker container ps` shows `docker container ls`, the name in its Use line)
    shown = "docker " + (path[0] if len(path) == 1 else f"{path[0]} {cmd.path.split()[-1]}")
    typed = Command(**{**cmd.__dict__, "path": shown, "usage": cmd.usage.replace(cmd.path, shown, 1)})
    canonical, spelling = cmd.path.split(" ", 1)[1], " ".join(path)
    opts, args = {}, list(rest)
    try:
        opts, args = parse_args(typed, rest)
        if opts.pop("help-shorthand", False):  # pflag prints this on stderr, then the help follows
            ctx.eprint("Flag shorthand -h has been deprecated, use --help")
        if opts.get("help"):
            ctx.write(help_text(typed, [cmd.path] + cmd.aliases))
            code = 0
        else:
            check_arg_count(typed, args)
            code = cmd.handler(ctx, opts, args) or 0
        parsed = True
    except UsageError as err:
        ctx.eprint(flag_error_text(str(err), typed.path, typed.usage))
        code, parsed = err.exit_code, False
    except DockerError as err:
        ctx.eprint(str(err))
        code, parsed = err.exit_code, True
    ctx.invocations.append(Invocation(canonical, spelling, tuple(args), dict(opts), dict(ctx.env), code, parsed))
    return code


def _pflag_unknown(word: str) -> str:
    """pflag's text for an unknown flag word (flag.go parseLongArg / parseSingleShortArg)."""
    if word.startswith("--"):
        return f"unknown flag: --{word[2:].partition('=')[0]}"
    return f"unknown shorthand flag: '{word[1]}' in {word}"
