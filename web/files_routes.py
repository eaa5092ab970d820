"""The learner's host working directory on the page (the Files panel) and the last build, step by step.

Same sandbox as the terminal (web/pages.py's session helpers). Every write goes through
Sandbox.host_write, so it is part of the replayable state (uploads are recorded). Deleting a file
runs `rm NAME` in the terminal instead, so the class sees it and Undo brings the file back.
An htmx request gets the panel back; a plain form post is redirected to the page (works without JS).
Register with `app.register_blueprint(files_routes.bp)`.
"""
from __future__ import annotations

import hashlib
import io
import posixpath
import threading
from collections import OrderedDict

from engine.errors import HostError
from engine.host import MAX_FILE_BYTES
from flask import (Blueprint, current_app, g, redirect, render_template, request, send_file, session,
                   url_for)
from jinja2 import pass_context
from werkzeug.exceptions import NotFound, RequestEntityTooLarge

from present.build import build_view
from present.files import MAX_EDIT_BYTES, STARTER_DOCKERFILE, file_kind, files_view, normalise_text
from web import pages, redraw, sandboxes

bp = Blueprint("files", __name__)

OPEN_KEY = "files_open"       # the file open in the editor (kept across commands and reloads)
NOTICE_KEY = "files_notice"   # a one-shot message for the next page (plain form posts)
MAX_NAME = 255


def _htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


# ---------------------------------------------------------------- what the templates read
def _page_sandbox(ctx):
    """The page's sandbox from the template context, else this browser's (once per request)."""
    if ctx.get("sandbox") is not None:
        return ctx["sandbox"]
    if "files_outcome" not in g:
        g.files_outcome = pages.session_outcome()
    return g.files_outcome.sandbox


def _last(ctx) -> dict:
    last = ctx.get("last")
    if last is None and "files_outcome" in g:
        last = g.files_outcome.record.get("last")
    return last or {}


@bp.app_template_global("files_panel")
@pass_context
def files_panel(ctx):
    sandbox = _page_sandbox(ctx)
    last = _last(ctx)
    events = [] if last.get("undone") else sandboxes.events_of(ctx.get("events") or last.get("events"))
    files = {name: sandbox.host_read(name) for name in sandbox.host_files()}
    open_name = session.get(OPEN_KEY, "")
    return files_view(files, events, open_name if isinstance(open_name, str) else "")


@bp.app_template_global("files_notice")
@pass_context
def files_notice(ctx):
    return ctx.get("notice") or session.pop(NOTICE_KEY, None)


@bp.app_template_global("build_panel")
@pass_context
def build_panel(ctx):
    """The sandbox's last build (kept across later commands, web/sandboxes.py), at the step asked
    for (?build_step= on the page), or None."""
    sandbox, kept, step = _build_inputs(ctx)
    event = sandboxes.kept_build(kept, len(sandbox.log))
    return build_view(sandbox.daemon, event, step) if event is not None else None


@bp.app_template_global("build_panel_key")
@pass_context
def build_panel_key(ctx) -> str:
    """The Build panel's digest (web/redraw.py: of its view), kept per process by what build_view()
    reads: the build (its event), the step, and the images (by id their layers are fixed; their tags
    and presence are read). Most commands change none of those, so the answer finds that the
    browser holds the panel without building its view."""
    sandbox, kept, step = _build_inputs(ctx)
    # not kept_build(): parsing the build's event on every answer only to key the panel was ~30 µs
    applies = sandboxes.kept_build_stands(kept, len(sandbox.log))
    images = [(i.id, i.repo_tags) for i in sandbox.daemon.images.values()] if applies else []
    inputs = redraw.panel_digest("build-inputs", request.script_root, _kept_digest(kept) if applies else None,
                                 step, images)
    found = _BUILD_KEYS.get(inputs)
    if found is None:
        found = _keep(_BUILD_KEYS, inputs, redraw.panel_digest("build", build_panel(ctx)))
    return found


