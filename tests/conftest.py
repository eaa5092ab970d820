"""Fixtures shared by the web and browser tests. Flask is imported lazily: the engine's tests never load it."""
from __future__ import annotations

import pytest

TEST_SECRET = "test-secret-key-not-for-production"


@pytest.fixture
def make_app(tmp_path):
    """Build an app on a temporary database; call again with the same path to simulate a restart."""
    from app import create_app

    def make(database: str | None = None, **config):
        settings = {"TESTING": True, "DATABASE": database or str(tmp_path / "layerlab.sqlite3"),
                    "SECRET_KEY": TEST_SECRET}
        settings.update(config)
        return create_app(settings)

    return make
