"""Browser tests: the real app behind waitress (the production server) on a free port, driven by
Debian's Chromium through pytest-playwright. Playwright never downloads a browser here."""
from __future__ import annotations

import threading

import pytest

from e2e_helpers import type_command

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """LayerLab served by waitress in a background thread, on a temporary database."""
    from waitress.server import create_server

    from app import create_app

    database = tmp_path_factory.mktemp("e2e") / "layerlab.sqlite3"
    # Every browser test comes from 127.0.0.1: a high creation limit keeps the limiter's path in use
    # without refusing the suite's many fresh browser contexts.
    app = create_app({"DATABASE": str(database), "SECRET_KEY": "e2e-secret", "SANDBOXES_PER_MINUTE": 10_000})
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server


@pytest.fixture
def terminal(page, base_url):
    """The page, opened, with a `run(command)` helper that waits for the command's output."""

    class Terminal:
        def __init__(self):
            page.goto("/")
            self.page = page
            self.prompt = page.locator("#command-input")
            self.entries = page.locator("#transcript .entry")

        def run(self, command: str):
            return type_command(page, command)

    return Terminal()
