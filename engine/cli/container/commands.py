"""Container lifecycle commands: create, run, start, stop, kill, pause, unpause, restart, rm, exec,
rename, wait, container prune (docker/cli cli/command/container/*.go, v28.5)."""
from __future__ import annotations

from engine import events as ev
from engine.cli.container.commit import COMMANDS as COMMIT_COMMANDS
from engine.cli.container.flags import CREATE_FLAGS, RUN_FLAGS, FlagValueError, container_options
from engine.cli.formatter.display import human_size4
from engine.cli.image.pull import pull
from engine.cli.parser import Command, Flag
from engine.daemon import api
from engine.daemon import containers as ops
from engine.daemon import lifecycle, session
from engine.daemon import processes as containers_run
from engine.errors import CliError, DaemonError, DockerError, StartFailed
from engine.refs import InvalidReference, parse as parse_ref


def with_help(err: DockerError, command: str, code: int = 125) -> DockerError:
    """withHelp (run.go, v28): `docker: <err>` + blank line + the --help hint."""
    return CliError(f"docker: {err}\n\nRun 'docker {command} --help' for more information", code)


def status_code_for(message: str) -> int:
    """toStatusError (run.go): 127 not found, 126 not executable, else 125."""
    if "executable file not found" in message or "no such file or directory" in message:
        return 127
    if "permission denied" in message or "is a directory" in message:
        return 126
    return 125


# ---- create / run -------------------------------------------------------------------------
def find_or_pull(ctx, ref: str):
    """The image for create/run; pulls it when missing, as createContainer does (create.go)."""
    image = ctx.daemon.image_or_none(ref)
    if image is not None:
        return image
    try:
        tagged = parse_ref(ref).tagged
    except InvalidReference as err:
        raise CliError(str(err), 125) from None
    ctx.eprint(f"Unable to find image '{tagged}' locally")
    return pull(ctx, ref, for_run=True)


def create_from_args(ctx, opts: dict, args: list[str], *, attach: bool):
    options = container_options(ctx, opts, args)
    image = find_or_pull(ctx, args[0])
    container, events = ops.create_container(ctx.daemon, image, args[0], attach=attach, **options)
    ctx.events.extend(events)
    return container


def create_cmd(ctx, opts, args):
    try:
        container = create_from_args(ctx, opts, args, attach=False)
    except (CliError, FlagValueError) as err:
        raise with_help(err, "create") from None
    ctx.print(container.id)


def run_cmd(ctx, opts, args):
    detach = opts["detach"]
    try:
        container = create_from_args(ctx, opts, args, attach=not detach)
    except DockerError as err:
        raise with_help(err, "run") from None
    try:
        result = containers_run.start(ctx.daemon, container)
    except StartFailed as err:
        ctx.events.extend(getattr(err, "events", []))
        raise with_help(err, "run", status_code_for(err.message)) from None
    ctx.events.extend(result.events)
    if detach:
        ctx.print(container.id)
        return 0
    _print_output(ctx, result, container.config.get("Tty"))
    # A simulator cannot block the learner's terminal: when the process keeps running (nginx,
    # sleep) the container stays running and `run` returns at once with status 0. An -it shell
    # attaches the terminal instead: the next lines run in it (session.py).
    if result.still_running:
        _attach(ctx, container)
    return 0 if result.still_running else result.exit_code


def _attach(ctx, container, exec_id: str = "", tty: bool | None = None, stdin: bool | None = None) -> None:
    process = next((p for p in container.processes if p.exec_id == exec_id), None)
    if process is not None and session.open_session(ctx.daemon, container, process.command, exec_id, tty, stdin):
        ctx.events.append(ev.SessionOpened(container.id, exec_id))


def _print_output(ctx, result, tty: bool) -> None:
    """Attached streams: stdout to stdout, stderr to stderr; a tty merges both (run.go attach)."""
    if result.stdout:
        ctx.write(result.stdout)
    if result.stderr:
        if tty:
            ctx.write(result.stderr)
        else:
            ctx.ewrite(result.stderr)


# ---- start --------------------------------------------------------------------------------
def start_one(ctx, container, typed: str):
    result = api.container_start(ctx.daemon, container, typed)
    if result is not None:
        ctx.events.extend(result.events)
    return result


