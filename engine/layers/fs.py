"""Filesystem values: entries, layers (content-addressed change sets) and their tar form.

A layer is what `docker commit` or a build step records: the entries a container added or
changed, and whiteouts for what it deleted (OCI image-spec, layer.md). Its id is the DiffID:
the sha256 of its uncompressed tar, so two layers with equal changes are one layer.
"""
from __future__ import annotations

import functools
import hashlib
import posixpath
import tarfile
from dataclasses import dataclass, field

FILE, DIR, SYMLINK, WHITEOUT = "file", "dir", "symlink", "whiteout"
WHITEOUT_PREFIX = ".wh."
OPAQUE_MARKER = ".wh..wh..opq"
# Layer tars use fixed metadata (mtime, owner) so the same changes always give the same digest.
FIXED_MTIME = 946684800  # 2000-01-01T00:00:00Z
DEFAULT_MODES = {FILE: 0o644, DIR: 0o755, SYMLINK: 0o777, WHITEOUT: 0o600}


def normpath(path: str, cwd: str = "/") -> str:
    """Absolute, normalised path ('/etc/../tmp/' -> '/tmp')."""
    # Most paths the engine passes around are already normal: absolute (so cwd plays no part), no
    # empty, "." or ".." component, no trailing slash. Such a path is its own normal form.
    if path[:1] == "/" and "//" not in path and "/." not in path and (path[-1] != "/" or path == "/"):
        return path
    joined = posixpath.join(cwd or "/", path)
    norm = posixpath.normpath(joined)
    return "/" + norm.lstrip("/") if norm != "/" else "/"


def parent_dirs(path: str) -> list[str]:
    """'/a/b/c' -> ['/a', '/a/b'] (outermost first, without '/')."""
    # the prefix before each separator of the stripped path, as split("/") and join would build it
    inner, out = path.strip("/"), []
    cut = inner.find("/")
    while cut != -1:
        out.append("/" + inner[:cut])
        cut = inner.find("/", cut + 1)
    return out


def is_below(path: str, ancestor: str) -> bool:
    return ancestor == "/" or path.startswith(ancestor.rstrip("/") + "/")


@dataclass(frozen=True, slots=True)
class Entry:
    """One path's state in a layer: a file, directory, symlink, or a whiteout (deleted here)."""

    kind: str
    mode: int = 0
    size: int = 0
    content: str | None = None  # text when modelled; None = binary we only know the size of
    target: str = ""  # symlink target
    opaque: bool = False  # DIR only: hides everything below it in lower layers

    def __post_init__(self):
        if not self.mode:
            object.__setattr__(self, "mode", DEFAULT_MODES[self.kind])
        if self.content is not None and not self.size:
            object.__setattr__(self, "size", len(self.content.encode()))

    @classmethod
    def file(cls, content: str | None = "", mode: int = 0o644, size: int = 0) -> "Entry":
        return cls(FILE, mode, size, content)

    @classmethod
    def dir(cls, mode: int = 0o755, opaque: bool = False) -> "Entry":
        return cls(DIR, mode, opaque=opaque)

    @classmethod
    def symlink(cls, target: str) -> "Entry":
        return cls(SYMLINK, 0o777, len(target), target=target)

    @classmethod
    def whiteout(cls) -> "Entry":
        return cls(WHITEOUT)

    def to_json(self) -> list:
        return [self.kind, self.mode, self.size, self.content, self.target, self.opaque]

    @classmethod
    def from_json(cls, data: list) -> "Entry":
        # Entries are immutable and most are alike (empty files, directories), so loading a
        # sandbox shares one object per distinct small entry instead of building thousands.
        if data[3] is not None and len(data[3]) > _INTERN_MAX_CONTENT:
            return cls(*data)
        key = tuple(data)
        entry = _INTERNED.get(key)
        if entry is None:
            if len(_INTERNED) >= _INTERN_MAX_ENTRIES:
                _INTERNED.clear()
            entry = _INTERNED[key] = cls(*data)
        return entry


_INTERNED: dict[tuple, Entry] = {}
_INTERN_MAX_ENTRIES = 20_000
_INTERN_MAX_CONTENT = 256  # characters: bigger contents are rarely repeated


def placeholder_bytes(path: str, entry: Entry) -> bytes:
    """What a tar holds for a binary we only model by size (a real layer would hold the program)."""
    return f"LayerLab stand-in for {path} ({entry.size} bytes in the modelled image)\n".encode()


def entry_bytes(path: str, entry: Entry) -> bytes:
    return entry.content.encode() if entry.content is not None else placeholder_bytes(path, entry)


