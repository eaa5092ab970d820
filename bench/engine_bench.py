"""Engine-only time per command group, its growth with sandbox size and (not) with log length,
undo / replay on a 500-command log, what the saved JSON costs (size, SQLite write), and what the
per-command budget's checks cost.

    python bench/engine_bench.py
"""
from __future__ import annotations

import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from realistic import GROUPS, describe, dockerfile_commands, realistic_sandbox  # noqa: E402

from engine import budget  # noqa: E402
from engine.sandbox import Sandbox  # noqa: E402


def ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def group_times(box: Sandbox, rounds: int = 5, first: int = 1) -> dict[str, float]:
    """Median engine time (Sandbox.run) per command of each group."""
    times: dict[str, list[float]] = {g: [] for g in GROUPS}
    for n in range(first, first + rounds):
        for group, lines in GROUPS.items():
            for line in lines:
                start = time.perf_counter()
                result = box.run(line.format(n=n))
                times[group].append(ms(start))
                assert result.exit_code == 0, (line, result.stderr)
    return {g: statistics.median(t) for g, t in times.items()}


def small_sandbox() -> Sandbox:
    """The same commands' prerequisites, nothing more: 3 pulls, app1.Dockerfile, c00/c01/c03."""
    box = Sandbox.create()
    for line in ["docker pull alpine", "docker pull nginx", "docker pull busybox",
                 *dockerfile_commands("app1", "alpine"),
                 "docker run -d --name c00 nginx", "docker run -d --name c01 alpine sleep 100000",
                 "docker run --name c03 alpine true"]:
        assert box.run(line).exit_code == 0, line
    return box


def grow_log(box: Sandbox, length: int) -> None:
    """Cheap commands that leave the state as it was (the log grows, the daemon does not)."""
    while len(box.log) < length:
        box.run("docker images")


def sqlite_write_ms(text: str, rounds: int = 20) -> float:
    """One UPDATE of the sandbox row as the store does it (WAL, synchronous=FULL)."""
    path = os.path.join(tempfile.mkdtemp(), "w.sqlite3")
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE s (id TEXT PRIMARY KEY, data TEXT)")
    db.execute("INSERT INTO s VALUES ('x', '')")
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        db.execute("BEGIN IMMEDIATE")
        db.execute("UPDATE s SET data = ? WHERE id = 'x'", (text,))
        db.execute("COMMIT")
        times.append(ms(start))
    db.close()
    return statistics.median(times)


def budget_use(box: Sandbox, rounds: int = 3) -> None:
    """What the per-command budget (engine/budget.py) costs on the hot path: checks made and steps
    spent per command of each group, and the price of one check."""
    checks = [0]
    step, spend = budget.Budget.step, budget.Budget.spend

    def counted(method):
        def wrapper(self, amount=1):
            checks[0] += 1
            return method(self, amount)
        return wrapper
    budget.Budget.step, budget.Budget.spend = counted(step), counted(spend)
    try:
        print("\nbudget per command (realistic state): group | checks median/max | steps median/max")
        for group, lines in GROUPS.items():
            made, spent = [], []
            for n in range(300, 300 + rounds):
                for line in lines:
                    checks[0] = 0
                    with budget.scope() as used:
                        box.run(line.format(n=n))
                    made.append(checks[0])
                    spent.append(used.steps)
            print(f"  {group:11s} {statistics.median(made):5.0f} / {max(made):5d}   "
                  f"{statistics.median(spent):7.0f} / {max(spent):7d}")
    finally:
        budget.Budget.step, budget.Budget.spend = step, spend
    probe = budget.Budget(max_steps=10**12)
    start = time.perf_counter()
    for _ in range(200_000):
        probe.step()
    print(f"one budget check: {ms(start) / 200_000 * 1e6:.0f} ns")


def main() -> None:
    print(f"load average at start: {os.getloadavg()}")
    small, big = small_sandbox(), realistic_sandbox()
    print("small sandbox:", describe(small))
    print("realistic sandbox:", describe(big))
    small_t, big_t = group_times(small), group_times(big)
    print("\nengine time per command (median ms): group | small | realistic | growth")
    for group in GROUPS:
        print(f"  {group:11s} {small_t[group]:7.2f} {big_t[group]:9.2f} {big_t[group] / small_t[group]:6.1f}x")

    # log length: the same realistic state after 50 and after 500 logged commands
    short, long = realistic_sandbox(), realistic_sandbox()
    grow_log(short, 100)   # the builder itself logs 93 commands
    grow_log(long, 500)
    at_short, at_long = group_times(short, 10, 100), group_times(long, 10, 100)
    print("\nlog length (realistic state, median ms): group | 100 logged | 500 logged")
    for group in GROUPS:
        print(f"  {group:11s} {at_short[group]:7.2f} {at_long[group]:9.2f}")

    # undo / redo / replay on a 500-command realistic log (the builder, then the group mix)
    box = realistic_sandbox()
    n = 100
    while len(box.log) < 500:
        for lines in GROUPS.values():
            for line in lines:
                if len(box.log) < 500:
                    box.run(line.format(n=n))
        n += 1
    undo = []
    for _ in range(10):
        line = box.log[-1]
        start = time.perf_counter()
        box.undo()
        undo.append(ms(start))
        start = time.perf_counter()
        box.run(line)  # redo = the command again (deterministic: same result)
        undo[-1] = (undo[-1], ms(start))
    deep = time.perf_counter()
    box.rewind(450)
    deep_ms = ms(deep)
    grow_log(box, 500)
    start = time.perf_counter()
    first = Sandbox.replay(box.seed, box.scenario, box.log, box.uploads)
    replay_first = ms(start)
    start = time.perf_counter()
    Sandbox.replay(box.seed, box.scenario, box.log, box.uploads)
    replay_again = ms(start)
    print(f"\n500-command log: undo median {statistics.median(u for u, _ in undo):.1f} ms "
          f"(max {max(u for u, _ in undo):.1f}), redo median {statistics.median(r for _, r in undo):.1f} ms, "
          f"50 commands back {deep_ms:.1f} ms, permalink replay first {replay_first:.0f} ms, again {replay_again:.1f} ms")

    # what saving costs: JSON size and SQLite write, with and without the checkpoints
    data = first.to_json()
    text = json.dumps(data, separators=(",", ":"))
    bare = json.dumps({**data, "checkpoints": []}, separators=(",", ":"))
    parts = {k: len(json.dumps(v, separators=(",", ":"))) for k, v in data.items()}
    print(f"\nsandbox JSON at 500 commands: {len(text) / 1024:.0f} KiB "
          f"({', '.join(f'{k} {v / 1024:.0f}' for k, v in parts.items() if v > 1024)} KiB); "
          f"without checkpoints {len(bare) / 1024:.0f} KiB")
    print(f"SQLite write: {sqlite_write_ms(text):.1f} ms with checkpoints, {sqlite_write_ms(bare):.1f} ms without")
    start = time.perf_counter()
    for _ in range(10):
        json.dumps(Sandbox.from_json(json.loads(text)).to_json(), separators=(",", ":"))
    print(f"load + save of that JSON (loads, from_json, to_json, dumps): {ms(start) / 10:.1f} ms")
    budget_use(realistic_sandbox())
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
