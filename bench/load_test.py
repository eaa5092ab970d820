"""Simulated students against the production server on loopback: each sends one command every
2 s (a realistic mix) for 60 s. Prints p50/p95/p99 latency, errors, the server's CPU per command and
the load generator's own CPU per request.

    python bench/load_test.py [students=200] [seconds=60] [connection_limit=1000]
    BENCH_SERVER_CPUS=0 BENCH_CLIENT_CPUS=1 python bench/load_test.py 200 60   # server on core 0 only
    BENCH_LOADGEN=threads python bench/load_test.py ...   # the older generator: a thread per student
    BENCH_THREADS=16 python bench/load_test.py 400 30     # waitress threads per server worker (default: serve.py's)

Bounded: setup at most SETUP_LIMIT s, then the window, then at most DRAIN_LIMIT s for the last
answers (a run never takes more than ~90 s). waitress's default --connection-limit is 100: every
simulated student (like every browser) keeps a keep-alive connection, so with 200 students the
101st waits until an idle connection times out (that was the 125 s setup of the first runs).
Pass 100 as the third argument to see that (it applies to an older checkout without serve.py).

Each student is a browser session (cookie + CSRF token) that starts from the "article" scenario
(alpine and nginx pulled, three containers), then cycles through the mix below. A student whose
answer is late sends its next command when the answer arrives (closed loop), so an overloaded
server shows up as latency, not as a pile of queued requests.

The load generator (default): every student an `async_browser.AsyncBrowser` (one raw keep-alive
connection, the same requests and `held` as `server.Browser`) in one asyncio loop, a small fraction
of the server's CPU per command, so the server keeps the cores it is measured on. BENCH_LOADGEN=threads:
one thread per student with `server.Browser` (`requests`): about as much CPU per request as the
server spends on the command, which is what starved the server when both shared 2 cores.
"""
from __future__ import annotations

import asyncio
import os
import random
import statistics
from collections import Counter
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from async_browser import AsyncBrowser  # noqa: E402
from machine_probe import probe  # noqa: E402
from server import (Browser, bench_threads, process_cpu_seconds, production_server, server_cpu_seconds,  # noqa: E402
                    server_processes, thread_states)

MIX = ["docker images", "docker ps -a", "docker run -d --name w{n} nginx", "docker exec w{n} touch /hello{n}",
       "docker diff w{n}", "docker image inspect alpine", "docker build -t app{n} .", "docker history nginx",
       "docker stop -t 1 w{n}", "docker tag alpine t{n}", "docker rmi t{n}", "docker rm w{n}",
       "docker logs web", "docker save -o a.tar alpine", "docker container ls", "docker rmi app{n}"]


SETUP_AT_ONCE = 8  # students opening the page at the same moment (the class arrives over a minute)
SETUP_LIMIT = 20   # s: students not set up by then are counted as setup errors
DRAIN_LIMIT = 10   # s after the window for answers still on the way (counted as late, not waited for)
REQUEST_TIMEOUT = 10
PERIOD = 2.0       # s between one student's commands
PHASE_SEED = 13   # when in the period each simulated student sends: drawn the same way every run


