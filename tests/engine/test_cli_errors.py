"""Usage and flag errors as docker/cli v28.5.2 prints them (cli/required.go, cli/cobra.go FlagErrorFunc).

The argument rule of every command is written here as docker/cli declares it (`Args:` in
cli/command/<group>/<cmd>.go at v28.5.2), independently of our specs, so a wrong spec fails.
"""
import pytest

from engine.cli import dispatch
from engine.sandbox import Sandbox

# docker/cli v28.5.2: command path -> (rule, n or (a, b), Use line)
RULES = {
    "docker image pull": ("exact", 1, "pull [OPTIONS] NAME[:TAG|@DIGEST]"),            # image/pull.go:37
    "docker image history": ("exact", 1, "history [OPTIONS] IMAGE"),                   # image/history.go:39
    "docker image inspect": ("min", 1, "inspect [OPTIONS] IMAGE [IMAGE...]"),          # image/inspect.go:33
    "docker images": ("max", 1, "images [OPTIONS] [REPOSITORY[:TAG]]"),                # image/list.go:43
    "docker image ls": ("max", 1, "ls [OPTIONS] [REPOSITORY[:TAG]]"),                  # image/list.go (newListCommand)
    "docker rmi": ("min", 1, "rmi [OPTIONS] IMAGE [IMAGE...]"),                        # image/remove.go:35
    "docker tag": ("exact", 2, "tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]"),           # image/tag.go:29
    "docker image prune": ("none", 0, "prune [OPTIONS]"),                              # image/prune.go:36
    "docker create": ("min", 1, "create [OPTIONS] IMAGE [COMMAND] [ARG...]"),          # container/create.go:66
    "docker run": ("min", 1, "run [OPTIONS] IMAGE [COMMAND] [ARG...]"),                # container/run.go:43
    "docker start": ("min", 1, "start [OPTIONS] CONTAINER [CONTAINER...]"),            # container/start.go:41
    "docker stop": ("min", 1, "stop [OPTIONS] CONTAINER [CONTAINER...]"),              # container/stop.go:34
    "docker kill": ("min", 1, "kill [OPTIONS] CONTAINER [CONTAINER...]"),              # container/kill.go:31
    "docker pause": ("min", 1, "pause CONTAINER [CONTAINER...]"),                      # container/pause.go:30
    "docker unpause": ("min", 1, "unpause CONTAINER [CONTAINER...]"),                  # container/unpause.go:30
    "docker restart": ("min", 1, "restart [OPTIONS] CONTAINER [CONTAINER...]"),        # container/restart.go:34
    "docker rm": ("min", 1, "rm [OPTIONS] CONTAINER [CONTAINER...]"),                  # container/rm.go:36
    "docker exec": ("min", 2, "exec [OPTIONS] CONTAINER COMMAND [ARG...]"),            # container/exec.go:53
    "docker rename": ("exact", 2, "rename CONTAINER NEW_NAME"),                        # container/rename.go:31
    "docker wait": ("min", 1, "wait CONTAINER [CONTAINER...]"),                        # container/wait.go:29
    "docker container prune": ("none", 0, "prune [OPTIONS]"),                          # container/prune.go:32
    "docker commit": ("range", (1, 2), "commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]"),  # container/commit.go:36
    "docker ps": ("none", 0, "ps [OPTIONS]"),                                          # container/list.go:41
    "docker logs": ("exact", 1, "logs [OPTIONS] CONTAINER"),                           # container/logs.go:37
    "docker top": ("min", 1, "top CONTAINER [ps OPTIONS]"),                            # container/top.go:32
    "docker diff": ("exact", 1, "diff CONTAINER"),
    "docker attach": ("exact", 1, "attach [OPTIONS] CONTAINER"),                       # container/attach.go:54
    "docker update": ("min", 1, "update [OPTIONS] CONTAINER [CONTAINER...]"),           # container/update.go:50
    "docker port": ("range", (1, 2), "port CONTAINER [PRIVATE_PORT[/PROTO]]"),           # container/port.go:37                                     # container/diff.go:22
    "docker container inspect": ("min", 1, "inspect [OPTIONS] CONTAINER [CONTAINER...]"),  # container/inspect.go:28
    "docker version": ("none", 0, "version [OPTIONS]"),                                # system/version.go:122
    "docker info": ("none", 0, "info [OPTIONS]"),                                      # system/info.go:73
    "docker system df": ("none", 0, "df [OPTIONS]"),                                   # system/df.go:24
    "docker system prune": ("none", 0, "prune [OPTIONS]"),                             # system/prune.go:39
    "docker inspect": ("min", 1, "inspect [OPTIONS] NAME|ID [NAME|ID...]"),            # system/inspect.go:74
    "docker build": ("exact", 1, "build [OPTIONS] PATH | URL | -"),                    # image/build.go:100
    "docker save": ("min", 1, "save [OPTIONS] IMAGE [IMAGE...]"),                      # image/save.go:35
    "docker load": ("none", 0, "load [OPTIONS]"),                                      # image/load.go:36
    "docker export": ("exact", 1, "export [OPTIONS] CONTAINER"),                       # container/export.go:31
    "docker import": ("min", 1, "import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]"),     # image/import.go:37
}


def plural(n):
    return "argument" if n == 1 else "arguments"  # required.go pluralize


