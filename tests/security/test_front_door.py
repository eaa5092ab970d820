"""The front door: nginx from Debian with the README's configuration in front of ./run.sh, each on
its own loopback port (conftest.py). A page and a command go through; a body over 1 MiB is refused by
nginx (413) before it is read; the app counts each client's own address (LAYERLAB_TRUST_PROXY=1) and
a forged X-Forwarded-For changes nothing. Skipped, with the reason, where nginx is not installed.
Slow connections through nginx: test_slow_headers.py."""
from __future__ import annotations

import socket
import time

import pytest

from served import api_json, raw_request, read_response


@pytest.fixture
def front(front_door, served_app):
    return front_door, served_app


def get(port: int, path: str, source: str = "127.0.0.1") -> tuple[int, dict, bytes]:
    return raw_request(port, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n", source=source)


def test_a_page_and_a_command_go_through(front):
    nginx, _ = front
    status, headers, body = get(nginx.port, "/", source="127.0.0.10")
    assert status == 200 and b"LayerLab" in body
    assert headers["cache-control"] == "no-store"
    assert "default-src 'self'" in headers["content-security-policy"]
    status, _, created = api_json(nginx.port, "POST", "/api/sandboxes", {}, source="127.0.0.11")
    assert status == 201
    status, _, answer = api_json(nginx.port, "POST", f"/api/sandboxes/{created['id']}/commands",
                                 {"command": "docker pull alpine"}, source="127.0.0.11")
    assert status == 200 and answer["exit_code"] == 0 and "Downloaded newer image for alpine:latest" in answer["stdout"]


def test_bodies_over_one_mebibyte_are_refused_by_nginx_unread(front):
    nginx, app = front
    status, _, created = api_json(nginx.port, "POST", "/api/sandboxes", {}, source="127.0.0.12")
    path = f"/api/sandboxes/{created['id']}/host/big.bin"
    head = (f"PUT {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {{}}\r\nConnection: close\r\n\r\n")
    assert raw_request(nginx.port, head.format(1024 * 1024), b"x" * (1024 * 1024), source="127.0.0.12")[0] == 201
    status, headers, body = raw_request(nginx.port, head.format(1024 * 1024 + 1), b"x" * (1024 * 1024 + 1),
                                        source="127.0.0.12")
    assert status == 413 and headers.get("server", "").startswith("nginx")
    # a 1 GiB body: answered as soon as the header is read, after none of the gigabyte was sent
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", nginx.port), timeout=5, source_address=("127.0.0.12", 0)) as conn:
        conn.sendall(head.format(1024 ** 3).encode())
        status, headers, _ = read_response(conn)
    assert status == 413 and time.monotonic() - started < 1.0
    # the app never saw the refused bodies: its file is the first, accepted one
    status, _, state = api_json(app.port, "GET", f"/api/sandboxes/{created['id']}")
    assert state["host"] == ["big.bin"]


def test_the_app_counts_each_clients_own_address_and_a_forged_one_changes_nothing(front):
    """One new sandbox a minute per address here: two learners each get theirs; a learner who
    claims another address in X-Forwarded-For is still counted as themself."""
    nginx, _ = front
    assert api_json(nginx.port, "POST", "/api/sandboxes", {}, source="127.0.0.21")[0] == 201
    assert api_json(nginx.port, "POST", "/api/sandboxes", {}, source="127.0.0.22")[0] == 201
    status, headers, answer = api_json(nginx.port, "POST", "/api/sandboxes", {}, source="127.0.0.21",
                                       extra_headers="X-Forwarded-For: 10.99.0.1\r\n")
    assert status == 429 and 1 <= int(headers["retry-after"]) <= 61
    assert "Too many new sandboxes from your address" in answer["error"]
