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