def start_cmd(ctx, opts, args):
    if opts["attach"] or opts["interactive"]:
        if len(args) > 1:
            raise CliError("you cannot start and attach multiple containers at once")
        container = ctx.daemon.find_container(args[0])
        result = start_one(ctx, container, args[0])
        if result is None:  # already running: start.go attaches all the same
            if opts["attach"] and opts["interactive"]:
                _attach(ctx, container)
            return 0
        _print_output(ctx, result, container.config.get("Tty"))
        if result.still_running and opts["attach"] and opts["interactive"]:
            _attach(ctx, container)
        return 0 if result.still_running else result.exit_code
    failed = []
    for name in args:  # startContainersWithoutAttachments
        try:
            start_one(ctx, ctx.daemon.find_container(name), name)
        except DockerError as err:
            ctx.eprint(str(err))
            failed.append(name)
            continue
        ctx.print(name)
    if failed:
        raise CliError("Error: failed to start containers: " + ", ".join(failed))


# ---- multi-container commands ---------------------------------------------------------------
def each_name(ctx, names: list[str], action) -> int:
    """`action(name)` for each name as typed: the name on stdout when it succeeds (unless the action
    returns False: nothing to report), errors joined on stderr, exit 1 (errors.Join)."""
    errors = []
    for name in names:
        try:
            if action(name) is False:
                continue
        except DockerError as err:
            errors.append(str(err))
            continue
        ctx.print(name)
    if errors:
        ctx.eprint("\n".join(errors))
        return 1
    return 0


def for_each(ctx, names: list[str], action) -> int:
    """each_name with the container looked up first: `action(container, name)`."""
    return each_name(ctx, names, lambda name: action(ctx.daemon.find_container(name), name))


def _timeout(opts) -> int | None:
    value = opts.get("timeout")
    return value if value is not None else opts.get("time")


def stop_cmd(ctx, opts, args):
    signal = opts.get("signal")

    def stop(container, typed):  # 304 "container is already stopped" is a silent success
        ctx.events.extend(api.container_stop(ctx.daemon, container, typed, _timeout(opts), signal or None))
    return for_each(ctx, args, stop)


def kill_cmd(ctx, opts, args):
    try:  # ContainerKill parses the signal before it looks the container up (daemon/kill.go)
        number = lifecycle.parse_signal(opts.get("signal") or "SIGKILL")
    except DaemonError as err:  # the router wraps: "cannot kill container: %s" (container_routes.go:268)
        ctx.eprint("\n".join(str(DaemonError(f"cannot kill container: {name}: {err.message}")) for name in args))
        return 1

    def kill(container, typed):
        ctx.events.extend(api.container_kill(ctx.daemon, container, typed, number))
    return for_each(ctx, args, kill)


def pause_cmd(ctx, opts, args):
    def pause(container, typed):
        ctx.events.extend(api.container_pause(ctx.daemon, container, typed))
    return for_each(ctx, args, pause)


def unpause_cmd(ctx, opts, args):
    def unpause(container, typed):
        ctx.events.extend(api.container_unpause(ctx.daemon, container, typed))
    return for_each(ctx, args, unpause)


def restart_cmd(ctx, opts, args):
    def restart(container, typed):
        ctx.events.extend(api.container_restart(ctx.daemon, container, typed, _timeout(opts), opts.get("signal")))
    return for_each(ctx, args, restart)


def rm_cmd(ctx, opts, args):
    force = opts["force"]

    def rm(name):
        try:
            if not name.strip("/"):
                raise CliError("container name cannot be empty")
            container = ctx.daemon.find_container(name.strip("/"))
            ctx.events.extend(api.container_rm(ctx.daemon, container, name, force))
        except DockerError as err:
            if force and "No such container" in str(err):
                ctx.eprint(str(err))  # rm -f: a missing container is reported, not an error (v28)
                return False
            raise
    return each_name(ctx, args, rm)


# ---- exec ---------------------------------------------------------------------------------
def exec_cmd(ctx, opts, args):
    container = ctx.daemon.find_container(args[0])  # the CLI inspects first: "No such container"
    argv = args[1:]
    env = [e if "=" in e else f"{e}={ctx.env[e]}" for e in opts["env"] if "=" in e or e in ctx.env]
    result = api.container_exec(ctx.daemon, container, args[0], argv, env=env, workdir=opts.get("workdir") or "",
                                tty=opts["tty"], interactive=opts["interactive"])
    ctx.events.extend(result.events)
    if opts["detach"]:
        return 0
    # An interactive shell (`exec -it c sh`) attaches the terminal (session.py); another program
    # that keeps running is added as a running process.
    _print_output(ctx, result, opts["tty"])
    if result.still_running and container.exec_ids:
        _attach(ctx, container, container.exec_ids[-1], opts["tty"], opts["interactive"])
    return 0 if result.still_running else result.exit_code


