"""The product's app plus one bare route, for the benchmarks only (never part of the product).

    waitress-serve --threads 8 --call bench.bench_app:create_bench_app
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from app import create_app  # noqa: E402


def create_bench_app():
    app = create_app()

    @app.get("/bench-bare")
    def bench_bare():  # the floor: Flask + waitress + loopback, no engine, no store
        return "ok"

    return app
