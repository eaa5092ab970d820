"""Tar files as Docker reads and writes them: writing members with fixed owners and times, and reading
a tar (plain, gzip, bzip2, xz) as a stream capped at 64 MiB and 20,000 entries, then turning a layer
tar into layer changes (whiteouts `.wh.x`, opaque markers) as moby's graph driver applies it.
Pure: bytes in, bytes out.
"""
from __future__ import annotations

import bz2
import gzip
import io
import lzma
import posixpath
import re
import tarfile
import zlib
from dataclasses import dataclass

from engine import budget
from engine.errors import ArchiveError
from engine.layers.fs import DIR, FILE, OPAQUE_MARKER, SYMLINK, WHITEOUT_PREFIX, Entry, Layer, sha256_hex

MAX_ARCHIVE_BYTES = 64 * 1024 * 1024
MAX_ENTRIES = 20_000
_CHUNK = 1024 * 1024  # decompressed bytes read at a time


# ------------------------------------------------------------------------------------------ tar
@dataclass
class Member:
    name: str
    kind: str = FILE  # FILE | DIR | SYMLINK
    data: bytes = b""
    mode: int = 0o644
    mtime: int = 0  # seconds
    target: str = ""


def write_members(members: list[Member]) -> bytes:
    """A tar of the members in the given order, owner 0:0 with no names (like Docker's archives)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for m in members:
            info = tarfile.TarInfo(m.name)
            info.mtime, info.mode, info.uid, info.gid, info.uname, info.gname = m.mtime, m.mode, 0, 0, "", ""
            if m.kind == DIR:
                info.type = tarfile.DIRTYPE
            elif m.kind == SYMLINK:
                info.type, info.linkname = tarfile.SYMTYPE, m.target
            else:
                info.size = len(m.data)
            tar.addfile(info, io.BytesIO(m.data) if m.kind == FILE else None)
    return buf.getvalue()


# ------------------------------------------------------------------------------------------ reading tars
def _decompress(data: bytes) -> bytes:
    """gzip data decompressed as a stream that stops past MAX_ARCHIVE_BYTES: a gzip bomb is refused
    after 64 MiB of output, never inflated whole. Anything else is returned as it is."""
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            return _read_capped(stream)
    except (OSError, EOFError, zlib.error):
        raise ArchiveError("unexpected EOF") from None


def _read_capped(stream) -> bytes:
    pieces, size = [], 0
    while chunk := stream.read(_CHUNK):
        size += len(chunk)
        budget.spend(len(chunk))
        if size > MAX_ARCHIVE_BYTES:
            raise ArchiveError(f"LayerLab: archive too large (more than {MAX_ARCHIVE_BYTES // (1024 * 1024)} MiB "
                               f"once decompressed; the limit is {MAX_ARCHIVE_BYTES // (1024 * 1024)} MiB)")
        pieces.append(chunk)
    return b"".join(pieces)


def _too_large(size: int) -> str:
    return (f"LayerLab: archive too large ({size} bytes; the limit is "
            f"{MAX_ARCHIVE_BYTES // (1024 * 1024)} MiB)")


def read_tar(data: bytes, entries: list[int] | None = None) -> list[tuple[tarfile.TarInfo, bytes]]:
    """Members of a tar (gzip accepted) with their data; errors worded as Go's archive/tar.
    `entries` is a shared countdown of the entries an archive and its layers may hold together."""
    if len(data) > MAX_ARCHIVE_BYTES:
        raise ArchiveError(_too_large(len(data)))
    data = _decompress(data)
    entries = entries if entries is not None else [MAX_ENTRIES]
    if not data.strip(b"\0"):
        return []  # an empty stream is a tar with no entries
    if len(data) < 512:
        raise ArchiveError("unexpected EOF")
    out = []
    spent = budget.current()
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
            for info in tar:
                entries[0] -= 1
                if entries[0] < 0:
                    raise ArchiveError(f"LayerLab: archive has too many entries (the limit is {MAX_ENTRIES})")
                spent.step()
                payload = tar.extractfile(info).read() if info.isreg() else b""
                if info.isreg() and len(payload) != info.size:
                    raise ArchiveError("unexpected EOF")
                spent.spend(len(payload))
                out.append((info, payload))
    except tarfile.ReadError as err:
        text = str(err)
        if "truncated" in text or "end of data" in text or "unexpected end" in text:
            raise ArchiveError("unexpected EOF") from None
        raise ArchiveError("archive/tar: invalid tar header") from None
    except (EOFError, tarfile.TarError):
        raise ArchiveError("unexpected EOF") from None
    return out


def bounded_tar(data: bytes):
    """The members of a tar in any compression `tar -tf` reads (gzip, bzip2, xz), read as a stream:
    at most MAX_ENTRIES members and MAX_ARCHIVE_BYTES of decompressed data, then ArchiveError."""
    if len(data) > MAX_ARCHIVE_BYTES:
        raise ArchiveError(_too_large(len(data)))
    raw = _CappedReader(_opened(data))
    spent = budget.current()
    try:
        with tarfile.open(fileobj=raw, mode="r|") as tar:  # "r|": a stream, no seeking back
            for count, info in enumerate(tar, 1):
                if count > MAX_ENTRIES:
                    raise ArchiveError(f"LayerLab: archive has too many entries (the limit is {MAX_ENTRIES})")
                spent.step()
                yield info
    except (OSError, EOFError, zlib.error, lzma.LZMAError):
        raise tarfile.ReadError("not a tar archive") from None


def _opened(data: bytes):
    head = data[:6]
    if head[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=io.BytesIO(data))
    if head[:3] == b"BZh":
        return bz2.BZ2File(io.BytesIO(data))
    if head == b"\xfd7zXZ\x00":
        return lzma.LZMAFile(io.BytesIO(data))
    return io.BytesIO(data)


class _CappedReader(io.RawIOBase):
    """A read-only stream that raises ArchiveError once more than MAX_ARCHIVE_BYTES came out of it."""

    def __init__(self, inner):
        self.inner, self.size = inner, 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self.inner.read(size if 0 <= size <= _CHUNK else _CHUNK)
        self.size += len(chunk)
        budget.spend(len(chunk))
        if self.size > MAX_ARCHIVE_BYTES:
            raise ArchiveError(f"LayerLab: archive too large (more than {MAX_ARCHIVE_BYTES // (1024 * 1024)} MiB "
                               f"once decompressed; the limit is {MAX_ARCHIVE_BYTES // (1024 * 1024)} MiB)")
        return chunk


def clean_name(name: str) -> str | None:
    """'./etc/x/' -> 'etc/x'; None for the root itself. Refuses paths that climb out."""
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise ArchiveError(f"invalid archive: path {name!r} escapes the archive root")
    return "/".join(parts) or None


_PLACEHOLDER = re.compile(r"LayerLab stand-in for (/.*) \((\d+) bytes in the modelled image\)\n\Z")


def _file_entry(path: str, data: bytes, mode: int) -> Entry:
    """Text becomes a modelled file; LayerLab's binary stand-ins round-trip; other binaries keep their size."""
    try:
        text = data.decode()
    except UnicodeDecodeError:
        return Entry(FILE, mode, len(data), None)
    match = _PLACEHOLDER.match(text)
    if match and match.group(1) == path:
        return Entry(FILE, mode, int(match.group(2)), None)
    return Entry(FILE, mode, len(data), text)


