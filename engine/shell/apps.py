"""Programs with a life of their own: sleep, shells, nginx and its entrypoint, python3, top,
`tail -f`, package managers and /hello. Each is `fn(ctx, argv, path) -> exit status` and raises
LongRunning when it keeps running (then the container stays up).
"""
from __future__ import annotations

import ast
import datetime as dt
import posixpath
import re

from engine import kernel
from engine.errors import FsError, LongRunning
from engine.layers.fs import normpath
from engine.registry import packages
from engine.registry.files import HELLO_WORLD_TEXT
from engine.shell.ctx import Ctx, RunningProgram
from engine.shell.path import glob_match
from engine.shell.text import head


def _note(ctx: Ctx, text: str) -> int:
    ctx.error(text)
    return 0


def _unsupported(ctx: Ctx, argv: list[str]) -> int:
    return _note(ctx, f"LayerLab does not simulate `{' '.join(argv)}`; nothing was run.")


# ------------------------------------------------------------------ sleep / top / tail -f
def _seconds(text: str) -> float | None:
    match = re.fullmatch(r"(\d+(?:\.\d*)?|\.\d+)([smhd]?)", text)
    if not match:
        return None
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]


def sleep(ctx: Ctx, argv: list[str], path: str) -> int:
    total, forever = 0.0, False
    for arg in argv[1:]:
        if arg in ("inf", "infinity"):
            forever = True
            continue
        value = _seconds(arg)
        if value is None:
            if ctx.busybox:
                ctx.error(f"sleep: invalid number '{arg}'")
            else:
                ctx.error(f"sleep: invalid time interval '{arg}'\nTry 'sleep --help' for more information.")
            return 1
        total += value
    if not argv[1:]:
        ctx.error("sleep: missing operand\nTry 'sleep --help' for more information." if not ctx.busybox
                  else "BusyBox: sleep: missing operand")
        return 1
    # Virtual time: a sleep followed by more commands just lets them run; as the last command
    # it is what keeps the container alive.
    if ctx.is_last:
        raise LongRunning(RunningProgram(" ".join(argv), "ignore", None if forever else total))
    return 0


def top(ctx: Ctx, argv: list[str], path: str) -> int:
    raise LongRunning(RunningProgram(" ".join(argv), "ignore"))


def tail(ctx: Ctx, argv: list[str], path: str) -> int:
    status = head(ctx, argv[1:], tail=True)
    if any(a in ("-f", "-F") for a in argv[1:]) and status == 0:
        raise LongRunning(RunningProgram(" ".join(argv), "ignore"))
    return status


def hello(ctx: Ctx, argv: list[str], path: str) -> int:
    ctx.write(HELLO_WORLD_TEXT)
    return 0