def expected(path, rule, n, use):
    """The text cli/required.go formats for `rule` (v28.5.2, lines 8-96)."""
    use_line = path.rsplit(" ", 1)[0] + " " + use
    if rule == "none":
        body = ("accepts no arguments", "Run")
    elif rule == "exact":
        body = (f"requires {n} {plural(n)}", "Run")
    elif rule == "min":
        body = (f"requires at least {n} {plural(n)}", "See")
    elif rule == "max":
        body = (f"requires at most {n} {plural(n)}", "SRun")  # the typo is in required.go
    else:
        body = (f"requires at least {n[0]} and at most {n[1]} {plural(n[1])}", "Run")
    return f"docker: '{path}' {body[0]}\n\nUsage:  {use_line}\n\n{body[1]} '{path} --help' for more information\n"


def wrong_count(rule, n):
    if rule == "none":
        return 1
    if rule == "max":
        return n + 1
    if rule == "range":
        return n[1] + 1
    return n - 1


@pytest.fixture(scope="module")
def sb():
    return Sandbox.create(3)


@pytest.mark.parametrize("path", sorted(RULES))
def test_every_command_reports_a_wrong_argument_count_like_required_go(sb, path):
    rule, n, use = RULES[path]
    line = path + "".join(f" x{i}" for i in range(wrong_count(rule, n)))
    r = sb.run(line)
    assert (r.stdout, r.stderr, r.exit_code) == ("", expected(path, rule, n, use), 1)


def test_every_spec_is_listed_here():
    """A new command gets its docker/cli rule written above, or this fails."""
    spelled = set()
    for cmd in dispatch.commands():
        spelled |= {cmd.path, *cmd.aliases}
    assert set(RULES) <= spelled


def test_docker_run_without_image_exact_text(sb):
    # reference §6.1b; cli/required.go RequiresMinArgs, lines 34-48
    r = sb.run("docker run")
    assert r.stderr == ("docker: 'docker run' requires at least 1 argument\n\n"
                        "Usage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\n"
                        "See 'docker run --help' for more information\n")
    assert r.exit_code == 1


def test_unknown_flag_is_a_flag_error_with_exit_125(sb):
    # cli/cobra.go FlagErrorFunc (v28.5.2 line 80): StatusError{StatusCode: 125}
    r = sb.run("docker ps --bogus")
    assert (r.stderr, r.exit_code) == ("unknown flag: --bogus\n\nUsage:  docker ps [OPTIONS]\n\n"
                                       "Run 'docker ps --help' for more information\n", 125)


@pytest.mark.parametrize("line, first", [
    ("docker ps -z", "unknown shorthand flag: 'z' in -z"),                 # pflag flag.go parseSingleShortArg
    ("docker ps --last", "flag needs an argument: --last"),                # pflag flag.go parseLongArg
    ("docker ps -n", "flag needs an argument: 'n' in -n"),
    ("docker ps -n x", 'invalid argument "x" for "-n, --last" flag: strconv.ParseInt: parsing "x": invalid syntax'),
    ("docker ps --filter x", 'invalid argument "x" for "-f, --filter" flag: '
                             "bad format of filter (expected name=value)"),  # opts/filter.go
])
def test_pflag_errors_get_the_usage_line(sb, line, first):
    r = sb.run(line)
    assert (r.stderr, r.exit_code) == (first + "\n\nUsage:  docker ps [OPTIONS]\n\n"
                                       "Run 'docker ps --help' for more information\n", 125)


def test_an_alias_shows_the_commands_own_name(sb):
    # cobra Command.CommandPath uses Name() (first word of Use), not the alias typed
    r = sb.run("docker container ps -z")
    assert r.stderr == ("unknown shorthand flag: 'z' in -z\n\nUsage:  docker container ls [OPTIONS]\n\n"
                        "Run 'docker container ls --help' for more information\n")
    r = sb.run("docker image remove")
    assert r.stderr.startswith("docker: 'docker image rm' requires at least 1 argument\n\n"
                               "Usage:  docker image rm [OPTIONS] IMAGE [IMAGE...]\n")


def test_unknown_subcommand_of_a_group(sb):
    # cli/required.go NoArgs, HasSubCommands branch (lines 13-21)
    r = sb.run("docker image foo")
    assert (r.stderr, r.exit_code) == ("docker: unknown command: docker image foo\n\nUsage:  docker image\n\n"
                                       "Run 'docker image --help' for more information\n", 1)


def test_unknown_global_flag(sb):
    # root command Use "docker [OPTIONS] COMMAND [ARG...]" (cmd/docker/docker.go), FlagErrorFunc
    r = sb.run("docker --bogus ps")
    assert (r.stderr, r.exit_code) == ("unknown flag: --bogus\n\nUsage:  docker [OPTIONS] COMMAND [ARG...]\n\n"
                                       "Run 'docker --help' for more information\n", 125)


def test_a_usage_error_changes_nothing(sb):
    before = sb.state()
    sb.run("docker run --bogus alpine")
    assert sb.state() == before


def test_dash_h_is_a_deprecated_shorthand(sb):
    # cli/cobra.go setupCommonRootCommand: MarkShorthandDeprecated("help", "use --help"); pflag's notice
    r = sb.run("docker ps -h")
    assert r.stderr == "Flag shorthand -h has been deprecated, use --help\n"
    assert r.stdout.startswith("\nUsage:  docker ps [OPTIONS]\n") and r.exit_code == 0
