"""200 simulated students against the production server on loopback: each sends one command
every 2 s (a realistic mix) for 60 s. Prints p50/p95/p99 latency and errors.

    python bench/load_test.py [students] [seconds]

Each student is a browser session (cookie + CSRF token) that starts from the "article" scenario
(alpine and nginx pulled, three containers), then cycles through the mix below. One thread per
student; a student whose answer is late sends its next command when the answer arrives
(closed loop), so an overloaded server shows up as latency, not as a pile of queued requests.
"""
from __future__ import annotations

import os
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from server import Browser, production_server  # noqa: E402

MIX = ["docker images", "docker ps -a", "docker run -d --name w{n} nginx", "docker exec w{n} touch /hello{n}",
       "docker diff w{n}", "docker image inspect alpine", "docker build -t app{n} .", "docker history nginx",
       "docker stop -t 1 w{n}", "docker tag alpine t{n}", "docker rmi t{n}", "docker rm w{n}",
       "docker logs web", "docker save -o a.tar alpine", "docker container ls", "docker rmi app{n}"]


SETUP_AT_ONCE = 8  # students opening the page at the same moment (the class arrives over a minute)


def student(base: str, index: int, window: dict, latencies: list, errors: list, lock, gate, ready) -> None:
    try:
        with gate:
            browser = Browser(base)
            browser.post("/new", {"scenario": "article"}).raise_for_status()
    except Exception as err:  # noqa: BLE001 - counted, reported
        with lock:
            errors.append(f"setup: {err}")
        return
    finally:
        ready.wait()  # the measured window starts when the whole class is set up
    stop_at = window["stop_at"]
    time.sleep((index % 20) * 0.1)  # spread the class over the first 2 s
    step = 0
    next_at = time.monotonic()
    while next_at < stop_at:
        line = MIX[step % len(MIX)].format(n=step // len(MIX))
        start = time.perf_counter()
        try:
            response = browser.command(line, timeout=30)
            ok = response.status_code == 200
            error = None if ok else f"HTTP {response.status_code}"
        except Exception as err:  # noqa: BLE001
            error = type(err).__name__
        elapsed = (time.perf_counter() - start) * 1000
        with lock:
            latencies.append(elapsed)
            if error:
                errors.append(error)
        step += 1
        next_at += 2.0
        time.sleep(max(0.0, next_at - time.monotonic()))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def main() -> None:
    students = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 60
    print(f"load average at start: {os.getloadavg()}")
    with production_server(threads=8) as base:
        latencies, errors, lock = [], [], threading.Lock()
        gate, ready, window = threading.Semaphore(SETUP_AT_ONCE), threading.Barrier(students + 1), {}
        threads = [threading.Thread(target=student, daemon=True,
                                    args=(base, i, window, latencies, errors, lock, gate, ready))
                   for i in range(students)]
        setup = time.monotonic()
        for t in threads:
            t.start()
        window["stop_at"] = None
        time.sleep(0.1)
        # the window is set before the barrier lets the students go
        while ready.n_waiting < students:
            time.sleep(0.1)
        started = time.monotonic()
        window["stop_at"] = started + seconds
        print(f"setup of {students} sessions: {started - setup:.0f} s")
        ready.wait()
        for t in threads:
            t.join(timeout=seconds + 120)
        wall = time.monotonic() - started
    print(f"{students} students, {len(latencies)} commands in {wall:.0f} s "
          f"({len(latencies) / wall:.1f}/s), errors {len(errors)} {sorted(set(errors))[:5]}")
    if latencies:
        print(f"latency ms: p50 {percentile(latencies, .5):.0f}  p95 {percentile(latencies, .95):.0f}  "
              f"p99 {percentile(latencies, .99):.0f}  max {max(latencies):.0f}  mean {statistics.mean(latencies):.0f}")
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
