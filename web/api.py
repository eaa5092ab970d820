"""The JSON API (README, "The JSON API") for lesson authors, autograders and tests.

A Docker error is a normal 200 answer with a non-zero exit_code. Malformed requests get 400
`{"error": ...}`, an unknown sandbox 404 `{"error": ...}`. The API does not use the session
cookie: a sandbox is addressed by its unguessable id, which is the credential.
"""
from __future__ import annotations

import json

from engine.errors import HostError, HostLimitReached, HostNotFound
from engine.scenarios import SCENARIOS
from flask import Blueprint, Response, current_app, jsonify, request, url_for

from web import before_new_sandbox, current_store, sandboxes
from web.store import StoreBusy, UnknownSandbox

bp = Blueprint("api", __name__, url_prefix="/api")

MAX_SEED = 2**64 - 1


class ApiError(Exception):
    """An answer other than success: HTTP status + message for the `error` field."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return jsonify({"error": error.message}), error.status


@bp.errorhandler(UnknownSandbox)
def _unknown_sandbox(error: UnknownSandbox):
    return jsonify({"error": f"no such sandbox: {error.args[0]}"}), 404


@bp.errorhandler(StoreBusy)
def _busy(error: StoreBusy):
    return jsonify({"error": "this sandbox is busy with another request; nothing was changed, try again"}), 503, \
        {"Retry-After": "1"}


@bp.post("/sandboxes")
def create_sandbox():
    body = _json_object(required=False)
    scenario = body.get("scenario")
    if scenario is not None and (not isinstance(scenario, str) or scenario not in SCENARIOS):
        raise ApiError(400, f"unknown scenario: {scenario!r}; known: {', '.join(sorted(SCENARIOS))}")
    seed = body.get("seed", 0)
    if not _is_int(seed) or not 0 <= seed <= MAX_SEED:
        raise ApiError(400, f"seed must be an integer from 0 to {MAX_SEED}")
    before_new_sandbox()
    sandbox_id = sandboxes.create(current_store(), scenario=scenario, seed=seed)
    response = jsonify({"id": sandbox_id})
    response.status_code = 201
    response.headers["Location"] = url_for("api.sandbox_state", sandbox_id=sandbox_id)
    return response


@bp.get("/sandboxes/<sandbox_id>")
def sandbox_state(sandbox_id: str):
    return jsonify(_load(sandbox_id).sandbox.state())


@bp.post("/sandboxes/<sandbox_id>/commands")
def run_command(sandbox_id: str):
    body = _json_object(required=True)
    command = body.get("command")
    if not isinstance(command, str):
        raise ApiError(400, 'body must be {"command": "<a command line>"}')
    limit = current_app.config["MAX_COMMAND_LENGTH"]
    if len(command) > limit:
        raise ApiError(400, f"command too long: {len(command)} characters (at most {limit})")
    result = sandboxes.run_command(current_store(), sandbox_id, command).result
    return jsonify({"stdout": result.stdout, "stderr": result.stderr, "exit_code": result.exit_code})


@bp.post("/sandboxes/<sandbox_id>/undo")
def undo(sandbox_id: str):
    return jsonify(sandboxes.undo(current_store(), sandbox_id).sandbox.state())


@bp.get("/sandboxes/<sandbox_id>/host/<path:path>")
def read_host_file(sandbox_id: str, path: str):
    sandbox = _load(sandbox_id).sandbox
    try:
        data = sandbox.host_read(path)
    except HostError as error:
        raise _host_api_error(error) from None
    # Always bytes to download, never a page: a saved file can hold anything, even HTML.
    response = Response(data, mimetype="application/octet-stream")
    response.headers["Content-Disposition"] = "attachment"
    return response


@bp.put("/sandboxes/<sandbox_id>/host/<path:path>")
def write_host_file(sandbox_id: str, path: str):
    data = request.get_data(cache=False)
    try:
        _, existed = sandboxes.write_file(current_store(), sandbox_id, path, data)
    except HostError as error:
        raise _host_api_error(error) from None
    return jsonify({"path": path, "size": len(data)}), 200 if existed else 201


def _host_api_error(error: HostError) -> ApiError:
    """404 for a missing file, 413 for a full working directory, 400 for a bad path."""
    if isinstance(error, HostNotFound):
        return ApiError(404, f"not in the host directory: {error}")
    if isinstance(error, HostLimitReached):
        return ApiError(413, str(error))
    return ApiError(400, str(error))


def _load(sandbox_id: str) -> sandboxes.Outcome:
    outcome = sandboxes.load(current_store(), sandbox_id)
    if outcome is None:
        raise UnknownSandbox(sandbox_id)
    return outcome


def _json_object(required: bool) -> dict:
    """The request body as a JSON object, whatever the Content-Type (curl -d sends a form type)."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise ApiError(400, "request body must be a JSON object")
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise ApiError(400, f"malformed JSON: {error}") from None
    if not isinstance(body, dict):
        raise ApiError(400, "request body must be a JSON object")
    return body


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
