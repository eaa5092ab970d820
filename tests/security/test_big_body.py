"""Big bodies: a request announcing (or streaming) a gigabyte must be refused when its header
arrives, not after the server has read and spooled the body to disk. Behind nginx (the README's
configuration) client_max_body_size answers 413 at once (test_front_door.py). The served app alone
(./run.sh, serve.py) gives waitress the app's own limit (max_request_body_size): waitress reads a
whole body before the app sees the request, so the app's 1 MiB check alone would come too late."""
from __future__ import annotations

import select
import socket
import time

import pytest

from served import read_response

GIB = 1024 ** 3
# Give up after sending this much: a server that reads on (to spool the gigabyte) has not answered by
# then. A refusing server answers after ~1 MiB, plus what the two kernels' socket buffers hold.
SEND_AT_MOST = 16 * 1024 * 1024


def send_until_refused(port: int, head: bytes, chunk: bytes) -> tuple[int, int, float]:
    """Send `head`, then `chunk` after `chunk` until the server answers; (status, bytes sent, seconds)."""
    started = time.monotonic()
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(head)
        while sent < SEND_AT_MOST:
            readable, _, _ = select.select([conn], [], [], 0)
            if readable:
                break
            try:
                conn.sendall(chunk)
            except OSError:   # the server closed the connection after refusing
                break
            sent += len(chunk)
        else:
            readable, _, _ = select.select([conn], [], [], 1.0)
            if not readable:
                return 0, sent, time.monotonic() - started
        status, _, _ = read_response(conn)
        return status, sent, time.monotonic() - started


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_gigabyte_body_is_refused_before_it_is_read(served_app, framing):
    sandbox_path = "/api/sandboxes/nosuch/host/big.bin"
    if framing == "content-length":
        head = f"PUT {sandbox_path} HTTP/1.1\r\nHost: x\r\nContent-Length: {GIB - 1}\r\n\r\n".encode()
        chunk = b"x" * 65536
    else:
        head = f"PUT {sandbox_path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        chunk = b"10000\r\n" + b"x" * 65536 + b"\r\n"
    cpu_before = served_app.cpu_seconds()
    status, sent, seconds = send_until_refused(served_app.port, head, chunk)
    assert status == 413, f"no refusal after {sent} bytes"
    assert sent < SEND_AT_MOST and seconds < 3.0
    assert served_app.cpu_seconds() - cpu_before < 3.0
    # the class is still answered
    with socket.create_connection(("127.0.0.1", served_app.port), timeout=5) as conn:
        conn.sendall(b"GET /static/app.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert read_response(conn)[0] == 200
