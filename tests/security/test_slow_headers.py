"""Slow headers: connections that send half a request header and trickle the rest never become a
request, so they cost the served app no worker. A learner opening 200 of them (run.sh's waitress,
directly) does not stop the class; 1,500 of them, more than waitress's connection cap of 1,000 (which
alone would lock everyone out: README, "Behind nginx"), go to nginx with the README's configuration,
which holds them cheaply and closes them after client_header_timeout. Each time another client is
answered promptly and the app spends well under 3 s of CPU."""
from __future__ import annotations

import socket
import time
from contextlib import ExitStack

from served import raw_request


def open_slow(stack: ExitStack, port: int, count: int, source: str) -> list[socket.socket]:
    conns = []
    for _ in range(count):
        conn = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0)))
        conn.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        conns.append(conn)
    return conns


def answered_quickly(port: int, source: str) -> float:
    started = time.monotonic()
    for path in ("/static/app.css", "/lessons"):
        status, _, _ = raw_request(port, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                                   source=source, timeout=3)
        assert status == 200, path
    return time.monotonic() - started


def test_two_hundred_slow_connections_to_the_served_app_leave_the_class_answered(served_app):
    cpu_before = served_app.cpu_seconds()
    with ExitStack() as stack:
        slow = open_slow(stack, served_app.port, 200, "127.0.0.40")
        for round_ in range(3):
            for conn in slow:
                conn.sendall(b"a")          # still trickling: never a whole header
            assert answered_quickly(served_app.port, "127.0.0.41") < 1.0, round_
    assert served_app.cpu_seconds() - cpu_before < 3.0


def test_fifteen_hundred_slow_connections_through_nginx_leave_the_class_answered(front_door, served_app):
    cpu_before = served_app.cpu_seconds()
    with ExitStack() as stack:
        slow = open_slow(stack, front_door.port, 1500, "127.0.0.30")
        for conn in slow[:300]:
            conn.sendall(b"a")
        assert answered_quickly(front_door.port, "127.0.0.31") < 2.0
    assert served_app.cpu_seconds() - cpu_before < 3.0
