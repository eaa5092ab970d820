"""The registry catalog: the images `docker pull` can fetch, as a small, believable Docker Hub.

Every image is built from `engine.fs.Layer`s (content-addressed), so nginx and python:3.12-slim, both
built FROM debian:bookworm-slim, share its one layer object and DiffID, and a pull of the second finds it
`Already exists`. Layer sizes are the uncompressed sizes `docker images` adds up; each layer's modelled
files are padded with a few big "bulk" files (shared libraries) to reach the real size.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache

from . import registry_files as txt
from .fs import Entry, Layer, parent_dirs
from .packages import DEBIAN_BASE, Package, alpine_installed_db, apt_catalog, dpkg_stanza, dpkg_status

PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
BUILDKIT = "buildkit.dockerfile.v0"


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


# ------------------------------------------------------------------------------------ building blocks
def _bin(size: int) -> Entry:
    return Entry.file(None, 0o755, size=size)


def _blob(size: int) -> Entry:
    return Entry.file(None, 0o644, size=size)


def _layer(entries: dict[str, Entry], size: int = 0, bulk: dict[str, float] | None = None) -> Layer:
    """A layer of `entries` (parents added), padded with `bulk` files {path: share} to exactly `size`."""
    changes = dict(entries)
    used = sum(e.size for e in changes.values() if e.kind in ("file", "symlink"))
    remainder = size - used if size else 0
    if bulk:
        assert remainder > 0, f"layer too small for its files: {used} > {size}"
        paths = list(bulk)
        for path in paths[:-1]:
            changes[path] = _blob(int(remainder * bulk[path]))
        changes[paths[-1]] = _blob(remainder - sum(changes[p].size for p in paths[:-1]))
    for path in list(changes):
        for parent in parent_dirs(path):
            changes.setdefault(parent, Entry.dir())
    return Layer.from_changes(changes)


def _history(created: str, created_by: str, *, empty: bool = False, comment: str | None = BUILDKIT) -> dict:
    entry = {"created": created, "created_by": created_by}  # OCI History field order
    if comment:
        entry["comment"] = comment
    if empty:
        entry["empty_layer"] = True
    return entry


def _config(created: str, layers, history: list[dict], *, env: list[str], cmd: list[str],
            entrypoint=None, ports=None, labels=None, stop_signal=None) -> dict:
    inner: dict = {"Env": env, "Cmd": cmd}
    if entrypoint:
        inner["Entrypoint"] = entrypoint
    inner["WorkingDir"] = ""
    if ports:
        inner["ExposedPorts"] = {port: {} for port in ports}
    if labels:
        inner["Labels"] = labels
    if stop_signal:
        inner["StopSignal"] = stop_signal
    assert sum(not h.get("empty_layer") for h in history) == len(layers)
    return {"architecture": "amd64", "config": inner, "created": created, "history": history, "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [layer.diff_id for layer in layers]}}


def _fhs(*, tmp: str = "/tmp") -> dict[str, Entry]:
    """Directories every distro image has, with their real modes."""
    dirs = {p: Entry.dir() for p in ("/dev", "/etc", "/home", "/mnt", "/opt", "/proc", "/run", "/srv", "/sys",
                                    "/usr/local/bin", "/var/log", "/var/cache")}
    dirs.update({"/root": Entry.dir(0o700), tmp: Entry.dir(0o1777), "/var/tmp": Entry.dir(0o1777)})
    return dirs


# ----------------------------------------------------------------------------------------------- images
def _alpine() -> tuple[list[Layer], dict]:
    applets = {f"/bin/{a}": Entry.symlink("/bin/busybox") for a in ("sh", "ls", "cat", "echo", "mkdir", "rm", "cp",
                                                                      "mv", "touch", "sleep", "vi", "ps")}
    files = {**_fhs(), **applets, "/bin/busybox": _bin(817_152), "/media": Entry.dir(), "/sbin/apk": _bin(262_144),
             "/lib/ld-musl-x86_64.so.1": _bin(662_528),
             "/lib/libc.musl-x86_64.so.1": Entry.symlink("ld-musl-x86_64.so.1"),
             "/etc/os-release": Entry.file(txt.ALPINE_OS_RELEASE), "/etc/alpine-release": Entry.file("3.22.2\n"),
             "/etc/hostname": Entry.file("localhost\n"), "/etc/motd": Entry.file(txt.ALPINE_MOTD),
             "/etc/passwd": Entry.file(txt.ALPINE_PASSWD),
             "/etc/group": Entry.file(txt.ALPINE_GROUP), "/etc/apk/repositories": Entry.file(txt.ALPINE_REPOSITORIES),
             "/etc/profile": Entry.file('export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"\n'),
             "/lib/apk/db/installed": Entry.file(alpine_installed_db()), "/usr/sbin": Entry.dir()}
    layer = _layer(files, 8_310_000, {"/usr/lib/libcrypto.so.3": 0.62, "/usr/lib/libssl.so.3": 0.12,
                                      "/etc/ssl/certs/ca-certificates.crt": 0.04, "/lib/libz.so.1.3.1": 0.02,
                                      "/usr/share/apk/keys/x86_64/alpine-devel@lists.alpinelinux.org-6165ee59.rsa.pub": 0.01,
                                      "/usr/bin/ssl_client": 0.19})
    created = "2025-10-08T11:04:56Z"
    history = [_history(created, "ADD alpine-minirootfs-3.22.2-x86_64.tar.gz / # buildkit"),
               _history(created, 'CMD ["/bin/sh"]', empty=True)]
    return [layer], _config(created, [layer], history, env=[PATH_ENV], cmd=["/bin/sh"])


def _busybox() -> tuple[list[Layer], dict]:
    # The real image hard-links ~400 applet names to /bin/busybox; we model a few as symlinks.
    applets = {f"/bin/{a}": Entry.symlink("busybox") for a in ("sh", "ls", "cat", "echo", "mkdir", "rm", "cp", "mv",
                                                                "touch", "sleep", "top", "ps", "wget", "vi")}
    files = {**_fhs(), **applets, "/bin/busybox": _bin(1_136_480), "/etc/passwd": Entry.file(txt.BUSYBOX_PASSWD),
             "/etc/group": Entry.file(txt.BUSYBOX_GROUP), "/etc/nsswitch.conf": Entry.file("hosts: files dns\n"),
             "/etc/network": Entry.dir(), "/usr/sbin": Entry.dir(), "/var/spool/mail": Entry.dir(), "/var/www": Entry.dir(),
             "/lib64": Entry.symlink("lib")}
    layer = _layer(files, 4_430_000, {"/lib/libc.so.6": 0.62, "/lib/libm.so.6": 0.28, "/lib/libresolv.so.2": 0.02,
                                      "/lib/libnss_files.so.2": 0.01, "/lib/ld-linux-x86-64.so.2": 0.07})
    created = "2025-09-26T21:14:15Z"
    history = [_history(created, "BusyBox 1.37.0 (glibc), Debian 13", comment=None),
               _history(created, 'CMD ["sh"]', empty=True, comment=None)]
    return [layer], _config(created, [layer], history, env=[PATH_ENV], cmd=["sh"])


def _debian_like(os_release: str, passwd: str, group: str, sources: str, status: str, size: int,
                 extra: dict[str, Entry]) -> Layer:
    files = {**_fhs(), "/etc/os-release": Entry.symlink("../usr/lib/os-release"),
             "/usr/lib/os-release": Entry.file(os_release), "/etc/passwd": Entry.file(passwd),
             "/etc/group": Entry.file(group), "/etc/shadow": Entry.file(None, 0o640, size=501),
             "/etc/apt/sources.list.d/" + ("ubuntu.sources" if "noble" in sources else "debian.sources"):
                 Entry.file(sources),
             "/etc/apt/apt.conf.d/docker-clean": Entry.file(txt.APT_DOCKER_CLEAN),
             "/bin/sh": Entry.symlink("dash"), "/bin/dash": _bin(125_640), "/bin/bash": _bin(1_265_648),
             "/bin/ls": _bin(151_344), "/bin/cat": _bin(44_016), "/bin/mkdir": _bin(84_976), "/bin/rm": _bin(72_752),
             "/usr/bin/apt-get": _bin(14_760), "/usr/bin/apt": _bin(18_824), "/usr/bin/dpkg": _bin(318_792),
             "/usr/sbin": Entry.dir(), "/root/.bashrc": Entry.file(txt.BASH_RC_NOTE),
             "/var/lib/dpkg/status": Entry.file(status), "/var/lib/apt/lists": Entry.dir(), **extra}
    return _layer(files, size, {"/usr/lib/x86_64-linux-gnu/libc.so.6": 0.028, "/usr/lib/x86_64-linux-gnu/libcrypto.so.3": 0.062,
                                "/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30": 0.03,
                                "/usr/lib/x86_64-linux-gnu/libapt-pkg.so.6.0.0": 0.026,
                                "/usr/lib/x86_64-linux-gnu/perl-base/unicore/Name.pl": 0.015,
                                "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache": 0.004,
                                "/usr/share/zoneinfo/Etc/UTC": 0.0001, "/usr/share/doc/base-files/copyright": 0.6,
                                "/var/cache/debconf/templates.dat": 0.2349})


@lru_cache(maxsize=None)
def _debian_base() -> Layer:
    return _debian_like(txt.DEBIAN_OS_RELEASE, txt.DEBIAN_PASSWD, txt.DEBIAN_GROUP, txt.DEBIAN_SOURCES,
                        dpkg_status("bookworm"), 74_800_000, {"/etc/debian_version": Entry.file("12.12\n")})


DEBIAN_CREATED = "2025-11-17T00:00:00Z"
DEBIAN_HISTORY = _history(DEBIAN_CREATED, "# debian.sh --arch 'amd64' out/ 'bookworm' '@1763337600'",
                          comment="debuerreotype 0.16")


def _debian() -> tuple[list[Layer], dict]:
    layers = [_debian_base()]
    return layers, _config(DEBIAN_CREATED, layers, [DEBIAN_HISTORY], env=[PATH_ENV], cmd=["bash"])


def _ubuntu() -> tuple[list[Layer], dict]:
    extra = {"/etc/debian_version": Entry.file("trixie/sid\n"), "/home/ubuntu": Entry.dir(0o750),
             "/etc/lsb-release": Entry.file('DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=24.04\nDISTRIB_CODENAME=noble\n'
                                            'DISTRIB_DESCRIPTION="Ubuntu 24.04.3 LTS"\n')}
    layer = _debian_like(txt.UBUNTU_OS_RELEASE, txt.UBUNTU_PASSWD, txt.UBUNTU_GROUP, txt.UBUNTU_SOURCES,
                         dpkg_status("noble"), 78_100_000, extra)
    created = "2025-10-13T17:23:41.472381032Z"
    nop = "/bin/sh -c #(nop) "
    history = [_history(created, nop + " ARG RELEASE", empty=True, comment=None),
               _history(created, nop + " ARG LAUNCHPAD_BUILD_ARCH", empty=True, comment=None),
               _history(created, nop + " LABEL org.opencontainers.image.ref.name=ubuntu", empty=True, comment=None),
               _history(created, nop + " LABEL org.opencontainers.image.version=24.04", empty=True, comment=None),
               _history(created, nop + f"ADD file:{layer.diff_id[7:]} in / ", comment=None),
               _history(created, nop + ' CMD ["/bin/bash"]', empty=True, comment=None)]
    labels = {"org.opencontainers.image.ref.name": "ubuntu", "org.opencontainers.image.version": "24.04"}
    return [layer], _config(created, [layer], history, env=[PATH_ENV], cmd=["/bin/bash"], labels=labels)


NGINX_CREATED = "2025-11-18T01:12:30Z"
NGINX_ENV = [PATH_ENV, "NGINX_VERSION=1.27.5", "NJS_VERSION=0.8.10", "NJS_RELEASE=1~bookworm",
             "PKG_RELEASE=1~bookworm", "DYNPKG_RELEASE=1~bookworm"]
NGINX_RUN = (
    "RUN /bin/sh -c set -x     && groupadd --system --gid 101 nginx     && useradd --system --gid nginx "
    "--no-create-home --home /nonexistent --comment \"nginx user\" --shell /bin/false --uid 101 nginx     "
    "&& apt-get update     && apt-get install --no-install-recommends --no-install-suggests -y gnupg1 "
    "ca-certificates     && ... && apt-get install --no-install-recommends --no-install-suggests -y "
    "$nginxPackages gettext-base curl     && apt-get remove --purge --auto-remove -y && rm -rf "
    "/var/lib/apt/lists/* /etc/apt/sources.list.d/nginx.list     && ln -sf /dev/stdout /var/log/nginx/access.log"
    "     && ln -sf /dev/stderr /var/log/nginx/error.log     && mkdir /docker-entrypoint.d # buildkit")
# The four helper scripts the image copies into /docker-entrypoint.d (modelled by their real sizes).
NGINX_SCRIPTS = (("10-listen-on-ipv6-by-default.sh", 2125), ("15-local-resolvers.envsh", 389),
                 ("20-envsubst-on-templates.sh", 3018), ("30-tune-worker-processes.sh", 4620))


def _nginx_status() -> str:
    nginx = Package("nginx", "1.27.5-1~bookworm", 3_356_672, ("libc6", "libssl3"), ())
    njs = Package("nginx-module-njs", "1.27.5+0.8.10-1~bookworm", 9_031_680, ("nginx",), ())
    return dpkg_status("bookworm", DEBIAN_BASE + ("openssl", "ca-certificates", "curl")) + \
        dpkg_stanza(nginx) + dpkg_stanza(njs)


def _nginx() -> tuple[list[Layer], dict]:
    run = {"/etc/passwd": Entry.file(txt.NGINX_PASSWD), "/etc/group": Entry.file(txt.NGINX_GROUP),
           "/etc/nginx/nginx.conf": Entry.file(txt.NGINX_CONF),
           "/etc/nginx/conf.d/default.conf": Entry.file(txt.NGINX_DEFAULT_CONF),
           "/etc/nginx/mime.types": _blob(5349), "/etc/nginx/fastcgi_params": _blob(1007),
           "/etc/nginx/modules": Entry.symlink("/usr/lib/nginx/modules"),
           "/usr/sbin/nginx": _bin(1_468_488), "/usr/sbin/nginx-debug": _bin(1_528_928),
           "/usr/lib/nginx/modules/ngx_http_js_module.so": _blob(1_867_104),
           "/usr/share/nginx/html/index.html": Entry.file(txt.NGINX_INDEX_HTML),
           "/usr/share/nginx/html/50x.html": Entry.file(txt.NGINX_50X_HTML),
           "/var/log/nginx/access.log": Entry.symlink("/dev/stdout"),
           "/var/log/nginx/error.log": Entry.symlink("/dev/stderr"),
           "/var/cache/nginx": Entry.dir(), "/docker-entrypoint.d": Entry.dir(),
           "/usr/bin/envsubst": _bin(35_360), "/usr/bin/curl": _bin(280_352),
           "/var/lib/dpkg/status": Entry.file(_nginx_status())}
    layers = [_debian_base(), _layer(run, 117_188_000, {
        "/usr/lib/x86_64-linux-gnu/libicudata.so.72.1": 0.27, "/usr/lib/x86_64-linux-gnu/libicuuc.so.72.1": 0.02,
        "/usr/lib/x86_64-linux-gnu/libxml2.so.2.9.14": 0.02, "/usr/lib/x86_64-linux-gnu/libcurl.so.4.8.0": 0.01,
        "/usr/lib/x86_64-linux-gnu/libperl.so.5.36.0": 0.03, "/usr/share/perl/5.36/unicore/Name.pl": 0.12,
        "/usr/lib/x86_64-linux-gnu/libgnutls.so.30.34.3": 0.02, "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf": 0.06,
        "/usr/lib/x86_64-linux-gnu/libx265.so.199": 0.19, "/usr/lib/x86_64-linux-gnu/libaom.so.3.6.0": 0.11,
        "/usr/lib/x86_64-linux-gnu/libdav1d.so.6.6.0": 0.05, "/var/lib/dpkg/info/libicu72:amd64.list": 0.10})]
    layers.append(_layer({"/docker-entrypoint.sh": Entry.file(txt.NGINX_ENTRYPOINT, 0o775)}))
    for name, size in NGINX_SCRIPTS:
        layers.append(_layer({f"/docker-entrypoint.d/{name}": Entry.file(None, 0o775, size=size)}))
    history = [DEBIAN_HISTORY, _history(NGINX_CREATED, "LABEL maintainer=NGINX Docker Maintainers <docker-maint@nginx.com>", empty=True)]
    history += [_history(NGINX_CREATED, "ENV " + env, empty=True) for env in NGINX_ENV[1:]]
    history.append(_history(NGINX_CREATED, NGINX_RUN))
    history.append(_history(NGINX_CREATED, "COPY docker-entrypoint.sh / # buildkit"))
    history += [_history(NGINX_CREATED, f"COPY {name} /docker-entrypoint.d # buildkit") for name, _ in NGINX_SCRIPTS]
    history += [_history(NGINX_CREATED, 'ENTRYPOINT ["/docker-entrypoint.sh"]', empty=True),
                _history(NGINX_CREATED, "EXPOSE map[80/tcp:{}]", empty=True),
                _history(NGINX_CREATED, "STOPSIGNAL SIGQUIT", empty=True),
                _history(NGINX_CREATED, 'CMD ["nginx" "-g" "daemon off;"]', empty=True)]
    config = _config(NGINX_CREATED, layers, history, env=NGINX_ENV, cmd=["nginx", "-g", "daemon off;"],
                     entrypoint=["/docker-entrypoint.sh"], ports=["80/tcp"],
                     labels={"maintainer": "NGINX Docker Maintainers <docker-maint@nginx.com>"},
                     stop_signal="SIGQUIT")
    return layers, config


PYTHON_CREATED = "2025-11-18T02:41:07Z"
PYTHON_ENV = ["PATH=/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8",
              "GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305", "PYTHON_VERSION=3.12.12",
              # stand-in value: the sha256 of the 3.12.12 source tarball is not reproduced here
              "PYTHON_SHA256=" + hashlib.sha256(b"Python-3.12.12.tar.xz").hexdigest()]
PYTHON_RUNS = (
    "RUN /bin/sh -c set -eux; \tapt-get update; \tapt-get install -y --no-install-recommends \t\tca-certificates "
    "\t\tnetbase \t\ttzdata \t; \trm -rf /var/lib/apt/lists/* # buildkit",
    "RUN /bin/sh -c set -eux; \t\tsavedAptMark=\"$(apt-mark showmanual)\"; \tapt-get update; \tapt-get install -y "
    "--no-install-recommends \t\tdpkg-dev \t\tgcc \t\tgnupg \t\tlibbluetooth-dev \t\tlibbz2-dev ... \t; \t\twget -O "
    "python.tar.xz \"https://www.python.org/ftp/python/${PYTHON_VERSION%%[a-z]*}/Python-$PYTHON_VERSION.tar.xz\"; "
    "... \tpython3 --version; \tpip3 --version # buildkit",
    "RUN /bin/sh -c set -eux; \tfor src in idle3 pydoc3 python3 python3-config; do \t\tdst=\"$(echo \"$src\" | tr -d 3)\"; "
    "\t\t[ -s \"/usr/local/bin/$src\" ]; \t\t[ ! -e \"/usr/local/bin/$dst\" ]; \t\tln -svT \"$src\" \"/usr/local/bin/$dst\"; "
    "\tdone # buildkit")


def _python() -> tuple[list[Layer], dict]:
    apt = apt_catalog("bookworm")
    status = dpkg_status("bookworm") + "".join(dpkg_stanza(apt[n]) for n in ("openssl", "ca-certificates", "netbase", "tzdata"))
    certs = {"/etc/ssl/certs/ca-certificates.crt": _blob(219_957), "/etc/services": _blob(12_813),
             "/etc/protocols": _blob(2_932), "/usr/bin/openssl": _bin(1_000_720),
             "/usr/share/zoneinfo/UTC": _blob(114), "/var/lib/dpkg/status": Entry.file(status)}
    site = "/usr/local/lib/python3.12/site-packages"
    pip_script = txt.console_script("pip._internal.cli.main")
    build = {"/usr/local/bin/python3.12": _bin(17_040), "/usr/local/bin/python3": Entry.symlink("python3.12"),
             "/usr/local/bin/python3.12-config": Entry.file(None, 0o755, size=3_087),
             "/usr/local/bin/python3-config": Entry.symlink("python3.12-config"),
             "/usr/local/bin/idle3": Entry.symlink("idle3.12"), "/usr/local/bin/pydoc3": Entry.symlink("pydoc3.12"),
             "/usr/local/bin/idle3.12": Entry.file(None, 0o755, size=99), "/usr/local/bin/pydoc3.12": Entry.file(None, 0o755, size=84),
             **{f"/usr/local/bin/{p}": Entry.file(pip_script, 0o755) for p in ("pip", "pip3", "pip3.12")},
             "/usr/local/lib/libpython3.12.so.1.0": _bin(24_381_904),
             "/usr/local/lib/python3.12/os.py": _blob(39_786), "/usr/local/lib/python3.12/site.py": _blob(22_963),
             f"{site}/README.txt": Entry.file("This directory exists so that 3rd party packages can be installed\nhere.  Read the source for site.py for more details.\n"),
             f"{site}/pip/__init__.py": _blob(357), f"{site}/pip-25.0.1.dist-info/METADATA": _blob(3_736),
             f"{site}/pip-25.0.1.dist-info/INSTALLER": Entry.file("pip\n"),
             "/usr/local/include/python3.12/Python.h": _blob(2_804)}
    links = {f"/usr/local/bin/{d}": Entry.symlink(s) for s, d in (("idle3", "idle"), ("pydoc3", "pydoc"),
                                                                  ("python3", "python"), ("python3-config", "python-config"))}
    layers = [_debian_base(),
              _layer(certs, 3_520_000, {"/usr/lib/x86_64-linux-gnu/libssl.so.3": 0.2,
                                        "/usr/share/zoneinfo/tzdata.zi": 0.8}),
              _layer(build, 45_679_968, {f"{site}/pip/_internal/resolution/resolvelib/factory.py": 0.08,
                                         "/usr/local/lib/python3.12/lib-dynload/_ssl.cpython-312-x86_64-linux-gnu.so": 0.02,
                                         "/usr/local/lib/python3.12/config-3.12-x86_64-linux-gnu/libpython3.12.a": 0.3,
                                         "/usr/local/lib/python3.12/__pycache__/typing.cpython-312.pyc": 0.6}),
              _layer(links)]
    history = [DEBIAN_HISTORY, _history(PYTHON_CREATED, "ENV " + PYTHON_ENV[0], empty=True),
               _history(PYTHON_CREATED, "ENV LANG=C.UTF-8", empty=True), _history(PYTHON_CREATED, PYTHON_RUNS[0])]
    history += [_history(PYTHON_CREATED, "ENV " + env, empty=True) for env in PYTHON_ENV[2:]]
    history += [_history(PYTHON_CREATED, PYTHON_RUNS[1]), _history(PYTHON_CREATED, PYTHON_RUNS[2]),
                _history(PYTHON_CREATED, 'CMD ["python3"]', empty=True)]
    return layers, _config(PYTHON_CREATED, layers, history, env=PYTHON_ENV, cmd=["python3"])


def _hello_world() -> tuple[list[Layer], dict]:
    layers = [_layer({"/hello": _bin(10_072)})]
    created = "2025-08-08T19:05:17Z"
    history = [_history(created, "COPY hello / # buildkit"), _history(created, 'CMD ["/hello"]', empty=True)]
    return layers, _config(created, layers, history, env=[PATH_ENV], cmd=["/hello"])


# (repository, tags, builder)
_CATALOG = (
    ("hello-world", ("latest",), _hello_world),
    ("alpine", ("latest", "3.22", "3.22.2"), _alpine),
    ("busybox", ("latest", "1.37", "1.37.0"), _busybox),
    ("ubuntu", ("latest", "24.04", "noble"), _ubuntu),
    ("debian", ("bookworm-slim", "12-slim", "12.12-slim"), _debian),
    ("nginx", ("latest", "1.27", "1.27.5", "1.27.5-bookworm"), _nginx),
    ("python", ("3.12-slim", "3.12-slim-bookworm", "3.12.12-slim"), _python),
)


def _digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


@lru_cache(maxsize=None)
def _images() -> dict[str, RemoteImage]:
    images = {}
    for repository, tags, build in _CATALOG:
        layers, config = build()
        images[repository] = RemoteImage(
            repository, tags, config, tuple(layers),
            tuple(_digest("gzip:" + layer.diff_id) for layer in layers),
            _digest(f"manifest:{repository}:{image_id(config)}"))
    return images


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
