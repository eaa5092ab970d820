"""What a package manager run inside a container gives back (apk and apt-get in packages.py, pip in
pip_install.py): its transcript, exit status and the files it leaves in the container's layer."""
from __future__ import annotations

from dataclasses import dataclass

from engine.layers.fs import Entry, parent_dirs


@dataclass(frozen=True)
class InstallOutcome:
    files: dict[str, Entry]
    stdout: str
    stderr: str
    exit_code: int


def with_parents(files: dict[str, Entry], path: str, entry: Entry) -> None:
    """files[path] = entry, with its parent directories (as an install creates them)."""
    for parent in parent_dirs(path):
        files.setdefault(parent, Entry.dir())
    files[path] = entry
