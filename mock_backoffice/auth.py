"""Login, two-step verification (TOTP), lockout and logout of the backoffice."""

from __future__ import annotations

import hmac

import pyotp
from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from .context import current_store, mock
from .guard import safe_next
from .sessions import current_session, end_session, is_expired, start_session
from .state import Session, Store
from .storebp import admin_blueprint

bp = admin_blueprint("auth", __name__, login_required=False)

_LoginResult = Response | str | tuple[str, int]


def _credentials_match(store: Store, email: str, password: str) -> bool:
    email_ok = email.strip().lower() == store.user.email.lower()
    # compare_digest even when the email is wrong, so timing does not reveal which part failed
    password_ok = hmac.compare_digest(password.encode(), store.user.password.encode())
    return email_ok and password_ok


def _code_matches(store: Store, code: str) -> bool:
    digits = "".join(code.split())
    return (
        bool(store.user.totp_secret)
        and digits.isdigit()
        and pyotp.TOTP(store.user.totp_secret).verify(digits, valid_window=1)
    )


def _after_login(next_path: str | None) -> Response:
    store = current_store()
    with mock().world.lock:
        store.record_success()
    # A new session id at login: a session id seen before login can never become an authenticated one.
    start_session(authenticated=True)
    return redirect(next_path or url_for("backoffice.dashboard"))


def _render_login(*, error: str | None = None, email: str = "", expired: bool = False) -> str:
    return render_template("admin/login.html", error=error, email=email, expired=expired)


@bp.route("/login", methods=["GET", "POST"])
def login() -> _LoginResult:
    store = current_store()
    next_path = safe_next(request.args.get("next"), store.id)
    if request.method == "GET":
        session = current_session()
        if session is not None and session.authenticated and not is_expired(session):
            return redirect(next_path or url_for("backoffice.dashboard"))
        if session is None or session.authenticated:
            start_session()  # the anonymous session that carries the login form's CSRF token
        return _render_login(expired=request.args.get("expired") == "1")

    email = request.form.get("email", "")
    password = request.form.get("password", "")
    with mock().world.lock:
        store.login.attempts += 1
        if store.login.locked:
            return _render_login(error="locked", email=email)
        if not _credentials_match(store, email, password):
            store.record_failure()
            return _render_login(error="locked" if store.login.locked else "bad_credentials", email=email)
        if store.user.totp_secret:
            session: Session | None = current_session()
            assert session is not None  # the CSRF check already required one
            session.pending_totp = True
            session.next_path = next_path
            return redirect(url_for("auth.verify"))
    return _after_login(next_path)


@bp.route("/login/verify", methods=["GET", "POST"])
def verify() -> _LoginResult:
    store = current_store()
    session = current_session()
    if session is None or not session.pending_totp:
        return redirect(url_for("auth.login"))
    if request.method == "GET":
        return render_template("admin/verify.html", error=None)

    with mock().world.lock:
        store.login.attempts += 1
        if store.login.locked:
            return render_template("admin/verify.html", error="locked")
        if not _code_matches(store, request.form.get("code", "")):
            store.record_failure()
            return render_template("admin/verify.html", error="locked" if store.login.locked else "bad_code")
        next_path = session.next_path
    return _after_login(next_path)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    end_session()
    return redirect(url_for("auth.login"))