def tar_to_changes(members: list[tuple[tarfile.TarInfo, bytes]], *, whiteouts: bool = True) -> dict[str, Entry]:
    """A layer tar's members -> change set (whiteouts and opaque markers decoded)."""
    changes: dict[str, Entry] = {}
    contents: dict[str, bytes] = {}
    for info, payload in members:
        rel = clean_name(info.name)
        if rel is None:
            continue
        path = "/" + rel
        head, base = posixpath.split(path)
        mode = info.mode & 0o7777
        if whiteouts and base == OPAQUE_MARKER:
            old = changes.get(head)
            changes[head] = Entry.dir(old.mode if old and old.kind == DIR else 0o755, opaque=True)
        elif whiteouts and base.startswith(WHITEOUT_PREFIX):
            name = base[len(WHITEOUT_PREFIX):]
            if name in ("", ".", "..") or name.startswith(WHITEOUT_PREFIX):
                raise ArchiveError(f"invalid whiteout entry: {rel}")
            changes[posixpath.join(head, name)] = Entry.whiteout()
        elif info.isdir():
            old = changes.get(path)
            changes[path] = Entry.dir(mode, opaque=bool(old and old.opaque))
        elif info.issym():
            changes[path] = Entry.symlink(info.linkname)
        elif info.islnk():  # a hard link: same contents as its target
            target = "/" + (clean_name(info.linkname) or "")
            data = contents.get(target, b"")
            changes[path], contents[path] = _file_entry(path, data, mode), data
        elif info.isreg():
            changes[path], contents[path] = _file_entry(path, payload, mode), payload
        # devices and fifos have no place in the model: left out
    return changes


def parse_layer(data: bytes, expected: str, index: int, entries: list[int] | None = None) -> Layer:
    """A layer blob -> Layer, checked against the DiffID the config names (load.go's check)."""
    raw = _decompress(data)
    actual = "sha256:" + sha256_hex(raw)
    if actual != expected:
        raise ArchiveError(f'invalid diffID for layer {index}: expected "{expected}", got "{actual}"')
    layer = Layer.from_changes(tar_to_changes(read_tar(raw, entries)))
    if layer.diff_id != expected:
        raise ArchiveError(f"LayerLab: layer {index} ({expected}) holds files LayerLab cannot model "
                           f"exactly (binary contents, owners or timestamps); it would become {layer.diff_id}")
    return layer
