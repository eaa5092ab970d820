"""The learner's host working directory: a Dockerfile, build context, saved and exported tars.

Paths are relative ('Dockerfile', 'app/main.py'); limits are explicit and reported, never a crash.
"""
from __future__ import annotations

import base64
import posixpath

from engine.errors import HostError, HostLimitReached, HostNotFound

HOME = "/home/learner"
MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_TOTAL_BYTES = 96 * 1024 * 1024
MAX_FILES = 300


# Characters no file name may hold: C0 and C1 controls (a newline or an escape sequence in a name
# rewrites the terminal), and Unicode's invisible direction and line controls, which make a name
# read as another ("invoice\u202etxt.exe" shows as "invoiceexe.txt"): LRM/RLM, the embeddings and
# overrides U+202A-U+202E, the isolates U+2066-U+2069, and the line/paragraph separators.
_REFUSED = frozenset([*map(chr, range(0x20)), *map(chr, range(0x7F, 0xA0)), "\u200e", "\u200f",
                      "\u2028", "\u2029", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))])


def shell_quoted(name: str) -> str:
    """The name as a shell would print it back: plain, or in $'...' with each control escaped
    (what GNU ls and bash's printf %q do), so the error itself shows no hidden characters."""
    if not any(ch in _REFUSED for ch in name):
        return name
    return "$'" + "".join(_escaped(ch) for ch in name) + "'"


def _escaped(ch: str) -> str:
    if ch in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[ch]
    if ch in _REFUSED:
        return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"
    return ch


_NAMED_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r", "'": "\\'", "\\": "\\\\"}


def clean_path(path: str) -> str:
    """'./app//main.py' -> 'app/main.py'; refuses absolute paths, '..', control and bidi characters.
    Names of dots only are names like any other ('...', '..config')."""
    if path.startswith(HOME + "/"):
        path = path[len(HOME) + 1:]
    if any(ch in _REFUSED for ch in path):
        raise HostError(f"{shell_quoted(path)}: invalid file name: control characters and "
                        "bidirectional formatting characters are not allowed")
    if not path or path.startswith("/") or "\\" in path:
        raise HostError(f"{path or '(empty)'}: not a path in the working directory")
    norm = posixpath.normpath(path)
    if norm in (".", "") or norm == ".." or norm.startswith("../") or len(norm) > 255:
        raise HostError(f"{path}: not a path in the working directory")
    return norm


class HostDir:
    def __init__(self, files: dict[str, bytes] | None = None):
        self.files: dict[str, bytes] = dict(files or {})

    def read(self, path: str) -> bytes:
        path = clean_path(path)
        if path not in self.files:
            raise HostNotFound(f"{path}: No such file or directory")
        return self.files[path]

    def exists(self, path: str) -> bool:
        try:
            return clean_path(path) in self.files
        except HostError:
            return False

    def write(self, path: str, data: bytes) -> str:
        path = clean_path(path)
        if any(posixpath.dirname(path) == f or f.startswith(path + "/") for f in self.files):
            raise HostError(f"{path}: Is a directory or under a file")
        if len(data) > MAX_FILE_BYTES:
            raise HostLimitReached(f"{path}: file too large ({len(data)} bytes; the limit is {MAX_FILE_BYTES})")
        if path not in self.files and len(self.files) >= MAX_FILES:
            raise HostLimitReached(f"{path}: too many files in the working directory (limit {MAX_FILES})")
        total = sum(len(v) for k, v in self.files.items() if k != path) + len(data)
        if total > MAX_TOTAL_BYTES:
            raise HostLimitReached(f"{path}: working directory full ({MAX_TOTAL_BYTES} bytes at most)")
        self.files[path] = bytes(data)
        return path

    def remove(self, path: str) -> None:
        path = clean_path(path)
        if path not in self.files:
            raise HostNotFound(f"{path}: No such file or directory")
        del self.files[path]

    def names(self) -> list[str]:
        return sorted(self.files)

    def under(self, directory: str) -> dict[str, bytes]:
        """Files below a directory ('.' = all), keyed relative to it: a build context."""
        if directory in (".", "", "./"):
            return dict(self.files)
        prefix = clean_path(directory) + "/"
        return {k[len(prefix):]: v for k, v in self.files.items() if k.startswith(prefix)}

    def fork(self) -> "HostDir":
        """An independent copy (for undo): the file contents are bytes, immutable, so shared."""
        return HostDir(self.files)

    def to_json(self) -> dict:
        return {k: base64.b64encode(v).decode() for k, v in self.files.items()}

    @classmethod
    def from_json(cls, data: dict) -> "HostDir":
        return cls({k: base64.b64decode(v) for k, v in data.items()})
