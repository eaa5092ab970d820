"""The product's app plus one bare route, for the benchmarks only (never part of the product).

    waitress-serve --threads 8 --call bench.bench_app:create_bench_app

Each worker also keeps the time its app spent on every request (from the WSGI call until the
answer's last byte was handed to waitress): GET /bench-timings gives that worker's list and
empties it, so a benchmark can tell the server's own time from the transport's.
"""
from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flask import jsonify  # noqa: E402

from app import create_app  # noqa: E402


def create_bench_app():
    app = create_app()
    timings: list[list] = []

    @app.get("/bench-bare")
    def bench_bare():  # the floor: Flask + waitress + loopback, no engine, no store
        return "ok"

    @app.get("/bench-timings")
    def bench_timings():
        taken = list(timings)
        timings.clear()
        return jsonify(taken)

    inner = app.wsgi_app

    def timed(environ, start_response):
        start = time.perf_counter()
        body = b"".join(inner(environ, start_response))
        timings.append([environ.get("PATH_INFO", ""), (time.perf_counter() - start) * 1000])
        return [body]

    app.wsgi_app = timed
    return app
