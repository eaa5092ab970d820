"""Helpers for the security tests (a module of its own: conftest files are not importable by name)."""
from __future__ import annotations

import re

HX = {"HX-Request": "true"}


def page_token(html: str) -> str:
    """The token as the page hands it out: the hidden field of the prompt form."""
    return re.search(r'<input type="hidden" name="csrf_token" value="([^"]+)">', html).group(1)


def session_data(app, client) -> dict:
    cookie = client.get_cookie("layerlab")
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.loads(cookie.value)
