"""The identity service (the mock's Lightspeed ID): its own Flask app, served on its own port (origin).

A store's `/admin/auth/login` sends the browser here with `client_id`, `target_shop_id`, `state` and
`redirect_uri`. The service asks for the email (`username`) and password, then for a code when the account
has two-step verification (the current TOTP code or one unused recovery code), and sends the browser to
its callback, which hands a one-time token to the store's `/admin/auth/sso`. While the browser holds a
signed-in identity session, any store of the same account passes straight to the callback.

Its pages speak the target store's backoffice language; their texts are guesses (`i18n.py`, `id_*`).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Flask, abort, current_app, g, redirect, render_template, request
from jinja2 import StrictUndefined
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from .context import EXTENSION_KEY, MockContext, context_of
from .faults import identity_fault_response
from .i18n import label
from .identity_state import Account, IdentitySession
from .state import Store

COOKIE_NAME = "lsid_session"
#: the cookie stays on the identity service's paths: browsers send cookies to every port of a host
COOKIE_PATH = "/auth"
CLIENT_ID = "ecom-eu"
LOGIN_PATH = "/auth/login"
CODE_PATH = "/auth/login/code"
CALLBACK_PATH = "/auth/callback"
LOGOUT_PATH = "/auth/logout"

_View = Response | str | tuple[str, int]


@dataclass(frozen=True)
class LoginRequest:
    """A store's login request, carried in the query of every identity page."""

    store: Store
    state: str

    def query(self, *, with_client: bool = True) -> str:
        params = {"target_shop_id": self.store.id, "state": self.state}
        if with_client:
            params = {"client_id": CLIENT_ID, **params, "redirect_uri": callback_url()}
        return urlencode(params)


def create_identity_app(context: MockContext) -> Flask:
    """The identity origin's app; it shares `context` (world, faults, urls) with the store app."""
    app = Flask(__name__, static_folder=None)
    app.jinja_env.undefined = StrictUndefined
    app.extensions[EXTENSION_KEY] = context
    app.before_request(_inject_faults)
    app.after_request(_persist_cookie)
    app.context_processor(_template_helpers)
    app.register_error_handler(HTTPException, _http_error)
    app.add_url_rule(LOGIN_PATH, "login", _login, methods=["GET", "POST"])
    app.add_url_rule(CODE_PATH, "code", _code, methods=["GET", "POST"])
    app.add_url_rule(CALLBACK_PATH, "callback", _callback)
    app.add_url_rule(LOGOUT_PATH, "logout", _logout)
    return app


def _ctx() -> MockContext:
    return context_of(current_app)


def callback_url() -> str:
    return _ctx().urls.identity + CALLBACK_PATH


def _inject_faults() -> Response | None:
    return identity_fault_response(_ctx().faults, request.path)


# --- the login request and the identity session ------------------------------------------------------------
def _login_request() -> LoginRequest:
    """The request's store and state; a request that did not come from a store's login page is refused."""
    store = _ctx().world.store(request.args.get("target_shop_id", ""))
    state = request.args.get("state", "")
    if store is None or not state:
        abort(400)
    g.locale = store.locale
    g.store = store
    return LoginRequest(store=store, state=state)


def _check_client() -> None:
    if request.args.get("client_id") != CLIENT_ID or request.args.get("redirect_uri") != callback_url():
        abort(400)


def _session() -> IdentitySession | None:
    if "id_session" not in g:
        g.id_session = _ctx().world.identity.sessions.get(request.cookies.get(COOKIE_NAME, ""))
    return g.id_session


def _new_session(*, email: str | None = None) -> IdentitySession:
    """A fresh session (new id and token) replacing the browser's: a signed-in id is never one seen before."""
    world = _ctx().world
    with world.lock:
        old = _session()
        if old is not None:
            world.identity.drop_session(old.id)
        session = world.identity.new_session(world.clock())
        session.email = email
    g.id_session = session
    g.cookie_action = "set"
    return session


def _persist_cookie(response: Response) -> Response:
    action = g.get("cookie_action")
    if action == "set" and g.id_session is not None:
        response.set_cookie(COOKIE_NAME, g.id_session.id, path=COOKIE_PATH, httponly=True, samesite="Lax")
    elif action == "clear":
        response.delete_cookie(COOKIE_NAME, path=COOKIE_PATH, httponly=True, samesite="Lax")
    return response


def _csrf_token() -> str:
    session = _session()
    return session.csrf_token if session is not None else ""


def _csrf_valid() -> bool:
    session = _session()
    supplied = request.form.get("csrf_token") or request.headers.get("x-csrf-token") or ""
    return session is not None and bool(supplied) and hmac.compare_digest(supplied, session.csrf_token)


