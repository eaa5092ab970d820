"""Image and filesystem archives as real tar bytes: `docker save`/`load`/`export`/`import`.

Pure: bytes in, bytes out. The layout follows the graph-driver exporter of Docker 25-28
(moby daemon/internal/image/tarexport/save.go and load.go): an OCI image layout (`oci-layout`,
`index.json`, `blobs/sha256/…`) plus Docker's own `manifest.json` and `repositories`.
Timestamps, owners and member order are fixed, so the same state always gives the same bytes.
"""
from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import posixpath
import re
import tarfile
import zlib
from dataclasses import dataclass, field

from . import budget
from .clock import NS, format_rfc3339nano, parse_rfc3339
from .fs import (DIR, FILE, OPAQUE_MARKER, SYMLINK, WHITEOUT, WHITEOUT_PREFIX, Entry, Layer,
                 chain_ids, layer_tar, sha256_hex)
from .errors import ArchiveError

MAX_ARCHIVE_BYTES = 64 * 1024 * 1024
MAX_ENTRIES = 20_000
_CHUNK = 1024 * 1024  # decompressed bytes read at a time
DOCKER_VERSION = "28.5.2"

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"

# What moby's initlayer.Setup puts in every container's "-init" layer (daemon/initlayer/setup_unix.go):
# mount points for /dev, /proc, /sys and the bind-mounted /etc files, empty, files mode 0755.
INIT_LAYER_CHANGES: dict[str, Entry] = {
    "/.dockerenv": Entry.file("", 0o755),
    "/dev": Entry.dir(), "/dev/console": Entry.file("", 0o755), "/dev/pts": Entry.dir(),
    "/dev/shm": Entry.dir(),
    "/etc": Entry.dir(), "/etc/hostname": Entry.file("", 0o755), "/etc/hosts": Entry.file("", 0o755),
    "/etc/mtab": Entry.symlink("/proc/mounts"), "/etc/resolv.conf": Entry.file("", 0o755),
    "/proc": Entry.dir(), "/sys": Entry.dir(),
}


