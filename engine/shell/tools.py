"""The table of the shell's simple programs: coreutils/busybox file, text and information tools.

Each program is `fn(ctx, args) -> exit status` (engine/shell/ctx.py); it writes through ctx.out/ctx.err.
Error texts follow GNU coreutils (flavor 'gnu') or busybox (flavor 'busybox'), as printed in a C locale.
Long-running programs (sleep, nginx…) raise LongRunning; they live in engine/shell/apps.py. The one
program table, with both kinds and the shells, is engine/shell/programs.py PROGRAMS.
"""
from __future__ import annotations

from engine.shell.files import cat, chmod, cp, ln, ls, mkdir, mv, rm, rmdir, touch
from engine.shell.info import date, env, hostname, id_, pwd, uname, which, whoami
from engine.shell.text import echo, grep, head, printf, sort_lines, test, wc

PROGRAMS = {
    "echo": echo, "printf": printf, "test": test, "[": lambda c, a: test(c, a, bracket=True),
    "true": lambda c, a: 0, "false": lambda c, a: 1, "cat": cat, "touch": touch, "mkdir": mkdir,
    "rm": rm, "rmdir": rmdir, "cp": cp, "mv": mv, "ln": ln, "chmod": chmod, "ls": ls,
    "head": head, "tail": lambda c, a: head(c, a, tail=True), "wc": wc, "grep": grep,
    "sort": sort_lines, "pwd": pwd, "env": env, "whoami": whoami, "id": id_, "uname": uname,
    "hostname": hostname, "date": date, "which": which,
}
