"""Package installs inside a container: what apk and apt-get print, and the files they leave
(pip's are in engine/registry/pip_install.py; `packages.pip_install` is the same function).

Each manager has a small catalog of real package names, versions (Alpine 3.22, Debian 12 bookworm,
Ubuntu 24.04 noble), dependencies and believable files, kept as data (engine/registry/data/apk.toml, apt.toml).
Transcripts follow the tools' non-interactive output (no TTY in `docker build`/`docker run`):
apk-tools 2.14, apt 2.6/2.7.
"""
from __future__ import annotations

import hashlib
import posixpath
from dataclasses import dataclass

from engine.layers.fs import Entry, parent_dirs
from engine.registry import data
from engine.registry.installs import InstallOutcome, with_parents
from engine.registry.pip_install import pip_install  # noqa: F401  (callers run all three managers from this module)


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    size: int  # installed bytes
    deps: tuple[str, ...]
    files: tuple[str, ...]  # 'path' (binary) or 'path->target' (symlink)
    download: int = 0  # archive bytes (apt)
    arch: str = "amd64"
    extra: str = ""  # apk: install script


def _file_entries(pkg: Package) -> dict[str, Entry]:
    """The package's files with its installed size spread over the binaries, parents included."""
    files: dict[str, Entry] = {}
    binaries = [f for f in pkg.files if "->" not in f]
    share, rest = divmod(pkg.size, max(len(binaries), 1))
    for spec in pkg.files:
        path, _, target = spec.partition("->")
        for parent in parent_dirs(path):
            files.setdefault(parent, Entry.dir())
        if target:
            files[path] = Entry.symlink(target)
            continue
        size = share + (rest if path == binaries[0] else 0)
        executable = posixpath.basename(posixpath.dirname(path)) in ("bin", "sbin", "git-core")
        files[path] = Entry.file(None, 0o755 if executable else 0o644, size=size)
    return files


def _install_order(names: list[str], catalog: dict[str, Package], have: set[str]) -> list[str]:
    """Dependencies before dependents (depth first), skipping what is already installed."""
    order: list[str] = []

    def visit(name: str):
        if name in have or name in order:
            return
        for dep in catalog[name].deps:
            visit(dep)
        order.append(name)

    for name in names:
        visit(name)
    return order


def _text_file(content: str) -> Entry:
    return Entry.file(content)


# --------------------------------------------------------------------------------------------- apk
_APK_DATA = data.load("apk.toml")
APK_MAIN, APK_COMMUNITY = _APK_DATA["main"], _APK_DATA["community"]
APK = {name: Package(name, p["version"], p["size"], tuple(p.get("deps", ())), tuple(p["files"]), arch="x86_64",
                     extra=p.get("script", "")) for name, p in _APK_DATA["packages"].items()}
ALPINE_BASE = tuple(_APK_DATA["base"])  # alpine's own packages, in /lib/apk/db/installed order


def apk_db_block(pkg: Package, with_files: bool = True) -> str:
    """One package's record in /lib/apk/db/installed (apk-tools 2 text format, files as F:/R: lines)."""
    lines = [f"P:{pkg.name}", f"V:{pkg.version}", f"A:{pkg.arch}", f"S:{pkg.size // 3}",
             f"I:{pkg.size}", f"o:{pkg.name}"]
    if pkg.deps:
        lines.append("D:" + " ".join(pkg.deps))
    if with_files:
        current = None
        for spec in pkg.files:
            path = spec.partition("->")[0].lstrip("/")
            folder, name = posixpath.split(path)
            if folder != current:
                lines.append(f"F:{folder}")
                current = folder
            lines.append(f"R:{name}")
    return "\n".join(lines) + "\n\n"


def alpine_installed_db() -> str:
    return "".join(apk_db_block(APK[name], with_files=False) for name in ALPINE_BASE)


