"""The web side of LayerLab: pages (htmx), the JSON API, and the sandbox store."""
from __future__ import annotations

import time

from flask import current_app

from web import ratelimit
from web.store import SandboxStore


def current_store() -> SandboxStore:
    """The app's sandbox store (one per app, set up by create_app)."""
    return current_app.extensions["sandbox_store"]


def before_new_sandbox() -> None:
    """Call before creating any sandbox: enforces the per-client creation rate (429), then lets the
    idle-sandbox cleanup run now and then. Every route that creates a sandbox calls this."""
    ratelimit.spend(ratelimit.SANDBOXES)
    _cleanup_now_and_then()


def _cleanup_now_and_then() -> None:
    """Delete idle sandboxes at most once per CLEANUP_EVERY_SECONDS, piggybacking on creation."""
    config = current_app.config
    now = time.monotonic()
    last = current_app.extensions.get("last_cleanup")
    if last is not None and now - last < config["CLEANUP_EVERY_SECONDS"]:
        return
    current_app.extensions["last_cleanup"] = now
    current_store().cleanup(config["SANDBOX_IDLE_SECONDS"])
