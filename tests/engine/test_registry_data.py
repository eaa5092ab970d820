"""The registry's images and package catalogs are data files (engine/registry/data/), read at import: the one
I/O the engine does. Their bytes are the images: a layer's DiffID is the sha256 of its tar and an
image id the sha256 of its config, so these ids (as they were when the trees were still code) pin
every byte of every modelled file."""
import ast
import pathlib

import pytest

from engine.registry import catalog as registry, data, packages
from engine.registry.files import HELLO_WORLD_TEXT

# repository: (image id, manifest digest, DiffIDs), 12-hex prefixes
PINNED = {
    "alpine": ("0589db89c05f", "ba14d723b703", ("5dd384a6de07",)),
    "busybox": ("245766afcf07", "6c49faccd44a", ("83743743ee15",)),
    "debian": ("6aebda305dc5", "e0329ca9d70e", ("2ea155101823",)),
    "hello-world": ("0b609bb57162", "0fe800bbde87", ("87c0fd6ceea7",)),
    "nginx": ("1cbb6f5d78fd", "dc3b9511a00b", ("2ea155101823", "41bda3cd0f23", "a6a2c3f93900", "0832e1c7de71",
                                               "f50c4ae84062", "5b092b5aa257", "5ebad468a238")),
    "python": ("79dcb06b2f17", "a533dcd0e126", ("2ea155101823", "0961abec45c8", "7b4947c54f53", "3ba835e8ffb9")),
    "ubuntu": ("26319be9b229", "7bcee24a1e71", ("1e9ad9c133bb",)),
}


@pytest.mark.parametrize("repository", sorted(PINNED))
def test_every_image_keeps_its_ids(repository):
    image = registry.lookup(repository, registry._images()[repository].tags[0])
    short = lambda digest: digest.split(":")[1][:12]  # noqa: E731
    assert (short(registry.image_id(image.config)), short(image.manifest_digest),
            tuple(short(layer.diff_id) for layer in image.layers)) == PINNED[repository]


def test_one_data_file_per_image_and_catalog():
    assert [name.split("/")[1] for name in data.names("images")] == [f"{r}.toml" for r in sorted(PINNED)]
    assert registry.repositories() == sorted(PINNED)
    assert len(packages.APK) == 51 and len(packages.apt_catalog("noble")) == len(packages.apt_catalog()) == 77
    assert HELLO_WORLD_TEXT.startswith("\nHello from Docker!\n")  # the newline after ''' is not part of it


def test_a_derived_file_follows_the_catalog():
    """dpkg's status and apk's installed db in the images are made from the catalogs, not copied."""
    debian = registry._images()["debian"].layers[0]
    assert debian.changes["/var/lib/dpkg/status"].content == packages.dpkg_status("bookworm")
    alpine = registry._images()["alpine"].layers[0]
    assert alpine.changes["/lib/apk/db/installed"].content == packages.alpine_installed_db()


ENGINE = pathlib.Path(__file__).resolve().parents[2] / "engine"
IO_MODULES = {"os", "pathlib", "shutil", "socket", "urllib", "http", "importlib.resources", "tempfile", "glob"}


def test_only_the_data_package_reads_files():
    """engine/README.md: no I/O, except engine/registry/data reading the engine's own data once at import."""
    offenders = []
    for path in sorted(ENGINE.rglob("*.py")):
        if path.name == "__init__.py" and path.parent.name == "data":  # the reader, wherever engine/ puts it
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            offenders += [f"{path.name}: import {n}" for n in names if n.split(".")[0] in IO_MODULES
                          or n in IO_MODULES]
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open":
                offenders.append(f"{path.name}:{node.lineno}: open()")
    assert offenders == []