# ---- attach -------------------------------------------------------------------------------------
def attach_cmd(ctx, opts, args):
    """attach.go (v28.5.2): the CLI checks the state first; a shell waiting on the tty takes the
    terminal (session.py); any other program would stream its output until it ends."""
    container = ctx.daemon.find_container(args[0])
    if not container.running:  # inspectContainerAndCheckState, attach.go:30-38
        raise CliError("You cannot attach to a stopped container, start it first")
    if container.paused:
        raise CliError("You cannot attach to a paused container, unpause it first")
    if container.restarting:
        raise CliError("You cannot attach to a restarting container, wait until it is running")
    stdin = not opts["no-stdin"] and bool(container.config.get("OpenStdin"))
    _attach(ctx, container, stdin=stdin)
    if ctx.daemon.session is None:
        ctx.eprint(f"LayerLab: `docker attach` would now show {container.name}'s output as it comes, until "
                   "it ends; LayerLab returns at once. `docker logs` shows "
                   "what it printed so far.")
    return 0


# ---- rename, wait, prune -----------------------------------------------------------------------
def rename_cmd(ctx, opts, args):
    old, new = args[0].strip(), args[1].strip()
    if not old or not new:
        raise CliError("Error: Neither old nor new names may be empty")
    try:
        container = ctx.daemon.find_container(old)
        if container.name == new.lstrip("/"):
            raise DaemonError("Renaming a container with the same name as its current name")
        try:
            ops.validate_name(ctx.daemon, new)
        except DaemonError as err:
            raise DaemonError("Error when allocating new name: " + err.message) from None
    except DockerError as err:
        ctx.eprint(str(err))
        raise CliError(f"Error: failed to rename container named {old}") from None
    ctx.events.append(ev.ContainerRenamed(container.id, container.name, new.lstrip("/")))
    container.name = new.lstrip("/")


def wait_cmd(ctx, opts, args):
    """Prints each exit code. A container still running would block real Docker until it ends;
    here the learner is told so on stderr instead of a frozen terminal (exit 1 for that name)."""
    errors = []
    for name in args:
        try:
            container = ctx.daemon.find_container(name)
        except DockerError as err:
            errors.append(str(err))
            continue
        if container.running:
            errors.append(f"LayerLab: {name} is still running; docker wait would block until it stops "
                          f"(try docker stop {name} in another terminal)")
            continue
        ctx.print(str(container.exit_code))
    if errors:
        ctx.eprint("\n".join(errors))
        return 1
    return 0


PRUNE_WARNING = "WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] "


def prune_cmd(ctx, opts, args):
    if not opts["force"]:
        ctx.write(PRUNE_WARNING)
        answer = (ctx.stdin or b"").decode(errors="replace").splitlines()[:1]
        if not answer or answer[0].strip().lower() != "y":
            return 1  # cancelled: the CLI prints nothing more (errdefs.IsCanceled), exit 1
    lines, events, reclaimed = prune_containers(ctx.daemon)
    ctx.events.extend(events)
    if lines:
        ctx.print("Deleted Containers:\n" + "\n".join(lines) + "\n")
    ctx.print("Total reclaimed space: " + human_size4(reclaimed))


def prune_containers(daemon) -> tuple[list[str], list[dict], int]:
    """daemon/prune.go ContainersPrune: every stopped container, in daemon.List() order (newest
    first: container.History sorts by creation time); (ids, events, reclaimed bytes)."""
    order = {cid: i for i, cid in enumerate(daemon.containers)}
    stopped = sorted((c for c in daemon.containers.values() if not c.running),
                     key=lambda c: (c.created, order[c.id]), reverse=True)
    lines, events, reclaimed = [], [], 0
    for container in stopped:
        reclaimed += daemon.rw_size(container)
        events += ops.discard(daemon, container)
        lines.append(container.id)
    return lines, events, reclaimed


