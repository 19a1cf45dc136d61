"""Server-side backoffice sessions: the `backend_session_id` cookie, CSRF tokens and flash messages.

The cookie's Path is the store's admin path, so a browser never sends one store's session to another
store, and the server additionally checks that a session belongs to the store it is used on.
"""

from __future__ import annotations

import hmac

from flask import g, render_template, request
from werkzeug.wrappers import Response

from .context import current_store, mock
from .state import Session

COOKIE_NAME = "backend_session_id"
_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def cookie_path(store_id: str) -> str:
    return f"/{store_id}/admin"


def cookie_value() -> str | None:
    return request.cookies.get(COOKIE_NAME)


def current_session() -> Session | None:
    if "session" not in g:
        g.session = mock().world.session(cookie_value(), current_store().id)
    return g.session


def start_session(*, authenticated: bool = False) -> Session:
    """A fresh session (new id and CSRF token) that replaces the request's session and cookie."""
    world = mock().world
    old = current_session()
    if old is not None:
        world.drop_session(old.id)
    session = world.new_session(current_store().id)
    if authenticated:
        session.authenticated_at = world.clock()
    g.session = session
    g.cookie_action = "set"
    return session


def end_session() -> None:
    session = current_session()
    if session is not None:
        mock().world.drop_session(session.id)
    g.session = None
    g.cookie_action = "clear"


def forget_cookie() -> None:
    """The browser holds an id the server no longer knows (revoked, reset): tell it to drop it."""
    g.cookie_action = "clear"


def is_expired(session: Session) -> bool:
    """An authenticated session older than the injected `session_ttl_s` fault."""
    ctx = mock()
    ttl = ctx.faults.session_ttl(session.store_id)
    if ttl is None or session.authenticated_at is None:
        return False
    return ctx.world.clock() - session.authenticated_at > ttl


def persist_cookie(response: Response) -> Response:
    action = g.get("cookie_action")
    path = cookie_path(current_store().id) if g.get("store") is not None else None
    if path is None:
        return response
    if action == "set" and g.session is not None:
        response.set_cookie(COOKIE_NAME, g.session.id, path=path, httponly=True, samesite="Lax")
    elif action == "clear":
        response.delete_cookie(COOKIE_NAME, path=path, httponly=True, samesite="Lax")
    return response


# --- CSRF ----------------------------------------------------------------------------------------------
def csrf_token() -> str:
    session = current_session()
    return session.csrf_token if session is not None else ""


def csrf_valid() -> bool:
    session = current_session()
    # The aria dialect's forms send `csrf_token`, the classic (Rails) ones `authenticity_token`; scripts send the
    # header, with the token of <meta name="csrf-token">.
    supplied = (request.form.get("csrf_token") or request.form.get("authenticity_token")
                or request.headers.get("x-csrf-token") or "")
    return session is not None and bool(supplied) and hmac.compare_digest(supplied, session.csrf_token)


def require_csrf() -> Response | tuple[str, int] | None:
    """Refuse every write without the session's token, the login form included."""
    if request.method not in _UNSAFE_METHODS or csrf_valid():
        return None
    return render_template("admin/csrf_error.html"), 403


# --- flash messages (kept in the server-side session, shown once after a redirect) -------------------------
def flash(key: str) -> None:
    session = current_session()
    if session is not None:
        session.flashes.append(key)


def pop_flashes() -> list[str]:
    session = current_session()
    if session is None:
        return []
    with mock().world.lock:
        keys, session.flashes = session.flashes, []
    return keys
