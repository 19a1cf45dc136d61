"""The floor: the backoffice requests of a no-op plan made without a browser (urllib, the CSRF token).

What no browser-driven tool can beat: per store the login page, the login POST (its redirect to the
dashboard followed), and the Web extras page whose selected cookie-law option is read. With a warm
session only the Web extras page. The browser also loads each page's CSS and script; the floor does not.
"""

from __future__ import annotations

import http.cookiejar
import re
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SELECTED = re.compile(r"<option value=\"\d\" selected>")


@dataclass
class StoreLogin:
    backoffice_url: str
    email: str
    password: str


class FloorClient:
    """One store's cookie jar, kept between the cold and the warm pass like the tool's session cache."""

    def __init__(self, store: StoreLogin, timeout_s: float = 30) -> None:
        self.store = store
        self.timeout_s = timeout_s
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def _get(self, path: str) -> str:
        with self.opener.open(f"{self.store.backoffice_url}/{path}", timeout=self.timeout_s) as response:
            return response.read().decode()

    def login(self) -> None:
        token = CSRF.search(self._get("login"))
        if token is None:
            raise RuntimeError(f"{self.store.backoffice_url}: no CSRF token on the login page")
        form = urllib.parse.urlencode({"email": self.store.email, "password": self.store.password,
                                       "csrf_token": token.group(1)}).encode()
        with self.opener.open(f"{self.store.backoffice_url}/login", data=form, timeout=self.timeout_s) as response:
            if "/login" in response.geturl():
                raise RuntimeError(f"{self.store.backoffice_url}: login refused")
            response.read()

    def read(self) -> None:
        page = self._get("settings/extras")
        if not SELECTED.search(page):
            raise RuntimeError(f"{self.store.backoffice_url}: no selected cookie-law option (not logged in?)")


def run_floor(clients: list[FloorClient], parallelism: int, cold: bool) -> None:
    def one(client: FloorClient) -> None:
        if cold:
            client.login()
        client.read()

    with ThreadPoolExecutor(max_workers=parallelism) as pool:
        list(pool.map(one, clients))  # list(): re-raises the first failure
