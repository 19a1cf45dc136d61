"""Test-control endpoints under /__mock__: inspect and reset the world, inject faults, revoke sessions.

They live outside every store path, so injected faults never slow or fail them.
"""

from __future__ import annotations

from dataclasses import asdict
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


_PAGE_KEYS = {"store": str, "id": int, "title": str, "content": str, "visible": bool}


@bp.post("/pages")
def put_page() -> Response | tuple[Response, int]:
    """Create a text page, or change one (`id`), bypassing the editor: stored exactly as given.

    For states the editor would not produce (raw, unnormalised HTML); duplicate titles and hidden pages
    can also be made through the UI (Add page).
    """
    ctx = mock()
    body = _json_body()
    if not isinstance(body, dict):
        return _bad_request("body: must be a JSON object")
    for key, value in body.items():
        expected = _PAGE_KEYS.get(key)
        if expected is None:
            return _bad_request(f"{key}: unknown key (allowed: {', '.join(_PAGE_KEYS)})")
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            return _bad_request(f"{key}: must be a {expected.__name__}")
    store = ctx.world.store(body.get("store", ""))
    if store is None:
        return _bad_request(f"store: unknown store {body.get('store')!r}")
    with ctx.world.lock:
        if "id" in body:
            page = store.page_by_id(body["id"])
            if page is None:
                return _bad_request(f"id: store {store.id} has no page {body['id']}")
            page.title = body.get("title", page.title)
            page.content = body.get("content", page.content)
            page.visible = body.get("visible", page.visible)
        else:
            if not body.get("title", "").strip():
                return _bad_request("title: required to create a page")
            page = store.add_page(body["title"].strip(), body.get("content", ""), body.get("visible", True))
        return jsonify(asdict(page))
