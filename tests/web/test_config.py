"""create_app's configuration: where the database and the secret key come from."""
from __future__ import annotations

import os
import stat

import app as app_module


def test_secret_key_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("LAYERLAB_SECRET_KEY", raising=False)
    first = app_module._secret_key(str(tmp_path))
    assert len(first) == 64
    assert app_module._secret_key(str(tmp_path)) == first
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_secret_key_from_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("LAYERLAB_SECRET_KEY", "from-env")
    assert app_module._secret_key(str(tmp_path)) == "from-env"
    assert not (tmp_path / "secret_key").exists()


def test_database_path_from_config(make_app, tmp_path):
    app = make_app(str(tmp_path / "chosen.sqlite3"))
    app.test_client().post("/api/sandboxes")
    assert (tmp_path / "chosen.sqlite3").exists()


def test_database_path_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("LAYERLAB_DATABASE", str(tmp_path / "env.sqlite3"))
    monkeypatch.setenv("LAYERLAB_SECRET_KEY", "x")
    app = app_module.create_app({"TESTING": True})
    assert app.config["DATABASE"] == str(tmp_path / "env.sqlite3")
    assert app.config["SECRET_KEY"] == "x"


def test_idle_sandboxes_are_cleaned_up_when_new_ones_are_created(make_app):
    app = make_app(SANDBOX_IDLE_SECONDS=0, CLEANUP_EVERY_SECONDS=0)
    client = app.test_client()
    first = client.post("/api/sandboxes").get_json()["id"]
    client.post("/api/sandboxes")
    assert client.get(f"/api/sandboxes/{first}").status_code == 404


def test_the_redis_store_is_chosen_by_the_environment_and_serves_the_api(make_app, redis_url, monkeypatch):
    from web.store_redis import RedisSandboxStore

    url, prefix = redis_url
    monkeypatch.setenv("LAYERLAB_STORE", url)
    monkeypatch.setenv("LAYERLAB_REDIS_PREFIX", prefix)
    app = make_app()
    assert isinstance(app.extensions["sandbox_store"], RedisSandboxStore)
    client = app.test_client()
    sandbox_id = client.post("/api/sandboxes", json={"scenario": "article"}).get_json()["id"]
    answer = client.post(f"/api/sandboxes/{sandbox_id}/commands", json={"command": "docker rm -f web"}).get_json()
    assert answer == {"stdout": "web\n", "stderr": "", "exit_code": 0}
    # a second app server on the same Redis sees the change
    other = make_app().test_client()
    names = [c["name"] for c in other.get(f"/api/sandboxes/{sandbox_id}").get_json()["containers"]]
    assert "web" not in names and names


def test_an_unknown_store_url_is_refused_at_start(make_app):
    import pytest

    with pytest.raises(ValueError, match="LAYERLAB_STORE: unknown store 'mongodb://x'"):
        make_app(STORE="mongodb://x")
