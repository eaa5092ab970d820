"""Package installs inside a container: what apk, apt-get and pip print, and the files they leave.

Each manager has a small catalog of real package names, versions (Alpine 3.22, Debian 12 bookworm,
Ubuntu 24.04 noble, PyPI late 2025), dependencies and believable files. Transcripts follow the tools'
non-interactive output (no TTY in `docker build`/`docker run`): apk-tools 2.14, apt 2.6/2.7, pip 25.0.1.
"""
from __future__ import annotations

import hashlib
import re
import posixpath
from dataclasses import dataclass

from .fs import Entry, parent_dirs
from .registry_files import APK_CATALOG, APT_CATALOG, PIP_CATALOG, console_script


@dataclass(frozen=True)
class InstallOutcome:
    files: dict[str, Entry]
    stdout: str
    stderr: str
    exit_code: int


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    size: int  # installed bytes
    deps: tuple[str, ...]
    files: tuple[str, ...]  # 'path' (binary) or 'path->target' (symlink)
    download: int = 0  # archive bytes (apt/pip)
    arch: str = "amd64"
    extra: str = ""  # apk: install script; pip: wheel tag


def _parse_catalog(text: str, fields: int) -> dict[str, list]:
    """Lines 'name f1 … fN dep dep | file file' -> {name: [f1..fN, deps, files]}."""
    rows = {}
    for line in text.strip().splitlines():
        head, _, files = line.partition("|")
        words = head.split()
        rows[words[0]] = words[1:fields + 1] + [tuple(words[fields + 1:]), tuple(files.split())]
    return rows


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


def _with_parents(files: dict[str, Entry], path: str, entry: Entry) -> None:
    for parent in parent_dirs(path):
        files.setdefault(parent, Entry.dir())
    files[path] = entry


# --------------------------------------------------------------------------------------------- apk
APK_MAIN = "https://dl-cdn.alpinelinux.org/alpine/v3.22/main/x86_64/APKINDEX.tar.gz"
APK_COMMUNITY = "https://dl-cdn.alpinelinux.org/alpine/v3.22/community/x86_64/APKINDEX.tar.gz"


def _apk_catalog() -> dict[str, Package]:
    rows = _parse_catalog(APK_CATALOG, 3)
    return {n: Package(n, v, int(size), deps, files, arch="x86_64", extra="" if script == "-" else script)
            for n, (v, size, script, deps, files) in rows.items()}


APK = _apk_catalog()
ALPINE_BASE = ("alpine-baselayout-data", "musl", "busybox", "busybox-binsh", "alpine-baselayout",
               "alpine-keys", "alpine-release", "ca-certificates-bundle", "libcrypto3", "libssl3",
               "zlib", "apk-tools", "scanelf", "musl-utils", "ssl_client")


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
        _with_parents(files, "/lib/apk/db/installed", _text_file(db))
    total = sum(size for _, size in installed.values())
    out.append(f"OK: {total // (1024 * 1024)} MiB in {len(installed)} packages")
    return InstallOutcome(files, "\n".join(out) + "\n", "", 0)


# --------------------------------------------------------------------------------------------- apt
# Ubuntu 24.04 renamed libraries for the 64-bit time_t transition and ships Python 3.12 / Perl 5.38.
_NOBLE_RENAMES = {"libcurl4": "libcurl4t64", "libssh2-1": "libssh2-1t64", "libpsl5": "libpsl5t64",
                  "libldap-2.5-0": "libldap2", "libcurl3-gnutls": "libcurl3t64-gnutls",
                  "libperl5.36": "libperl5.38t64", "libcbor0.8": "libcbor0.10", "libfido2-1": "libfido2-1"}
_NOBLE_TEXT = (("python3.11", "python3.12"), ("3.11", "3.12"), ("5.36", "5.38"), ("vim90", "vim91"))
DEBIAN_BASE = ("base-files", "bash", "coreutils", "dash", "libc6", "libc-bin", "libssl3", "apt", "dpkg")
_DISTROS = {  # codename: (mirror line prefix for Get:, libc version)
    "bookworm": ("http://deb.debian.org/debian bookworm/main", "2.36-9+deb12u13"),
    "noble": ("http://archive.ubuntu.com/ubuntu noble/main", "2.39-0ubuntu8.6"),
}


def _noble(text: str) -> str:
    for old, new in _NOBLE_TEXT:
        text = text.replace(old, new)
    return text


def apt_catalog(codename: str = "bookworm") -> dict[str, Package]:
    packages = {}
    for name, (bookworm, noble, arch, dl, kib, deps, files) in _parse_catalog(APT_CATALOG, 5).items():
        if codename == "noble":
            rename = lambda n: _NOBLE_RENAMES.get(n) or _noble(n)  # noqa: E731
            name, deps, files = rename(name), tuple(map(rename, deps)), tuple(map(_noble, files))
        packages[name] = Package(name, noble if codename == "noble" else bookworm, int(kib) * 1024, deps,
                                 files, int(dl), arch)
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


