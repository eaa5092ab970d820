"""Class mode under load: N students follow the teacher (each polls /class/follow with its ETag, as
static/class.js does) while other learners type commands. Measures how long a step change takes
to reach every follower, and the other requests' latency meanwhile.

    .venv/bin/python bench/class_follow.py [--students 60] [--poll-ms 500] [--steps 10]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from server import Browser, production_server  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--poll-ms", type=int, default=500)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--typists", type=int, default=10, help="other learners typing a command every 2 s")
    args = parser.parse_args()

    with production_server(connection_limit=1000) as base:
        teacher = Browser(base)
        started = teacher.post("/class")
        code = teacher.http.get(started.url).text.split('class="join-code"', 1)[1].split(">", 1)[1][:6]
        students = []
        for i in range(args.students):
            student = Browser(base)
            student.post("/class/join", {"code": code, "name": f"student {i}"})
            students.append(student)
        typists = [Browser(base) for _ in range(args.typists)]
        for typist in typists:
            typist.command("docker pull alpine")

        changed: dict[int, float] = {}          # follow version -> when the teacher changed it
        seen: list[tuple[int, float]] = []      # (version, when a follower saw it)
        other: list[float] = []
        lock, stop = threading.Lock(), threading.Event()

        def follow(student: Browser) -> None:
            etag = ""
            while not stop.is_set():
                answer = student.http.get(base + "/class/follow", headers={"If-None-Match": etag} if etag else {},
                                          timeout=30)
                if answer.status_code == 200:
                    etag = answer.headers["ETag"]
                    with lock:
                        seen.append((answer.json()["version"], time.perf_counter()))
                stop.wait(args.poll_ms / 1000)

        def type_commands(typist: Browser) -> None:
            while not stop.is_set():
                t0 = time.perf_counter()
                typist.command("docker image ls")
                with lock:
                    other.append(time.perf_counter() - t0)
                stop.wait(2.0)

        threads = [threading.Thread(target=follow, args=(s,)) for s in students] + \
                  [threading.Thread(target=type_commands, args=(t,)) for t in typists]
        for thread in threads:
            thread.start()
        time.sleep(2)
        for step in range(1, args.steps + 1):
            t0 = time.perf_counter()
            assert teacher.post("/class/lead", {"step": str(step)}).status_code == 204
            changed[step] = t0     # versions count the steps: the class starts at version 0
            time.sleep(3)
        stop.set()
        for thread in threads:
            thread.join()

    delays = [(when - changed[version]) * 1000 for version, when in seen if version in changed]
    reached_all = [max((when - changed[v]) * 1000 for v2, when in seen if v2 == v) for v in changed]
    print(f"{args.students} followers polling every {args.poll_ms} ms, {args.typists} typists, {args.steps} steps; "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"step reaches a follower: p50 {statistics.median(delays):.0f} ms, p95 {percentile(delays, 95):.0f} ms, "
          f"max {max(delays):.0f} ms ({len(delays)} observations)")
    print(f"step reaches all followers: p50 {statistics.median(reached_all):.0f} ms, "
          f"max {max(reached_all):.0f} ms")
    print(f"other requests (a command) meanwhile: p50 {statistics.median(other) * 1000:.0f} ms, "
          f"p95 {percentile(other, 95) * 1000:.0f} ms ({len(other)} commands)")


if __name__ == "__main__":
    main()
