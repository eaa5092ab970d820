"""CPU instructions per command through the page (Flask's test client), counted by valgrind's
callgrind: the same count for the same code and inputs whatever else the machine is doing, so two
checkouts compare on a busy or a slowed-down machine where wall-clock times drift by tens of percent.

    python bench/instruction_bench.py [mix=realistic|looks|changes|article] [cycles=3]
    BENCH_CODE=<another checkout> python bench/instruction_bench.py ...   # that checkout's app

Runs the scenario twice under callgrind (~1.5-3 min each, Debian's valgrind): once set up only
(the realistic sandbox built through the page and one cycle of its mix, or the article scenario),
once set up and then `cycles` more cycles of the mix; the difference over the commands it ran is
the count per command. PYTHONHASHSEED is fixed, so both runs hash alike.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CODE = os.environ.get("BENCH_CODE") or os.path.dirname(HERE)
MIXES = {
    "looks": ["docker ps -a", "docker images", "docker logs c00", "docker inspect c00"],
    "changes": ["docker tag alpine mine:v{n}", "docker rmi mine:v{n}", "docker stop -t 1 c05", "docker start c05"],
}


def commands(mix: str, cycles: int) -> list[str]:
    """The commands measured, after the set-up."""
    from load_test import MIX
    from realistic import mix as realistic_mix
    if mix == "realistic":
        return [line for n in range(2, 2 + cycles) for line in realistic_mix(n)]
    lines = MIX if mix == "article" else MIXES[mix]
    return [line.format(n=n) for n in range(1, 1 + cycles) for line in lines]


def child(mix: str, cycles: int) -> None:
    """In the process callgrind counts: set up, then run the commands."""
    sys.path[:0] = [CODE, HERE]
    from answer_profile import Page
    from app import create_app
    from realistic import build_commands, mix as realistic_mix
    app = create_app({"DATABASE": os.path.join(tempfile.mkdtemp(), "db.sqlite3"), "SECRET_KEY": "bench",
                      "SANDBOXES_PER_MINUTE": 0})
    page = Page(app.test_client())
    if mix == "article":
        page.post("/new", {"scenario": "article"})
    else:
        for line in build_commands() + realistic_mix(1):
            page.post("/commands", {"command": line})
    for line in commands(mix, cycles):
        page.post("/commands", {"command": line})


def counted(mix: str, cycles: int) -> int:
    run = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
                          __file__, "--child", mix, str(cycles)],
                         env=dict(os.environ, PYTHONHASHSEED="0"), capture_output=True, text=True, check=True)
    return int(re.search(r"Collected : (\d+)", run.stderr).group(1))


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], int(sys.argv[3]))
        return
    args = [a for a in sys.argv[1:]]
    mix = args[0] if args else "realistic"
    cycles = int(args[1]) if len(args) > 1 else 3
    sys.path.insert(0, HERE)
    ran = len(commands(mix, cycles))
    base, total = counted(mix, 0), counted(mix, cycles)
    print(f"code {CODE}, mix {mix}: {(total - base) / ran / 1e6:.1f} M instructions per command "
          f"({ran} commands; set-up {base / 1e9:.2f} G)")


if __name__ == "__main__":
    main()
