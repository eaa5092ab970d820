"""The classroom path from the README: serve.py (waitress processes, one per core) answers pages and
the API, and a restart keeps the data."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_answering(url: str, process: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}: {process.stderr.read()}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"server did not answer {url} within {timeout} s")


def test_the_production_server_serves_the_app_and_keeps_data_across_a_restart(tmp_path):
    port = free_port()
    env = {**os.environ, "LAYERLAB_DATABASE": str(tmp_path / "classroom.sqlite3"),
           "LAYERLAB_SECRET_KEY": "classroom-test", "HOST": "127.0.0.1", "PORT": str(port), "WORKERS": "2"}
    command = [sys.executable, "serve.py"]
    base = f"http://127.0.0.1:{port}"

    def start():
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True, start_new_session=True)
        wait_until_answering(base + "/static/app.css", process)
        return process

    def stop(process):
        os.killpg(process.pid, signal.SIGTERM)   # the parent and its workers
        process.wait(timeout=10)

    def post(path, body):
        request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())

    process = start()
    try:
        with urllib.request.urlopen(base + "/", timeout=10) as response:
            assert response.status == 200
            assert "LayerLab" in response.read().decode()
        status, created = post("/api/sandboxes", {"scenario": "article"})
        assert status == 201
        status, answer = post(f"/api/sandboxes/{created['id']}/commands", {"command": "docker rm -f web"})
        assert (status, answer["exit_code"], answer["stdout"]) == (200, 0, "web\n")
    finally:
        stop(process)

    process = start()
    try:
        with urllib.request.urlopen(f"{base}/api/sandboxes/{created['id']}", timeout=10) as response:
            names = [c["name"] for c in json.loads(response.read())["containers"]]
        assert "web" not in names and names
    finally:
        stop(process)
