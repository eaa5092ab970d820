"""Another learner's latency while attackers send the commands the budgets exist for (issue 14).

A victim types `docker ps` every 0.25 s for the whole run; first alone, then while attackers send,
back to back, a backtracking regex to grep, {{range}} growth in --format, a substitution bomb
in a Dockerfile and a gzip bomb to `docker load`. Each attack should be refused quickly with a
clear error, and the victim's p95 should barely move.

    .venv/bin/python bench/attack_bench.py [--seconds 20] [--attackers 2]
"""
from __future__ import annotations

import argparse
import gzip
import io
import os
import statistics
import sys
import tarfile
import threading
import time

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from server import Browser, production_server  # noqa: E402

DOCKERFILE = "FROM alpine\nARG a=0123456789abcdef\n" + "ARG a=$a$a$a$a$a$a$a$a\n" * 8 + "LABEL x=$a\n"
ATTACKS = [
    "docker exec box grep -E '(a+)+$' /line",
    "docker ps --format '{{range 1000000000}}x{{end}}'",
    "docker build -t bomb .",
    "docker load -i bomb.tar.gz",
]


def gzip_bomb() -> bytes:
    """A tar of one 256 MiB file of zeros, gzipped to a few hundred KiB."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        info = tarfile.TarInfo("zeros")
        info.size = 256 * 1024 * 1024
        tar.addfile(info, io.BytesIO(bytes(info.size)))
    return gzip.compress(raw.getvalue(), 9)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def victim_latencies(victim: Browser, seconds: float) -> list[float]:
    latencies, end = [], time.perf_counter() + seconds
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        victim.command("docker ps")
        latencies.append(time.perf_counter() - t0)
        time.sleep(0.25)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--attackers", type=int, default=2)
    args = parser.parse_args()
    bomb = gzip_bomb()
    with production_server() as base:
        victim = Browser(base)
        victim.command("docker pull alpine")
        attackers = []   # through the JSON API: the same engine, and uploads by PUT
        for _ in range(args.attackers):
            http = requests.Session()
            sandbox = http.post(base + "/api/sandboxes", json={}, timeout=30).json()["id"]
            for name, data in (("Dockerfile", DOCKERFILE.encode()), ("bomb.tar.gz", bomb),
                               ("line", b"a" * 100_000 + b"b\n")):
                http.put(f"{base}/api/sandboxes/{sandbox}/host/{name}", data=data, timeout=60).raise_for_status()
            for line in ("docker pull alpine", "docker run -d --name box alpine sleep 1000", "docker cp line box:/line"):
                http.post(f"{base}/api/sandboxes/{sandbox}/commands", json={"command": line}, timeout=60)
            attackers.append((http, f"{base}/api/sandboxes/{sandbox}/commands"))
        alone = victim_latencies(victim, args.seconds)
        stop, answered = threading.Event(), []

        def attack(http: requests.Session, url: str) -> None:
            i = 0
            while not stop.is_set():
                line = ATTACKS[i % len(ATTACKS)]
                t0 = time.perf_counter()
                answer = http.post(url, json={"command": line}, timeout=120)
                answered.append((line, time.perf_counter() - t0, answer.status_code,
                                 answer.status_code == 200 and "limit" in answer.json()["stderr"]))
                i += 1

        threads = [threading.Thread(target=attack, args=a) for a in attackers]
        for thread in threads:
            thread.start()
        during = victim_latencies(victim, args.seconds)
        stop.set()
        for thread in threads:
            thread.join()

    print(f"victim alone: p50 {statistics.median(alone) * 1000:.0f} ms, p95 {percentile(alone, 95) * 1000:.0f} ms "
          f"({len(alone)} commands)")
    print(f"victim during {args.attackers} attackers: p50 {statistics.median(during) * 1000:.0f} ms, "
          f"p95 {percentile(during, 95) * 1000:.0f} ms ({len(during)} commands); load average {os.getloadavg()[0]:.2f}")
    for line in ATTACKS:
        times = [t for l, t, _s, _r in answered if l == line]
        refused = sum(1 for l, _t, _s, r in answered if l == line and r)
        statuses = sorted({s for l, _t, s, _r in answered if l == line})
        if times:
            print(f"  {line[:50]:<50} {len(times)} sent, refused with a limit {refused}, "
                  f"answer p50 {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms, HTTP {statuses}")


if __name__ == "__main__":
    main()
