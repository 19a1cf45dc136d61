"""Helpers for tests that drive the mock through Flask's test client instead of a browser.

They know the mock's own forms (field names, CSRF token) and read credentials from the mock's world, so
they work with any seed. Browser tests of the tool must not use them: those must find their way on their own.
"""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from .context import world_of
from .state import Store

_META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]*)">')


def csrf_of(response: TestResponse | str) -> str:
    """The CSRF token of a backoffice page (from its `<meta name="csrf-token">`)."""
    html = response if isinstance(response, str) else response.get_data(as_text=True)
    match = _META_CSRF.search(html)
    if match is None:
        raise AssertionError("page has no csrf-token meta tag")
    return match.group(1)


class BackofficeClient:
    """Drives one store's backoffice through a test client, the way a browser would."""

    def __init__(self, client: FlaskClient, store_id: str) -> None:
        self.client = client
        self.store_id = store_id
        self.admin = f"/{store_id}/admin"

    @property
    def store(self) -> Store:
        return world_of(self.client.application).stores[self.store_id]

    def token(self, path: str = "/login") -> str:
        """GET an admin page (which also creates the anonymous session on /login) and return its token."""
        return csrf_of(self.client.get(self.admin + path))

    def submit_login(self, email: str | None = None, password: str | None = None, query: str = "") -> TestResponse:
        token = self.token("/login" + query)
        return self.client.post(
            f"{self.admin}/login{query}",
            data={
                "email": self.store.user.email if email is None else email,
                "password": self.store.user.password if password is None else password,
                "csrf_token": token,
            },
        )

    def submit_code(self, code: str) -> TestResponse:
        token = self.token("/login/verify")
        return self.client.post(f"{self.admin}/login/verify", data={"code": code, "csrf_token": token})

    def login(self) -> None:
        """Log in with the seeded credentials (and the current TOTP code when the store has one)."""
        response = self.submit_login()
        if response.status_code == 302 and response.headers["Location"].endswith("/login/verify"):
            import pyotp  # only needed for TOTP stores

            secret = self.store.user.totp_secret or ""
            response = self.submit_code(pyotp.TOTP(secret).now())
        if response.status_code != 302:
            raise AssertionError(f"login to {self.store_id} failed: {response.status_code}")

    def post(self, path: str, data: dict[str, str | list[str]]) -> TestResponse:
        """POST a backoffice form with the token of the page at the same path."""
        token = self.token(path)
        return self.client.post(self.admin + path, data={**data, "csrf_token": token})