# ------------------------------------------------------------------ nginx
def _stamp(ctx: Ctx) -> str:
    now = dt.datetime.fromtimestamp(ctx.now_ns // 1_000_000_000, dt.timezone.utc)
    return f"{now:%Y/%m/%d %H:%M:%S}"


def nginx(ctx: Ctx, argv: list[str], path: str) -> int:
    args = argv[1:]
    version = ctx.env.get("NGINX_VERSION", "1.27.5")
    if "-v" in args or "-V" in args:
        ctx.error(f"nginx version: nginx/{version}")
        return 0
    if "-t" in args:
        ctx.error("nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n"
                  "nginx: configuration file /etc/nginx/nginx.conf test is successful")
        return 0
    directives = args[args.index("-g") + 1] if "-g" in args and args.index("-g") + 1 < len(args) else ""
    _nginx_files(ctx)
    stamp = _stamp(ctx)
    notices = ['using the "epoll" event method', f"nginx/{version}",
               "built by gcc 12.2.0 (Debian 12.2.0-14) ", f"OS: Linux {kernel.RELEASE}",
               "getrlimit(RLIMIT_NOFILE): 1048576:1048576", "start worker processes",
               "start worker process 29", "start worker process 30"]
    ctx.err.extend(f"{stamp} [notice] 1#1: {text}\n" for text in notices)
    if re.search(r"daemon\s+off\s*;", directives):
        # nginx handles SIGTERM with a fast shutdown and exits 0 (its image stops it with SIGQUIT).
        raise LongRunning(RunningProgram("nginx: master process " + " ".join(argv), "exit0", None,
                                  ["nginx: worker process", "nginx: worker process"]))
    return 0  # daemonizes: the foreground process exits, and a container with it


def _nginx_files(ctx: Ctx) -> None:
    """What a starting nginx writes: its pid file and the temp dirs of the image's nginx.conf."""
    fs = ctx.fs
    if fs.is_dir("/run"):
        fs.write_file("/run/nginx.pid", "1\n")
    if fs.is_dir("/var/cache/nginx"):
        for name in ("client_temp", "proxy_temp", "fastcgi_temp", "uwsgi_temp", "scgi_temp"):
            if not fs.exists(f"/var/cache/nginx/{name}"):
                fs.mkdir(f"/var/cache/nginx/{name}", mode=0o700)


ENTRYPOINT_DIR = "/docker-entrypoint.d"


def nginx_entrypoint(ctx: Ctx, argv: list[str], path: str) -> int:
    """The nginx image's /docker-entrypoint.sh: run the /docker-entrypoint.d scripts, then exec."""
    me, args = argv[0], argv[1:]
    script = ctx.fs.read(path) if ctx.fs.exists(path) else ""
    if ENTRYPOINT_DIR not in script:  # some other image's entrypoint script
        return _unsupported(ctx, argv)
    log = [] if ctx.env.get("NGINX_ENTRYPOINT_QUIET_LOGS") else ctx.out
    if args and args[0] in ("nginx", "nginx-debug"):
        scripts = sorted(ctx.fs.listdir(ENTRYPOINT_DIR)) if ctx.fs.is_dir(ENTRYPOINT_DIR) else []
        if scripts:
            log.append(f"{me}: {ENTRYPOINT_DIR}/ is not empty, will attempt to perform configuration\n")
            log.append(f"{me}: Looking for shell scripts in {ENTRYPOINT_DIR}/\n")
            for name in scripts:
                _entrypoint_script(ctx, me, f"{ENTRYPOINT_DIR}/{name}", log)
            log.append(f"{me}: Configuration complete; ready for start up\n")
        else:
            log.append(f"{me}: No files found in {ENTRYPOINT_DIR}/, skipping configuration\n")
    if not args:
        return 0
    line = next((n for n, text in enumerate(script.splitlines(), 1) if text.startswith("exec ")), 47)
    return ctx.run_argv(args, ctx, f"{me}: {line}: exec: {{name}}: not found")


def _entrypoint_script(ctx: Ctx, me: str, path: str, log: list[str]) -> None:
    entry = ctx.fs.stat(path)
    executable = bool(entry.mode & 0o111)
    if path.endswith((".envsh", ".sh")) and not executable:
        log.append(f"{me}: Ignoring {path}, not executable\n")
    elif path.endswith(".envsh"):
        log.append(f"{me}: Sourcing {path}\n")
    elif path.endswith(".sh"):
        log.append(f"{me}: Launching {path}\n")
        if posixpath.basename(path) == "10-listen-on-ipv6-by-default.sh":
            _listen_on_ipv6(ctx, log)
    else:
        log.append(f"{me}: Ignoring {path}\n")


def _listen_on_ipv6(ctx: Ctx, log: list[str]) -> None:
    """10-listen-on-ipv6-by-default.sh: touches default.conf (so it is copied up) and adds an
    IPv6 listen line unless the file differs from the packaged one."""
    me, conf = "10-listen-on-ipv6-by-default.sh", "/etc/nginx/conf.d/default.conf"
    if not ctx.fs.exists(conf):
        log.append(f"{me}: info: {conf} is not a file or does not exist\n")
        return
    ctx.fs.touch(conf)
    text = ctx.fs.read(conf)
    if "listen  [::]:80;" in text:
        log.append(f"{me}: info: IPv6 listen already enabled\n")
        return
    log.append(f"{me}: info: Getting the checksum of {conf}\n")
    if "    listen       80;\n" not in text:
        log.append(f"{me}: info: {conf} differs from the packaged version\n")
        return
    ctx.fs.write_file(conf, text.replace("listen       80;\n", "listen       80;\n    listen  [::]:80;\n", 1))
    log.append(f"{me}: info: Enabled listen on IPv6 in {conf}\n")


# ------------------------------------------------------------------ python3
def python(ctx: Ctx, argv: list[str], path: str) -> int:
    args = argv[1:]
    if not args:
        if ctx.interactive:  # the REPL waits for input
            raise LongRunning(RunningProgram(" ".join(argv), "ignore"))
        return 0 if not ctx.stdin else _unsupported(ctx, argv)  # empty stdin: exits at once
    if args[0] in ("-V", "--version"):
        ctx.write(f"Python {ctx.env.get('PYTHON_VERSION', '3.12.12')}\n")
        return 0
    if args[0] == "-c" and len(args) > 1:
        return _python_print(ctx, argv, args[1])
    if args[:2] == ["-m", "pip"]:
        return pip(ctx, ["pip"] + args[2:], path)
    if args[:2] == ["-m", "http.server"]:
        port = args[2] if len(args) > 2 and args[2].isdigit() else "8000"
        # Without a TTY Python block-buffers stdout, so `docker logs` shows nothing until the
        # buffer fills unless PYTHONUNBUFFERED is set: a classic surprise, kept on purpose.
        if ctx.tty or ctx.env.get("PYTHONUNBUFFERED"):
            ctx.write(f"Serving HTTP on 0.0.0.0 port {port} (http://0.0.0.0:{port}/) ...\n")
        raise LongRunning(RunningProgram(" ".join(argv), "ignore"))
    return _unsupported(ctx, argv)


def _python_print(ctx: Ctx, argv: list[str], source: str) -> int:
    """python3 -c with print() calls of literals only."""
    try:
        tree = ast.parse(source)
        lines = []
        for stmt in tree.body:
            call = stmt.value if isinstance(stmt, ast.Expr) else None
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "print"):
                raise ValueError
            values = [ast.literal_eval(a) for a in call.args]
            options = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
            if set(options) - {"sep", "end"}:
                raise ValueError
            lines.append(options.get("sep", " ").join(map(str, values)) + options.get("end", "\n"))
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # deep nesting: refused, not a crash
        return _note(ctx, "LayerLab's python3 only runs print() of literal values; nothing was run.")
    ctx.write("".join(lines))
    return 0