def _apk_db_packages(db: str) -> dict[str, tuple[str, int]]:
    """{name: (version, installed bytes)} from /lib/apk/db/installed."""
    found, name, version = {}, "", ""
    for line in db.splitlines():
        key, _, value = line.partition(":")
        if key == "P":
            name = value
        elif key == "V":
            version = value
        elif key == "I":
            found[name] = (version, int(value))
    return found


def _apk_cache_files() -> dict[str, Entry]:
    """Without --no-cache apk keeps the downloaded indexes in /var/cache/apk (why Dockerfiles pass it)."""
    files = {"/var/cache/apk": Entry.dir()}
    for url, size in ((APK_MAIN, 513_802), (APK_COMMUNITY, 1_528_120)):
        tag = hashlib.sha256(url.encode()).hexdigest()[:8]
        files[f"/var/cache/apk/APKINDEX.{tag}.tar.gz"] = Entry.file(None, size=size)
    return files


def apk_update() -> InstallOutcome:
    """`apk update`: fetch both indexes into /var/cache/apk and report what they hold."""
    out = (f"fetch {APK_MAIN}\nfetch {APK_COMMUNITY}\n"
           "v3.22.2-54-g6b5a5b1fb0b [https://dl-cdn.alpinelinux.org/alpine/v3.22/main]\n"
           "v3.22.2-53-g0d94dcdd6d4 [https://dl-cdn.alpinelinux.org/alpine/v3.22/community]\n"
           "OK: 26343 distinct packages available\n")
    return InstallOutcome(_apk_cache_files(), out, "", 0)


def apk_add(names: list[str], installed_db: str, *, no_cache: bool) -> InstallOutcome:
    fetch = f"fetch {APK_MAIN}\nfetch {APK_COMMUNITY}\n"
    files = {} if no_cache else _apk_cache_files()
    unknown = [n for n in names if n not in APK]
    if unknown:
        err = "ERROR: unable to select packages:\n" + "".join(
            f"  {n} (no such package):\n    required by: world[{n}]\n" for n in unknown)
        return InstallOutcome(files, fetch, err, 1)
    installed = _apk_db_packages(installed_db)
    order = _install_order(names, APK, set(installed))
    out = [fetch.rstrip("\n")]
    db = installed_db
    for i, name in enumerate(order, 1):
        pkg = APK[name]
        out.append(f"({i}/{len(order)}) Installing {name} ({pkg.version})")
        if pkg.extra in ("pre-install", "post-install"):
            out.append(f"Executing {name}-{pkg.version}.{pkg.extra}")
        files.update(_file_entries(pkg))
        db += apk_db_block(pkg)
        installed[name] = (pkg.version, pkg.size)
    if order:
        busybox = installed.get("busybox", ("1.37.0-r19", 0))[0]
        out.append(f"Executing busybox-{busybox}.trigger")
        if "ca-certificates" in order:
            out.append(f"Executing ca-certificates-{APK['ca-certificates'].version}.trigger")
        with_parents(files, "/lib/apk/db/installed", _text_file(db))
    total = sum(size for _, size in installed.values())
    out.append(f"OK: {total // (1024 * 1024)} MiB in {len(installed)} packages")
    return InstallOutcome(files, "\n".join(out) + "\n", "", 0)


# --------------------------------------------------------------------------------------------- apt
_APT_DATA = data.load("apt.toml")
DEBIAN_BASE = tuple(_APT_DATA["base"])  # debian's and ubuntu's own packages
_DISTROS = _APT_DATA["distros"]  # codename: mirror (Get: lines), libc (its trigger), update (sources, bytes)
# Ubuntu 24.04 renamed libraries for the 64-bit time_t transition and ships Python 3.12 / Perl 5.38.
_NOBLE_RENAMES = _DISTROS["noble"]["renames"]


def _noble(text: str) -> str:
    for old, new in _DISTROS["noble"]["text"]:
        text = text.replace(old, new)
    return text


def _noble_name(name: str) -> str:
    return _NOBLE_RENAMES.get(name) or _noble(name)


