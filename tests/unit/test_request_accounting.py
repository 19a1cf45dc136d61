"""The benchmark's request accounting and fair floor (benchmarks/floor.py), and what a store's pages may fetch
(RequestPolicy): pure logic, no browser, no server."""

from __future__ import annotations

import pytest

from automation.browser.launch import RequestPolicy
from benchmarks.floor import FloorClient, RequestSplit, StoreLogin, classify, floor_reads


@pytest.mark.parametrize(("path", "kind"), [
    ("admin/", "documents"),
    ("admin", "documents"),
    ("admin/auth/login", "documents"),
    ("admin/pages/2", "documents"),
    ("service/privacy-policy/", "documents"),
    ("admin/settings/web_extras.json", "json"),
    ("admin/pages/2.json", "json"),
    ("static/classic/application.js", "scripts_styles"),
    ("static/weight.js", "scripts_styles"),
    ("static/admin.css", "scripts_styles"),
    ("static/logo.png", "other"),
    ("static/fonts/inter.woff2", "other"),
    ("favicon.ico", "other"),
    ("static/clip.mp4", "other"),
])
def test_each_request_is_counted_as_one_kind(path: str, kind: str) -> None:
    assert classify(path) == kind


def test_requests_per_store_by_kind() -> None:
    records = [{"store": s, "method": "GET", "path": p, "status": 200}
               for s in ("a", "b") for p in ("admin/", "admin/settings/web_extras.json", "static/admin.css")]
    split = RequestSplit.of([*records, {"store": "a", "method": "GET", "path": "static/x.png", "status": 200}], 2)
    assert split.counts == {"documents": 2, "json": 2, "scripts_styles": 2, "other": 1}
    assert split.per_store() == 3.5 and split.per_store("json") == 1.0
    assert "3.5 requests per store" in split.describe()


def test_the_floor_reads_each_twin_the_plan_read_once_and_nothing_else() -> None:
    def record(store: str, path: str, status: int = 200, method: str = "GET") -> dict[str, object]:
        return {"store": store, "method": method, "path": path, "status": status}

    log = [record("a", "admin/"), record("a", "static/admin.css"), record("a", "admin/pages.json"),
           record("a", "admin/pages/2.json"), record("a", "admin/pages.json"),  # the plan read it twice
           record("a", "admin/web_statistics.json", 500), record("a", "admin/web_statistics.json"),
           record("a", "admin/pages/2.json", method="POST"), record("b", "admin/settings/web_extras.json")]
    assert floor_reads(log) == {"a": ["admin/pages.json", "admin/pages/2.json", "admin/web_statistics.json"],
                                "b": ["admin/settings/web_extras.json"]}


def test_the_floor_reads_below_the_store_root() -> None:
    client = FloorClient(StoreLogin("a", "http://127.0.0.1:5000/a/admin", "e@x.test", "pw"))
    assert client.store_root == "http://127.0.0.1:5000/a"


ADMIN = "https://shop.example/admin"


def policy(**options: object) -> RequestPolicy:
    return RequestPolicy(ADMIN, "https://shop.example/", **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["image", "font", "media"])
def test_images_fonts_and_media_are_never_fetched(kind: str) -> None:
    assert policy().refuses(f"{ADMIN}/x", kind, f"{ADMIN}/")
    assert RequestPolicy().refuses("https://anywhere.example/x", kind, "about:blank")


def test_the_login_chain_lands_without_scripts_or_styles_but_its_own_pages_keep_theirs() -> None:
    landing = policy(landing=True)
    assert landing.refuses("https://shop.example/static/app.js", "script", f"{ADMIN}/")
    assert landing.refuses("https://cdn.example/admin.css", "stylesheet", f"{ADMIN}/dashboard")
    # the chain's own pages: the store's login, a bot check (its scripts wherever they are), the identity service
    assert not landing.refuses("https://shop.example/static/app.js", "script", f"{ADMIN}/auth/login")
    assert not landing.refuses("https://shop.example/cdn-cgi/challenge-platform/x.js", "script", f"{ADMIN}/")
    assert not landing.refuses("https://id.example/login.js", "script", "https://id.example/login")
    assert not landing.refuses("https://shop.example/admin/settings", "document", f"{ADMIN}/", navigation=True)
    assert not policy().refuses("https://shop.example/static/app.js", "script", f"{ADMIN}/")  # after the chain


def test_a_plan_fetches_nothing_from_other_hosts_outside_the_login_chain() -> None:
    reading = policy(first_party_only=True)
    assert reading.refuses("https://www.googletagmanager.com/gtag/js", "script", f"{ADMIN}/web_statistics")
    assert reading.refuses("https://cdn.example/app.js", "xhr", f"{ADMIN}/")
    assert not reading.refuses("https://shop.example/static/app.js", "script", f"{ADMIN}/")
    assert not reading.refuses("data:text/css,p{}", "stylesheet", f"{ADMIN}/")
    # navigations are never refused: the identity service may hand a page on (a session renewed on the way)
    assert not reading.refuses("https://id.example/auth/login", "document", f"{ADMIN}/", navigation=True)
    assert not policy(first_party_only=True, landing=True).refuses("https://id.example/a.js", "script",
                                                                    "https://id.example/login")
    assert not policy().refuses("https://cdn.example/app.js", "script", f"{ADMIN}/")  # an apply may need it
