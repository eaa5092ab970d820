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


# ---- the app as served for a class (./run.sh), and nginx in front of it (tests/security/served.py) ----
@pytest.fixture(scope="session")
def served_app(tmp_path_factory):
    """./run.sh on a free loopback port, trusting one proxy, one new sandbox a minute per address."""
    from served import start_app, stop

    app = start_app(tmp_path_factory.mktemp("served"), LAYERLAB_TRUST_PROXY="1", LAYERLAB_SANDBOXES_PER_MINUTE="1")
    yield app
    stop(app.process)


@pytest.fixture(scope="session")
def front_door(served_app, tmp_path_factory):
    """nginx with the README's configuration in front of `served_app` (skipped where nginx is absent)."""
    from served import nginx_binary, start_nginx, stop

    if nginx_binary() is None:
        pytest.skip("nginx not installed: apt-get install nginx-light (./test.sh does)")
    nginx = start_nginx(tmp_path_factory.mktemp("nginx"), served_app.port)
    yield nginx
    stop(nginx.process)
