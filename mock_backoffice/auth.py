"""The store's end of the login chain: `/admin/auth/login` hands over to the identity service (another
origin), `/admin/auth/sso?token=` takes the one-time token it sends back and starts the backoffice session,
`/admin/auth/logout` ends it.

The password, the code step and the lockout live on the identity service (`identity.py`).
"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from flask import redirect, request, url_for
from werkzeug.wrappers import Response

from .challenge import challenge_response, needs_challenge
from .context import current_store, mock
from .guard import safe_next
from .identity import CLIENT_ID, LOGIN_PATH, LOGOUT_PATH
from .sessions import current_session, end_session, is_expired, start_session
from .storebp import admin_blueprint

bp = admin_blueprint("auth", __name__, login_required=False)


@bp.route("/auth/login")
def login() -> Response | tuple[str, int, dict[str, str]]:
    store = current_store()
    next_path = safe_next(request.args.get("next"), store.id)
    session = current_session()
    if session is not None and session.authenticated and not is_expired(session):
        return redirect(next_path or url_for("backoffice.dashboard"))
    if needs_challenge(store):
        return challenge_response(store)
    if session is None or session.authenticated:
        session = start_session()  # anonymous: it only remembers this login request
    ctx = mock()
    with ctx.world.lock:
        session.login_state = secrets.token_urlsafe(16)
        session.next_path = next_path
    params = {"client_id": CLIENT_ID, "target_shop_id": store.id, "state": session.login_state,
              "redirect_uri": ctx.urls.identity + "/auth/callback"}
    return redirect(f"{ctx.urls.identity}{LOGIN_PATH}?{urlencode(params)}")


@bp.route("/auth/sso")
def sso() -> Response:
    """Redeem the identity service's one-time token (single use, 60 s) for a new backoffice session."""
    store = current_store()
    world = mock().world
    with world.lock:
        token = world.identity.redeem_token(request.args.get("token", ""), store.id, world.clock())
        if token is None:
            # Used, expired or made for another store: back into the chain, which asks for a new one.
            return redirect(url_for("auth.login"))
        session = current_session()
        started_here = session is not None and session.login_state == token.state
        next_path = session.next_path if started_here and session is not None else None
        store.login.successful_logins += 1
    # A new session id at login: a session id seen before login can never become an authenticated one.
    start_session(authenticated=True)
    return redirect(next_path or url_for("backoffice.dashboard"))


@bp.route("/auth/logout", methods=["POST"])
def logout() -> Response:
    """End the store session and the identity session, so the next visit asks for the password again."""
    end_session()
    return redirect(f"{mock().urls.identity}{LOGOUT_PATH}?{urlencode({'target_shop_id': current_store().id})}")
