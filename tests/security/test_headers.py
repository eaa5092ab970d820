"""Security headers on every response, a CSP with no inline script, and the session cookie's flags."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

EXPECTED_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; "
                "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.mark.parametrize("method, path", [
    ("GET", "/"),
    ("GET", "/static/app.css"),
    ("GET", "/static/htmx-2.0.11.min.js"),
    ("GET", "/no-such-page"),
    ("POST", "/api/sandboxes"),
    ("GET", "/api/sandboxes/nope"),
    ("POST", "/commands"),          # refused by the CSRF check: the refusal carries them too
])
def test_every_response_carries_the_security_headers(plain_client, method, path):
    response = plain_client.open(path, method=method)
    headers = response.headers
    assert headers["Content-Security-Policy"] == EXPECTED_CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"] and "microphone=()" in headers["Permissions-Policy"]


def test_the_policy_can_be_tightened_by_configuration(make_app):
    app = make_app(CONTENT_SECURITY_POLICY="default-src 'none'")
    assert app.test_client().get("/").headers["Content-Security-Policy"] == "default-src 'none'"


def test_no_template_has_inline_script_event_handlers_style_elements_or_style_attributes():
    for path in TEMPLATES.rglob("*"):
        if path.suffix not in (".html", ".svg"):
            continue
        text = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.S)   # not comments
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), path
        assert not re.search(r"<style\b", text), path
        assert not re.search(r"\sstyle\s*=", text), path   # the CSP refuses style attributes too
        assert not re.search(r"\son[a-z]+\s*=", text), path
        assert "javascript:" not in text and "hx-on" not in text, path


def test_htmx_is_configured_never_to_eval_or_inject_styles(plain_client):
    html = plain_client.get("/").get_data(as_text=True)
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html).group(1)
    assert '"allowEval": false' in config and '"includeIndicatorStyles": false' in config
    assert '"allowScriptTags": false' in config


def test_the_session_cookie_is_httponly_lax_and_secure_when_configured(make_app, monkeypatch):
    cookie = make_app().test_client().get("/").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie

    monkeypatch.setenv("LAYERLAB_SECURE_COOKIES", "1")
    cookie = make_app().test_client().get("/").headers["Set-Cookie"]
    assert "; Secure" in cookie and "HttpOnly" in cookie


def test_a_downloaded_host_file_is_never_rendered_as_a_page(plain_client):
    sandbox_id = plain_client.post("/api/sandboxes").get_json()["id"]
    plain_client.put(f"/api/sandboxes/{sandbox_id}/host/x.html", data=b"<script>alert(1)</script>")
    response = plain_client.get(f"/api/sandboxes/{sandbox_id}/host/x.html")
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["Content-Disposition"] == "attachment"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
