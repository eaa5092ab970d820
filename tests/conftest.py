"""Fixtures shared by the web and browser tests. Flask is imported lazily: the engine's tests never load it."""
from __future__ import annotations

import pytest

TEST_SECRET = "test-secret-key-not-for-production"


def _browser_like_client_class():
    """A test client that sends this session's CSRF token with every state-changing request to the
    pages, as the real page does (htmx's header from <body>, or the forms' hidden field). The CSRF
    check itself is tested with Flask's plain client in tests/security."""
    from flask.testing import FlaskClient
    from itsdangerous import URLSafeTimedSerializer

    from web.security import FORM_FIELD, HEADER

    class BrowserLikeClient(FlaskClient):
        def open(self, *args, **kwargs):
            method = str(kwargs.get("method", "GET")).upper()
            path = args[0] if args and isinstance(args[0], str) else ""
            if method not in ("GET", "HEAD", "OPTIONS") and not path.startswith("/api"):
                with self.session_transaction() as session:
                    secret = session.setdefault(FORM_FIELD, "t" * 40)
                # the token as Flask-WTF hands it out: the session's secret, signed with the app's key
                token = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token").dumps(secret)
                kwargs["headers"] = {HEADER: token, **dict(kwargs.get("headers") or {})}
            return super().open(*args, **kwargs)

    return BrowserLikeClient


@pytest.fixture
def make_app(tmp_path):
    """Build an app on a temporary database; call again with the same path to simulate a restart."""
    from app import create_app

    def make(database: str | None = None, **config):
        settings = {"TESTING": True, "DATABASE": database or str(tmp_path / "layerlab.sqlite3"),
                    "SECRET_KEY": TEST_SECRET}
        settings.update(config)
        app = create_app(settings)
        app.test_client_class = _browser_like_client_class()
        return app

    return make


# ---- a real redis-server from Debian's packages, started by the tests themselves ----------------
class RedisServer:
    """One redis-server process on a free loopback port, its data in a temporary folder."""

    def __init__(self, directory, appendonly: bool = False):
        import os
        import shutil

        os.makedirs(directory, exist_ok=True)

        self.binary = shutil.which("redis-server") or ("/usr/bin/redis-server" if _exists("/usr/bin/redis-server") else None)
        self.directory = str(directory)
        self.appendonly = appendonly
        self.port = _free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        import subprocess
        import time

        import redis

        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if self.appendonly else ["--appendonly", "no"]
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.directory,
             "--save", "", "--daemonize", "no", "--protected-mode", "yes", *persistence],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.02)

    def kill(self) -> None:
        """SIGKILL: no shutdown save; only what the append-only file already holds survives."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def _exists(path: str) -> bool:
    import os

    return os.path.exists(path)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_server_or_skip(directory, appendonly: bool = False) -> RedisServer:
    server = RedisServer(directory, appendonly)
    if server.binary is None:
        pytest.skip("redis-server not found: install Debian's redis-server (./test.sh does) to test the Redis store")
    return server.start()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A redis-server for the whole test session (contract tests use a fresh key prefix each)."""
    server = redis_server_or_skip(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server, request):
    """The session's Redis, with this test's keys under their own prefix: (url, prefix)."""
    import re

    return redis_server.url, "test:" + re.sub(r"\W", "_", request.node.name) + ":"


@pytest.fixture
def start_redis(tmp_path):
    """Start a redis-server of this test's own (e.g. with appendonly, to kill and restart it)."""
    servers = []

    def start(appendonly: bool = False) -> RedisServer:
        server = redis_server_or_skip(tmp_path / f"redis{len(servers)}", appendonly)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
