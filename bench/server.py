"""Start the production server (waitress, --call) on loopback in a subprocess, and a browser-like
client (session cookie + the page's CSRF token, htmx headers)."""
from __future__ import annotations

import contextlib
import os
import re
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


@contextlib.contextmanager
def production_server(threads: int = 8, connection_limit: int | None = None):
    """waitress-serve --call bench.bench_app:create_bench_app on 127.0.0.1, a fresh SQLite file.
    `connection_limit`: waitress's --connection-limit (its default, as run.sh, is 100 open
    connections; every keep-alive browser holds at least one)."""
    port = free_port()
    tmp = tempfile.mkdtemp(prefix="layerlab-bench-")
    env = dict(os.environ, LAYERLAB_DATABASE=os.path.join(tmp, "bench.sqlite3"),
               LAYERLAB_SECRET_KEY="bench", LAYERLAB_SANDBOXES_PER_MINUTE="0", PYTHONPATH=ROOT)
    # The server's log goes to a file: a pipe nobody reads fills up (64 KiB of waitress's "Task queue
    # depth" warnings under load) and then blocks the whole server on its next log line.
    log = open(os.path.join(tmp, "server.log"), "wb")
    proc = subprocess.Popen([sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{port}",
                             f"--threads={threads}"]
                            + ([f"--connection-limit={connection_limit}"] if connection_limit else [])
                            + ["--call", "bench.bench_app:create_bench_app"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(base + "/bench-bare", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()
        with open(log.name, encoding="utf-8", errors="replace") as text:
            lines = text.read().splitlines()
        queued = sum("Task queue depth" in line for line in lines)
        others = [line for line in lines if "Task queue depth" not in line]
        print(f"server log: {queued} 'task queue depth' warnings, {len(others)} other lines"
              + (f" (first: {others[0][:200]})" if others else ""))


class Browser:
    """One learner's browser: its own cookie jar and CSRF token; posts like htmx does."""

    def __init__(self, base: str):
        self.base = base
        self.http = requests.Session()
        page = self.http.get(base + "/", timeout=30)
        page.raise_for_status()
        self.first_page = page.text
        self.token = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text).group(1)

    def command(self, line: str, timeout: float = 30) -> requests.Response:
        return self.http.post(self.base + "/commands", data={"command": line}, timeout=timeout,
                              headers={"HX-Request": "true", "X-CSRF-Token": self.token})

    def post(self, path: str, data: dict | None = None) -> requests.Response:
        return self.http.post(self.base + path, data=data or {}, timeout=30,
                              headers={"HX-Request": "true", "X-CSRF-Token": self.token})
