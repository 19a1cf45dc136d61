"""Helpers for tests that drive the mock through Flask's test client instead of a browser.

They know the mock's own forms (field names, CSRF token) and read credentials from the mock's world, so
they work with any seed. The login chain crosses two origins (the stores and the identity service), so a
"browser" here is two test clients, one per app; redirects are followed to whichever origin they name.
Browser tests of the tool must not use these helpers: the tool must find its way on its own.
"""

from __future__ import annotations

import html
import re
import weakref
from urllib.parse import urljoin, urlsplit

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from .context import context_of, identity_app_of, world_of
from .state import Store

_META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]*)">')
_FORM_ACTION = re.compile(r'<form method="post" action="([^"]*)"')
_REDIRECTS = frozenset({301, 302, 303, 307, 308})

# One identity client per store client: together they are one browser, so an identity session made while
# logging in to one store is there for the next store of the same account.
_identity_clients: weakref.WeakKeyDictionary[FlaskClient, FlaskClient] = weakref.WeakKeyDictionary()


def csrf_of(response: TestResponse | str) -> str:
    """The CSRF token of a backoffice or identity page (from its `<meta name="csrf-token">`)."""
    text = response if isinstance(response, str) else response.get_data(as_text=True)
    match = _META_CSRF.search(text)
    if match is None:
        raise AssertionError("page has no csrf-token meta tag")
    return match.group(1)


def identity_client_of(client: FlaskClient) -> FlaskClient:
    """The identity-origin half of the browser whose store half is `client`."""
    if client not in _identity_clients:
        _identity_clients[client] = identity_app_of(client.application).test_client()
    return _identity_clients[client]


class BackofficeClient:
    """Drives one store's backoffice (and its login chain) through test clients, the way a browser would."""

    def __init__(self, client: FlaskClient, store_id: str) -> None:
        self.client = client
        self.identity = identity_client_of(client)
        self.store_id = store_id
        self.admin = f"/{store_id}/admin"
        #: every URL requested by `open` and `follow`, in order (absolute for the identity origin)
        self.visited: list[str] = []
        self._page_url = ""

    @property
    def store(self) -> Store:
        return world_of(self.client.application).stores[self.store_id]

    @property
    def identity_base(self) -> str:
        return context_of(self.client.application).urls.identity

    # --- navigation across the two origins ---------------------------------------------------------------
    def open(self, url: str, data: dict[str, str] | None = None) -> TestResponse:
        """GET (or POST `data` to) a store path or an absolute URL of either origin."""
        self.visited.append(url)
        self._page_url = url
        client = self.identity if url.startswith(self.identity_base) else self.client
        if not url.startswith(self.identity_base):
            parts = urlsplit(url)
            url = parts.path + (f"?{parts.query}" if parts.query else "")
        return client.get(url) if data is None else client.post(url, data=data)

    def follow(self, response: TestResponse, limit: int = 10) -> TestResponse:
        """Follow redirects, across origins, until a page that is not a redirect."""
        for _ in range(limit):
            if response.status_code not in _REDIRECTS:
                return response
            # a relative Location is relative to the page that answered, on whichever origin
            response = self.open(urljoin(self._absolute(self.url), response.headers["Location"]))
        raise AssertionError(f"more than {limit} redirects: {self.visited[-limit:]}")

    def _absolute(self, url: str) -> str:
        return context_of(self.client.application).urls.stores + url if url.startswith("/") else url

    @property
    def url(self) -> str:
        """The URL of the last page opened."""
        return self._page_url

    def _submit_form(self, page: TestResponse, data: dict[str, str]) -> TestResponse:
        match = _FORM_ACTION.search(page.get_data(as_text=True))
        if match is None:
            raise AssertionError(f"no form on {self.url}")
        action = html.unescape(match.group(1))
        base = self.identity_base if self.url.startswith(self.identity_base) else ""
        return self.open(base + action, {**data, "csrf_token": csrf_of(page)})

    # --- the login chain -----------------------------------------------------------------------------------
    def login_page(self, query: str = "") -> TestResponse:
        """Start the chain at the store's `/admin/auth/login` and follow it to the page it stops at."""
        return self.follow(self.open(f"{self.admin}/auth/login{query}"))

    def submit_login(self, email: str | None = None, password: str | None = None, query: str = "",
                     page: TestResponse | None = None) -> TestResponse:
        """Post the identity service's login form (`page`, else a new chain started with `query`); returns
        its answer, not followed."""
        page = page if page is not None else self.login_page(query)
        account = self.store.account
        return self._submit_form(page, {"username": account.email if email is None else email,
                                        "password": account.password if password is None else password})

    def code_page(self) -> TestResponse:
        """Open the code step of the last login request again."""
        last = next(u for u in reversed(self.visited) if u.startswith(self.identity_base + "/auth/login"))
        return self.open(last.replace("/auth/login?", "/auth/login/code?", 1))

    def submit_code(self, code: str, page: TestResponse | None = None) -> TestResponse:
        """Post the code step's form (`page`, else the code page opened again)."""
        return self._submit_form(page if page is not None else self.code_page(), {"code": code})

    def login(self) -> TestResponse:
        """Log in with the seeded credentials (and the current TOTP code when the account has two-step)."""
        response = self.submit_login()
        if response.status_code in _REDIRECTS and "/auth/login/code" in response.headers["Location"]:
            import pyotp  # only needed for two-step accounts

            page = self.follow(response)
            # the code of the world's time, which the mock checks it against (tests may move that clock)
            now = int(world_of(self.client.application).clock())
            response = self.submit_code(pyotp.TOTP(self.store.account.totp_secret or "").at(now), page)
        final = self.follow(response)
        if final.status_code != 200 or not self.logged_in:
            raise AssertionError(f"login to {self.store_id} failed: {final.status_code} at {self.url}")
        return final

    @property
    def logged_in(self) -> bool:
        """The tool's rule: on the store's origin, under its admin path, outside the login chain."""
        path = urlsplit(self.url).path
        on_store = not self.url.startswith(self.identity_base)
        return on_store and path.startswith(self.admin) and not path.startswith(f"{self.admin}/auth/")

    # --- backoffice forms ----------------------------------------------------------------------------------
    def token(self, path: str = "/") -> str:
        """GET an admin page and return its CSRF token."""
        return csrf_of(self.client.get(self.admin + path))

    def post(self, path: str, data: dict[str, str | list[str]]) -> TestResponse:
        """POST a backoffice form with the token of the page at the same path."""
        token = self.token(path)
        return self.client.post(self.admin + path, data={**data, "csrf_token": token})
