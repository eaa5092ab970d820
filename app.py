"""LayerLab's Flask application: `create_app()` wires configuration, the sandbox store and the routes.

Serve it for a classroom with a production WSGI server, e.g.
    .venv/bin/waitress-serve --listen=0.0.0.0:5000 --threads 8 --call app:create_app
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta

from flask import Flask

from web import api, errors, pages, stage_routes
from web.store import SQLiteSandboxStore

DEFAULTS = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "layerlab",
    "PERMANENT_SESSION_LIFETIME": timedelta(days=30),
    "MAX_CONTENT_LENGTH": 1024 * 1024,        # request bodies (host file uploads) up to 1 MiB
    "MAX_COMMAND_LENGTH": 4096,               # characters in one typed command
    "SANDBOX_IDLE_SECONDS": 7 * 24 * 3600,    # sandboxes unused this long are deleted
    "CLEANUP_EVERY_SECONDS": 3600,            # how often creating a sandbox triggers that cleanup
}


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(DEFAULTS)
    app.config["DATABASE"] = os.environ.get("LAYERLAB_DATABASE") or os.path.join(app.instance_path, "layerlab.sqlite3")
    if config:
        app.config.update(config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app.instance_path)

    app.extensions["sandbox_store"] = SQLiteSandboxStore(app.config["DATABASE"])
    app.register_blueprint(pages.bp)
    app.register_blueprint(stage_routes.bp)
    app.register_blueprint(api.bp)
    errors.register(app)
    return app


def _secret_key(instance_path: str) -> str:
    """From LAYERLAB_SECRET_KEY, else a random key kept in the instance folder (so restarts keep sessions)."""
    from_env = os.environ.get("LAYERLAB_SECRET_KEY")
    if from_env:
        return from_env
    path = os.path.join(instance_path, "secret_key")
    try:
        with open(path, encoding="ascii") as f:
            key = f.read().strip()
        if key:
            return key
    except FileNotFoundError:
        pass
    key = secrets.token_hex(32)
    # O_EXCL: if two server processes start at once, only one writes; the other reads its key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        with open(path, encoding="ascii") as f:
            return f.read().strip() or key
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key)
    return key
