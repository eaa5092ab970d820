from __future__ import annotations

import pytest

from web.store import SQLiteSandboxStore
from web.store_redis import RedisSandboxStore


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def api(client):
    """A small API client: `api.new(**body)` -> id, `api.run(id, command)` -> JSON answer."""

    class Api:
        def new(self, **body):
            response = client.post("/api/sandboxes", json=body)
            assert response.status_code == 201, response.get_data(as_text=True)
            return response.get_json()["id"]

        def run(self, sandbox_id, command):
            response = client.post(f"/api/sandboxes/{sandbox_id}/commands", json={"command": command})
            assert response.status_code == 200, response.get_data(as_text=True)
            return response.get_json()

        def state(self, sandbox_id):
            response = client.get(f"/api/sandboxes/{sandbox_id}")
            assert response.status_code == 200
            return response.get_json()

    return Api()


@pytest.fixture(params=["sqlite", "redis"])
def make_store(request, tmp_path):
    """make_store() -> a new handle on one shared store (each handle has its own cache, like a
    process), on SQLite and on a real redis-server."""
    if request.param == "sqlite":
        path = str(tmp_path / "records.sqlite3")
        return lambda **kw: SQLiteSandboxStore(path, **kw)
    url, prefix = request.getfixturevalue("redis_url")
    return lambda **kw: RedisSandboxStore.from_url(url, prefix=prefix, **kw)
