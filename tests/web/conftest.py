from __future__ import annotations

import pytest


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
