"""Fixtures shared by the web and browser tests. Flask is imported lazily: the engine's tests never load it."""
from __future__ import annotations

import pytest

TEST_SECRET = "test-secret-key-not-for-production"


def _browser_like_client_class():
    """A test client that sends this session's CSRF token with every state-changing request to the
    pages, as the real page does (htmx's header from <body>, or the forms' hidden field). The CSRF
    check itself is tested with Flask's plain client in tests/security."""
    from flask.testing import FlaskClient

    from web.security import HEADER, SESSION_KEY

    class BrowserLikeClient(FlaskClient):
        def open(self, *args, **kwargs):
            method = str(kwargs.get("method", "GET")).upper()
            path = args[0] if args and isinstance(args[0], str) else ""
            if method not in ("GET", "HEAD", "OPTIONS") and not path.startswith("/api"):
                with self.session_transaction() as session:
                    token = session.setdefault(SESSION_KEY, "t" * 43)
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
