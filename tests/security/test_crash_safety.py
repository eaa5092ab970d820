"""Crash safety: the production server (serve.py: two waitress worker processes) is killed with SIGKILL,
every process at once, in the middle of a stream of commands; after a restart every command it had
acknowledged is still in effect. SQLite: WAL, synchronous=FULL, one small transaction per command.
Redis: appendonly with appendfsync always, one Lua script per command."""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, database: Path, store: str = "") -> subprocess.Popen:
    env = {**os.environ, "LAYERLAB_DATABASE": str(database), "LAYERLAB_SECRET_KEY": "crash-test",
           "LAYERLAB_SANDBOXES_PER_MINUTE": "0", "HOST": "127.0.0.1", "PORT": str(port), "WORKERS": "2",
           "THREADS": "4", "LAYERLAB_STORE": store}
    # its own session: the kill below reaches the parent and both workers at once
    process = subprocess.Popen([sys.executable, "serve.py"], cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/static/app.css", timeout=1).close()
            return process
        except OSError:
            time.sleep(0.05)
    kill(process)
    raise AssertionError("the server did not answer")


def kill(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


def call(base: str, method: str, path: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_every_acknowledged_command_survives_a_sigkill(tmp_path, kind, request):
    port, database = free_port(), tmp_path / "crash.sqlite3"
    base = f"http://127.0.0.1:{port}"
    redis = request.getfixturevalue("start_redis")(appendonly=True) if kind == "redis" else None
    store = redis.url if redis else ""
    server = start_server(port, database, store)
    try:
        ids = [call(base, "POST", "/api/sandboxes")["id"] for _ in range(3)]
        for sandbox_id in ids:
            assert call(base, "POST", f"/api/sandboxes/{sandbox_id}/commands", {"command": "docker pull alpine"})["exit_code"] == 0
        acknowledged: dict[str, list[int]] = {sandbox_id: [] for sandbox_id in ids}

        def stream(sandbox_id: str):
            for i in range(100_000):
                try:
                    answer = call(base, "POST", f"/api/sandboxes/{sandbox_id}/commands",
                                  {"command": f"docker tag alpine t{i}"})
                except (OSError, urllib.error.URLError, ValueError, http.client.HTTPException):
                    return   # the server is gone: this command was never acknowledged
                assert answer["exit_code"] == 0, answer
                acknowledged[sandbox_id].append(i)

        threads = [threading.Thread(target=stream, args=(sandbox_id,)) for sandbox_id in ids]
        for thread in threads:
            thread.start()
        while min(len(v) for v in acknowledged.values()) < 15:   # well into the stream
            time.sleep(0.01)
        kill(server)
        for thread in threads:
            thread.join(timeout=20)
    finally:
        if server.poll() is None:
            kill(server)

    if kind == "sqlite":
        with sqlite3.connect(database) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    else:   # the Redis server dies too (SIGKILL): only what its append-only file holds survives
        redis.kill()
        redis.start()
    server = start_server(port, database, store)
    try:
        for sandbox_id, done in acknowledged.items():
            assert done == list(range(len(done)))
            tags = {tag for image in call(base, "GET", f"/api/sandboxes/{sandbox_id}")["images"] for tag in image["tags"]}
            stored = {int(tag[1:].split(":")[0]) for tag in tags if tag.startswith("t")}
            # every acknowledged tag is there; at most the one in flight at the kill is there too
            assert set(done) <= stored <= set(done) | {len(done)}
            # and the sandbox still takes commands
            assert call(base, "POST", f"/api/sandboxes/{sandbox_id}/commands", {"command": "docker tag alpine after"})["exit_code"] == 0
    finally:
        kill(server, signal.SIGTERM)