_UPDATE = {
    "bookworm": [("http://deb.debian.org/debian bookworm InRelease", 151_000),
                 ("http://deb.debian.org/debian bookworm-updates InRelease", 55_400),
                 ("http://deb.debian.org/debian-security bookworm-security InRelease", 48_000),
                 ("http://deb.debian.org/debian bookworm/main amd64 Packages", 8_791_000),
                 ("http://deb.debian.org/debian bookworm-updates/main amd64 Packages", 6_924),
                 ("http://deb.debian.org/debian-security bookworm-security/main amd64 Packages", 287_000)],
    "noble": [("http://archive.ubuntu.com/ubuntu noble InRelease", 256_000),
              ("http://security.ubuntu.com/ubuntu noble-security InRelease", 126_000),
              ("http://archive.ubuntu.com/ubuntu noble-updates InRelease", 126_000),
              ("http://archive.ubuntu.com/ubuntu noble-backports InRelease", 126_000),
              ("http://archive.ubuntu.com/ubuntu noble/main amd64 Packages", 1_808_000),
              ("http://archive.ubuntu.com/ubuntu noble/universe amd64 Packages", 19_300_000),
              ("http://security.ubuntu.com/ubuntu noble-security/main amd64 Packages", 1_491_000),
              ("http://archive.ubuntu.com/ubuntu noble-updates/main amd64 Packages", 1_870_000)],
}


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
    sources = _UPDATE[_codename(dpkg_status)]
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
    mirror, libc = _DISTROS[codename]
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
        _with_parents(files, f"/var/lib/dpkg/info/{name}.list", _text_file(listing))
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


# --------------------------------------------------------------------------------------------- pip
SITE_PACKAGES = "/usr/local/lib/python3.12/site-packages"
PIP_VERSION, PIP_LATEST = "25.0.1", "25.3"
PIP_ROOT_WARNING = (
    "WARNING: Running pip as the 'root' user can result in broken permissions and conflicting behaviour with "
    "the system package manager, possibly rendering your system unusable. It is recommended to use a virtual "
    "environment instead: https://pip.pypa.io/warnings/venv. Use the --root-user-action option if you want to "
    "suppress this warning.\n")
PIP_NOTICE = (f"\n[notice] A new release of pip is available: {PIP_VERSION} -> {PIP_LATEST}\n"
              "[notice] To update, run: pip install --upgrade pip\n")


def _pip_key(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def _wheel(name: str) -> str:
    version, tag = PIP_CATALOG[name][:2]
    return f"{name}-{version}-{tag}.whl"


def _dist_files(name: str) -> dict[str, Entry]:
    """What the wheel unpacks: the package, its .dist-info and console scripts in /usr/local/bin."""
    version, _, _, _, size, module, requires, scripts = PIP_CATALOG[name]
    info = f"{SITE_PACKAGES}/{name}-{version}.dist-info"
    metadata = (f"Metadata-Version: 2.4\nName: {name}\nVersion: {version}\n"
                + "".join(f"Requires-Dist: {r}\n" for r in requires))
    files: dict[str, Entry] = {}
    _with_parents(files, f"{SITE_PACKAGES}/{module}/__init__.py", Entry.file(None, size=size // 10))
    files[f"{SITE_PACKAGES}/{module}/_core.py"] = Entry.file(None, size=size - size // 10)
    files[info] = Entry.dir()
    files[f"{info}/METADATA"] = _text_file(metadata)
    files[f"{info}/INSTALLER"] = _text_file("pip\n")
    files[f"{info}/WHEEL"] = _text_file(f"Wheel-Version: 1.0\nGenerator: setuptools\nRoot-Is-Purelib: true\n")
    files[f"{info}/RECORD"] = _text_file(f"{module}/__init__.py,,\n{info.rsplit('/', 1)[1]}/METADATA,,\n")
    for script in scripts:
        command, _, target = script.partition("=")
        _with_parents(files, f"/usr/local/bin/{command}", Entry.file(console_script(target), 0o755))
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
                out.append(f"Requirement already satisfied: {typed} in {SITE_PACKAGES} ({PIP_CATALOG[key][0]})")
            continue
        out.append(f"Collecting {requirement}" + (f" (from {parent})" if parent else ""))
        out.append(f"  Downloading {_wheel(key)}.metadata ({_pip_size(PIP_CATALOG[key][3])})")
        wanted.append(key)
        for req in PIP_CATALOG[key][6]:
            queue.append((re.split(r"[<>=!~;]", req)[0], req, key))
    if not wanted:
        return InstallOutcome({}, "\n".join(out) + "\n", PIP_ROOT_WARNING + PIP_NOTICE, 0)
    out += [f"Downloading {_wheel(k)} ({_pip_size(PIP_CATALOG[k][2])})" for k in wanted]
    order = _pip_order(wanted)
    out.append("Installing collected packages: " + ", ".join(order))
    out.append("Successfully installed " + " ".join(f"{k}-{PIP_CATALOG[k][0]}" for k in sorted(wanted)))
    files: dict[str, Entry] = {}
    for key in order:
        files.update(_dist_files(key))
    if not no_cache_dir:  # pip keeps the downloaded wheels in root's cache unless told not to
        for key in wanted:
            digest = hashlib.sha256(_wheel(key).encode()).hexdigest()
            cached = f"/root/.cache/pip/http-v2/{digest[0]}/{digest[1]}/{digest[2]}/{digest[3]}/{digest[4]}/{digest[5:]}.body"
            _with_parents(files, cached, Entry.file(None, 0o600, size=PIP_CATALOG[key][2]))
    return InstallOutcome(files, "\n".join(out) + "\n", PIP_ROOT_WARNING + PIP_NOTICE, 0)


def _pip_order(wanted: list[str]) -> list[str]:
    """Dependencies before dependents, as pip's installer orders them."""
    order: list[str] = []

    def visit(key: str):
        if key in order or key not in wanted:
            return
        for req in PIP_CATALOG[key][6]:
            visit(_pip_key(re.split(r"[<>=!~;]", req)[0]))
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
