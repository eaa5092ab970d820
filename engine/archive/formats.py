"""Image and filesystem archives as real tar bytes: `docker save`/`load`/`export`/`import`.

Pure: bytes in, bytes out. The layout follows the graph-driver exporter of Docker 25-28
(moby daemon/internal/image/tarexport/save.go and load.go): an OCI image layout (`oci-layout`,
`index.json`, `blobs/sha256/…`) plus Docker's own `manifest.json` and `repositories`.
Timestamps, owners and member order are fixed, so the same state always gives the same bytes.
Reading and writing the tar files themselves is engine/archive/tar.py.
"""
from __future__ import annotations

import json
import posixpath
import tarfile
from dataclasses import dataclass, field

from engine.archive.tar import MAX_ENTRIES, Member, clean_name, read_tar, tar_to_changes, write_members
from engine.clock import NS, format_rfc3339nano, parse_rfc3339
from engine.errors import ArchiveError
from engine.layers.fs import DIR, WHITEOUT, Entry, Layer, chain_ids, layer_tar, sha256_hex

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


# ------------------------------------------------------------------------------------------ save
def _seconds(rfc3339: str | None) -> int:
    return parse_rfc3339(rfc3339) // NS if rfc3339 else 0


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
    path = clean_name(name) or ""
    for _ in range(16):
        if path not in files:
            raise ArchiveError(f"open {path}: no such file or directory")
        info, payload = files[path]
        if not info.issym():
            return payload
        target = posixpath.normpath(posixpath.join("/", posixpath.dirname(path), info.linkname))
        path = clean_name(target) or ""  # normpath from '/' keeps the link inside the archive
    raise ArchiveError(f"open {path}: too many levels of symbolic links")


def _go_decode_error(err: json.JSONDecodeError) -> str:
    return f"invalid character at offset {err.pos}: {err.msg}"


def read_archive(data: bytes) -> list[LoadedImage]:
    """Parse a `docker save` archive (Docker 25+ OCI layout or the older layout) -> images to load."""
    entries = [MAX_ENTRIES]
    files = {}
    for info, payload in read_tar(data, entries):
        name = clean_name(info.name)
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