def apt_catalog(codename: str = "bookworm") -> dict[str, Package]:
    packages = {}
    for name, p in _APT_DATA["packages"].items():
        deps, files = tuple(p.get("deps", ())), tuple(p["files"])
        if codename == "noble":
            name, deps, files = _noble_name(name), tuple(map(_noble_name, deps)), tuple(map(_noble, files))
        packages[name] = Package(name, p[codename], p["installed_kib"] * 1024, deps, files, p["download"], p["arch"])
    return packages


def dpkg_stanza(pkg: Package) -> str:
    """One package's paragraph in /var/lib/dpkg/status."""
    lines = [f"Package: {pkg.name}", "Status: install ok installed", "Priority: optional",
             f"Installed-Size: {pkg.size // 1024}", f"Architecture: {pkg.arch}", f"Version: {pkg.version}"]
    if pkg.deps:
        lines.append("Depends: " + ", ".join(pkg.deps))
    return "\n".join(lines) + "\n\n"


def dpkg_status(codename: str, names=DEBIAN_BASE) -> str:
    catalog = apt_catalog(codename)
    return "".join(dpkg_stanza(catalog[n]) for n in names)


def _codename(dpkg_status_text: str) -> str:
    return "noble" if "ubuntu" in dpkg_status_text else "bookworm"


def _dpkg_installed(status: str) -> dict[str, str]:
    found, name = {}, ""
    for line in status.splitlines():
        if line.startswith("Package: "):
            name = line[9:]
        elif line.startswith("Version: "):
            found[name] = line[9:]
    return found


def apt_size(size: float) -> str:
    """apt's SizeToStr: 1000-based, 3-4 significant digits ('6924 B', '63.4 kB', '3546 kB', '12.3 MB')."""
    for unit in ("", "k", "M", "G"):
        if size < 100 and unit:
            return f"{size:.1f} {unit}B"
        if size < 10000:
            return f"{size:.0f} {unit}B"
        size /= 1000
    return f"{size:.0f} TB"


def _wrapped(names: list[str]) -> list[str]:
    """apt's package lists: two-space indent, wrapped before 80 columns."""
    lines, line = [], " "
    for name in names:
        if len(line) + 1 + len(name) > 79:
            lines.append(line)
            line = " "
        line += " " + name
    return lines + [line]


def _list_file(source: str) -> str:
    """'http://deb.debian.org/debian bookworm/main amd64 Packages' -> the file apt keeps in lists/."""
    url, suite, *rest = source.split()
    dist, _, component = suite.partition("/")
    parts = [url.removeprefix("http://").replace("/", "_"), "dists", dist]
    if component:
        parts += [component, "binary-amd64", "Packages.lz4"]
    else:
        parts.append("InRelease")
    return "/var/lib/apt/lists/" + "_".join(parts)


def apt_get_update(*, dpkg_status: str = "") -> InstallOutcome:
    """`apt-get update`: the release files and (lz4-compressed, as Docker's images keep them) indexes."""
    sources = _DISTROS[_codename(dpkg_status)]["update"]
    files = {"/var/lib/apt": Entry.dir(), "/var/lib/apt/lists": Entry.dir(),
             "/var/lib/apt/lists/partial": Entry.dir(0o700), "/var/lib/apt/lists/lock": Entry.file("", 0o640)}
    out = []
    for i, (source, size) in enumerate(sources, 1):
        out.append(f"Get:{i} {source} [{apt_size(size)}]")
        files[_list_file(source)] = Entry.file(None, size=size if "InRelease" in source else size * 2)
    total = sum(size for _, size in sources)
    out += [f"Fetched {apt_size(total)} in 1s ({apt_size(total * 0.8)}/s)", "Reading package lists..."]
    return InstallOutcome(files, "\n".join(out) + "\n", "", 0)


