"""The engine's own data files: the registry images' file trees and texts, the apk/apt/pip catalogs.

Reading these, once, when the modules that use them are imported, is the one I/O the engine does.
They are TOML, read as bytes and decoded (no newline translation), because their bytes become layer
tars whose sha256 are the DiffIDs and image ids the tests pin.
"""
from __future__ import annotations

import tomllib
from importlib.resources import files


def load(name: str) -> dict:
    """One data file, e.g. "texts.toml" or "images/alpine.toml"."""
    return tomllib.loads(files(__name__).joinpath(name).read_bytes().decode("utf-8"))


def names(folder: str) -> list[str]:
    """The data files in a folder, by name ("images" -> ["images/alpine.toml", …])."""
    return sorted(f"{folder}/{f.name}" for f in files(__name__).joinpath(folder).iterdir()
                  if f.name.endswith(".toml"))
