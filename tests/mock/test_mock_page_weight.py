"""The page weight switch (faults `page_weight_kb`, `script_cpu_ms`): admin pages as heavy as the real ones,
everything else as it was."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient

from mock_backoffice.testing import BackofficeClient

SCRIPT = re.compile(r'<script src="(/[^"]+/static/weight\.js\?kb=(\d+)&amp;ms=(\d+))"></script>\s*</head>')


def set_faults(client: FlaskClient, **body: object) -> None:
    response = client.post("/__mock__/faults", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)


def weight_tag(html: str) -> tuple[str, int, int] | None:
    match = SCRIPT.search(html)
    return (match.group(1).replace("&amp;", "&"), int(match.group(2)), int(match.group(3))) if match else None


def test_every_admin_page_loads_a_script_of_that_size_that_runs_that_long(
        client: FlaskClient, backoffice: Callable[[str], BackofficeClient]) -> None:
    set_faults(client, page_weight_kb=300, script_cpu_ms=150)
    faults = client.get("/__mock__/faults").get_json()["global"]
    assert (faults["page_weight_kb"], faults["script_cpu_ms"]) == (300, 150)
    shop = backoffice("shop-en")
    shop.login()
    for path in ("/", "/settings/web_extras", "/pages", "/newsletter_subscriptions"):
        page = client.get(f"/shop-en/admin{path}")
        assert page.status_code == 200, path
        tag = weight_tag(page.get_data(as_text=True))
        assert tag is not None and tag[1:] == (300, 150), path
    script = client.get(tag[0])
    assert script.status_code == 200 and script.mimetype == "text/javascript"
    assert 300 * 1024 <= len(script.data) < 301 * 1024
    assert "performance.now() + 150" in script.get_data(as_text=True)
    assert "max-age" in script.headers["Cache-Control"]  # a fingerprinted asset: cached between pages


def test_twins_login_chain_and_storefront_are_left_alone(
        client: FlaskClient, backoffice: Callable[[str], BackofficeClient]) -> None:
    set_faults(client, page_weight_kb=300, script_cpu_ms=150)
    shop = backoffice("shop-en")
    login_page = shop.login_page()
    assert weight_tag(login_page.get_data(as_text=True)) is None  # the identity service's form
    assert weight_tag(client.get("/shop-en/admin/auth/login").get_data(as_text=True)) is None
    shop.login()
    twin = client.get("/shop-en/admin/settings/web_extras.json")
    assert twin.is_json and "weight.js" not in twin.get_data(as_text=True)
    assert weight_tag(client.get("/shop-en/").get_data(as_text=True)) is None


def test_per_store_weight_replaces_the_global_one(client: FlaskClient,
                                                  backoffice: Callable[[str], BackofficeClient]) -> None:
    set_faults(client, page_weight_kb=1500, script_cpu_ms=150)
    set_faults(client, store="shop-nl", latency_ms=0)  # a store of its own: light pages
    for store in ("shop-en", "shop-nl"):
        backoffice(store).login()
    assert weight_tag(client.get("/shop-en/admin/").get_data(as_text=True))[1:] == (1500, 150)
    assert weight_tag(client.get("/shop-nl/admin/").get_data(as_text=True)) is None
    set_faults(client)  # cleared: light again
    assert weight_tag(client.get("/shop-en/admin/").get_data(as_text=True)) is None


def test_a_weight_must_be_a_number(client: FlaskClient) -> None:
    response = client.post("/__mock__/faults", json={"page_weight_kb": "1500"})
    assert response.status_code == 400 and "page_weight_kb" in response.get_json()["error"]