# ------------------------------------------------------------------------------------------ JSON
def go_json(value, newline: bool = False) -> bytes:
    """Go's json.Marshal (compact, `<>&` escaped); newline=True is json.Encoder.Encode."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return (text + ("\n" if newline else "")).encode()


# Go's container.Config in field order: (name, zero value, omitempty) - what the v1 JSON and
# `docker import` write (moby api/types/container/config.go).
_CONTAINER_CONFIG = [
    ("Hostname", "", False), ("Domainname", "", False), ("User", "", False),
    ("AttachStdin", False, False), ("AttachStdout", False, False), ("AttachStderr", False, False),
    ("ExposedPorts", None, True), ("Tty", False, False), ("OpenStdin", False, False),
    ("StdinOnce", False, False), ("Env", None, False), ("Cmd", None, False),
    ("Healthcheck", None, True), ("ArgsEscaped", False, True), ("Image", "", False),
    ("Volumes", None, False), ("WorkingDir", "", False), ("Entrypoint", None, False),
    ("NetworkDisabled", False, True), ("MacAddress", "", True), ("OnBuild", None, False),
    ("Labels", None, False), ("StopSignal", "", True), ("StopTimeout", None, True), ("Shell", None, True),
]
_SORTED_MAPS = ("ExposedPorts", "Volumes", "Labels")


def go_container_config(config: dict | None) -> dict:
    """A config dict as Go marshals container.Config: every field, struct order, maps sorted."""
    config = config or {}
    out = {}
    for name, zero, omitempty in _CONTAINER_CONFIG:
        value = config.get(name, zero)
        if omitempty and value in (zero, None, "", [], {}):
            continue
        if name in _SORTED_MAPS and isinstance(value, dict):
            value = dict(sorted(value.items()))
        out[name] = value
    return out


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


def _seconds(rfc3339: str | None) -> int:
    return parse_rfc3339(rfc3339) // NS if rfc3339 else 0


# ------------------------------------------------------------------------------------------ save
@dataclass
class SaveItem:
    """One image to save: its config, layers (bottom first), tags as 'repo:tag', parent id if saved too."""
    config: dict
    config_bytes: bytes
    layers: list[Layer]
    tags: list[str] = field(default_factory=list)
    full_names: list[str] = field(default_factory=list)  # 'docker.io/library/alpine:latest' per tag
    parent: str = ""


def _v1_entries(item: SaveItem) -> list[tuple[str, dict]]:
    """(v1 id, v1 JSON object) per layer: the legacy blobs save.go still writes (v1.CreateID)."""
    config, out, parent = item.config, [], ""
    chains = chain_ids([l.diff_id for l in item.layers])
    for i, chain in enumerate(chains):
        top = i == len(chains) - 1
        if top:
            v1 = {"comment": config.get("comment"), "created": _go_time(config.get("created")),
                  "container": config.get("container"),
                  "container_config": go_container_config(config.get("container_config")),
                  "docker_version": config.get("docker_version"), "author": config.get("author"),
                  "config": go_container_config(config["config"]) if "config" in config else None,
                  "architecture": config.get("architecture"), "variant": config.get("variant"),
                  "os": config.get("os")}
            v1 = {k: v for k, v in v1.items() if v not in (None, "") or k == "created"}
        else:
            v1 = {"created": "1970-01-01T00:00:00Z", "container_config": go_container_config(None),
                  "os": config.get("os", "linux")}
        for_id = dict(sorted({**v1, "layer_id": chain, **({"parent": parent} if parent else {})}.items()))
        v1_id = sha256_hex(go_json(for_id))
        head = {"id": v1_id, **({"parent": parent.split(":", 1)[1]} if parent else {})}
        out.append((v1_id, {**head, **v1}))
        parent = "sha256:" + v1_id
    return out


def _go_time(text: str | None) -> str | None:
    return format_rfc3339nano(parse_rfc3339(text)) if text else None


def save_archive(items: list[SaveItem], now_ns: int) -> bytes:
    """The `docker save` tar of the items (Docker 25+ graph-driver layout)."""
    blobs: dict[str, tuple[bytes, int]] = {}  # hex -> (bytes, mtime)
    manifest, index, repositories = [], [], {}
    blobs_dir_mtime = 0
    for item in items:
        if not item.layers:
            raise ArchiveError("empty export - not implemented")
        ts = _seconds(item.config.get("created"))
        blobs_dir_mtime = ts
        layer_descs = []
        for (_, v1), layer in zip(_v1_entries(item), item.layers):
            v1_bytes = go_json(v1)  # stored under its own digest (saveConfig), not the v1 id
            blobs.setdefault(sha256_hex(v1_bytes), (v1_bytes, ts))
            data = layer.tar()
            blobs.setdefault(layer.diff_id.split(":", 1)[1], (data, ts))
            layer_descs.append({"mediaType": OCI_LAYER, "digest": layer.diff_id, "size": len(data)})
        config_hex = sha256_hex(item.config_bytes)
        blobs[config_hex] = (item.config_bytes, ts)
        oci_manifest = go_json({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                                "config": {"mediaType": OCI_CONFIG, "digest": "sha256:" + config_hex,
                                           "size": len(item.config_bytes)},
                                "layers": layer_descs})
        manifest_hex = sha256_hex(oci_manifest)
        blobs[manifest_hex] = (oci_manifest, 0)
        descriptor = {"mediaType": OCI_MANIFEST, "digest": "sha256:" + manifest_hex, "size": len(oci_manifest)}
        for tag, full in zip(item.tags, item.full_names):
            repo, _, name = tag.rpartition(":")
            repositories.setdefault(repo, {})[name] = item.layers[-1].diff_id.split(":", 1)[1]
            index.append({**descriptor, "annotations": {"io.containerd.image.name": full,
                                                        "org.opencontainers.image.ref.name": name}})
        if not index:  # save.go checks the whole list, not this image: an untagged image after a tagged one is left out
            index.append(descriptor)
        entry = {"Config": "blobs/sha256/" + config_hex, "RepoTags": list(item.tags) or None,
                 "Layers": ["blobs/sha256/" + l.diff_id.split(":", 1)[1] for l in item.layers]}
        if item.parent:
            entry["Parent"] = item.parent
        entry["LayerSources"] = {d["digest"]: {"mediaType": OCI_LAYER, "size": d["size"], "digest": d["digest"]}
                                 for d in sorted(layer_descs, key=lambda d: d["digest"])}
        manifest.append(entry)
    members = [Member("blobs/", DIR, mode=0o755, mtime=blobs_dir_mtime),
               Member("blobs/sha256/", DIR, mode=0o755, mtime=now_ns // NS)]
    members += [Member("blobs/sha256/" + hex_, data=data, mtime=mtime) for hex_, (data, mtime) in sorted(blobs.items())]
    members.append(Member("index.json", data=go_json({"schemaVersion": 2, "mediaType": OCI_INDEX,
                                                      "manifests": index})))
    members.append(Member("manifest.json", data=go_json(manifest, newline=True)))
    members.append(Member("oci-layout", data=b'{"imageLayoutVersion": "1.0.0"}'))
    if repositories:
        members.append(Member("repositories", data=go_json(
            {r: dict(sorted(t.items())) for r, t in sorted(repositories.items())}, newline=True)))
    return write_members(members)


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


def _clean_name(name: str) -> str | None:
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
        rel = _clean_name(info.name)
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
            target = "/" + (_clean_name(info.linkname) or "")
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


# ------------------------------------------------------------------------------------------ load
@dataclass
class LoadedImage:
    config: dict
    config_bytes: bytes
    repo_tags: list[str]
    layer_blobs: list[bytes]  # raw layer blobs, bottom first (parse them with parse_layer)
    parent: str = ""


def _resolve(files: dict[str, tuple[tarfile.TarInfo, bytes]], name: str) -> bytes:
    """A member's data, following symlinks inside the archive (safePath in load.go)."""
    path = _clean_name(name) or ""
    for _ in range(16):
        if path not in files:
            raise ArchiveError(f"open {path}: no such file or directory")
        info, payload = files[path]
        if not info.issym():
            return payload
        target = posixpath.normpath(posixpath.join("/", posixpath.dirname(path), info.linkname))
        path = _clean_name(target) or ""  # normpath from '/' keeps the link inside the archive
    raise ArchiveError(f"open {path}: too many levels of symbolic links")


