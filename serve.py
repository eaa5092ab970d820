"""Serve LayerLab on every core: one waitress process per CPU this process may run on, all on one port.

    python serve.py            # HOST, PORT, WORKERS, THREADS from the environment (README)

Why processes: Python runs one thread at a time per process, so one waitress process uses one
core however many threads it has. Each worker binds the port with SO_REUSEPORT and the kernel
spreads new connections over them; each keeps its live sandboxes cached and checks them against
the store's version before every use (web/sandboxes.py), so a learner whose requests reach two
workers never sees a stale sandbox. The parent only starts, restarts and stops the workers.

The front door (issue "no learner can stall the class"): waitress reads every request whole
before a thread sees it, so a slow client holds a socket, never a worker thread. On top of that:
  * the body limit equals the app's (MAX_CONTENT_LENGTH): a bigger body is refused with 413 as
    soon as its length is known, never spooled to disk;
  * a request must arrive whole (headers and body) within REQUEST_SECONDS, and an idle
    keep-alive connection is closed after IDLE_SECONDS: slow-header clients are cut off;
  * the connection cap per worker is far above what a class opens (every browser keeps a few),
    within the process's file limit, so a class cannot exhaust it and slow clients are dropped
    long before it fills.
"""
from __future__ import annotations

import gc
import importlib
import os
import resource
import signal
import socket
import sys
import time

import waitress
from waitress.server import BaseWSGIServer

# headers + body of one request (at most 1 MiB) must arrive within this; an idle keep-alive
# connection is closed after IDLE_SECONDS (both settable for tests: LAYERLAB_REQUEST_SECONDS, _IDLE_)
REQUEST_SECONDS = float(os.environ.get("LAYERLAB_REQUEST_SECONDS", "30"))
IDLE_SECONDS = int(os.environ.get("LAYERLAB_IDLE_SECONDS", "60"))
CONNECTIONS = 4000        # per worker
HEADER_BYTES = 64 * 1024  # request line + headers
# Threads per worker. A command is ~5 ms of Python and ~0.5 ms of waiting (the fsync, the writers'
# queue), so two threads keep a core busy. With more, they only queue for the GIL, and the holds of the
# database's write lock, which every writer of every worker waits for, grow longer. 400 students on 2
# cores, p95: 102-106 ms with 8 threads, 30-50 ms with 2; in a slower hour of the same machine 428-576
# against 166-239 ms (bench/RESULTS.md).
THREADS = 2


def _maintenance(self, now):
    """waitress's idle check, plus a deadline for a request still arriving (slow headers or body)."""
    cutoff = now - self.adj.channel_timeout
    arriving = self.__dict__.setdefault("_arriving", {})
    seen = {}
    for channel in list(self.active_channels.values()):
        if not channel.requests and channel.last_activity < cutoff:
            channel.will_close = True
        partial = channel.request
        if partial is not None and not partial.completed:
            first = arriving.get(id(partial), (partial, now))
            seen[id(partial)] = first
            if now - first[1] > REQUEST_SECONDS:
                channel.will_close = True
    self._arriving = seen


BaseWSGIServer.maintenance = _maintenance


def worker_count() -> int:
    workers = os.environ.get("WORKERS")
    if workers:
        return max(1, int(workers))
    return len(os.sched_getaffinity(0))   # the cores this process may use (taskset narrows it)


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(1024)
    return sock


def create_app():
    """The app factory: app:create_app, or another one in LAYERLAB_APP ("module:function"; the
    benchmarks add a bare route this way)."""
    module, _, name = os.environ.get("LAYERLAB_APP", "app:create_app").partition(":")
    return getattr(importlib.import_module(module), name)()


def _compile_templates(app) -> None:
    """Compile every template before the first request: compiling the page's templates takes ~0.2 s,
    which the first learner (or the first permalink opened) on each worker would otherwise wait."""
    for name in app.jinja_env.list_templates(extensions=["html"]):
        app.jinja_env.get_template(name)


# The cyclic garbage collector, tuned for a server whose every command allocates tens of thousands
# of short-lived objects (the engine's undo fork, the answer's view models and HTML): with Python's
# default first threshold (700) it ran ~1.7 young collections per command on the realistic sandbox,
# ~1.1 ms of ~9 ms of server time; at 10,000, one every ~25 commands, ~0.2 ms per command (measured
# in one process, bench/RESULTS.md). Reference counting still frees at once everything that is not
# in a cycle; cycles wait a little longer.
GC_THRESHOLDS = (10_000, 10, 10)


def _tune_garbage_collection() -> None:
    """After start-up: what is loaded by now (modules, the catalog, compiled templates) lives as
    long as the worker, so it leaves the collector's generations (gc.freeze): the oldest
    generation's collections no longer walk it."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def _serve(host: str, port: int, threads: int) -> None:
    app = create_app()
    _compile_templates(app)
    _tune_garbage_collection()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    connections = max(100, min(CONNECTIONS, resource.getrlimit(resource.RLIMIT_NOFILE)[0] - 100))
    waitress.serve(app, sockets=[_listen(host, port)], threads=threads, connection_limit=connections,
                   channel_timeout=IDLE_SECONDS, cleanup_interval=2,
                   # waitress refuses a body of max_request_body_size bytes or more; the app takes up to its limit
                   max_request_body_size=app.config["MAX_CONTENT_LENGTH"] + 1, max_request_header_size=HEADER_BYTES,
                   # waitress would drop X-Forwarded-* itself: the app decides whom to trust (LAYERLAB_TRUST_PROXY)
                   clear_untrusted_proxy_headers=False, ident="LayerLab")


def main() -> int:
    host, port = os.environ.get("HOST", "127.0.0.1"), int(os.environ.get("PORT", "5000"))
    threads = int(os.environ.get("THREADS", str(THREADS)))
    create_app()   # once before the workers: migrates an old database, makes the secret key
    workers: dict[int, float] = {}
    stopping = False

    def start() -> None:
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                _serve(host, port, threads)
            except BaseException as error:   # e.g. the port is taken: say so, let the parent stop
                print(f"LayerLab worker: {error}", file=sys.stderr)
                code = 1
            finally:
                os._exit(code)
        workers[pid] = time.monotonic()

    def stop(signum, _frame) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(workers):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    count = worker_count()
    for _ in range(count):
        start()
    print(f"LayerLab on http://{host}:{port}  ({count} worker processes x {threads} threads; Ctrl+C stops it)",
          flush=True)
    failures = 0
    while workers:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        started = workers.pop(pid, None)
        if stopping or started is None:
            continue
        failures = failures + 1 if time.monotonic() - started < 5 else 0
        if failures >= 3:   # a worker that dies at once, again and again (the port is taken): give up
            stop(signal.SIGTERM, None)
            return 1
        start()   # a worker crashed: the others kept serving; replace it
    return 0


if __name__ == "__main__":
    sys.exit(main())
