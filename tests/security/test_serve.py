"""The served app itself (serve.py, no proxy in front; through nginx: test_front_door.py): a huge
body is refused before it is read, slow clients are cut off, and while they try, another learner is
answered at once; two worker processes serve one sandbox coherently."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import serve

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = free_port()
    env = {**os.environ, "LAYERLAB_DATABASE": str(tmp_path / "door.sqlite3"), "LAYERLAB_SECRET_KEY": "door",
           "HOST": "127.0.0.1", "PORT": str(port), "WORKERS": "1", "THREADS": "4",
           "LAYERLAB_REQUEST_SECONDS": "2", "LAYERLAB_IDLE_SECONDS": "3", "LAYERLAB_STORE": ""}
    process = subprocess.Popen([sys.executable, "serve.py"], cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(base + "/static/app.css", timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, "the server did not start"
                time.sleep(0.05)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")   # utime + stime


def answer_ms(port: int) -> float:
    start = time.monotonic()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/app.css", timeout=5) as response:
        assert response.status == 200
    return (time.monotonic() - start) * 1000


def test_a_body_over_the_limit_is_refused_before_it_is_sent(server):
    with socket.create_connection(("127.0.0.1", server), timeout=5) as sock:
        sock.sendall(b"POST /api/sandboxes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 1073741824\r\n\r\n")
        start = time.monotonic()
        reply = sock.recv(4096)
    assert reply.startswith(b"HTTP/1.1 413"), reply[:100]
    assert time.monotonic() - start < 3


def test_slow_headers_are_cut_off_and_others_are_answered_meanwhile(server):
    slow = []
    for _ in range(300):   # more than a class opens, each sending its headers one byte at a time
        sock = socket.create_connection(("127.0.0.1", server), timeout=5)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        slow.append(sock)
    started = time.monotonic()
    latencies = []
    while time.monotonic() - started < 6:
        for sock in slow:
            try:
                sock.sendall(b"X")
            except OSError:
                pass
        latencies.append(answer_ms(server))
        time.sleep(0.5)
    assert max(latencies) < 1000, latencies
    closed = 0
    for sock in slow:   # after the 2 s request deadline the server has closed every one
        sock.settimeout(1)
        try:
            closed += sock.recv(100) == b""
        except ConnectionResetError:
            closed += 1
        except socket.timeout:
            pass
        sock.close()
    assert closed == len(slow)


def test_an_idle_connection_is_closed(server):
    with socket.create_connection(("127.0.0.1", server), timeout=10) as sock:
        start = time.monotonic()
        assert sock.recv(100) == b""
    assert 2 < time.monotonic() - start < 9


def test_two_worker_processes_serve_one_sandbox_coherently(tmp_path):
    """Every request on a new connection: the kernel spreads them over both workers, and each answer
    shows every command before it (each worker checks its cached sandbox against the store)."""
    import json

    port = free_port()
    env = {**os.environ, "LAYERLAB_DATABASE": str(tmp_path / "two.sqlite3"), "LAYERLAB_SECRET_KEY": "two",
           "HOST": "127.0.0.1", "PORT": str(port), "WORKERS": "2", "THREADS": "2", "LAYERLAB_STORE": "",
           "LAYERLAB_SANDBOXES_PER_MINUTE": "0"}
    process = subprocess.Popen([sys.executable, "serve.py"], cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/api/sandboxes"

    def call(url, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method="POST" if body is not None else "GET",
                                         headers={"Content-Type": "application/json", "Connection": "close"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                sandbox_id = call(base, {})["id"]
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, "the server did not start"
                time.sleep(0.05)
        call(f"{base}/{sandbox_id}/commands", {"command": "docker pull alpine"})
        workers = [int(pid) for pid in subprocess.run(["ps", "-o", "pid=", "--ppid", str(process.pid)],
                                                      capture_output=True, text=True).stdout.split()]
        assert len(workers) == 2
        cpu_before = [cpu_seconds(pid) for pid in workers]
        for i in range(30):
            assert call(f"{base}/{sandbox_id}/commands", {"command": f"docker tag alpine t{i}"})["exit_code"] == 0
            state = call(f"{base}/{sandbox_id}")
            assert {f"t{n}:latest" for n in range(i + 1)} <= set(state["images"][0]["tags"])
            if i % 3 == 2:   # an undo through any worker takes back exactly the last command
                state = call(f"{base}/{sandbox_id}/undo", {})
                assert f"t{i}:latest" not in state["images"][0]["tags"]
                call(f"{base}/{sandbox_id}/commands", {"command": f"docker tag alpine t{i}"})
        # both workers did part of the work (each request costs a few ms of CPU; an idle worker none)
        assert all(cpu_seconds(pid) - before >= 0.03 for pid, before in zip(workers, cpu_before))
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


def test_every_template_is_compiled_before_the_first_request(make_app):
    """serve.py compiles the templates up front, so the first page a worker draws (a permalink opened
    by a whole class) does not wait for it; a template that does not compile stops the server."""
    app = make_app()
    serve._compile_templates(app)
    cached = {name for (_loader, name) in app.jinja_env.cache.keys()} if app.jinja_env.cache is not None else set()
    assert {"index.html", "partials/_stage.html", "course/shared.html"} <= cached
