"""Answers for a store that cannot do its job: a damaged record, a full disk.

A damaged record (web.store_errors.DamagedRecord) must not answer 500 on every page: the browser
that held it gets a page that says so and a new sandbox; the damaged record is set aside for the
admin, whole (store.set_aside), and logged with its id.
A full disk (StoreFull, or SQLite's "database or disk is full" / ENOSPC found in the error's
causes) answers 503 with a clear message; nothing was saved, and pages that only read still work.
A store that cannot write for another reason (StoreUnavailable: Redis gone, SQLite locked too
long) answers 503 too, with its own message.
Under /api both are JSON, like every other API error.
"""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from web import before_new_sandbox, current_store, i18n, sandboxes
from web.store_errors import DamagedRecord, StoreFull, StoreUnavailable

bp = Blueprint("recovery", __name__)

# The session keys that hold a sandbox id: the playground's (web/pages.py SESSION_KEY) and the
# course's (web/course_routes.py COURSE_KEY).
PLAYGROUND_KEY = "sandbox_id"
COURSE_KEY = "course_sandbox_id"
NOTICE_KEY = "recovered"
RETRY_AFTER_FULL = 60
RETRY_AFTER_UNAVAILABLE = 30


def _is_api_request() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


# ---- a damaged record ------------------------------------------------------------------------------
def keep_aside(error: DamagedRecord) -> bool:
    """Move the damaged record out of the way, kept whole for the admin (store.set_aside: SQLite's
    damaged_records table, Redis's <prefix>damaged:* keys); False when that failed (then the record
    stays where it is, untouched)."""
    try:
        current_store().set_aside(error.sandbox_id)
    except Exception:
        current_app.logger.exception("could not set damaged sandbox record %s aside", error.sandbox_id)
        return False
    return True


def damaged_record(error: DamagedRecord):
    kept = keep_aside(error)
    current_app.logger.error("damaged sandbox record %s (%s) on %s %s; %s", error.sandbox_id, error.reason or "unreadable",
                             request.method, request.path,
                             "kept aside in the store for the admin" if kept else "left in the store")
    if _is_api_request():
        response = jsonify({"error": f"sandbox {error.sandbox_id} is damaged and cannot be read; it was kept "
                                     "aside for the administrator. Create a new sandbox."})
        response.status_code = 410
        return response
    new_id = _replace_in_session(error.sandbox_id)
    session[NOTICE_KEY] = {"id": error.sandbox_id, "new": bool(new_id)}
    if request.headers.get("HX-Request") == "true":
        response = current_app.response_class("", status=200)
        response.headers["HX-Redirect"] = url_for("recovery.notice")
        return response
    return _notice_page(session.pop(NOTICE_KEY))


def _replace_in_session(damaged_id: str) -> str | None:
    """Point this browser away from the damaged record: a new playground sandbox in its place (the
    course sandbox is made again by the next lesson post). The new id, or None."""
    if session.get(COURSE_KEY) == damaged_id:
        session.pop(COURSE_KEY)
    if session.get(PLAYGROUND_KEY) != damaged_id:
        return None
    session.pop(PLAYGROUND_KEY)
    try:
        before_new_sandbox()
        new_id = sandboxes.create(current_store())
    except Exception:   # over the creation budget, or the store refuses: the next visit makes one
        current_app.logger.exception("no new sandbox after damaged record %s", damaged_id)
        return None
    session[PLAYGROUND_KEY] = new_id
    session.permanent = True
    return new_id


@bp.get("/recovered")
def notice():
    """Where an htmx request that met a damaged record is sent (HX-Redirect) to read what happened."""
    data = session.pop(NOTICE_KEY, None)
    if not isinstance(data, dict):
        return redirect(url_for("pages.index"), code=303)
    return _notice_page(data)


def _notice_page(data: dict):
    paragraphs = [_("Your sandbox's saved state was damaged and could not be read, so your last action "
                    "was not carried out."),
                  _("It was kept aside for your teacher; you now have a new, empty sandbox.") if data.get("new")
                  else _("It was kept aside for your teacher; a new sandbox is made when you continue.")]
    return render_template("errors/notice.html", title=_("Your sandbox could not be read"), paragraphs=paragraphs,
                           reference=f"damaged sandbox {data.get('id', '')}", continue_to=url_for("pages.index"),
                           continue_label=_("Continue with a new sandbox"),
                           lang=i18n.html_lang(), text_lang=i18n.content_lang())


# ---- a full disk ------------------------------------------------------------------------------------
def storage_full(cause: BaseException):
    current_app.logger.error("storage full on %s %s: %s; nothing was saved (free disk space for the database)",
                             request.method, request.path, cause)
    message = _("LayerLab cannot save right now: the server's storage is full. Nothing was changed and your "
                "sandbox is as it was. Try again in a minute, and tell your teacher.")
    return _cannot_save(message, _("The server's storage is full"), RETRY_AFTER_FULL)


def _cannot_save(message: str, title: str, retry_after: int):
    if _is_api_request():
        response = jsonify({"error": message})
    else:
        response = current_app.response_class(render_template(
            "errors/notice.html", title=title, paragraphs=[message], reference=None,
            continue_to=url_for("pages.index"), continue_label=_("Back to the playground"),
            lang=i18n.html_lang(), text_lang=i18n.content_lang()))
    response.status_code = 503
    response.headers["Retry-After"] = str(retry_after)
    return response


def storage_unavailable(error: StoreUnavailable):
    if isinstance(error, StoreFull):
        return storage_full(error)
    current_app.logger.error("the store cannot write on %s %s: %s; nothing was saved", request.method, request.path, error)
    message = _("LayerLab cannot save right now: its storage is unavailable. Nothing was changed and your "
                "sandbox is as it was. Try again in a minute.")
    return _cannot_save(message, _("LayerLab cannot save right now"), RETRY_AFTER_UNAVAILABLE)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