# ---- command table ------------------------------------------------------------------------------
def _c(name, usage, short, handler, flags=(), *, min_args=1, max_args=None, alias=True, extra=(),
       interspersed=True):
    aliases = ([f"docker {name}"] if alias else []) + [f"docker container {x}" for x in extra]
    return Command(f"docker container {name}", f"docker container {name} {usage}".rstrip(), short, handler,
                   list(flags), aliases, min_args, max_args, interspersed)


SIGNAL = Flag("signal", "s", "string", "Signal to send to the container", type_name="string")
TIMEOUT = Flag("timeout", "t", "int", "Seconds to wait before killing the container", type_name="int")
TIME = Flag("time", "", "int", "Seconds to wait before killing the container (deprecated: use --timeout)",
            type_name="int", hidden=True)

COMMANDS = [
    _c("create", "[OPTIONS] IMAGE [COMMAND] [ARG...]", "Create a new container", create_cmd, CREATE_FLAGS,
       interspersed=False),
    _c("run", "[OPTIONS] IMAGE [COMMAND] [ARG...]", "Create and run a new container from an image", run_cmd,
       RUN_FLAGS, interspersed=False),
    _c("start", "[OPTIONS] CONTAINER [CONTAINER...]", "Start one or more stopped containers", start_cmd, [
        Flag("attach", "a", "bool", "Attach STDOUT/STDERR and forward signals"),
        Flag("interactive", "i", "bool", "Attach container's STDIN")]),
    _c("stop", "[OPTIONS] CONTAINER [CONTAINER...]", "Stop one or more running containers", stop_cmd,
       [SIGNAL, TIMEOUT, TIME]),
    _c("kill", "[OPTIONS] CONTAINER [CONTAINER...]", "Kill one or more running containers", kill_cmd, [SIGNAL]),
    _c("pause", "CONTAINER [CONTAINER...]", "Pause all processes within one or more containers", pause_cmd),
    _c("unpause", "CONTAINER [CONTAINER...]", "Unpause all processes within one or more containers",
       unpause_cmd),
    _c("restart", "[OPTIONS] CONTAINER [CONTAINER...]", "Restart one or more containers", restart_cmd,
       [SIGNAL, TIMEOUT, TIME]),
    _c("rm", "[OPTIONS] CONTAINER [CONTAINER...]", "Remove one or more containers", rm_cmd, [
        Flag("force", "f", "bool", "Force the removal of a running container (uses SIGKILL)"),
        Flag("link", "l", "bool", "Remove the specified link"),
        Flag("volumes", "v", "bool", "Remove anonymous volumes associated with the container")],
       extra=("remove",)),
    _c("exec", "[OPTIONS] CONTAINER COMMAND [ARG...]", "Execute a command in a running container", exec_cmd, [
        Flag("detach", "d", "bool", "Detached mode: run command in the background"),
        Flag("env", "e", "list", "Set environment variables", type_name="list"),
        Flag("interactive", "i", "bool", "Keep STDIN open even if not attached"),
        Flag("privileged", "", "bool", "Give extended privileges to the command"),
        Flag("tty", "t", "bool", "Allocate a pseudo-TTY"),
        Flag("user", "u", "string", 'Username or UID (format: "<name|uid>[:<group|gid>]")', type_name="string"),
        Flag("workdir", "w", "string", "Working directory inside the container", type_name="string")],
       min_args=2, interspersed=False),
    _c("rename", "CONTAINER NEW_NAME", "Rename a container", rename_cmd, min_args=2, max_args=2),
    _c("attach", "[OPTIONS] CONTAINER", "Attach local standard input, output, and error streams to a running "
       "container", attach_cmd, [
           Flag("detach-keys", "", "string", "Override the key sequence for detaching a container",
                type_name="string"),
           Flag("no-stdin", "", "bool", "Do not attach STDIN"),
           Flag("sig-proxy", "", "bool", "Proxy all received signals to the process", True)],
       min_args=1, max_args=1),
    _c("wait", "CONTAINER [CONTAINER...]", "Block until one or more containers stop, then print their exit codes",
       wait_cmd),
    _c("prune", "[OPTIONS]", "Remove all stopped containers", prune_cmd, [
        Flag("filter", "", "string", 'Provide filter values (e.g. "until=<timestamp>")', type_name="filter"),
        Flag("force", "f", "bool", "Do not prompt for confirmation")], min_args=0, max_args=0, alias=False),
] + COMMIT_COMMANDS
