"""Settings > Account (`/admin/account`): the user's profile, language and active sessions with a Revoke button."""

from __future__ import annotations

import time

from flask import abort, redirect, render_template, url_for
from werkzeug.wrappers import Response

from ..context import current_store, mock
from ..sessions import current_session
from ..storebp import admin_blueprint

bp = admin_blueprint("account", __name__)


def _format_time(timestamp: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(timestamp))


@bp.route("/account")
def account() -> str:
    store = current_store()
    session = current_session()
    sessions = [
        {
            "public_id": s.public_id,
            "signed_in": _format_time(s.authenticated_at or s.created_at),
            "current": session is not None and s.id == session.id,
        }
        for s in mock().world.store_sessions(store.id)
    ]
    return render_template("admin/account.html", sessions=sessions, active="settings")


@bp.route("/account/sessions/<public_id>/revoke", methods=["POST"])
def revoke(public_id: str) -> Response:
    world = mock().world
    with world.lock:
        match = next((s for s in world.store_sessions(current_store().id) if s.public_id == public_id), None)
        if match is None:
            abort(404)
        world.drop_session(match.id)
    # Revoking the current session logs the user out on the next request, as it should.
    return redirect(url_for("account.account"))
