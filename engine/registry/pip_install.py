"""`pip install` in the python image: what pip 25.0.1 prints (running as root, no TTY) and the
files it leaves. The wheels it can find are data (engine/registry/data/pip.toml: PyPI, late 2025, CPython
3.12 on x86_64)."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from engine.layers.fs import Entry
from engine.registry import data
from engine.registry.installs import InstallOutcome, with_parents

SITE_PACKAGES = "/usr/local/lib/python3.12/site-packages"
PIP_VERSION, PIP_LATEST = "25.0.1", "25.3"
PIP_ROOT_WARNING = (
    "WARNING: Running pip as the 'root' user can result in broken permissions and conflicting behaviour with "
    "the system package manager, possibly rendering your system unusable. It is recommended to use a virtual "
    "environment instead: https://pip.pypa.io/warnings/venv. Use the --root-user-action option if you want to "
    "suppress this warning.\n")
PIP_NOTICE = (f"\n[notice] A new release of pip is available: {PIP_VERSION} -> {PIP_LATEST}\n"
              "[notice] To update, run: pip install --upgrade pip\n")


@dataclass(frozen=True)
class Wheel:
    name: str
    version: str
    tag: str  # the wheel's tag: py3-none-any, cp312-cp312-manylinux…
    download: int  # wheel bytes
    metadata: int  # bytes of its .metadata file
    installed: int  # bytes once unpacked
    module: str  # the import name
    requires: tuple[str, ...] = ()  # Requires-Dist
    scripts: tuple[str, ...] = ()  # console scripts: "name=module"

    @property
    def filename(self) -> str:
        return f"{self.name}-{self.version}-{self.tag}.whl"


PIP_CATALOG = {name: Wheel(name, w["version"], w["wheel"], w["download"], w["metadata"], w["installed"], w["module"],
                           tuple(w.get("requires", ())), tuple(w.get("scripts", ())))
               for name, w in data.load("pip.toml")["packages"].items()}


def console_script(module: str, func: str = "main") -> str:
    """The console-script wrapper pip writes for itself (and for every entry point it installs)."""
    return ("#!/usr/local/bin/python3.12\n# -*- coding: utf-8 -*-\nimport re\nimport sys\n"
            f"from {module} import {func}\n"
            "if __name__ == '__main__':\n"
            "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
            f"    sys.exit({func}())\n")


def _pip_key(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def _requirement_key(requirement: str) -> str:
    return _pip_key(re.split(r"[<>=!~;]", requirement)[0])


def _dist_files(wheel: Wheel) -> dict[str, Entry]:
    """What the wheel unpacks: the package, its .dist-info and console scripts in /usr/local/bin."""
    size, module = wheel.installed, wheel.module
    info = f"{SITE_PACKAGES}/{wheel.name}-{wheel.version}.dist-info"
    metadata = (f"Metadata-Version: 2.4\nName: {wheel.name}\nVersion: {wheel.version}\n"
                + "".join(f"Requires-Dist: {r}\n" for r in wheel.requires))
    files: dict[str, Entry] = {}
    with_parents(files, f"{SITE_PACKAGES}/{module}/__init__.py", Entry.file(None, size=size // 10))
    files[f"{SITE_PACKAGES}/{module}/_core.py"] = Entry.file(None, size=size - size // 10)
    files[info] = Entry.dir()
    files[f"{info}/METADATA"] = Entry.file(metadata)
    files[f"{info}/INSTALLER"] = Entry.file("pip\n")
    files[f"{info}/WHEEL"] = Entry.file("Wheel-Version: 1.0\nGenerator: setuptools\nRoot-Is-Purelib: true\n")
    files[f"{info}/RECORD"] = Entry.file(f"{module}/__init__.py,,\n{info.rsplit('/', 1)[1]}/METADATA,,\n")
    for script in wheel.scripts:
        command, _, target = script.partition("=")
        with_parents(files, f"/usr/local/bin/{command}", Entry.file(console_script(target), 0o755))
    return files


def pip_install(names: list[str], site_packages_present, *, installed: tuple[str, ...] = (),
                no_cache_dir: bool = False) -> InstallOutcome:
    """`pip install …` in the python image (pip 25.0.1, running as root, no TTY).

    `site_packages_present` is a bool, or the names in site-packages: then '<name>-<ver>.dist-info'
    entries tell what is already installed.
    """
    if not site_packages_present:  # no Python in this image: the shell cannot find pip
        return InstallOutcome({}, "", "/bin/sh: 1: pip: not found\n", 127)
    if not isinstance(site_packages_present, bool):
        installed = tuple(installed) + tuple(n.split("-")[0] for n in site_packages_present
                                             if n.endswith(".dist-info"))
    have = {_pip_key(n) for n in installed}
    out: list[str] = []
    wanted: list[str] = []
    queue = [(n, n, None) for n in names]  # (as typed, requirement text, required by)
    while queue:
        typed, requirement, parent = queue.pop(0)
        key = _pip_key(typed)
        if key not in PIP_CATALOG:
            err = (f"ERROR: Could not find a version that satisfies the requirement {requirement} "
                   f"(from versions: none)\nERROR: No matching distribution found for {requirement}\n")
            return InstallOutcome({}, "\n".join(out) + ("\n" if out else ""), err + PIP_NOTICE, 1)
        if key in have or key in wanted:
            if key in have and parent is None:
                out.append(f"Requirement already satisfied: {typed} in {SITE_PACKAGES} ({PIP_CATALOG[key].version})")
            continue
        out.append(f"Collecting {requirement}" + (f" (from {parent})" if parent else ""))
        out.append(f"  Downloading {PIP_CATALOG[key].filename}.metadata ({_pip_size(PIP_CATALOG[key].metadata)})")
        wanted.append(key)
        for req in PIP_CATALOG[key].requires:
            queue.append((re.split(r"[<>=!~;]", req)[0], req, key))
    if not wanted:
        return InstallOutcome({}, "\n".join(out) + "\n", PIP_ROOT_WARNING + PIP_NOTICE, 0)
    out += [f"Downloading {PIP_CATALOG[k].filename} ({_pip_size(PIP_CATALOG[k].download)})" for k in wanted]
    order = _pip_order(wanted)
    out.append("Installing collected packages: " + ", ".join(order))
    out.append("Successfully installed " + " ".join(f"{k}-{PIP_CATALOG[k].version}" for k in sorted(wanted)))
    files: dict[str, Entry] = {}
    for key in order:
        files.update(_dist_files(PIP_CATALOG[key]))
    if not no_cache_dir:  # pip keeps the downloaded wheels in root's cache unless told not to
        for key in wanted:
            digest = hashlib.sha256(PIP_CATALOG[key].filename.encode()).hexdigest()
            cached = f"/root/.cache/pip/http-v2/{digest[0]}/{digest[1]}/{digest[2]}/{digest[3]}/{digest[4]}/{digest[5:]}.body"
            with_parents(files, cached, Entry.file(None, 0o600, size=PIP_CATALOG[key].download))
    return InstallOutcome(files, "\n".join(out) + "\n", PIP_ROOT_WARNING + PIP_NOTICE, 0)


def _pip_order(wanted: list[str]) -> list[str]:
    """Dependencies before dependents, as pip's installer orders them."""
    order: list[str] = []

    def visit(key: str):
        if key in order or key not in wanted:
            return
        for req in PIP_CATALOG[key].requires:
            visit(_requirement_key(req))
        order.append(key)

    for key in reversed(wanted):
        visit(key)
    return order


def _pip_size(size: int) -> str:
    """pip's format_size: '8.5 kB', '103 kB', '16.6 MB'."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 10_000:
        return f"{size // 1000} kB"
    if size >= 1000:
        return f"{size / 1000:.1f} kB"
    return f"{size} bytes"
