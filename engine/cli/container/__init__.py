"""The `docker container …` commands, as docker/cli's cli/command/container: create, run,
start, stop, kill, pause, restart, rm, exec, rename, wait, prune (`commands`); ps (`ps`); inspect
(`inspect`); logs, top, port and diff (`info`); commit and cp (`commit`); update (`update`); and the
run/create flags (`flags`). Handlers parse, call the daemon's API and print; they may use `cli.image`
(run pulls a missing image), the formatter, the templates and everything below the command line.
"""