def _tar_info(name: str, entry: Entry, data: bytes) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.mtime = FIXED_MTIME
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mode = entry.mode
    if entry.kind == DIR:
        info.type = tarfile.DIRTYPE
    elif entry.kind == SYMLINK:
        info.type, info.linkname = tarfile.SYMTYPE, entry.target
    else:
        info.type, info.size = tarfile.REGTYPE, len(data)
    return info


def tar_members(changes: dict[str, Entry]):
    """(name, Entry, bytes) for each tar member, in path order, whiteouts as `.wh.` files."""
    for path in sorted(changes, key=_path_key):
        entry = changes[path]
        rel = path.lstrip("/")
        if entry.kind == WHITEOUT:
            head, tail = posixpath.split(rel)
            yield posixpath.join(head, WHITEOUT_PREFIX + tail), Entry(FILE, 0o600), b""
        elif entry.kind == DIR:
            yield rel + "/", entry, b""
            if entry.opaque:
                yield posixpath.join(rel, OPAQUE_MARKER), Entry(FILE, 0o600), b""
        elif entry.kind == SYMLINK:
            yield rel, entry, b""
        else:
            yield rel, entry, entry_bytes(path, entry)


def layer_tar(changes: dict[str, Entry]) -> bytes:
    """The layer as a deterministic tar: byte for byte what tarfile.open(mode="w", format=PAX_FORMAT)
    writes with addfile() per member: each member's header and padded data, then two zero blocks,
    zero-filled to a whole record (TarFile.addfile and TarFile.close)."""
    blocks = [_member_block(name, entry, data) if len(data) <= _MEMO_DATA else _tar_block(name, entry, data)
              for name, entry, data in tar_members(changes)]
    size = sum(map(len, blocks)) + 2 * tarfile.BLOCKSIZE
    return b"".join(blocks) + bytes(2 * tarfile.BLOCKSIZE + (-size % tarfile.RECORDSIZE))


def _tar_block(name: str, entry: Entry, data: bytes) -> bytes:
    info = _tar_info(name, entry, data)
    block = info.tobuf(tarfile.PAX_FORMAT, tarfile.TarFile.encoding, "surrogateescape")  # TarFile's defaults
    if info.isreg():
        block += data + bytes(-len(data) % tarfile.BLOCKSIZE)
    return block


# Builds, `docker save` and `docker export` tar the same members again and again (a rebuild makes
# the same files; an image's layers do not change). A member's block is a function of its name,
# entry (frozen) and data alone, so small ones are memoised (bounded, thread-safe, immutable bytes).
_MEMO_DATA = 1024  # bytes: with maxsize, at most ~12 MiB of blocks
_member_block = functools.lru_cache(maxsize=8192)(_tar_block)


def _path_key(path: str):
    return path.split("/")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Layer:
    """A read-only layer: its changes, DiffID (sha256:… of its tar) and size (bytes it adds)."""

    changes: dict[str, Entry] = field(hash=False, compare=False)
    diff_id: str = ""
    size: int = 0

    @classmethod
    def from_changes(cls, changes: dict[str, Entry]) -> "Layer":
        ordered = {p: changes[p] for p in sorted(changes, key=_path_key)}
        size = sum(e.size for e in ordered.values() if e.kind in (FILE, SYMLINK))
        return cls(ordered, "sha256:" + sha256_hex(layer_tar(ordered)), size)

    def tar(self) -> bytes:
        return layer_tar(self.changes)

    def to_json(self) -> dict:
        return {"diff_id": self.diff_id, "size": self.size,
                "changes": {p: e.to_json() for p, e in self.changes.items()}}

    @classmethod
    def from_json(cls, data: dict) -> "Layer":
        changes = {p: Entry.from_json(e) for p, e in data["changes"].items()}
        return cls(changes, data["diff_id"], data["size"])


EMPTY_LAYER_DIFF_ID = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"


def chain_ids(diff_ids: list[str]) -> list[str]:
    """OCI ChainIDs: ChainID(L0)=DiffID(L0); ChainID(L0..n)=sha256(ChainID(L0..n-1)+' '+DiffID(Ln))."""
    return list(_chain_ids(tuple(diff_ids)))  # a fresh list: callers may change theirs


# The page asks for the chains of every image and container on each command (thousands of sha256
# a minute). They are a pure function of the diff ids (strings, immutable), so a memo keyed by the
# whole tuple is always right; lru_cache bounds it and is safe to share between threads.
@functools.lru_cache(maxsize=1024)
def _chain_ids(diff_ids: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for diff_id in diff_ids:
        out.append(diff_id if not out else "sha256:" + sha256_hex(f"{out[-1]} {diff_id}".encode()))
    return tuple(out)