def apt_get_install(names: list[str], dpkg_status: str, *, lists_present: bool,
                    assume_yes: bool) -> InstallOutcome:
    codename = _codename(dpkg_status)
    catalog, installed = apt_catalog(codename), _dpkg_installed(dpkg_status)
    out = ["Reading package lists...", "Building dependency tree...", "Reading state information..."]
    # Without lists apt only knows what dpkg has installed (the images ship empty lists).
    unknown = [n for n in names if n not in installed and (not lists_present or n not in catalog)]
    if unknown:
        err = "".join(f"E: Unable to locate package {n}\n" for n in unknown)
        return InstallOutcome({}, "\n".join(out) + "\n", err, 100)
    for name in names:
        if name in installed:
            out.append(f"{name} is already the newest version ({installed[name]}).")
    order = _install_order(names, catalog, set(installed))
    extra = sorted(n for n in order if n not in names)
    if extra:
        out += ["The following additional packages will be installed:"] + _wrapped(extra)
    if order:
        out += ["The following NEW packages will be installed:"] + _wrapped(sorted(order))
    out.append(f"0 upgraded, {len(order)} newly installed, 0 to remove and 0 not upgraded.")
    if not order:
        return InstallOutcome({}, "\n".join(out) + "\n", "", 0)
    download = sum(catalog[n].download for n in order)
    out += [f"Need to get {apt_size(download)} of archives.",
            f"After this operation, {apt_size(sum(catalog[n].size for n in order))} of additional disk space will be used."]
    if extra and not assume_yes:  # apt asks only when it adds packages; no TTY answer -> Abort.
        out.append("Do you want to continue? [Y/n] Abort.")
        return InstallOutcome({}, "\n".join(out) + "\n", "", 1)
    return _apt_transcript(order, catalog, codename, dpkg_status, out, download)


def _deb_name(pkg: Package) -> str:
    return f"{pkg.name}_{pkg.version.replace(':', '%3a')}_{pkg.arch}.deb"


def _apt_transcript(order, catalog, codename, status, out, download) -> InstallOutcome:
    mirror, libc = _DISTROS[codename]["mirror"], _DISTROS[codename]["libc"]
    for i, name in enumerate(order, 1):
        pkg = catalog[name]
        out.append(f"Get:{i} {mirror} amd64 {name} {pkg.arch} {pkg.version} [{apt_size(pkg.download)}]")
    err = "debconf: delaying package configuration, since apt-utils is not installed\n"
    out.append(f"Fetched {apt_size(download)} in 0s ({apt_size(download * 4)}/s)")
    known_files = 69 * len(_dpkg_installed(status)) + 5467  # bookworm-slim reports about 6100
    files: dict[str, Entry] = {}
    width = len(str(len(order) - 1))
    for i, name in enumerate(order):
        pkg = catalog[name]
        out.append(f"Selecting previously unselected package {name}.")
        if i == 0:
            out.append(f"(Reading database ... {known_files} files and directories currently installed.)")
        prefix = f"{i:0{width}d}-" if len(order) > 1 else ""
        out += [f"Preparing to unpack .../{prefix}{_deb_name(pkg)} ...", f"Unpacking {name} ({pkg.version}) ..."]
        pkg_files = _file_entries(pkg)
        files.update(pkg_files)
        listing = "/.\n" + "".join(p + "\n" for p in pkg_files)
        with_parents(files, f"/var/lib/dpkg/info/{name}.list", _text_file(listing))
        status += dpkg_stanza(pkg)
    for name in order:
        out.append(f"Setting up {name} ({catalog[name].version}) ...")
        if name == "ca-certificates":
            out += ["Updating certificates in /etc/ssl/certs...", "146 added, 0 removed; done."]
    if any(".so" in path for name in order for path in catalog[name].files):
        out.append(f"Processing triggers for libc-bin ({libc}) ...")
    if "ca-certificates" in order:
        out += [f"Processing triggers for ca-certificates ({catalog['ca-certificates'].version}) ...",
                "Updating certificates in /etc/ssl/certs...", "0 added, 0 removed; done.",
                "Running hooks in /etc/ca-certificates/update.d...", "done."]
    files["/var/lib/dpkg/status"] = _text_file(status)
    return InstallOutcome(files, "\n".join(out) + "\n", err, 0)
