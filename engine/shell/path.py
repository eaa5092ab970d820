"""Where a command name resolves in a container: PATH lookup, busybox applets, Debian's essential
programs, the program key a name stands for (python3.12 -> python3), and glob expansion of a word."""
from __future__ import annotations

import fnmatch
import posixpath
import re

from engine.errors import FsError
from engine.layers.fs import DIR, normpath
from engine.layers.unionfs import UnionFS

# Applets of Alpine's busybox (subset that matters): they exist as /bin or /usr/bin symlinks.
BUSYBOX_APPLETS = set("""ash sh cat chmod cp date echo env false grep head hostname id ln ls mkdir mv
printf pwd rm rmdir sleep sort tail test [ top touch true uname wc which whoami vi wget tar gzip
find sed awk xargs ps kill more less diff cut tr uniq nc ping free df du mount stat basename
dirname tee yes seq nslookup""".split())
# Debian/Ubuntu 'Essential' packages (coreutils, grep, dash, bash, findutils, sed...) are always
# present; used when an image's modelled file tree leaves them out.
GNU_ESSENTIALS = set("""sh dash bash cat chmod cp date echo env false grep head hostname id ln ls
mkdir mv printf pwd rm rmdir sleep sort tail test [ touch true uname wc which whoami find sed xargs
cut tr uniq tee yes seq basename dirname stat df du mount kill""".split())
SHELLS = {"sh", "ash", "dash", "bash"}


def _candidate_exists(fs, path: str) -> bool:
    return fs.exists(path)


def find_program(name: str, fs, env: dict[str, str], cwd: str, flavor: str) -> str | None:
    """Path of the program `name` as PATH lookup finds it in the container, else None."""
    if "/" in name:
        path = normpath(name, cwd)
        return path if _candidate_exists(fs, path) else None
    search = env.get("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
    for directory in search.split(":"):
        candidate = posixpath.join(normpath(directory or ".", cwd), name)
        if _candidate_exists(fs, candidate):
            return candidate
    if flavor == "busybox" and name in BUSYBOX_APPLETS and fs.exists("/bin/busybox"):
        return f"/bin/{name}"
    if flavor == "gnu" and name in GNU_ESSENTIALS and fs.exists("/var/lib/dpkg/status"):
        return f"/usr/bin/{name}" if name not in ("sh", "dash", "bash") else f"/bin/{name}"
    return None


def program_key(invoked: str) -> str:
    base = posixpath.basename(invoked)
    base = re.sub(r"^(python|pip)\d*(\.\d+)?$", lambda m: m.group(1), base)
    return {"python": "python3", "pip3": "pip", "apt": "apt-get"}.get(base, base)


def glob_match(fs: UnionFS, cwd: str, pattern: str) -> list[str]:
    """Expand a shell glob against the union view (sorted, hidden names need a leading dot)."""
    absolute = pattern.startswith("/")
    parts = [p for p in pattern.split("/") if p]
    found = ["/" if absolute else ""]
    for part in parts:
        nxt = []
        for base in found:
            directory = normpath(base or ".", cwd)
            if not any(c in part for c in "*?["):
                candidate = posixpath.join(base, part) if base else part
                if fs.lookup(normpath(candidate, cwd)) is not None:
                    nxt.append(candidate)
                continue
            if not fs.is_dir(directory):
                continue
            for name in fs.listdir(directory):
                if fnmatch.fnmatchcase(name, part) and (part.startswith(".") or not name.startswith(".")):
                    nxt.append(posixpath.join(base, name) if base else name)
        found = nxt
    return sorted(found)


def not_executable(fs, path: str) -> str | None:
    try:
        entry = fs.stat(path)
    except FsError:
        return None  # a built-in applet or essential program the image's tree leaves out
    if entry.kind == DIR:
        return "is a directory"
    return None if entry.mode & 0o111 else "permission denied"
