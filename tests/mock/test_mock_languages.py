"""Shops with several languages in the mock: the storefront per language, and the page editor's language tabs."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from mock_backoffice.seed import SeedError, parse_seed
from mock_backoffice.state import World
from mock_backoffice.testing import BackofficeClient
from tests.mock.conftest import SEED

MULTI: dict[str, Any] = {
    "id": "shop-multi", "name": "Multi", "locale": "en", "languages": ["nl", "en"], "email": "multi@shop.test",
    "markup": "aria",
    "password": "secret-multi", "cookie_law": {"mode": "confirm"},
    "pages": [{"slug": "privacy-policy", "title": "Privacyverklaring", "content": "<p>NL tekst</p>",
               "translations": {"en": {"title": "Privacy statement", "content": "<p>EN text</p>"}}}],
}


@pytest.fixture
def seed() -> dict[str, Any]:
    data = copy.deepcopy(SEED)
    data["stores"].append(copy.deepcopy(MULTI))
    return data


def html_of(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_default_language_has_no_prefix_and_others_have_one(client: FlaskClient) -> None:
    home = html_of(client, "/shop-multi/")
    assert '<html lang="nl">' in home and "Privacyverklaring" in home and "Stadsfiets" in home
    assert 'href="/shop-multi/en/" hreflang="en"' in home  # the language switcher
    english = html_of(client, "/shop-multi/en/")
    assert '<html lang="en">' in english and "City bike" in english
    assert '<a href="/shop-multi/en/service/privacy-policy/">Privacy statement</a>' in english
    assert '<a href="/shop-multi/en/service/about/">About us</a>' in english
    page = html_of(client, "/shop-multi/en/service/privacy-policy/")
    assert "<h1>Privacy statement</h1>" in page and "<p>EN text</p>" in page and "NL tekst" not in page
    assert "<p>NL tekst</p>" in html_of(client, "/shop-multi/service/privacy-policy/")


def test_unknown_or_default_language_prefix_is_404(client: FlaskClient) -> None:
    for path in ("/shop-multi/nl/", "/shop-multi/de/service/about/", "/shop-en/en/"):
        assert client.get(path).status_code == 404, path


def test_a_hidden_page_is_hidden_in_every_language(client: FlaskClient, world: World) -> None:
    world.stores["shop-multi"].page_by_slug("privacy-policy").visible = False  # type: ignore[union-attr]
    assert client.get("/shop-multi/service/privacy-policy/").status_code == 404
    assert client.get("/shop-multi/en/service/privacy-policy/").status_code == 404
    assert "privacy-policy" not in html_of(client, "/shop-multi/en/")


def test_the_bar_speaks_the_page_language_and_links_to_the_store_endpoints(client: FlaskClient) -> None:
    english = html_of(client, "/shop-multi/en/")
    assert '<a href="/shop-multi/cookielaw/optIn/" class="wsa-cookielaw-button">Yes</a>' in english
    assert ">Ja</a>" in html_of(client, "/shop-multi/")


def test_the_editor_shows_a_tab_per_language_and_saves_them_together(backoffice: Any, world: World) -> None:
    bo: BackofficeClient = backoffice("shop-multi")
    bo.login()
    html = bo.client.get("/shop-multi/admin/pages/2").get_data(as_text=True)
    assert re.search(r'role="tab" id="page-tab" data-language="nl"\s+aria-controls="page-panel" '
                     r'aria-selected="true">Nederlands</button>', html)
    assert 'role="tab" id="page-tab-en" data-language="en"' in html
    assert 'name="title[en]" value="Privacy statement"' in html and 'name="title" value="Privacyverklaring"' in html
    assert 'role="tabpanel" aria-labelledby="page-tab-en" hidden>' in html
    listing = bo.client.get("/shop-multi/admin/pages").get_data(as_text=True)
    assert '<td class="page-address">/service/privacy-policy/</td>' in listing
    bo.post("/pages/2", {"title": "Privacyverklaring", "content": "<p>nieuw</p>",
                                 "title[en]": "Privacy", "content[en]": "<p>new</p>", "visible": ["0", "1"]})
    page = world.stores["shop-multi"].page_by_slug("privacy-policy")
    assert page is not None and page.text("nl").content == "<p>nieuw</p>"
    assert (page.text("en").title, page.text("en").content) == ("Privacy", "<p>new</p>")


def test_seed_refuses_a_translation_for_a_language_the_shop_does_not_have() -> None:
    store = copy.deepcopy(MULTI)
    store["pages"][0]["translations"]["fr"] = {"title": "x", "content": ""}
    with pytest.raises(SeedError, match=r"stores\[0\].pages\[0\].translations.fr: "):
        parse_seed({"stores": [store]})