def _go_decode_error(err: json.JSONDecodeError) -> str:
    return f"invalid character at offset {err.pos}: {err.msg}"


def read_archive(data: bytes) -> list[LoadedImage]:
    """Parse a `docker save` archive (Docker 25+ OCI layout or the older layout) -> images to load."""
    entries = [MAX_ENTRIES]
    files = {}
    for info, payload in read_tar(data, entries):
        name = _clean_name(info.name)
        if name is not None:
            files[name] = (info, payload)
    if "manifest.json" not in files:
        raise ArchiveError("invalid archive: does not contain a manifest.json")
    try:
        manifest = json.loads(_resolve(files, "manifest.json"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as err:
        detail = (_go_decode_error(err) if isinstance(err, json.JSONDecodeError) else
                  "exceeded max depth" if isinstance(err, RecursionError) else "invalid UTF-8")
        raise ArchiveError(f"invalid archive: failed to decode manifest.json: {detail}") from None
    if manifest is None:
        raise ArchiveError("invalid manifest, manifest cannot be null (but can be [])")
    if not isinstance(manifest, list) or not all(isinstance(m, dict) for m in manifest):
        raise ArchiveError("invalid archive: failed to decode manifest.json: "
                           "json: cannot unmarshal into Go value of type []tarexport.manifestItem")
    images = []
    for item in manifest:
        raw = _resolve(files, str(item.get("Config", "")))
        try:
            config = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            raise ArchiveError("invalid character in image config JSON") from None
        if not isinstance(config, dict) or not isinstance(config.get("rootfs"), dict):
            raise ArchiveError("invalid image JSON, no RootFS key")
        diff_ids = config["rootfs"].get("diff_ids") or []
        layers = item.get("Layers") or []
        if len(layers) != len(diff_ids):
            raise ArchiveError(f"invalid manifest, layers length mismatch: expected {len(layers)}, got {len(diff_ids)}")
        images.append(LoadedImage(config, raw, [str(t) for t in item.get("RepoTags") or []],
                                  [_resolve(files, str(p)) for p in layers], str(item.get("Parent") or "")))
    return images


# ------------------------------------------------------------------------------------------ export / import
def export_tar(tree: dict[str, Entry]) -> bytes:
    """A merged filesystem (no whiteouts) as one flat tar, parents before children (daemon/export.go)."""
    # Same header conventions as layer tars, so `docker import` of it keeps these exact bytes' digest.
    plain = {p: (Entry.dir(e.mode) if e.kind == DIR else e) for p, e in tree.items()
             if e.kind != WHITEOUT and p != "/"}
    return layer_tar(plain)


def import_layer(data: bytes) -> Layer:
    """A rootfs tar (`docker import`) -> one layer; every entry is an addition."""
    return Layer.from_changes(tar_to_changes(read_tar(data)))


def import_config(layer: Layer, created_ns: int, message: str, run_config: dict) -> dict:
    """The config `docker import` writes (daemon/images/image_import.go; top-level keys sorted)."""
    created = format_rfc3339nano(created_ns)
    config = {"architecture": "amd64", "comment": message, "config": go_container_config(run_config),
              "container_config": go_container_config(None), "created": created,
              "docker_version": DOCKER_VERSION, "history": [{"created": created, "comment": message}],
              "os": "linux", "rootfs": {"type": "layers", "diff_ids": [layer.diff_id]}}
    return config