_BUILD_KEYS: OrderedDict[str, str] = OrderedDict()
_MEMO_KEPT = 1024
_MEMO_LOCK = threading.Lock()


def _keep(memo: OrderedDict, key, value):
    """value, kept in one of this module's per-process memos, the oldest dropped past _MEMO_KEPT."""
    with _MEMO_LOCK:
        memo[key] = value
        while len(memo) > _MEMO_KEPT:
            memo.popitem(last=False)
    return value


def _kept_digest(kept: dict) -> str:
    """The kept build's digest, worked out once per value: the record keeps the same dict from one
    build to the next and replaces it whole (web/sandboxes.py _build_after), and its repr (every
    step of the build) was the largest part of the panel's key. Known by identity, with the dict
    held so that its id is not reused."""
    found = _KEPT_DIGESTS.get(id(kept))
    if found is not None and found[0] is kept:
        return found[1]
    digest = hashlib.blake2b(repr(kept).encode(), digest_size=8).hexdigest()
    return _keep(_KEPT_DIGESTS, id(kept), (kept, digest))[1]


_KEPT_DIGESTS: OrderedDict[int, tuple[dict, str]] = OrderedDict()


def _build_inputs(ctx) -> tuple:
    sandbox = _page_sandbox(ctx)
    kept = ctx.get("last_build")
    if kept is None and "files_outcome" in g:
        kept = g.files_outcome.record.get("last_build")
    step = ctx.get("build_step")
    if step is None:
        step = request.args.get("build_step", type=int)
    return sandbox, kept, step


# ---------------------------------------------------------------- answers
def _answer(part: str = "section", notice: dict | None = None, anchor: str = "files"):
    """htmx: the panel part; a plain request: back to the page (the notice waits in the session)."""
    if _htmx():
        outcome = pages.session_outcome()
        last = outcome.record.get("last")
        return render_template("partials/_files.html", part=part, notice=notice, sandbox=outcome.sandbox,
                               last=last, events=sandboxes.last_events(last))
    if notice:
        session[NOTICE_KEY] = notice
    return redirect(url_for("pages.index", _anchor=anchor), code=303)


def _error(text: str) -> dict:
    return {"kind": "error", "text": text}


def _done(text: str) -> dict:
    return {"kind": "ok", "text": text}


def _write(path: str, data: bytes) -> str:
    """Write a host file of this browser's sandbox (recorded for replay); returns the clean path."""
    return pages.with_session_sandbox(lambda store, sandbox_id: sandboxes.write_file(store, sandbox_id, path, data))[0]


def _name(raw: str | None) -> str:
    return (raw or "").strip()[:MAX_NAME + 1]


# ---------------------------------------------------------------- the panel
@bp.get("/files")
def panel():
    """?open=NAME opens a text file in the editor, ?close=1 closes it."""
    if request.args.get("close"):
        session.pop(OPEN_KEY, None)
    elif request.args.get("open"):
        session[OPEN_KEY] = request.args["open"][:MAX_NAME]
    return _answer("section")


@bp.get("/files/list")
def file_list():
    return _answer("list")


@bp.post("/files/save")
def save():
    path = _name(request.form.get("path"))
    content = request.form.get("content")
    if not path or content is None:
        return _answer(notice=_error("Nothing to save: the form needs a file name and its text."))
    data = normalise_text(content)
    if len(data) > MAX_EDIT_BYTES:
        return _answer(notice=_error(f"{path}: too long for the editor ({len(data)} bytes; at most {MAX_EDIT_BYTES})."))
    try:
        path = _write(path, data)
    except HostError as error:
        return _answer(notice=_error(str(error)))
    session[OPEN_KEY] = path
    return _answer(notice=_done(f"Saved {path} ({len(data)} bytes)."))