def _signed_in_account(login: LoginRequest) -> Account | None:
    """The account of the browser's identity session, if it holds the requested store."""
    session = _session()
    if session is None or session.email is None:
        return None
    account = _ctx().world.identity.account(session.email)
    return account if account is not None and login.store.id in account.store_ids else None


# --- views ---------------------------------------------------------------------------------------------------
def _render(template: str, login: LoginRequest, *, error: str | None = None, email: str = "",
            status: int = 200) -> tuple[str, int]:
    return render_template(template, error=error, email=email, query=login.query(), store=login.store), status


def _to_callback(login: LoginRequest) -> Response:
    return redirect(f"{callback_url()}?{login.query(with_client=False)}")


def _login() -> _View:
    login = _login_request()
    _check_client()
    if request.method == "GET":
        if _signed_in_account(login) is not None:
            return _to_callback(login)  # an agency's other store: no password form while signed in
        if _session() is None:
            _new_session()  # the anonymous session that carries the form's CSRF token
        return _render("identity/login.html", login)
    if not _csrf_valid():
        return _render("identity/login.html", login, error="id_csrf_invalid", status=403)

    email = request.form.get("username", "")
    world = _ctx().world
    with world.lock:
        login.store.login.attempts += 1
        account = world.identity.account(email)
        if account is not None:
            account.attempts += 1
            if account.locked:
                return _render("identity/login.html", login, error="locked", email=email)
        if account is None or not account.password_matches(request.form.get("password", "")):
            # An unknown email has no account to lock; a wrong password counts against its account.
            if account is not None:
                account.record_failure()
            error = "locked" if account is not None and account.locked else "bad_credentials"
            return _render("identity/login.html", login, error=error, email=email)
        if login.store.id not in account.store_ids:
            return _render("identity/login.html", login, error="id_no_access", email=email)
        if account.two_step:
            session = _session()
            assert session is not None  # the CSRF check required one
            session.pending_email = account.email
            return redirect(f"{CODE_PATH}?{login.query()}")
        account.record_success()
    _new_session(email=account.email)
    return _to_callback(login)


def _code() -> _View:
    login = _login_request()
    _check_client()
    session = _session()
    if session is None or session.pending_email is None:
        return redirect(f"{LOGIN_PATH}?{login.query()}")
    if request.method == "GET":
        return _render("identity/code.html", login)
    if not _csrf_valid():
        return _render("identity/code.html", login, error="id_csrf_invalid", status=403)

    world = _ctx().world
    with world.lock:
        login.store.login.attempts += 1
        account = world.identity.account(session.pending_email)
        assert account is not None  # pending_email is only ever set to an account's email
        account.attempts += 1
        if account.locked:
            return _render("identity/code.html", login, error="locked")
        if not account.use_code(request.form.get("code", ""), world.clock()):
            account.record_failure()
            return _render("identity/code.html", login, error="locked" if account.locked else "bad_code")
        account.record_success()
    _new_session(email=account.email)
    return _to_callback(login)


def _callback() -> Response:
    """Mint the one-time token for the store and send the browser back to it."""
    login = _login_request()
    account = _signed_in_account(login)
    if account is None:
        return redirect(f"{LOGIN_PATH}?{login.query()}")
    world = _ctx().world
    with world.lock:
        token = world.identity.issue_token(login.store.id, account.email, login.state, world.clock())
    return redirect(f"{_ctx().urls.stores}/{login.store.id}/admin/auth/sso?{urlencode({'token': token})}")


def _logout() -> Response:
    """Sign the browser out of the identity service, then back to the store (which starts a new chain)."""
    store = _ctx().world.store(request.args.get("target_shop_id", ""))
    session = _session()
    if session is not None:
        with _ctx().world.lock:
            _ctx().world.identity.drop_session(session.id)
    g.id_session = None
    g.cookie_action = "clear"
    if store is None:
        abort(400)
    return redirect(f"{_ctx().urls.stores}/{store.id}/admin/")


# --- templates and errors ------------------------------------------------------------------------------------
def _translate(key: str) -> str:
    return label(g.get("locale", "en"), key)


def _template_helpers() -> dict[str, object]:
    return {"t": _translate, "csrf_token": _csrf_token, "locale": g.get("locale", "en")}


def _http_error(error: HTTPException) -> Response | HTTPException:
    if error.code is None or error.code < 400:
        return error
    body = render_template("identity/error.html", code=error.code, name=error.name)
    return Response(body, status=error.code, mimetype="text/html")
