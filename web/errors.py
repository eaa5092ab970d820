"""HTTP errors: JSON `{"error": ...}` under /api (so API clients never get an HTML page), Flask's
plain pages elsewhere. A store that cannot read a record or cannot write (web.store_errors) gets
the answers of web.recovery; any other unexpected exception is logged and answered with a 500 in
the same style.
"""
from __future__ import annotations

from flask import Flask, current_app, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError

from web import recovery
from web.store_errors import DamagedRecord, StoreFull, StoreUnavailable, full_storage_error


def register(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DamagedRecord, recovery.damaged_record)
    app.register_error_handler(StoreFull, recovery.storage_full)
    app.register_error_handler(StoreUnavailable, recovery.storage_unavailable)
    app.register_error_handler(Exception, _unexpected_error)
    recovery.init_app(app)


def _is_api_request() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def _http_error(error: HTTPException):
    if not _is_api_request():
        return error
    response = jsonify({"error": error.description or error.name})
    response.status_code = error.code or 500
    for name, value in error.get_headers():   # Allow (405), Retry-After (429), ...
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _unexpected_error(error: Exception):
    full = full_storage_error(error)   # SQLite's "database or disk is full", ENOSPC, even behind a failed ROLLBACK
    if full is not None:
        return recovery.storage_full(full)
    current_app.logger.exception("unexpected error on %s %s", request.method, request.path)
    # Every change is one transaction, so a failure in the middle saved nothing.
    return _http_error(InternalServerError(description="LayerLab internal error; nothing was changed"))