@bp.post("/files/new")
def new_file():
    path = _name(request.form.get("path"))
    if not path:
        return _answer(notice=_error("Give the new file a name, e.g. app.py or .dockerignore."))
    outcome = pages.session_outcome()
    if path in outcome.sandbox.host_files():
        session[OPEN_KEY] = path
        return _answer(notice=_done(f"{path} already exists: opened it."))
    try:
        path = _write(path, b"")
    except HostError as error:
        return _answer(notice=_error(str(error)))
    session[OPEN_KEY] = path
    return _answer(notice=_done(f"Created {path}."))


@bp.post("/files/starter")
def starter():
    """The article's Dockerfile, offered by a button when there is none (never written silently)."""
    if "Dockerfile" in pages.session_outcome().sandbox.host_files():
        session[OPEN_KEY] = "Dockerfile"
        return _answer(notice=_error("There is a Dockerfile already: opened it instead."))
    _write("Dockerfile", STARTER_DOCKERFILE)
    session[OPEN_KEY] = "Dockerfile"
    return _answer(notice=_done("Created the article's Dockerfile."))


@bp.post("/files/upload")
def upload():
    limit = upload_limit()
    try:
        uploaded = request.files.get("file")
    except RequestEntityTooLarge:
        return _answer(notice=_error(f"Upload refused: files up to {limit_text(limit)} can be uploaded here."))
    if uploaded is None or not uploaded.filename:
        return _answer(notice=_error("Choose a file to upload first."))
    data = uploaded.read(limit + 1)
    name = posixpath.basename(uploaded.filename.replace("\\", "/"))
    if len(data) > limit:
        return _answer(notice=_error(f"Upload refused: {name} is larger than {limit_text(limit)}."))
    try:
        name = _write(name, data)
    except HostError as error:
        return _answer(notice=_error(str(error)))
    hint = f" Try `docker load -i {name}` or `docker import {name}`." if file_kind(data) == "tar" else ""
    return _answer(notice=_done(f"Uploaded {name} ({len(data)} bytes).{hint}"))


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error):
    """A body over MAX_CONTENT_LENGTH can be refused before the view reads it (the CSRF check
    reads the form of a plain post): say so in the panel, not with a bare 413 page."""
    limit = upload_limit()
    return _answer(notice=_error(f"Upload refused: files up to {limit_text(limit)} can be uploaded here."))


@bp.get("/files/download/<path:path>")
def download(path: str):
    sandbox = pages.session_outcome().sandbox
    if path not in sandbox.host_files():
        raise NotFound(f"no such file in the working directory: {path}")
    data = sandbox.host_read(path)
    mimetype = "application/x-tar" if file_kind(data) == "tar" else "application/octet-stream"
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True,
                         download_name=posixpath.basename(path), max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


def upload_limit() -> int:
    """The smaller of the app's request limit and the engine's per-file limit."""
    app_limit = current_app.config.get("MAX_CONTENT_LENGTH") or MAX_FILE_BYTES
    return min(app_limit, MAX_FILE_BYTES)


def limit_text(limit: int) -> str:
    if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MiB"
    if limit >= 1024 and limit % 1024 == 0:
        return f"{limit // 1024} KiB"
    return f"{limit} bytes"


bp.add_app_template_global(limit_text, "files_limit_text")
bp.add_app_template_global(upload_limit, "files_upload_limit")


# ---------------------------------------------------------------- the build, step by step
@bp.get("/build")
def build_step():
    """?step=N shows frame N of the last build (0 = FROM); a plain request gets the page at that step."""
    step = request.args.get("step", type=int)
    if not _htmx():
        return redirect(url_for("pages.index", build_step=step, _anchor="build"), code=303)
    outcome = pages.session_outcome()
    last = outcome.record.get("last")
    return render_template("partials/_build.html", sandbox=outcome.sandbox, last=last,
                           events=sandboxes.last_events(last), build_step=step,
                           last_build=outcome.record.get("last_build"))
