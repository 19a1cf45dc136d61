"""The login guard of backoffice pages: expired, revoked and anonymous sessions go into the login chain
(`/admin/auth/login`, which hands over to the identity service).

It runs before the CSRF check, so a write on an expired session is never performed (the user is sent
to log in again, like the real backoffice does in the middle of work).
"""

from __future__ import annotations

import posixpath
from urllib.parse import urlsplit

from flask import redirect, request, url_for
from werkzeug.wrappers import Response

from .sessions import cookie_value, current_session, end_session, forget_cookie, is_expired


def requested_path() -> str:
    query = request.query_string.decode("latin-1")
    return f"{request.path}?{query}" if query else request.path


def redirect_to_login(next_path: str | None, *, expired: bool = False) -> Response:
    params: dict[str, str] = {}
    # `expired` first: the documented shape is ?expired=1&next=...
    if expired:
        params["expired"] = "1"
    if next_path:
        params["next"] = next_path
    return redirect(url_for("auth.login", **params))


def safe_next(value: str | None, store_id: str) -> str | None:
    """Only same-store admin paths are followed after login: no open redirect, no cross-store hop."""
    if not value or not value.startswith("/") or "\\" in value:
        return None
    parts = urlsplit(value)
    prefix = f"/{store_id}/admin"
    if parts.scheme or parts.netloc or ".." in parts.path.split("/"):
        return None
    if posixpath.normpath(parts.path) != parts.path.rstrip("/") or "//" in parts.path:
        return None
    if parts.path != prefix and not parts.path.startswith(prefix + "/"):
        return None
    if parts.path == prefix + "/auth" or parts.path.startswith(prefix + "/auth/"):
        return None  # the login chain itself is never where a login ends
    return value


def require_login() -> Response | None:
    session = current_session()
    if session is not None and session.authenticated:
        if not is_expired(session):
            return None
        end_session()
        return redirect_to_login(requested_path(), expired=True)
    if session is None and cookie_value():
        # The browser still holds a session the server dropped (revoked, reset): same as expired.
        forget_cookie()
        return redirect_to_login(requested_path(), expired=True)
    return redirect_to_login(requested_path())
