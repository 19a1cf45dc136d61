"""Test-control endpoints under /__mock__: inspect and reset the world, inject faults, revoke sessions.

They live outside every store path, so injected faults never slow or fail them.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from werkzeug.wrappers import Response

from .context import mock
from .faults import CONTROL_PREFIX, FaultError, parse_fault_request

bp = Blueprint("control", __name__, url_prefix=CONTROL_PREFIX)


def _json_body() -> Any:
    if not request.get_data():
        return {}
    return request.get_json(force=True, silent=True)


def _bad_request(message: str) -> tuple[Response, int]:
    return jsonify({"error": message}), 400


@bp.get("/health")
def health() -> Response:
    return jsonify({"ok": True})


@bp.get("/state")
def state() -> Response:
    return jsonify(mock().world.to_json())


@bp.post("/reset")
def reset() -> Response:
    ctx = mock()
    ctx.world.reset()
    ctx.faults.clear()
    return jsonify({"ok": True})


@bp.get("/faults")
def get_faults() -> Response:
    return jsonify(mock().faults.to_json())


@bp.post("/faults")
def set_faults() -> Response | tuple[Response, int]:
    ctx = mock()
    body = _json_body()
    try:
        store, config = parse_fault_request(body, set(ctx.world.stores))
    except FaultError as exc:
        return _bad_request(str(exc))
    ctx.faults.set(store, config)
    return jsonify(ctx.faults.to_json())


@bp.post("/sessions/revoke")
def revoke_sessions() -> Response | tuple[Response, int]:
    ctx = mock()
    body = _json_body()
    if not isinstance(body, dict):
        return _bad_request("body: must be a JSON object")
    unknown = sorted(key for key in body if key != "store")
    if unknown:
        return _bad_request(f"{unknown[0]}: unknown key (allowed: store)")
    store = body.get("store")
    if store is not None and store not in ctx.world.stores:
        return _bad_request(f"store: unknown store {store!r}")
    return jsonify({"revoked": ctx.world.drop_sessions(store)})
