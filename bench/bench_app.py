"""The product's app plus one bare route, for the benchmarks only (never part of the product).

    waitress-serve --threads 8 --call bench.bench_app:create_bench_app

BENCH_SWITCH_INTERVAL=<seconds> (an experiment, not a setting of the product): how long a server
thread may keep the GIL while another waits (Python's default 0.005). load_test.py uses it to see
how much a thread that holds SQLite's write lock loses waiting for the GIL between statements.
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from app import create_app  # noqa: E402


def create_bench_app():
    if os.environ.get("BENCH_SWITCH_INTERVAL"):
        sys.setswitchinterval(float(os.environ["BENCH_SWITCH_INTERVAL"]))
    app = create_app()

    @app.get("/bench-bare")
    def bench_bare():  # the floor: Flask + waitress + loopback, no engine, no store
        return "ok"

    return app
