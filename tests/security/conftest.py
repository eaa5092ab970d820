"""Security tests use Flask's plain test client (no automatic CSRF token), like a forged request would."""
from __future__ import annotations

import pytest
from flask.testing import FlaskClient


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def plain_client(app):
    return FlaskClient(app, app.response_class, use_cookies=True)
