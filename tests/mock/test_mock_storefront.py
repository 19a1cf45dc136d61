"""The storefront: homepage, text pages, footer links and the cookie bar per mode and consent cookie."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from mock_backoffice.state import World

BAR = '<div class="wsa-cookielaw" data-mode="{mode}">'


def html_of(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def set_mode(world: World, store_id: str, mode: str, message: str = "") -> None:
    store = world.stores[store_id]
    store.cookie_law.mode = mode
    store.cookie_law.messages = {store.default_language: message}


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
    assert BAR.format(mode="notify") in html and "Deze website gebruikt cookies om goed te werken." in html
    assert '<a href="/shop-nl/cookielaw/optIn/" class="wsa-cookielaw-button">OK</a>' in html
    assert "optOut" not in html
    assert html.index("wsa-cookielaw") < html.index("<header")  # at the top of the page


def test_confirm_bar_is_the_real_markup_with_two_links(client: FlaskClient) -> None:
    html = html_of(client, "/shop-en/")
    assert BAR.format(mode="confirm") in html and "This website uses cookies." in html
    assert '<a href="/shop-en/cookielaw/optIn/" class="wsa-cookielaw-button">Yes</a>' in html
    assert '<a href="/shop-en/cookielaw/optOut/" class="wsa-cookielaw-button">No</a>' in html
    assert 'role="region"' not in html and "<button" not in html[html.index("wsa-cookielaw"):html.index("<header")]


def test_confirm_bar_in_dutch(client: FlaskClient, world: World) -> None:
    set_mode(world, "shop-nl", "confirm")
    html = html_of(client, "/shop-nl/")
    assert ">Ja</a>" in html and ">Nee</a>" in html


def test_custom_bar_escapes_the_message_and_offers_accept_and_manage(client: FlaskClient) -> None:
    html = html_of(client, "/shop-custom/")
    assert "We use &lt;b&gt;cookies&lt;/b&gt; &amp; more." in html
    assert '<a href="/shop-custom/cookielaw/optIn/" class="wsa-cookielaw-button">Accept</a>' in html
    assert 'class="wsa-cookielaw-button wsa-cookielaw-manage" aria-expanded="false">Manage cookies</a>' in html
    panel = html[html.index('<form id="wsa-cookielaw-preferences"') :]
    assert 'method="post" action="/shop-custom/cookielaw/optIn/" hidden>' in panel.split("\n")[0]
    for text in ("Analytics cookies", "Advertising cookies", "Social media cookies", ">Save preferences</button>"):
        assert text in panel


def _cookies(response: object) -> dict[str, str]:
    headers = response.headers.getlist("Set-Cookie")  # type: ignore[attr-defined]
    found = {}
    for header in headers:
        name, _, rest = header.partition("=")
        found[name] = rest.split(";")[0]
        assert "Path=/shop-en/" in header and "Max-Age=31536000" in header
    return found


def test_opt_in_and_opt_out_set_the_cookies_on_the_server_and_send_the_visitor_back(client: FlaskClient) -> None:
    back = "http://localhost/shop-en/service/contact/"
    response = client.get("/shop-en/cookielaw/optIn/", headers={"Referer": back})
    assert response.status_code == 302 and response.headers["Location"] == "/shop-en/service/contact/"
    assert _cookies(response) == {"COOKIELAW": "1", "COOKIELAW_STATS": "1", "COOKIELAW_ADS": "1",
                                  "COOKIELAW_SOCIAL": "1"}
    response = client.get("/shop-en/cookielaw/optOut/", headers={"Referer": "http://elsewhere.test/x"})
    assert response.headers["Location"] == "/shop-en/"  # never back to another site
    assert _cookies(response) == {"COOKIELAW": "0", "COOKIELAW_STATS": "0", "COOKIELAW_ADS": "0",
                                  "COOKIELAW_SOCIAL": "0"}


def test_manage_form_records_each_category(client: FlaskClient) -> None:
    response = client.post("/shop-en/cookielaw/optIn/", data={"stats": "1"})
    assert _cookies(response) == {"COOKIELAW": "1", "COOKIELAW_STATS": "1", "COOKIELAW_ADS": "0",
                                  "COOKIELAW_SOCIAL": "0"}
    assert _cookies(client.post("/shop-en/cookielaw/optIn/", data={}))["COOKIELAW"] == "0"


def test_notify_ok_acknowledges_without_consenting(client: FlaskClient, world: World) -> None:
    set_mode(world, "shop-en", "notify")
    assert _cookies(client.get("/shop-en/cookielaw/optIn/")) == {"COOKIELAW": "1"}


@pytest.mark.parametrize("value", ["1", "0"])
def test_choice_cookie_hides_the_bar_except_on_the_privacy_page(client: FlaskClient, value: str) -> None:
    client.set_cookie("COOKIELAW", value, path="/shop-en/")
    assert "cookielaw" not in html_of(client, "/shop-en/")
    assert "cookielaw" not in html_of(client, "/shop-en/service/contact/")
    assert BAR.format(mode="confirm") in html_of(client, "/shop-en/service/privacy-policy/")


def test_privacy_page_prechecks_current_choices(client: FlaskClient) -> None:
    client.set_cookie("COOKIELAW", "1", path="/shop-custom/")
    client.set_cookie("COOKIELAW_STATS", "1", path="/shop-custom/")
    client.set_cookie("COOKIELAW_ADS", "0", path="/shop-custom/")
    html = html_of(client, "/shop-custom/service/privacy-policy/")
    assert '<input type="checkbox" name="stats" value="1" checked>' in html
    assert '<input type="checkbox" name="ads" value="1">' in html


def test_a_theme_banner_replaces_the_platform_bar(client: FlaskClient, world: World) -> None:
    world.stores["shop-en"].theme_cookie_bar = True
    html = html_of(client, "/shop-en/")
    assert 'role="region" aria-label="Cookies"' in html and "wsa-cookielaw" not in html
    assert ">Yes</button>" in html and "/shop-en/static/theme-cookiebar.js" in html


def test_static_files_are_served_per_store(client: FlaskClient) -> None:
    for name in ("cookielaw.js", "theme-cookiebar.js", "store.css", "admin.css", "admin.js"):
        assert client.get(f"/shop-en/static/{name}").status_code == 200, name
    assert client.get("/shop-en/static/nope.js").status_code == 404
    assert client.get("/nope/static/store.css").status_code == 404


def test_storefront_uses_no_external_resources(client: FlaskClient) -> None:
    for path in ("/shop-custom/", "/shop-custom/service/privacy-policy/"):
        html = html_of(client, path)
        assert not re.search(r'(src|href)="(https?:)?//', html), path
