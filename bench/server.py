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
def production_server(threads: int = 8):
    """waitress-serve --call bench.bench_app:create_bench_app on 127.0.0.1, a fresh SQLite file."""
    port = free_port()
    tmp = tempfile.mkdtemp(prefix="layerlab-bench-")
    env = dict(os.environ, LAYERLAB_DATABASE=os.path.join(tmp, "bench.sqlite3"),
               LAYERLAB_SECRET_KEY="bench", LAYERLAB_SANDBOXES_PER_MINUTE="0", PYTHONPATH=ROOT)
    proc = subprocess.Popen([sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{port}",
                             f"--threads={threads}", "--call", "bench.bench_app:create_bench_app"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
