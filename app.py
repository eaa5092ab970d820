"""LayerLab's Flask application: `create_app()` wires configuration, the sandbox store and the routes.

Serve it for a classroom with a production WSGI server, e.g.
    .venv/bin/waitress-serve --listen=0.0.0.0:5000 --threads 8 --call app:create_app
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from web import (api, class_routes, course_routes, errors, files_routes, i18n, lessons_api, pages, ratelimit,
                 request_memo, sandboxes, security, stage_routes)
from web.class_store import ClassStore, RedisClassStore, SQLiteClassStore
from web.store import DEFAULT_BUDGET, SandboxStore, SQLiteSandboxStore

DEFAULTS = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "layerlab",
    "SESSION_COOKIE_SECURE": False,           # True when served over HTTPS (LAYERLAB_SECURE_COOKIES=1)
    "PERMANENT_SESSION_LIFETIME": timedelta(days=30),
    # the cookie's 30 days slide with use, but re-signing it on every command costs each one ~0.2 ms:
    # web/security.py renews it when the session changes or once a day
    "SESSION_REFRESH_EACH_REQUEST": False,
    "MAX_CONTENT_LENGTH": 1024 * 1024,        # request bodies (host file uploads) up to 1 MiB
    "MAX_COMMAND_LENGTH": 4096,               # characters in one typed command
    "SANDBOX_IDLE_SECONDS": 7 * 24 * 3600,    # sandboxes unused this long are deleted
    "CLEANUP_EVERY_SECONDS": 3600,            # how often creating a sandbox triggers that cleanup
    "SANDBOXES_PER_MINUTE": 20,               # new sandboxes one client address may create a minute
    "REPLAYS_PER_MINUTE": 30,                 # permalink, timeline and lesson replays per address a minute
    "STORE": "",                              # "" = SQLite at DATABASE; "redis://host:port/db" = Redis
    "REDIS_PREFIX": "layerlab:",              # key prefix in Redis (several apps can share one server)
    "TRUST_PROXY": 0,                         # reverse proxies in front whose X-Forwarded-For to trust
    "CLASS_DAYS": 2,                          # a class and its students' class data live this long
    "CLASS_SIZE": 60,                         # students in one class
    "CLASS_JOINS_PER_MINUTE": 30,             # joins from one client address a minute (0 = no limit)
    "CLASS_STUCK_SECONDS": 180,               # no progress this long, with repeated errors: "stuck"
    "CLASS_POLL_MS": 500,                     # how often a following student asks where the class is
    "SANDBOX_BYTES": DEFAULT_BUDGET,          # bytes stored per sandbox: host files, uploads, transcript, snapshots
}

# Settings an operator gives in the environment (README, "Serving a classroom").
ENVIRONMENT = {
    "LAYERLAB_DATABASE": ("DATABASE", str),
    "LAYERLAB_STORE": ("STORE", str),
    "LAYERLAB_REDIS_PREFIX": ("REDIS_PREFIX", str),
    "LAYERLAB_SECURE_COOKIES": ("SESSION_COOKIE_SECURE", lambda v: v.strip().lower() in ("1", "true", "yes", "on")),
    "LAYERLAB_SANDBOXES_PER_MINUTE": ("SANDBOXES_PER_MINUTE", int),
    "LAYERLAB_REPLAYS_PER_MINUTE": ("REPLAYS_PER_MINUTE", int),
    "LAYERLAB_IDLE_DAYS": ("SANDBOX_IDLE_SECONDS", lambda v: float(v) * 24 * 3600),
    "LAYERLAB_TRUST_PROXY": ("TRUST_PROXY", int),
    "LAYERLAB_CLASS_DAYS": ("CLASS_DAYS", float),
    "LAYERLAB_CLASS_SIZE": ("CLASS_SIZE", int),
    "LAYERLAB_CLASS_JOINS_PER_MINUTE": ("CLASS_JOINS_PER_MINUTE", int),
    "LAYERLAB_SANDBOX_MIB": ("SANDBOX_BYTES", lambda v: int(float(v) * 1024 * 1024)),
}


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(DEFAULTS)
    app.config["DATABASE"] = os.path.join(app.instance_path, "layerlab.sqlite3")
    for variable, (key, parse) in ENVIRONMENT.items():
        if os.environ.get(variable):
            app.config[key] = parse(os.environ[variable])
    if config:
        app.config.update(config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app.instance_path)

    request_memo.init_app(app)   # first: every later hook and error page may read it
    store = _store(app.config)
    sandboxes.migrate(store)   # sandboxes stored before the op log: converted once, nothing lost
    app.extensions["sandbox_store"] = store
    sandboxes.init_app(app)
    ratelimit.init_app(app, redis_client=getattr(store, "client", None))
    if app.config["TRUST_PROXY"]:
        hops = int(app.config["TRUST_PROXY"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    security.init_app(app, api.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(stage_routes.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(files_routes.bp)
    app.register_blueprint(course_routes.bp)
    app.register_blueprint(lessons_api.bp)
    class_routes.init_app(app, _class_store(app.config, store))
    i18n.init_app(app)  # zh-Hans / en for every page, not only the course
    errors.register(app)
    return app


def _store(config) -> SandboxStore:
    url = config["STORE"]
    if not url:
        return SQLiteSandboxStore(config["DATABASE"], budget=config["SANDBOX_BYTES"])
    if url.split(":", 1)[0] in ("redis", "rediss", "unix"):
        from web.store_redis import RedisSandboxStore   # only a Redis deployment needs the client

        return RedisSandboxStore.from_url(url, prefix=config["REDIS_PREFIX"], budget=config["SANDBOX_BYTES"])
    raise ValueError(f"LAYERLAB_STORE: unknown store {url!r} (use redis://host:port/db, or leave it unset for SQLite)")


def _class_store(config, store: SandboxStore) -> ClassStore:
    """Classes live beside the sandboxes: in the same Redis, or in the same SQLite file."""
    client = getattr(store, "client", None)
    if client is not None:
        return RedisClassStore(client, prefix=config["REDIS_PREFIX"])
    return SQLiteClassStore(config["DATABASE"])


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
