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


class DeleteConflict(Conflict):
    """`docker rmi` refused (daemon/image_delete.go imageDeleteConflict); `hard` ones -f cannot force."""

    def __init__(self, short_id: str, hard: bool, used: bool, message: str):
        force_msg = "cannot be forced" if hard else "must be forced"
        super().__init__(f"conflict: unable to delete {short_id} ({force_msg}) - {message}")
        self.hard, self.used = hard, used


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


class BudgetExceeded(LimitError):
    """A command went over its budget of steps, characters or nesting (exit 1, nothing changed)."""


class PatternError(Exception):
    """A regular expression that cannot be compiled; `kind` is 'paren', 'bracket', 'backref' or 'invalid'."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


class DockerfileError(Exception):
    """'dockerfile parse error on line N: …' (line = 1-based line of the instruction)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message, self.line = message, line

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return f"dockerfile parse error on line {self.line}: {self.message}"


class LineError(Exception):
    pass


class LongRunning(Exception):
    """Raised by a program that keeps running: the script stops here."""

    def __init__(self, process):  # a shell.ctx.RunningProgram
        super().__init__(process.command)
        self.process = process


class FsError(Exception):
    """errno-style failure: .errno is 'ENOENT', 'EEXIST', 'ENOTDIR', 'EISDIR', 'ENOTEMPTY',
    'EROFS', 'EINVAL' or 'ELOOP'; .path is the path it is about."""

    def __init__(self, errno: str, path: str):
        super().__init__(f"{errno}: {path}")
        self.errno = errno
        self.path = path


class StartFailed(DaemonError):
    """The runtime could not exec argv[0]; exit_code is the container's (126/127)."""


class Unsupported(Exception):
    """A shell feature LayerLab's shell does not model; the message says which, plainly."""


class PullError(NotFound):
    """The registry refused: unknown repository or tag (the client prints 'Error response from daemon: …')."""


class CliError(DockerError):
    """An error docker/cli prints itself (no "Error response from daemon:" prefix)."""


class TemplateError(Exception):
    """Go's error text, e.g. `template: :1: unclosed action`. Docker prints it as
    "template parsing error: " + message (both for parse and execution errors)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    @property
    def docker_message(self) -> str:
        return "template parsing error: " + self.message


class FlagValueError(DockerError):
    """A flag value the CLI rejects before calling the daemon (printed with `docker:` + help, 125)."""

    exit_code = 125


class ExecNotFound(Exception):
    """argv[0] of a container's command does not exist (Docker reports exit 127)."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class NotExecutable(Exception):
    """argv[0] exists but cannot run: reason 'permission denied' or 'is a directory' (126)."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = path, reason


class ExitShell(Exception):
    def __init__(self, status: int):
        self.status = status


class ArchiveError(Exception):
    """An archive that cannot be read; the message is the text Docker prints."""


class InvalidReference(DockerError):
    pass


class StepFailed(Exception):
    """A RUN returned non-zero, or COPY found nothing: carries both builders' texts."""

    def __init__(self, legacy: str, buildkit: str, output: str = "", exit_code: int = 1):
        super().__init__(legacy)
        self.legacy, self.buildkit, self.output, self.exit_code = legacy, buildkit, output, exit_code
        self.container = ""  # legacy builder: the id of the step's container, when one ran


class TemplateCallError(Exception):
    """A template function returned an error (or panicked); reported as "error calling NAME: ..."."""
