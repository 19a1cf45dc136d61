"""The storefront: homepage, text pages, footer links and the cookie bar per mode and consent cookie."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from mock_backoffice.state import World

BAR = '<div id="cookielaw" class="cookie-bar" role="region" aria-label="Cookies"'


def html_of(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def set_mode(world: World, store_id: str, mode: str, message: str = "") -> None:
    world.stores[store_id].cookie_law.mode = mode
    world.stores[store_id].cookie_law.message = message


def test_homepage_has_shop_name_products_and_footer(client: FlaskClient) -> None:
    html = html_of(client, "/shop-nl/")
    assert '<html lang="nl">' in html and "Winkel NL" in html and "Stadsfiets" in html
    footer = html[html.index("<footer") :]
    links = re.findall(r'<a href="(/shop-nl/service/[^"]+/)">([^<]+)</a>', footer)
    assert links == [
        ("/shop-nl/service/about/", "Over ons"),
        ("/shop-nl/service/privacy-policy/", "Privacybeleid"),
        ("/shop-nl/service/general-terms-conditions/", "Algemene voorwaarden"),
        ("/shop-nl/service/shipping-returns/", "Verzenden &amp; retourneren"),
        ("/shop-nl/service/contact/", "Contact"),
    ]


def test_hidden_and_unknown_pages_are_404(client: FlaskClient, world: World) -> None:
    world.stores["shop-en"].page_by_slug("about").visible = False  # type: ignore[union-attr]
    assert client.get("/shop-en/service/about/").status_code == 404
    assert client.get("/shop-en/service/nope/").status_code == 404
    assert "/shop-en/service/about/" not in html_of(client, "/shop-en/")
    page = html_of(client, "/shop-en/service/privacy-policy/")
    assert "<h1>Privacy policy</h1>" in page and "<p>We respect your privacy.</p>" in page


def test_no_bar_when_mode_is_none(client: FlaskClient) -> None:
    assert "cookielaw" not in html_of(client, "/shop-nl/")
    assert "cookielaw" not in html_of(client, "/shop-nl/service/privacy-policy/")


def test_notify_bar(client: FlaskClient, world: World) -> None:
    set_mode(world, "shop-nl", "notify")
    html = html_of(client, "/shop-nl/")
    assert BAR in html and "Deze website gebruikt cookies om goed te werken." in html
    assert '<button type="button" class="store-btn" data-cookielaw="ok">OK</button>' in html
    assert html.index(BAR) < html.index("<header")  # at the top of the page


def test_confirm_bar_has_yes_and_no(client: FlaskClient) -> None:
    html = html_of(client, "/shop-en/")
    assert BAR in html and "This website uses cookies." in html
    assert ">Yes</button>" in html and ">No</button>" in html
    assert 'data-cookie-path="/shop-en/"' in html and "/shop-en/static/cookielaw.js" in html


def test_confirm_bar_in_dutch(client: FlaskClient, world: World) -> None:
    set_mode(world, "shop-nl", "confirm")
    html = html_of(client, "/shop-nl/")
    assert ">Ja</button>" in html and ">Nee</button>" in html


def test_custom_bar_escapes_the_message_and_offers_manage(client: FlaskClient) -> None:
    html = html_of(client, "/shop-custom/")
    assert "We use &lt;b&gt;cookies&lt;/b&gt; &amp; more." in html
    assert ">Accept</button>" in html and ">Manage cookies</button>" in html
    panel = html[html.index('<div id="cookielaw-preferences"') :]
    assert panel.startswith('<div id="cookielaw-preferences" class="cookie-preferences" hidden>')
    for text in ("Analytics cookies", "Advertising cookies", "Social media cookies", ">Save preferences</button>"):
        assert text in panel


@pytest.mark.parametrize("value", ["1", "0"])
def test_choice_cookie_hides_the_bar_except_on_the_privacy_page(client: FlaskClient, value: str) -> None:
    client.set_cookie("COOKIELAW", value, path="/shop-en/")
    assert "cookielaw" not in html_of(client, "/shop-en/")
    assert "cookielaw" not in html_of(client, "/shop-en/service/contact/")
    assert BAR in html_of(client, "/shop-en/service/privacy-policy/")


def test_privacy_page_prechecks_current_choices(client: FlaskClient) -> None:
    client.set_cookie("COOKIELAW", "1", path="/shop-custom/")
    client.set_cookie("COOKIELAW_STATS", "1", path="/shop-custom/")
    client.set_cookie("COOKIELAW_ADS", "0", path="/shop-custom/")
    html = html_of(client, "/shop-custom/service/privacy-policy/")
    assert 'name="analytics" data-category="analytics" checked>' in html
    assert 'name="advertising" data-category="advertising">' in html


def test_static_files_are_served_per_store(client: FlaskClient) -> None:
    for name in ("cookielaw.js", "store.css", "admin.css", "admin.js"):
        assert client.get(f"/shop-en/static/{name}").status_code == 200, name
    assert client.get("/shop-en/static/nope.js").status_code == 404
    assert client.get("/nope/static/store.css").status_code == 404


def test_storefront_uses_no_external_resources(client: FlaskClient) -> None:
    for path in ("/shop-custom/", "/shop-custom/service/privacy-policy/", "/shop-custom/admin/login"):
        html = html_of(client, path)
        assert not re.search(r'(src|href)="(https?:)?//', html), path
