"""The product's app plus one bare route, for the benchmarks only (never part of the product).

    waitress-serve --threads 8 --call bench.bench_app:create_bench_app

BENCH_SWITCH_INTERVAL=<seconds> (an experiment, not a setting of the product): how long a server
thread may keep the GIL while another waits (Python's default 0.005). load_test.py uses it to see
how much a thread that holds SQLite's write lock loses waiting for the GIL between statements.
BENCH_WRITE_LOCK=1 (an experiment): the threads of one server process take a Python lock around a
command's write transaction (SQLiteSandboxStore._append), so they queue on it and wake as soon as it
is free, instead of sleeping in SQLite's busy handler (1, 2, 5, ... 100 ms) while the write lock is
taken; only the processes still meet in the busy handler.
"""
from __future__ import annotations

import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from app import create_app  # noqa: E402
from web.store import SQLiteSandboxStore  # noqa: E402


def _one_writer_per_process() -> None:
    append, lock = SQLiteSandboxStore._append, threading.Lock()

    def _append(self, *args, **kwargs):
        with lock:
            return append(self, *args, **kwargs)

    SQLiteSandboxStore._append = _append


def create_bench_app():
    if os.environ.get("BENCH_SWITCH_INTERVAL"):
        sys.setswitchinterval(float(os.environ["BENCH_SWITCH_INTERVAL"]))
    if os.environ.get("BENCH_WRITE_LOCK"):
        _one_writer_per_process()
    app = create_app()

    @app.get("/bench-bare")
    def bench_bare():  # the floor: Flask + waitress + loopback, no engine, no store
        return "ok"

    return app
