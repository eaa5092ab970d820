"""The `docker image …` commands, as docker/cli's cli/command/image: ls, rm, tag and prune
(`commands`), pull (`pull`), history and inspect (`info`). They may use the formatter, the templates,
the list output and everything below the command line, never `cli.container`.
"""
