"""The Files panel's view model: the learner's host working directory as a list (pure, no I/O).

    files_view(host_files: dict[str, bytes], events, open_path="") -> FilesView
Text files open in the editor; binary files (tars written by `docker save -o` / `docker export -o`)
are offered for download and for `tar -tvf` instead. Files a command just wrote are highlighted.
"""
from __future__ import annotations

import io
import shlex
import tarfile
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from engine.events import Event, HostFileWritten

from .text import size_text

MAX_EDIT_BYTES = 64 * 1024   # larger text files are downloaded, not edited in a textarea
STARTER_DOCKERFILE = (b'FROM alpine\n'
                      b'RUN echo "hello from a layer" > /greeting\n'
                      b'CMD ["cat", "/greeting"]\n')


@dataclass
class FileItem:
    name: str
    size: int
    size_text: str
    kind: str            # text | tar | binary
    new: bool = False    # written by the last command (save -o, export -o, > file)
    archive: str = ""    # tar: image (docker save: has manifest.json) | filesystem (docker export)

    @property
    def quoted(self) -> str:
        """The name as a shell word, for the commands the panel offers."""
        return shlex.quote(self.name)

    @property
    def editable(self) -> bool:
        return self.kind == "text" and self.size <= MAX_EDIT_BYTES


@dataclass
class FilesView:
    files: list[FileItem]
    open_name: str = ""
    open_text: str = ""
    open_missing: bool = False   # the file asked for is not (or no longer) in the directory
    new_names: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.files

    @property
    def open_rows(self) -> int:
        """Textarea rows: the file's lines and a little room, within reason."""
        return max(5, min(self.open_text.count("\n") + 2, 16))

    @property
    def has_dockerfile(self) -> bool:
        return any(f.name == "Dockerfile" for f in self.files)

    @property
    def total_text(self) -> str:
        return size_text(sum(f.size for f in self.files))


def file_kind(data: bytes) -> str:
    if len(data) >= 262 and data[257:262] == b"ustar":
        return "tar"
    head = data[:4096]
    if b"\x00" in head:
        return "binary"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "binary"
    return "text"


# The panel is worked out after every command (to know whether it changed), while the files seldom
# change: a tar's kind is remembered per file content (a dict keyed by the bytes finds the same
# object by identity, and bytes cache their hash), within a budget of bytes held.
_ARCHIVE_KINDS: "OrderedDict[bytes, str]" = OrderedDict()
_ARCHIVE_KINDS_BYTES = 64 * 1024 * 1024
_ARCHIVE_KINDS_LOCK = threading.Lock()


def archive_kind(data: bytes) -> str:
    """'image' for what `docker save` writes (manifest.json / index.json), else 'filesystem'."""
    with _ARCHIVE_KINDS_LOCK:
        kind = _ARCHIVE_KINDS.get(data)
    if kind is None:
        kind = _archive_kind(data)
        with _ARCHIVE_KINDS_LOCK:
            _ARCHIVE_KINDS[data] = kind
            held = sum(map(len, _ARCHIVE_KINDS))
            while held > _ARCHIVE_KINDS_BYTES and len(_ARCHIVE_KINDS) > 1:
                held -= len(_ARCHIVE_KINDS.popitem(last=False)[0])
    return kind


def _archive_kind(data: bytes) -> str:
    try:
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            names = {m.name.lstrip("./") for m in tar.getmembers()}
    except (tarfile.TarError, EOFError):
        return ""
    return "image" if names & {"manifest.json", "index.json"} else "filesystem"


def written_paths(events: list[Event] | None) -> list[str]:
    return [e.path for e in events or [] if isinstance(e, HostFileWritten)]


def files_view(host_files: dict[str, bytes], events: list[Event] | None = None, open_path: str = "") -> FilesView:
    new = written_paths(events)
    items = []
    for name, data in sorted(host_files.items()):
        kind = file_kind(data)
        items.append(FileItem(name, len(data), size_text(len(data)), kind, new=name in new,
                              archive=archive_kind(data) if kind == "tar" else ""))
    view = FilesView(items, new_names=[n for n in new if n in host_files])
    if open_path:
        item = next((f for f in items if f.name == open_path), None)
        if item is None:
            view.open_name, view.open_missing = open_path, True
        elif item.editable:
            view.open_name, view.open_text = item.name, host_files[item.name].decode("utf-8")
    return view


def normalise_text(text: str) -> bytes:
    """What a textarea posts, as a file: browsers send CRLF line ends; Dockerfiles use LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")


__all__ = ["files_view", "FilesView", "FileItem", "file_kind", "written_paths", "normalise_text",
           "STARTER_DOCKERFILE", "MAX_EDIT_BYTES"]
