"""200 simulated students against the production server on loopback: each sends one command
every 2 s (a realistic mix) for 60 s. Prints p50/p95/p99 latency and errors.

    python bench/load_test.py [students=200] [seconds=60] [connection_limit=1000]
    BENCH_SERVER_CPUS=0 BENCH_CLIENT_CPUS=1 python bench/load_test.py 200 60   # server on core 0 only

Bounded: setup at most SETUP_LIMIT s, then the window, then at most DRAIN_LIMIT s for the last
answers (a run never takes more than ~90 s). waitress's default --connection-limit is 100: every
simulated student (like every browser) keeps a keep-alive connection, so with 200 students the
101st waits until an idle connection times out (that was the 125 s setup of the first runs).
Pass 100 as the third argument to see that.

Each student is a browser session (cookie + CSRF token) that starts from the "article" scenario
(alpine and nginx pulled, three containers), then cycles through the mix below. One thread per
student; a student whose answer is late sends its next command when the answer arrives
(closed loop), so an overloaded server shows up as latency, not as a pile of queued requests.
"""
from __future__ import annotations

import os
import statistics
from collections import Counter
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from server import Browser, production_server, server_cpu_seconds  # noqa: E402

MIX = ["docker images", "docker ps -a", "docker run -d --name w{n} nginx", "docker exec w{n} touch /hello{n}",
       "docker diff w{n}", "docker image inspect alpine", "docker build -t app{n} .", "docker history nginx",
       "docker stop -t 1 w{n}", "docker tag alpine t{n}", "docker rmi t{n}", "docker rm w{n}",
       "docker logs web", "docker save -o a.tar alpine", "docker container ls", "docker rmi app{n}"]


SETUP_AT_ONCE = 8  # students opening the page at the same moment (the class arrives over a minute)
SETUP_LIMIT = 20   # s: students not set up by then are counted as setup errors
DRAIN_LIMIT = 10   # s after the window for answers still on the way (counted as late, not waited for)
REQUEST_TIMEOUT = 10


def student(base: str, index: int, window: dict, latencies: list, errors: list, lock, gate, ready) -> None:
    try:
        with gate:
            if time.monotonic() > window["setup_until"]:
                raise TimeoutError("setup window over")
            browser = Browser(base)
            browser.post("/new", {"scenario": "article"}).raise_for_status()
    except Exception as err:  # noqa: BLE001 - counted, reported
        with lock:
            errors.append(f"setup: {err}")
        return
    finally:
        with lock:
            window["set_up"] += 1
    ready.wait()  # the measured window starts when the whole class is set up
    stop_at = window["stop_at"]
    time.sleep((index % 20) * 0.1)  # spread the class over the first 2 s
    step = 0
    next_at = time.monotonic()
    while next_at < stop_at:
        line = MIX[step % len(MIX)].format(n=step // len(MIX))
        start = time.perf_counter()
        try:
            response = browser.command(line, timeout=REQUEST_TIMEOUT)
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
    connection_limit = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    server_cpus, client_cpus = os.environ.get("BENCH_SERVER_CPUS"), os.environ.get("BENCH_CLIENT_CPUS")
    if client_cpus:   # the load generator on its own core(s), the server pinned to the other(s)
        os.sched_setaffinity(0, {int(c) for c in client_cpus.split(",")})
    print(f"load average at start: {os.getloadavg()}; 8 threads per worker, server cores {server_cpus or 'all'}, "
          f"load generator cores {client_cpus or 'all'}")
    with production_server(threads=8, connection_limit=connection_limit, cpus=server_cpus) as base:
        latencies, errors, lock = [], [], threading.Lock()
        gate, ready = threading.Semaphore(SETUP_AT_ONCE), threading.Event()
        window = {"setup_until": time.monotonic() + SETUP_LIMIT, "set_up": 0, "stop_at": None}
        threads = [threading.Thread(target=student, daemon=True,
                                    args=(base, i, window, latencies, errors, lock, gate, ready))
                   for i in range(students)]
        setup = time.monotonic()
        for t in threads:
            t.start()
        # the window is set before the students are let go; a student still in setup after the
        # limit (plus one request's timeout) is left out and counted as a setup error
        while window["set_up"] < students and time.monotonic() < window["setup_until"] + REQUEST_TIMEOUT:
            time.sleep(0.1)
        started = time.monotonic()
        cpu_start = server_cpu_seconds()
        window["stop_at"] = started + seconds
        print(f"setup of {window['set_up']}/{students} sessions: {started - setup:.1f} s")
        ready.set()
        for t in threads:
            t.join(timeout=max(0.0, started + seconds + DRAIN_LIMIT - time.monotonic()))
        wall = time.monotonic() - started
        cpu_used = server_cpu_seconds() - cpu_start
        late = sum(t.is_alive() for t in threads)
        with lock:   # students still waiting for an answer: the run is over for them
            errors.extend(["no answer within the drain time"] * late)
            latencies = list(latencies)
    print(f"{students} students, {len(latencies)} commands in {wall:.0f} s "
          f"({len(latencies) / wall:.1f}/s), errors {len(errors)} {dict(Counter(errors).most_common(5))}")
    if latencies:
        print(f"latency ms: p50 {percentile(latencies, .5):.0f}  p95 {percentile(latencies, .95):.0f}  "
              f"p99 {percentile(latencies, .99):.0f}  max {max(latencies):.0f}  mean {statistics.mean(latencies):.0f}")
    print(f"server CPU: {cpu_used:.1f} s in the window = {cpu_used / max(1, len(latencies)) * 1000:.1f} ms per command, "
          f"{cpu_used / wall * 100:.0f} % of one core")
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
