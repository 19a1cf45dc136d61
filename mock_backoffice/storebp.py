"""Blueprint factory for everything that lives under a store: `/<store id>/...` and `/<store id>/admin/...`.

New backoffice sections (Content > Pages, Marketing > Newsletter, Web statistics) are new modules that
call `admin_blueprint(...)` and get store lookup, the login guard, CSRF checks and the session cookie
for free; they are then listed in `app.BLUEPRINTS`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, abort, g

from .context import mock
from .guard import require_login
from .sessions import persist_cookie, require_csrf


def _pop_store_id(endpoint: str | None, values: dict[str, Any] | None) -> None:
    if values is not None and "store_id" in values:
        g.store_id = values.pop("store_id")


def _load_store() -> None:
    store = mock().world.store(g.get("store_id", ""))
    if store is None:
        abort(404)
    g.store = store
    g.locale = store.locale


def admin_blueprint(name: str, import_name: str, *, login_required: bool = True) -> Blueprint:
    """A backoffice blueprint; `login_required=False` only for the login pages themselves."""
    bp = Blueprint(name, import_name, url_prefix="/<store_id>/admin")
    bp.url_value_preprocessor(_pop_store_id)
    bp.before_request(_load_store)
    if login_required:
        bp.before_request(require_login)
    bp.before_request(require_csrf)
    bp.after_request(persist_cookie)
    return bp


def storefront_blueprint(name: str, import_name: str) -> Blueprint:
    """A public storefront blueprint: store lookup only, no sessions."""
    bp = Blueprint(name, import_name, url_prefix="/<store_id>")
    bp.url_value_preprocessor(_pop_store_id)
    bp.before_request(_load_store)
    return bp


def install_url_defaults(app: Flask) -> None:
    """`url_for('.view')` inside a store request fills in the current store id."""

    @app.url_defaults
    def _store_default(endpoint: str, values: dict[str, Any]) -> None:
        if "store_id" not in values and "store_id" in g and app.url_map.is_endpoint_expecting(endpoint, "store_id"):
            values["store_id"] = g.store_id