# ------------------------------------------------------------------ package managers
def _apply(ctx: Ctx, outcome) -> int:
    for path in sorted(outcome.files, key=lambda p: p.split("/")):
        ctx.fs.put(path, outcome.files[path])
    ctx.write(outcome.stdout)
    if outcome.stderr:
        ctx.err.append(outcome.stderr)
    return outcome.exit_code


def _read_or_empty(ctx: Ctx, path: str) -> str:
    try:
        return ctx.fs.read(path)
    except FsError:
        return ""


def apk(ctx: Ctx, argv: list[str], path: str) -> int:
    args = argv[1:]
    sub = next((a for a in args if not a.startswith("-")), "")
    names = [a for a in args[args.index(sub) + 1:] if not a.startswith("-")] if sub else []
    if sub == "add" and names:
        db = _read_or_empty(ctx, "/lib/apk/db/installed")
        return _apply(ctx, packages.apk_add(names, db, no_cache="--no-cache" in args))
    if sub == "update":
        return _apply(ctx, packages.apk_update())
    return _unsupported(ctx, argv)


def _apt_lists_present(ctx: Ctx) -> bool:
    lists = "/var/lib/apt/lists"
    names = ctx.fs.listdir(lists) if ctx.fs.is_dir(lists) else []
    return any(n not in ("lock", "partial", "auxfiles") for n in names)


def apt_get(ctx: Ctx, argv: list[str], path: str) -> int:
    if posixpath.basename(argv[0]) == "apt" and not ctx.tty:
        ctx.err.append("\nWARNING: apt does not have a stable CLI interface. Use with caution in scripts.\n\n")
    args = argv[1:]
    sub = next((a for a in args if not a.startswith("-")), "")
    if sub == "update":
        status = _read_or_empty(ctx, "/var/lib/dpkg/status")  # ubuntu and debian differ
        return _apply(ctx, packages.apt_get_update(dpkg_status=status))
    if sub == "install":
        names = [a for a in args[args.index(sub) + 1:] if not a.startswith("-")]
        assume_yes = any(re.fullmatch(r"-[a-z]*y[a-z]*|--yes|--assume-yes", a) for a in args)
        status = _read_or_empty(ctx, "/var/lib/dpkg/status")
        return _apply(ctx, packages.apt_get_install(names, status, lists_present=_apt_lists_present(ctx),
                                   assume_yes=assume_yes))
    return _unsupported(ctx, argv)


def pip(ctx: Ctx, argv: list[str], path: str) -> int:
    args = argv[1:]
    if args[:1] != ["install"]:
        return _unsupported(ctx, argv)
    names, rest = [], args[1:]
    no_cache_dir = "--no-cache-dir" in rest
    while rest:
        arg = rest.pop(0)
        if arg in ("-r", "--requirement") and rest:
            text = _read_or_empty(ctx, normpath(rest.pop(0), ctx.cwd))
            names += [ln.split("#")[0].strip() for ln in text.splitlines() if ln.split("#")[0].strip()]
        elif not arg.startswith("-"):
            names.append(arg)
    site = next(iter(glob_match(ctx.fs, "/", "/usr/local/lib/python3*/site-packages")), "")
    present = ctx.fs.listdir(site) if site else []
    return _apply(ctx, packages.pip_install(names, present, no_cache_dir=no_cache_dir))


PROGRAMS = {
    "sleep": sleep, "top": top, "tail": tail, "hello": hello, "nginx": nginx, "nginx-debug": nginx,
    "docker-entrypoint.sh": nginx_entrypoint, "python3": python, "pip": pip, "apk": apk,
    "apt-get": apt_get,
}
