"""Web security for the pages: CSRF (Flask-WTF's CSRFProtect), security and cache headers.

CSRF: every state-changing request to the pages (POST, PUT, PATCH, DELETE) must carry this
browser's token, either as the form field `csrf_token` (plain forms, JavaScript off) or as the
`X-CSRF-Token` header (htmx: base.html puts it in `hx-headers` on <body>, inherited by every
request). Flask-WTF keeps a random secret per session and hands out tokens signed with the app's
key; it compares them in constant time. Without a valid token the answer is 400 and nothing runs.
The JSON API under /api is exempt: it ignores cookies and is authorised by the unguessable
sandbox id in the URL, so a forged cross-site request can do nothing its sender could not do
directly.

For a blueprint of its own (e.g. the course pages), nothing is needed: the check runs app-wide.
Templates use `{{ csrf_field() }}` inside a plain <form> and inherit the htmx header from base.html.
A view that must accept foreign posts is marked with `@csrf_exempt`.
"""
from __future__ import annotations

import time

from flask import Flask, current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
from markupsafe import Markup, escape

FORM_FIELD = "csrf_token"       # the hidden field, and Flask-WTF's key for its secret in the session
HEADER = "X-CSRF-Token"

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

CSRF_MESSAGE = ("This form did not come from this LayerLab page, or the page is too old. "
                "Reload the page and try again.")

CSRF_SETTINGS = {
    "WTF_CSRF_FIELD_NAME": FORM_FIELD,
    "WTF_CSRF_HEADERS": [HEADER],
    # A page may stay open for a whole lesson: the token lives as long as the session, not an hour.
    "WTF_CSRF_TIME_LIMIT": None,
    # Flask-WTF's extra HTTPS check wants a same-origin Referer, which Referrer-Policy: no-referrer
    # never sends; the token and the SameSite=Lax cookie are the protection.
    "WTF_CSRF_SSL_STRICT": False,
}

csrf = CSRFProtect()
csrf_exempt = csrf.exempt   # @csrf_exempt on a view that must accept foreign posts


def csrf_field() -> Markup:
    """The hidden input a plain <form method="post"> needs."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FORM_FIELD, escape(generate_csrf()))


def _csrf_refused(error: CSRFError):
    """Flask-WTF's reasons ("The CSRF token is missing.") say nothing to a learner: say what to do."""
    current_app.logger.info("CSRF check failed on %s %s: %s", request.method, request.path, error.description)
    return _Refused()


class _Refused(CSRFError):
    description = CSRF_MESSAGE


def _add_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", current_app.config["CONTENT_SECURITY_POLICY"])
    for name, value in SECURITY_HEADERS.items():
        headers.setdefault(name, value)
    # Pages and API answers show one learner's sandbox: no shared cache (a proxy, the browser's
    # back/forward store on a shared machine) may keep them. Static files stay cacheable.
    if request.endpoint != "static" and "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store"
    return response


RENEWED_KEY = "renewed"   # the day (days since 1970, UTC) the cookie was last sent


class PagesOnlySessionInterface(SecureCookieSessionInterface):
    """The signed session cookie, for the pages only: under /api the cookie is never read nor set
    (a null session, which raises if a view tries to store anything), so the API cannot act on a
    browser's sandbox by its cookie, and CSRF cannot reach it.

    A permanent session's cookie is sent again (its expiry moved on) when the session changes and,
    with SESSION_REFRESH_EACH_REQUEST off (app.py), on the first request of each day: a learner
    keeps their sandbox for PERMANENT_SESSION_LIFETIME after they last used it, give or take a day."""

    def open_session(self, app, request):
        if request.path == "/api" or request.path.startswith("/api/"):
            return self.make_null_session(app)
        session = super().open_session(app, request)
        today = int(time.time() // 86400)
        if session is not None and session.permanent and session.get(RENEWED_KEY) != today:
            session[RENEWED_KEY] = today   # modified: the cookie goes out with this answer
        return session


def init_app(app: Flask, api_blueprint) -> None:
    app.session_interface = PagesOnlySessionInterface()
    app.config.setdefault("CONTENT_SECURITY_POLICY", CONTENT_SECURITY_POLICY)
    for key, value in CSRF_SETTINGS.items():
        app.config.setdefault(key, value)
    csrf.init_app(app)
    csrf.exempt(api_blueprint)
    app.jinja_env.globals.update(csrf_field=csrf_field)
    app.register_error_handler(CSRFError, _csrf_refused)
    app.after_request(_add_headers)
