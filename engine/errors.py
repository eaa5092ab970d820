"""One error class per kind of mistake. Each carries the exact text Docker prints and its exit code.

The CLI prints `str(error)` on stderr and exits with `error.exit_code`, as docker/cli's main() does
(`fmt.Fprintln(os.Stderr, err)`, exit 1 unless a StatusError sets another code).
"""
from __future__ import annotations


class DockerError(Exception):
    """Any error a docker command reports: message text + exit code (1 unless said otherwise)."""

    exit_code = 1

    def __init__(self, message: str, exit_code: int | None = None):
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class DaemonError(DockerError):
    """An error the daemon answered with; the client prefixes it (moby client/request.go)."""

    def __str__(self) -> str:
        return "Error response from daemon: " + self.message


class NotFound(DaemonError):
    """404 from the daemon: no such container, image, or object."""


class NoSuchContainer(NotFound):
    def __init__(self, ref: str):
        super().__init__(f"No such container: {ref}")


class NoSuchImage(NotFound):
    def __init__(self, ref: str):
        super().__init__(f"No such image: {ref}")


class Conflict(DaemonError):
    """409: the object's state or references forbid the operation."""


class InvalidArgument(DaemonError):
    """400: the daemon rejected a parameter (bad name, bad reference...)."""


class NotRunning(Conflict):
    pass


class AmbiguousPrefix(DaemonError):
    def __init__(self, ref: str):
        super().__init__(f"multiple IDs found with provided prefix: {ref}")


class UsageError(DockerError):
    """The CLI rejected a flag before calling the daemon (pflag errors), exit 125.

    The dispatcher renders it as docker/cli v28's FlagErrorFunc (cli/cobra.go) does:
    `<message>` + blank line + `Usage:  <use line>` + blank line + `Run '<path> --help' for more information`.
    """

    exit_code = 125

    def __init__(self, message: str, command_path: str = "docker", exit_code: int | None = None):
        super().__init__(message, exit_code)
        self.command_path = command_path


class ArgCountError(DockerError):
    """Wrong number of arguments: docker/cli v28's cli.NoArgs / RequiresMinArgs & co (cli/required.go).

    The message is complete (`docker: 'docker run' requires at least 1 argument` + usage + hint), exit 1.
    """


class ParseError(DockerError):
    """The line could not be split into words (unbalanced quotes...): the shell's own complaint."""

    exit_code = 2


class HostError(DockerError):
    """A problem with the learner's host working directory (bad path, size limit)."""


class HostNotFound(HostError):
    """No such file in the host working directory (the JSON API answers 404)."""


class HostLimitReached(HostError):
    """A limit of the host working directory: file size, file count, total bytes (the API answers 413)."""


class LimitError(DockerError):
    """A sandbox limit was reached (explicit, documented, never a crash)."""


class DockerfileError(Exception):
    """'dockerfile parse error on line N: …' (line = 1-based line of the instruction)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message, self.line = message, line

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return f"dockerfile parse error on line {self.line}: {self.message}"
