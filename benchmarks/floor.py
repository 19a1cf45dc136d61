"""The fair floor: with urllib and no browser, exactly the backoffice requests a no-op plan needs.

Per store, when the session is cold, the login chain (the backoffice's hand-over to the identity service, its
login form, the one-time code when the account has two-step verification, the SSO callback back into the
store, whose landing page urllib reads as the redirect's end); then every JSON twin the settings read. Which
twins those are is not a hand list that could drift from the tool: it is taken from the mock's access log of
the tool's own warm no-op plan (`floor_reads`), each address once per store (a tool that reads a twin twice
pays for it, the floor does not). With a warm session only the twins.

Also here: the request accounting of the benchmark (`classify`, `RequestSplit`): requests per store from the
mock's access log, split into documents, JSON, scripts and styles, and other assets. The access log is the
stores' side only; the identity service's own pages are not in it (the same for the tool and the floor).
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import time
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pyotp

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)"')
CODE_FIELD = re.compile(r'name="code"')

#: the kinds of request the benchmark counts, in the order of its table
KINDS = ("documents", "json", "scripts_styles", "other")
SCRIPT_STYLE_SUFFIXES = (".js", ".mjs", ".css")
#: a path with one of these endings and none of the above is an asset that is neither script nor style
ASSET_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico", ".woff", ".woff2", ".ttf", ".otf",
                  ".eot", ".mp4", ".webm", ".mp3", ".map", ".txt", ".xml")


def classify(path: str) -> str:
    """The kind of one request, from its path below the store (`admin/settings/web_extras.json`): `json`,
    `scripts_styles`, `other` (images, fonts, media, any other file under `static/`) or `documents`."""
    name = path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1].lower()
    if name.endswith(".json"):
        return "json"
    if name.endswith(SCRIPT_STYLE_SUFFIXES):
        return "scripts_styles"
    if name.endswith(ASSET_SUFFIXES) or path.startswith("static/"):
        return "other"
    return "documents"


@dataclass
class RequestSplit:
    """Requests per store of one run, by kind (from the mock's access log)."""

    stores: int
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    @classmethod
    def of(cls, records: Iterable[Mapping[str, Any]], stores: int) -> RequestSplit:
        split = cls(stores)
        for record in records:
            split.counts[classify(str(record["path"]))] += 1
        return split

    def per_store(self, kind: str | None = None) -> float:
        total = self.counts[kind] if kind is not None else sum(self.counts.values())
        return total / self.stores if self.stores else 0.0

    def describe(self) -> str:
        return (f"{self.per_store():.1f} requests per store (" +
                ", ".join(f"{kind.replace('_', ' and ')} {self.per_store(kind):.1f}" for kind in KINDS) + ")")


def floor_reads(records: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Per store, the JSON twins the tool's no-op plan read (answered 200), each once, in the order first read."""
    reads: dict[str, list[str]] = {}
    for record in records:
        path = str(record["path"])
        if record["method"] == "GET" and record["status"] == 200 and classify(path) == "json":
            seen = reads.setdefault(str(record["store"]), [])
            if path not in seen:
                seen.append(path)
    return reads


@dataclass
class StoreLogin:
    id: str
    backoffice_url: str
    email: str
    password: str
    totp_secret: str | None = None


class FloorClient:
    """One store's cookie jar, kept between the cold and the warm pass like the tool's session cache."""

    def __init__(self, store: StoreLogin, timeout_s: float = 30) -> None:
        self.store = store
        self.timeout_s = timeout_s
        #: the store's twins (paths below the store, `admin/settings/web_extras.json`)
        self.reads: list[str] = []
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    @property
    def store_root(self) -> str:
        """The store's base: the backoffice URL without its `admin` (the access log's paths are below it)."""
        return self.store.backoffice_url.rstrip("/").removesuffix("admin").rstrip("/")

    def _post_form(self, page_url: str, page: str, fields: dict[str, str]) -> tuple[str, str]:
        token, action = CSRF.search(page), FORM_ACTION.search(page)
        if token is None or action is None:
            raise RuntimeError(f"{self.store.id}: no form in the login chain at {page_url.split('?')[0]}")
        form = urllib.parse.urlencode({**fields, "csrf_token": token.group(1)}).encode()
        target = urllib.parse.urljoin(page_url, action.group(1).replace("&amp;", "&"))
        with self.opener.open(target, data=form, timeout=self.timeout_s) as response:
            return response.geturl(), response.read().decode()

    def login(self) -> None:
        """The login chain as a browser follows it: redirects to the identity service's form, the password, the
        code when asked, the callback into the store, whose landing page ends the chain."""
        with self.opener.open(f"{self.store.backoffice_url.rstrip('/')}/", timeout=self.timeout_s) as response:
            url, page = response.geturl(), response.read().decode()
        url, page = self._post_form(url, page, {"username": self.store.email, "password": self.store.password})
        if CODE_FIELD.search(page):
            if not self.store.totp_secret:
                raise RuntimeError(f"{self.store.id}: the login chain asks for a code and the store has no TOTP")
            url, page = self._post_form(url, page, {"code": pyotp.TOTP(self.store.totp_secret).at(time.time())})
        if not url.startswith(self.store.backoffice_url) or "/auth/" in url:
            raise RuntimeError(f"{self.store.id}: login refused (at {url.split('?')[0]})")

    def read(self) -> None:
        for path in self.reads:
            with self.opener.open(f"{self.store_root}/{path}", timeout=self.timeout_s) as response:
                body = response.read()
            try:
                json.loads(body)
            except ValueError:
                raise RuntimeError(f"{self.store.id}: {path} is not JSON (not logged in?)") from None


def run_floor(clients: list[FloorClient], parallelism: int, cold: bool) -> None:
    def one(client: FloorClient) -> None:
        if cold:
            client.login()
        client.read()

    with ThreadPoolExecutor(max_workers=parallelism) as pool:
        list(pool.map(one, clients))  # list(): re-raises the first failure
