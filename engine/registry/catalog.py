"""The registry catalog: the images `docker pull` can fetch, as a small, believable Docker Hub.

Each image is a data file (engine/registry/data/images/<name>.toml): its tags, config, history rows and, per
layer, the modelled files. Every layer is an `engine.layers.fs.Layer` (content-addressed), so nginx and
python:3.12-slim, both built FROM debian:bookworm-slim (`base = "debian"`), share its one layer
object and DiffID, and a pull of the second finds it `Already exists`. Layer sizes are the
uncompressed sizes `docker images` adds up; each layer's modelled files are padded with a few big
"bulk" files (shared libraries) to reach the real size.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache

from engine.layers.fs import Entry, Layer, parent_dirs
from engine.registry import data
from engine.registry.files import TEXTS
from engine.registry.packages import Package, alpine_installed_db, dpkg_stanza, dpkg_status
from engine.registry.pip_install import console_script


@dataclass(frozen=True)
class RemoteImage:
    repository: str  # familiar name: 'nginx'
    tags: tuple[str, ...]  # every tag pointing at this image
    config: dict  # the image config JSON object (do not mutate)
    layers: tuple[Layer, ...]  # bottom first
    compressed_digests: tuple[str, ...]  # per layer, what pull progress shows (12-hex prefix)
    manifest_digest: str  # RepoDigests / 'Digest: sha256:…'


def config_bytes(config: dict) -> bytes:
    return json.dumps(config, separators=(",", ":"), ensure_ascii=False).encode()


def image_id(config: dict) -> str:
    return "sha256:" + hashlib.sha256(config_bytes(config)).hexdigest()


# ------------------------------------------------------------------------------ a data file's parts
def _content(spec: dict) -> str:
    """A text file's content: literal, a named text, or made from the package catalogs."""
    if "content" in spec:
        return spec["content"]
    if "text" in spec:
        return TEXTS[spec["text"]]
    if "console_script" in spec:
        return console_script(spec["console_script"])
    if "dpkg_status" in spec:  # the catalog's packages, then any the catalog does not have
        extra = [Package(p["name"], p["version"], p["size"], tuple(p["deps"]), ()) for p in spec.get("extra", ())]
        return dpkg_status(spec["dpkg_status"], tuple(spec["packages"])) + "".join(map(dpkg_stanza, extra))
    if spec.get("generated") == "apk-db":
        return alpine_installed_db()
    raise ValueError(f"unknown file spec {spec}")


def _entry(spec: dict) -> Entry:
    """{dir}, {link}, {size} (a binary known by its size) or a text file; mode when not the default."""
    if spec.get("dir"):
        return Entry.dir(spec.get("mode", 0o755))
    if "link" in spec:
        return Entry.symlink(spec["link"])
    if "size" in spec:
        return Entry.file(None, spec.get("mode", 0o644), size=spec["size"])
    return Entry.file(_content(spec), spec.get("mode", 0o644))


def _layer(spec: dict) -> Layer:
    """A layer of its files (parents added), padded with `bulk` files {path: share} to exactly `size`."""
    changes = {path: _entry(entry) for path, entry in spec["files"].items()}
    size, bulk = spec.get("size", 0), spec.get("bulk")
    used = sum(e.size for e in changes.values() if e.kind in ("file", "symlink"))
    remainder = size - used if size else 0
    if bulk:
        assert remainder > 0, f"layer too small for its files: {used} > {size}"
        paths = list(bulk)
        for path in paths[:-1]:
            changes[path] = Entry.file(None, size=int(remainder * bulk[path]))
        changes[paths[-1]] = Entry.file(None, size=remainder - sum(changes[p].size for p in paths[:-1]))
    for path in list(changes):
        for parent in parent_dirs(path):
            changes.setdefault(parent, Entry.dir())
    return Layer.from_changes(changes)


def _history(spec: dict, layers: list[Layer]) -> list[dict]:
    """OCI History rows, in its field order; "{diff_id}" in a layer row is that layer's DiffID hex."""
    rows, layer = [], 0
    for row in spec["history"]:
        created_by = row["created_by"]
        if not row.get("empty_layer"):
            created_by = created_by.replace("{diff_id}", layers[layer].diff_id[7:])
            layer += 1
        entry = {"created": row.get("created", spec["created"]), "created_by": created_by}
        if row.get("comment"):
            entry["comment"] = row["comment"]
        if row.get("empty_layer"):
            entry["empty_layer"] = True
        rows.append(entry)
    return rows


def _config(spec: dict, layers: list[Layer], history: list[dict]) -> dict:
    """The image config, key order as the image's JSON has it (its bytes are the image id)."""
    inner: dict = {"Env": spec["env"], "Cmd": spec["cmd"]}
    if spec.get("entrypoint"):
        inner["Entrypoint"] = spec["entrypoint"]
    inner["WorkingDir"] = ""
    if spec.get("ports"):
        inner["ExposedPorts"] = {port: {} for port in spec["ports"]}
    if spec.get("labels"):
        inner["Labels"] = spec["labels"]
    if spec.get("stop_signal"):
        inner["StopSignal"] = spec["stop_signal"]
    assert sum(not h.get("empty_layer") for h in history) == len(layers)
    return {"architecture": "amd64", "config": inner, "created": spec["created"], "history": history, "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [layer.diff_id for layer in layers]}}


def _digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


# ----------------------------------------------------------------------------------------- the catalog
_SPECS: dict[str, dict] = {spec["repository"]: spec for spec in map(data.load, data.names("images"))}


def _build(repository: str, built: dict[str, RemoteImage]) -> RemoteImage:
    """One image; a `base` image is built first and its layer objects are shared."""
    if repository in built:
        return built[repository]
    spec = _SPECS[repository]
    base = _build(spec["base"], built) if "base" in spec else None
    own = [_layer(layer) for layer in spec["layers"]]
    layers = (list(base.layers) if base else []) + own
    history = (list(base.config["history"]) if base else []) + _history(spec, own)
    config = _config(spec, layers, history)
    built[repository] = RemoteImage(
        repository, tuple(spec["tags"]), config, tuple(layers),
        tuple(_digest("gzip:" + layer.diff_id) for layer in layers),
        _digest(f"manifest:{repository}:{image_id(config)}"))
    return built[repository]


@lru_cache(maxsize=None)
def _images() -> dict[str, RemoteImage]:
    built: dict[str, RemoteImage] = {}
    for repository in _SPECS:
        _build(repository, built)
    return built


@lru_cache(maxsize=None)
def _layers() -> dict[str, Layer]:
    return {layer.diff_id: layer for image in _images().values() for layer in image.layers}


def _familiar(repository: str) -> str:
    for prefix in ("docker.io/", "index.docker.io/", "registry-1.docker.io/"):
        repository = repository.removeprefix(prefix)
    return repository.removeprefix("library/")


def lookup(repository: str, tag: str) -> RemoteImage | None:
    image = _images().get(_familiar(repository))
    return image if image and tag in image.tags else None


def lookup_digest(repository: str, digest: str) -> RemoteImage | None:
    """The image whose manifest has this digest (`docker pull alpine@sha256:…`)."""
    image = _images().get(_familiar(repository))
    return image if image and image.manifest_digest == digest else None


def repositories() -> list[str]:
    return sorted(_images())


def layer_by_diff_id(diff_id: str) -> Layer | None:
    return _layers().get(diff_id)
