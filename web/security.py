"""Web security for the pages: CSRF tokens, security headers on every response.

CSRF: every state-changing request to the pages (any method but GET/HEAD/OPTIONS) must carry this
browser's token, either as the form field `csrf_token` (plain forms, JavaScript off) or as the
`X-CSRF-Token` header (htmx: base.html puts it in `hx-headers` on <body>, inherited by every
request). The token is random per session and compared in constant time. The JSON API under
/api is exempt: it ignores cookies and is authorised by the unguessable sandbox id in the URL,
so a forged cross-site request can do nothing its sender could not do directly.

For a blueprint of its own (e.g. the course pages), nothing is needed: the check runs app-wide.
Templates use `{{ csrf_field() }}` inside a plain <form> and inherit the htmx header from base.html.
A view that must accept foreign posts is marked with `@csrf_exempt`.
"""
from __future__ import annotations

import hmac
import secrets
from typing import Callable

from flask import Flask, current_app, request, session
from flask.sessions import SecureCookieSessionInterface
from markupsafe import Markup, escape
from werkzeug.exceptions import BadRequest

SESSION_KEY = "csrf"
FORM_FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

# Inline scripts, <style> elements and style attributes are all refused: no template writes a
# style attribute (the stage's width comes from data-width, set through the CSSOM by
# static/stage.js; the explorer indents with classes), so htmx's settle step has none to copy.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
])

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


class CSRFError(BadRequest):
    description = ("This form did not come from this LayerLab page, or the page is too old. "
                   "Reload the page and try again.")


def csrf_token() -> str:
    """This browser's CSRF token (created on first use and kept in the signed session cookie)."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session[SESSION_KEY] = token
    return token


def csrf_field() -> Markup:
    """The hidden input a plain <form method="post"> needs."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FORM_FIELD, escape(csrf_token()))


def csrf_exempt(view: Callable) -> Callable:
    """Mark a view that must not require the token (it needs another way to trust a request)."""
    view.csrf_exempt = True
    return view


def _check_csrf() -> None:
    if request.method in SAFE_METHODS or _is_exempt():
        return
    expected = session.get(SESSION_KEY)
    sent = request.headers.get(HEADER) or request.form.get(FORM_FIELD)
    if not isinstance(expected, str) or not sent or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CSRFError()


def _is_exempt() -> bool:
    if request.blueprint == "api" or request.endpoint is None:  # the API; 404/405 answer anyway
        return True
    view = current_app.view_functions.get(request.endpoint)
    return bool(getattr(view, "csrf_exempt", False))


def _add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", current_app.config["CONTENT_SECURITY_POLICY"])
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)
    return response


class PagesOnlySessionInterface(SecureCookieSessionInterface):
    """The signed session cookie, for the pages only: under /api the cookie is never read nor set
    (a null session, which raises if a view tries to store anything), so the API cannot act on a
    browser's sandbox by its cookie, and CSRF cannot reach it."""

    def open_session(self, app, request):
        if request.path == "/api" or request.path.startswith("/api/"):
            return self.make_null_session(app)
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    app.session_interface = PagesOnlySessionInterface()
    app.config.setdefault("CONTENT_SECURITY_POLICY", CONTENT_SECURITY_POLICY)
    app.jinja_env.globals.update(csrf_token=csrf_token, csrf_field=csrf_field)
    app.before_request(_check_csrf)
    app.after_request(_add_security_headers)
