"""Start the production server on loopback in a subprocess, and a browser-like client (session
cookie + the page's CSRF token, htmx headers)."""
from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_threads() -> int | None:
    """Waitress threads per server process as BENCH_THREADS asks, else None: serve.py's default."""
    return int(os.environ.get("BENCH_THREADS") or 0) or None


@contextlib.contextmanager
def production_server(threads: int | None = None, connection_limit: int | None = None, workers: int | None = None,
                      cpus: str | None = None):
    """The production server on 127.0.0.1 with a fresh SQLite file, serving bench.bench_app.

    This checkout: `serve.py` (one waitress process per core, or `workers`). With BENCH_CODE set to
    an older checkout without serve.py: `waitress-serve --call` as it was (one process, `threads`
    threads, `connection_limit`). `threads`: waitress threads per process, else BENCH_THREADS from the
    environment, else serve.py's own default. `cpus`: pin the server to these cores (`taskset -c`), e.g. "0"."""
    code = os.environ.get("BENCH_CODE") or ROOT
    port = free_port()
    tmp = tempfile.mkdtemp(prefix="layerlab-bench-")
    env = dict(os.environ, LAYERLAB_DATABASE=os.path.join(tmp, "bench.sqlite3"),
               LAYERLAB_SECRET_KEY="bench", LAYERLAB_SANDBOXES_PER_MINUTE="0", PYTHONPATH=code,
               HOST="127.0.0.1", PORT=str(port), LAYERLAB_APP="bench.bench_app:create_bench_app")
    threads = threads or bench_threads()
    if threads:
        env["THREADS"] = str(threads)
    if workers:
        env["WORKERS"] = str(workers)
    if os.path.exists(os.path.join(code, "serve.py")):
        command = [sys.executable, "serve.py"]
    else:
        command = [sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{port}", f"--threads={threads or 8}"] \
            + ([f"--connection-limit={connection_limit}"] if connection_limit else []) \
            + ["--call", "bench.bench_app:create_bench_app"]
    if cpus:
        command = ["taskset", "-c", cpus] + command
    # The server's log goes to a file: a pipe nobody reads fills up (64 KiB of waitress's "Task queue
    # depth" warnings under load) and then blocks the whole server on its next log line.
    log = open(os.path.join(tmp, "server.log"), "wb")
    proc = subprocess.Popen(command, cwd=code, env=env, stdout=subprocess.DEVNULL, stderr=log,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    SERVER["pgid"] = proc.pid
    try:
        for _ in range(200):
            try:
                requests.get(base + "/bench-bare", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        print(f"server: {' '.join(command[:4])}... code {code}")
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
        log.close()
        with open(log.name, encoding="utf-8", errors="replace") as text:
            lines = text.read().splitlines()
        queued = sum("Task queue depth" in line for line in lines)
        others = [line for line in lines if "Task queue depth" not in line]
        print(f"server log: {queued} 'task queue depth' warnings, {len(others)} other lines"
              + (f" (first: {others[0][:200]})" if others else ""))


SERVER = {"pgid": None}


def server_processes() -> list[int]:
    """The pids of the running server's processes (the process group serve.py / waitress runs in)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == SERVER["pgid"]:
            pids.append(int(entry))
    return pids


def process_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) one process has used so far (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu_seconds() -> float:
    """CPU time (user + system) used so far by every process of the running server. Unlike wall
    time it hardly moves with the machine's load: other engineers' jobs do not add to it."""
    return sum(process_cpu_seconds(pid) for pid in server_processes())


def thread_states(pid: int) -> list[str]:
    """What each thread of a process is doing right now: its state (R running or runnable, S
    sleeping, D disk) and, when not running, the kernel function it waits in (wchan), e.g.
    "S futex_wait_queue" (a lock or a condition: waitress's idle threads, the GIL),
    "S hrtimer_nanosleep" (a sleep: SQLite's busy handler waiting for the write lock),
    "S do_epoll_wait" / "S do_select" (waiting for the network), "D ..." (the disk: fsync)."""
    states = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return states
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            with open(f"/proc/{pid}/task/{tid}/wchan") as f:
                wchan = f.read().strip()
        except OSError:
            continue
        states.append(state if state == "R" else f"{state} {wchan or '?'}")
    return states


# A drawing the page holds: its element's id and data-digest (web/redraw.py).
DIGEST = re.compile(r'<[^>]*?\bid="([^"]+)"[^>]*?\bdata-digest="([0-9a-f]+)"')
CSRF = re.compile(r'"X-CSRF-Token": "([^"]+)"')
# Panels swapped out-of-band on their own, outside the stage: an answer that leaves one out means
# "unchanged", so the page keeps it. Everything else with a digest lives inside the stage: an answer
# that redraws the stage whole (a new layout) leaves on screen only what it carries, drawn or kept;
# one that keeps the layout swaps its changed parts by id (partials/_stage_patch.html), the rest stays.
PANELS = {"side-tabs", "explain", "files-list", "build"}
IDS = re.compile(r'\bid="([^"]+)"')


class Browser:
    """One learner's browser: its own cookie jar and CSRF token; posts like the page's htmx does.

    Like static/stage.js, every request that redraws the stage sends `held`: the `id:digest` pairs
    of the drawings on screen, so the server leaves out what has not changed. Without it the server
    draws the whole stage for every command, which no browser makes it do."""

    REDRAWS = ("/commands", "/undo", "/redo", "/reset", "/new", "/explore")

    def __init__(self, base: str):
        self.base = base
        self.http = requests.Session()
        page = self.http.get(base + "/", timeout=30)
        page.raise_for_status()
        self.first_page = page.text
        self.token = CSRF.search(page.text).group(1)
        self.held: dict[str, str] = dict(DIGEST.findall(page.text))

    def command(self, line: str, timeout: float = 30) -> requests.Response:
        return self.post("/commands", {"command": line}, timeout=timeout)

    def post(self, path: str, data: dict | None = None, timeout: float = 30) -> requests.Response:
        data = dict(data or {})
        if path.startswith(self.REDRAWS):
            data["held"] = " ".join(f"{k}:{v}" for k, v in self.held.items())
        start = time.perf_counter()
        response = self.http.post(self.base + path, data=data, timeout=timeout,
                                  headers={"HX-Request": "true", "X-CSRF-Token": self.token})
        # the round trip, without the page's own work on the answer after it arrived (swapped)
        self.exchange_ms = (time.perf_counter() - start) * 1000
        if response.status_code == 200:
            self.swapped(response.text)
        return response

    def swapped(self, answer: str) -> None:
        """What is on screen after htmx swapped this answer in."""
        self.held = on_screen(self.held, answer)


def on_screen(held: dict[str, str], answer: str, pairs=DIGEST.findall, ids=IDS.findall) -> dict[str, str]:
    """The drawings on screen (`held`) after htmx swapped this answer in, by the page's rules (PANELS
    above); `pairs` and `ids` parse the answer as DIGEST and IDS do (async_browser.py's are cheaper)."""
    if 'id="stage"' in answer:   # the stage redrawn: only what it carries (drawn or kept) stays
        present = set(ids(answer))
        held = {k: v for k, v in held.items() if k in PANELS or k in present}
    return {**held, **dict(pairs(answer))}
