"""System and process information tools of the shell: pwd, env, whoami, id, uname, hostname, date,
which. They read the container's environment, /etc/passwd and the daemon's virtual clock."""
from __future__ import annotations

import datetime as dt

from engine import kernel
from engine.errors import FsError
from engine.shell.ctx import Ctx, split_flags
from engine.shell.path import find_program


def pwd(ctx: Ctx, args: list[str]) -> int:
    ctx.write(ctx.cwd + "\n")
    return 0


def env(ctx: Ctx, args: list[str]) -> int:
    extra = dict(ctx.env)
    while args and "=" in args[0] and not args[0].startswith("="):
        key, _, value = args.pop(0).partition("=")
        extra[key] = value
    if args:
        sub = Ctx(**{**ctx.__dict__, "env": extra})
        return ctx.run_argv(args, sub)
    ctx.write("".join(f"{k}={v}\n" for k, v in extra.items()))
    return 0


def _passwd_entry(ctx: Ctx) -> tuple[str, int, int] | None:
    """(name, uid, gid) of ctx.user ("name", "uid" or "name:group") from /etc/passwd; root by default."""
    wanted = (ctx.user or "root").split(":")[0]
    try:
        lines = ctx.fs.read("/etc/passwd").splitlines()
    except FsError:
        lines = []
    for line in lines:
        name, _, uid, gid = (line.split(":") + ["", "", ""])[:4]
        if (wanted in (name, uid)) and uid.isdigit() and gid.isdigit():
            return name, int(uid), int(gid)
    if wanted == "root" or wanted == "0":
        return "root", 0, 0
    return None if not wanted.isdigit() else ("", int(wanted), int(wanted))


def whoami(ctx: Ctx, args: list[str]) -> int:
    entry = _passwd_entry(ctx)
    if entry is None or not entry[0]:
        uid = ctx.user.split(":")[0]
        ctx.error(f"whoami: unknown uid {uid}" if ctx.busybox else f"whoami: cannot find name for user ID {uid}")
        return 1
    ctx.write(entry[0] + "\n")
    return 0


def id_(ctx: Ctx, args: list[str]) -> int:
    """root's groups come from the image's /etc/group (alpine lists root in many groups)."""
    entry = _passwd_entry(ctx)
    if entry is not None and entry[1] != 0:  # another USER: its own uid and primary group
        name, uid, gid = entry
        who = f"uid={uid}({name})" if name else f"uid={uid}"
        group = f"{gid}({name})" if name and gid == uid else str(gid)
        ctx.write(f"{who} gid={group} groups={group}\n")
        return 0
    groups = [(0, "root")]
    try:
        for line in ctx.fs.read("/etc/group").splitlines():
            name, _, gid, members = (line.split(":") + ["", "", ""])[:4]
            if "root" in members.split(",") and gid.isdigit() and int(gid) != 0:
                groups.append((int(gid), name))
    except FsError:
        pass
    listed = ",".join(f"{gid}({name})" for gid, name in groups)
    ctx.write(f"uid=0(root) gid=0(root) groups={listed}\n")
    return 0


def uname(ctx: Ctx, args: list[str]) -> int:
    flags, _ = split_flags(args, "asnrvmo")
    host = ctx.env.get("HOSTNAME", "localhost")
    if "a" in flags:
        os_name = "Linux" if ctx.busybox else "GNU/Linux"
        ctx.write(f"Linux {host} {kernel.RELEASE} {kernel.VERSION} {kernel.MACHINE} {os_name}\n")
    else:
        parts = {"s": "Linux", "n": host, "r": kernel.RELEASE, "v": kernel.VERSION, "m": kernel.MACHINE}
        picked = [parts[f] for f in "snrvm" if f in flags] or ["Linux"]
        ctx.write(" ".join(picked) + "\n")
    return 0


def hostname(ctx: Ctx, args: list[str]) -> int:
    ctx.write(ctx.env.get("HOSTNAME", "localhost") + "\n")
    return 0


def date(ctx: Ctx, args: list[str]) -> int:
    now = dt.datetime.fromtimestamp(ctx.now_ns // 1_000_000_000, dt.timezone.utc)
    ctx.write(f"{now:%a %b} {now.day:>2} {now:%H:%M:%S} UTC {now.year}\n")
    return 0


def which(ctx: Ctx, args: list[str]) -> int:
    status = 0
    for name in args:
        found = find_program(name, ctx.fs, ctx.env, ctx.cwd, ctx.flavor)
        if found:
            ctx.write(found + "\n")
        else:
            status = 1
    return status
