"""The app as it is served for a class: started by ./run.sh (serve.py's waitress workers), optionally
behind nginx with the README's configuration. Everything listens on free loopback ports, logs to the
test's folder, and is stopped by the test that started it."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
RUN_SH = ROOT / "run.sh"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_answering(port: int, process: subprocess.Popen, log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"exited with {process.returncode}:\n{log.read_text(errors='replace')[-2000:]}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/static/app.css", timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"no answer on port {port}:\n{log.read_text(errors='replace')[-2000:]}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@dataclass
class Served:
    port: int
    process: subprocess.Popen

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cpu_seconds(self) -> float:
        """User + system CPU time the server has used so far: serve.py and its worker processes (Linux /proc)."""
        pids = [self.process.pid, *map(int, Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
                                       .read_text().split())]
        total = 0
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")


def start_app(folder: Path, **environment: str) -> Served:
    """./run.sh on a free loopback port, its database in `folder`."""
    port = free_port()
    log = folder / "app.log"
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port), "THREADS": "4",
           "LAYERLAB_DATABASE": str(folder / "served.sqlite3"), "LAYERLAB_SECRET_KEY": "served-test", **environment}
    env.pop("LAYERLAB_STORE", None)
    with open(log, "wb") as out:
        process = subprocess.Popen(["bash", str(RUN_SH)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        wait_until_answering(port, process, log, seconds=120)   # run.sh checks the requirements first
    except BaseException:
        stop(process)
        raise
    return Served(port, process)


# ---- nginx with the README's configuration ------------------------------------------------------------
def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)


def readme_nginx_config() -> str:
    """The README's nginx server configuration (the ```nginx block under "Behind nginx")."""
    blocks = re.findall(r"```nginx\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 1, "README.md should hold exactly one nginx configuration"
    return blocks[0]


def start_nginx(folder: Path, app_port: int) -> Served:
    """nginx in front of the app on `app_port`: the README's configuration, with only its two ports
    changed, inside a minimal main configuration (paths in `folder`, in the foreground)."""
    binary = nginx_binary()
    port = free_port()
    site = readme_nginx_config()
    assert "127.0.0.1:5000" in site and "listen 80;" in site
    site = site.replace("127.0.0.1:5000", f"127.0.0.1:{app_port}").replace("listen 80;", f"listen 127.0.0.1:{port};")
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / sub).mkdir(exist_ok=True)
    main = f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
worker_rlimit_nofile 8192;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
{site}
}}
"""
    config = folder / "nginx.conf"
    config.write_text(main)
    log = folder / "nginx.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([binary, "-p", str(folder), "-c", str(config), "-g", "daemon off;"],
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_answering(port, process, folder / "nginx-error.log" if (folder / "nginx-error.log").exists() else log)
    except BaseException:
        stop(process)
        raise
    return Served(port, process)


# ---- a raw HTTP client (what urllib cannot do: slow headers, a lying Content-Length, a chosen source) ----
def raw_request(port: int, head: str, body: bytes = b"", source: str = "127.0.0.1", timeout: float = 5.0) -> tuple[int, dict, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0)) as conn:
        conn.sendall(head.encode("latin-1") + body)
        return read_response(conn)


def read_response(conn: socket.socket) -> tuple[int, dict, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and lines[0].startswith("HTTP/") else 0
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    length = int(headers.get("content-length", "0") or 0)
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        rest += chunk
    return status, headers, rest


def api_json(port: int, method: str, path: str, payload: dict | None = None, source: str = "127.0.0.1",
             extra_headers: str = "") -> tuple[int, dict, dict]:
    body = json.dumps(payload).encode() if payload is not None else b""
    head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n{extra_headers}\r\n")
    status, headers, data = raw_request(port, head, body, source=source)
    try:
        parsed = json.loads(data) if data else {}
    except ValueError:
        parsed = {"raw": data.decode("latin-1")}
    return status, headers, parsed