def command_line(step: int) -> str:
    return MIX[step % len(MIX)].format(n=step // len(MIX))


class Run:
    """What one run measured in the window."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.set_up = 0
        self.setup_seconds = 0.0
        self.wall = 0.0
        self.server_cpu = 0.0
        self.generator_cpu = 0.0   # the generator process's CPU in the window, the sampler's excluded
        self.sampler: Sampler | None = None
        self.started = 0.0
        self._cpu_at_start = self._own_at_start = 0.0

    def begin_window(self, setup_began: float) -> float:
        """The measured window starts now (the class is set up): its clocks and the thread sampler."""
        self.started = time.monotonic()
        self.setup_seconds = self.started - setup_began
        self._cpu_at_start, self._own_at_start = server_cpu_seconds(), time.process_time()
        self.sampler = Sampler()
        self.sampler.start()
        return self.started

    def end_window(self) -> None:
        self.wall = time.monotonic() - self.started
        self.sampler.stop()
        self.generator_cpu = time.process_time() - self._own_at_start - self.sampler.own_cpu
        self.server_cpu = server_cpu_seconds() - self._cpu_at_start


class Sampler(threading.Thread):
    """During the window, every SAMPLE_EVERY s: what each server thread is doing (server.thread_states),
    and each server process's CPU: shows whether the server is short of CPU (threads runnable, "R")
    or waits (for SQLite's write lock, the disk, the GIL) while cores are idle."""

    SAMPLE_EVERY = 0.1

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.pids = server_processes()
        self.states: Counter = Counter()
        self.samples = 0
        self.halt = threading.Event()
        self.own_cpu = 0.0
        self.cpu_start = {pid: process_cpu_seconds(pid) for pid in self.pids}
        self.cpu: dict[int, float] = {}

    def run(self) -> None:
        while not self.halt.wait(self.SAMPLE_EVERY):
            for pid in self.pids:
                self.states.update(thread_states(pid))
            self.samples += 1
        self.cpu = {pid: process_cpu_seconds(pid) - self.cpu_start[pid] for pid in self.pids}
        self.own_cpu = time.thread_time()

    def stop(self) -> None:
        self.halt.set()
        self.join()

    def report(self, wall: float) -> None:
        per_process = ", ".join(f"{cpu / wall * 100:.0f}" for cpu in sorted(self.cpu.values(), reverse=True))
        print(f"server processes' CPU, % of one core each: {per_process} (the parent only supervises)")
        total = sum(self.states.values()) or 1
        common = ", ".join(f"{state} {count / total * 100:.0f} %" for state, count in self.states.most_common(6))
        print(f"server threads, {self.samples} samples of {total // max(1, self.samples)} threads: {common}")


# ---- the default load generator: asyncio, one raw connection per student ----

async def async_student(base: str, index: int, window: dict, run: Run, gate: asyncio.Semaphore,
                        ready: asyncio.Event) -> None:
    browser = AsyncBrowser(base)
    try:
        try:
            async with gate:
                if time.monotonic() > window["setup_until"]:
                    raise TimeoutError("setup window over")
                await browser.open(timeout=30)
                status = await browser.post("/new", {"scenario": "article"}, timeout=30)
                if status != 200:
                    raise RuntimeError(f"POST /new answered {status}")
        except Exception as err:  # noqa: BLE001 - counted, reported
            run.errors.append(f"setup: {type(err).__name__} {err}")
            return
        finally:
            run.set_up += 1
        await ready.wait()   # the measured window starts when the whole class is set up
        stop_at = window["stop_at"]
        # each student's phase in the 2 s period drawn at random (seeded: every run the same): students
        # do not type in step. The threaded generator starts 20 groups 0.1 s apart (its threads' own
        # CPU then spreads each group over several ms); this loop would send a group within a fraction
        # of a ms, bursts of 10-20 commands at once that no class makes.
        await asyncio.sleep(window["phases"][index])
        step = 0
        next_at = time.monotonic()
        while next_at < stop_at:
            start = time.perf_counter()
            try:
                status = await browser.command(command_line(step), timeout=REQUEST_TIMEOUT)
                error = None if status == 200 else f"HTTP {status}"
            except Exception as err:  # noqa: BLE001
                error = type(err).__name__
            run.latencies.append((time.perf_counter() - start) * 1000)
            if error:
                run.errors.append(error)
            step += 1
            next_at += PERIOD
            if next_at >= stop_at:   # no command left in the window: do not wait (wall = window + last answers)
                break
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    finally:
        browser.close()


async def run_async(base: str, students: int, seconds: float) -> Run:
    run = Run()
    gate, ready = asyncio.Semaphore(SETUP_AT_ONCE), asyncio.Event()
    phases = random.Random(PHASE_SEED)
    window = {"setup_until": time.monotonic() + SETUP_LIMIT, "stop_at": None,
              "phases": [phases.uniform(0, PERIOD) for _ in range(students)]}
    setup = time.monotonic()
    tasks = [asyncio.create_task(async_student(base, i, window, run, gate, ready)) for i in range(students)]
    while run.set_up < students and time.monotonic() < window["setup_until"] + REQUEST_TIMEOUT:
        await asyncio.sleep(0.1)
    started = run.begin_window(setup)
    window["stop_at"] = started + seconds
    ready.set()
    _done, late = await asyncio.wait(tasks, timeout=max(0.0, started + seconds + DRAIN_LIMIT - time.monotonic()))
    run.end_window()
    run.errors.extend(["no answer within the drain time"] * len(late))
    for task in late:   # students still waiting for an answer: the run is over for them
        task.cancel()
    await asyncio.gather(*late, return_exceptions=True)
    return run


# ---- the older load generator: one thread per student, server.Browser (requests) ----

def thread_student(base: str, index: int, window: dict, run: Run, lock, gate, ready) -> None:
    try:
        with gate:
            if time.monotonic() > window["setup_until"]:
                raise TimeoutError("setup window over")
            browser = Browser(base)
            browser.post("/new", {"scenario": "article"}).raise_for_status()
    except Exception as err:  # noqa: BLE001 - counted, reported
        with lock:
            run.errors.append(f"setup: {err}")
        return
    finally:
        with lock:
            run.set_up += 1
    ready.wait()  # the measured window starts when the whole class is set up
    stop_at = window["stop_at"]
    time.sleep((index % 20) * 0.1)  # spread the class over the first 2 s
    step = 0
    next_at = time.monotonic()
    while next_at < stop_at:
        start = time.perf_counter()
        try:
            response = browser.command(command_line(step), timeout=REQUEST_TIMEOUT)
            ok = response.status_code == 200
            error = None if ok else f"HTTP {response.status_code}"
        except Exception as err:  # noqa: BLE001
            error = type(err).__name__
        elapsed = (time.perf_counter() - start) * 1000
        with lock:
            run.latencies.append(elapsed)
            if error:
                run.errors.append(error)
        step += 1
        next_at += PERIOD
        if next_at >= stop_at:
            break
        time.sleep(max(0.0, next_at - time.monotonic()))


def run_threads(base: str, students: int, seconds: float) -> Run:
    run, lock = Run(), threading.Lock()
    gate, ready = threading.Semaphore(SETUP_AT_ONCE), threading.Event()
    window = {"setup_until": time.monotonic() + SETUP_LIMIT, "stop_at": None}
    threads = [threading.Thread(target=thread_student, daemon=True, args=(base, i, window, run, lock, gate, ready))
               for i in range(students)]
    setup = time.monotonic()
    for t in threads:
        t.start()
    # the window is set before the students are let go; a student still in setup after the
    # limit (plus one request's timeout) is left out and counted as a setup error
    while run.set_up < students and time.monotonic() < window["setup_until"] + REQUEST_TIMEOUT:
        time.sleep(0.1)
    started = run.begin_window(setup)
    window["stop_at"] = started + seconds
    ready.set()
    for t in threads:
        t.join(timeout=max(0.0, started + seconds + DRAIN_LIMIT - time.monotonic()))
    run.end_window()
    late = sum(t.is_alive() for t in threads)
    with lock:   # students still waiting for an answer: the run is over for them
        run.errors.extend(["no answer within the drain time"] * late)
        run.latencies = list(run.latencies)
    return run


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def main() -> None:
    students = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 60
    connection_limit = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    server_cpus, client_cpus = os.environ.get("BENCH_SERVER_CPUS"), os.environ.get("BENCH_CLIENT_CPUS")
    generator = os.environ.get("BENCH_LOADGEN", "async")
    threads = bench_threads()   # waitress threads per worker (None: serve.py's THREADS)
    if client_cpus:   # the load generator on its own core(s), the server pinned to the other(s)
        os.sched_setaffinity(0, {int(c) for c in client_cpus.split(",")})
    print(f"load average at start: {os.getloadavg()}; {threads or 'the default'} threads per worker, server cores {server_cpus or 'all'}, "
          f"load generator ({generator}) cores {client_cpus or 'all'}")
    print(f"before the run: {probe()}")   # the machine's state, beside the times it explains
    with production_server(threads=threads, connection_limit=connection_limit, cpus=server_cpus) as base:
        if generator == "threads":
            run = run_threads(base, students, seconds)
        else:
            run = asyncio.run(run_async(base, students, seconds))
        print(f"setup of {run.set_up}/{students} sessions: {run.setup_seconds:.1f} s")
    latencies, errors, wall = run.latencies, run.errors, run.wall
    print(f"{students} students, {len(latencies)} commands in {wall:.0f} s "
          f"({len(latencies) / wall:.1f}/s), errors {len(errors)} {dict(Counter(errors).most_common(5))}")
    if latencies:
        print(f"latency ms: p50 {percentile(latencies, .5):.0f}  p95 {percentile(latencies, .95):.0f}  "
              f"p99 {percentile(latencies, .99):.0f}  max {max(latencies):.0f}  mean {statistics.mean(latencies):.0f}")
    print(f"server CPU: {run.server_cpu:.1f} s in the window = "
          f"{run.server_cpu / max(1, len(latencies)) * 1000:.1f} ms per command, {run.server_cpu / wall * 100:.0f} % of one core")
    run.sampler.report(wall)
    print(f"load generator CPU: {run.generator_cpu:.1f} s in the window = "
          f"{run.generator_cpu / max(1, len(latencies)) * 1000:.2f} ms per request, {run.generator_cpu / wall * 100:.0f} % of one core")
    print(f"load average at end: {os.getloadavg()}; after the run: {probe()}")


if __name__ == "__main__":
    main()
