"""The floor: the backoffice requests of a no-op plan made without a browser (urllib, the CSRF token).

What no browser-driven tool can beat: per store the login chain (the backoffice's hand-over to the
identity service and its login form, the login POST with the callback and the SSO redirects followed), and
the Web extras page's JSON twin (`settings/web_extras.json`), whose cookie-law mode is read, as the tool reads
it. With a warm session only the twin.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)"')


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
        with self.opener.open(f"{self.store.backoffice_url}/", timeout=self.timeout_s) as response:
            form_url, page = response.geturl(), response.read().decode()  # the identity service's login form
        token, action = CSRF.search(page), FORM_ACTION.search(page)
        if token is None or action is None:
            raise RuntimeError(f"{self.store.backoffice_url}: no login form at the end of the chain")
        form = urllib.parse.urlencode({"username": self.store.email, "password": self.store.password,
                                       "csrf_token": token.group(1)}).encode()
        target = urllib.parse.urljoin(form_url, action.group(1).replace("&amp;", "&"))
        with self.opener.open(target, data=form, timeout=self.timeout_s) as response:
            if not response.geturl().startswith(self.store.backoffice_url) or "/auth/" in response.geturl():
                raise RuntimeError(f"{self.store.backoffice_url}: login refused")
            response.read()

    def read(self) -> None:
        try:
            mode = json.loads(self._get("settings/web_extras.json"))["settings"]["cookie_law"]["mode"]
        except (ValueError, KeyError, TypeError):
            mode = None
        if not isinstance(mode, str):
            raise RuntimeError(f"{self.store.backoffice_url}: no cookie-law mode in web_extras.json (not logged in?)")


def run_floor(clients: list[FloorClient], parallelism: int, cold: bool) -> None:
    def one(client: FloorClient) -> None:
        if cold:
            client.login()
        client.read()

    with ThreadPoolExecutor(max_workers=parallelism) as pool:
        list(pool.map(one, clients))  # list(): re-raises the first failure
