"""Settings > Web extras: the form's structure, saving, validation and the state endpoint."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from mock_backoffice.testing import BackofficeClient

BoFactory = Callable[[str], BackofficeClient]
EXTRAS = "/settings/web_extras"


@pytest.fixture
def en(backoffice: BoFactory) -> BackofficeClient:
    bo = backoffice("shop-en")
    bo.login()
    return bo


def page(bo: BackofficeClient) -> str:
    return bo.client.get(bo.admin + EXTRAS).get_data(as_text=True)


def state(client: FlaskClient, store_id: str) -> dict:
    return client.get("/__mock__/state").get_json()["stores"][store_id]


def test_form_structure_in_english(en: BackofficeClient) -> None:
    html = page(en)
    assert "<h1>Web extras</h1>" in html
    assert html.index("PRODUCT REVIEWS") < html.index("COMPARE PRODUCTS") < html.index("COOKIE LAW")
    section = html[html.index('<section id="cookielaw"') :]
    assert "<h2>COOKIE LAW</h2>" in section
    assert '<label for="cookielaw-mode">Mode</label>' in section
    assert '<select id="cookielaw-mode" name="cookielaw[mode]"' in section
    options = re.findall(r'<option value="(\d)"( selected)?>([^<]+)</option>', section)
    assert [(value, text) for value, _, text in options] == [
        ("0", "No message"),
        ("1", "Only a notification"),
        ("2", "Confirmation is required for cookies"),
        ("3", "Show a custom message on the first page"),
    ]
    assert [value for value, selected, _ in options if selected] == ["2"]  # shop-en is seeded with confirm
    assert '<div id="cookielaw-message-row" class="form-row" hidden>' in section
    assert '<label for="cookielaw-message-en">Message</label>' in section  # one shop language: no language name
    assert '<textarea id="cookielaw-message-en" name="cookielaw[message][en]"' in section
    assert 'name="cookielaw[manage_cookies]" value="1" checked> Show a &#34;Manage cookies&#34; button' in section
    assert '<button type="submit" class="btn btn-primary">Save</button>' in html
    assert html.count("<form ") == 2  # logout + the one settings form


def test_form_labels_in_dutch(backoffice: BoFactory) -> None:
    bo = backoffice("shop-nl")
    bo.login()
    html = page(bo)
    assert '<html lang="nl">' in html and "<h1>Webextra&#39;s</h1>" in html
    for text in (
        "<h2>COOKIEWET</h2>",
        ">Modus</label>",
        ">Bericht</label>",
        ">Opslaan</button>",
        ">Geen melding<",
        ">Alleen een melding<",
        ">Bevestiging is vereist voor cookies<",
        ">Toon een aangepaste melding op de eerste pagina<",
    ):
        assert text in html, text


def test_save_confirm_redirects_and_shows_success(en: BackofficeClient) -> None:
    response = en.post(EXTRAS, {"cookielaw[mode]": "1", "cookielaw[message][en]": ""})
    assert response.status_code == 302 and response.headers["Location"] == "/shop-en/admin/settings/web_extras"
    html = page(en)
    assert '<div class="alert alert-success" role="status">Your settings have been saved.</div>' in html
    assert "alert-success" not in page(en)  # shown once
    assert state(en.client, "shop-en")["cookie_law"] == {"mode": "notify", "message": "", "messages": {"en": ""},
                                                         "manage_cookies": True}


def test_custom_mode_needs_a_message(en: BackofficeClient) -> None:
    response = en.post(EXTRAS, {"cookielaw[mode]": "3", "cookielaw[message][en]": "   "})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<div class="alert alert-danger" role="alert">Enter a message for the custom cookie notice.</div>' in html
    assert '<option value="3" selected>' in html and '<div id="cookielaw-message-row" class="form-row">' in html
    assert state(en.client, "shop-en")["cookie_law"]["mode"] == "confirm"


def test_custom_message_is_saved_and_kept_when_mode_changes(en: BackofficeClient) -> None:
    en.post(EXTRAS, {"cookielaw[mode]": "3", "cookielaw[message][en]": "We use cookies.\r\nSee our policy. ",
                     "cookielaw[manage_cookies]": ["0"]})
    assert state(en.client, "shop-en")["cookie_law"] == {
        "mode": "custom",
        "message": "We use cookies.\nSee our policy.",
        "messages": {"en": "We use cookies.\nSee our policy."},
        "manage_cookies": False,
    }
    html = page(en)
    assert '<div id="cookielaw-message-row" class="form-row">' in html
    assert ">We use cookies.\nSee our policy.</textarea>" in html
    # the hidden textarea is still submitted by a browser: the message stays stored
    en.post(EXTRAS, {"cookielaw[mode]": "2", "cookielaw[message][en]": "We use cookies.\nSee our policy."})
    assert state(en.client, "shop-en")["cookie_law"] == {
        "mode": "confirm",
        "message": "We use cookies.\nSee our policy.",
        "messages": {"en": "We use cookies.\nSee our policy."},
        "manage_cookies": False,
    }
    assert '<div id="cookielaw-message-row" class="form-row" hidden>' in page(en)


def test_other_sections_keep_their_values(en: BackofficeClient) -> None:
    html = page(en)
    assert 'name="reviews[enabled]" value="1" checked' in html
    assert 'id="compare-enabled" name="compare[enabled]" value="1">' in html
    # what a browser submits: hidden "0" defaults plus the ticked box, and the cookie-law fields
    en.post(EXTRAS, {"reviews[enabled]": "0", "compare[enabled]": ["0", "1"], "cookielaw[mode]": "0"})
    assert state(en.client, "shop-en")["web_extras"] == {"reviews": {"enabled": False}, "compare": {"enabled": True}}
    # a client that only sends the cookie-law fields leaves the other sections alone
    en.post(EXTRAS, {"cookielaw[mode]": "2"})
    data = state(en.client, "shop-en")
    assert data["web_extras"] == {"reviews": {"enabled": False}, "compare": {"enabled": True}}
    assert data["cookie_law"]["mode"] == "confirm"


def test_unknown_mode_value_is_refused(en: BackofficeClient) -> None:
    response = en.post(EXTRAS, {"cookielaw[mode]": "confirm"})
    assert 'role="alert">Choose one of the listed options.' in response.get_data(as_text=True)
    assert state(en.client, "shop-en")["cookie_law"]["mode"] == "confirm"


def test_state_endpoint_shape(client: FlaskClient) -> None:
    data = state(client, "shop-nl")
    assert set(data) >= {"locale", "name", "cookie_law", "web_extras", "pages", "login", "subscribers"}
    assert data["locale"] == "nl" and data["name"] == "Winkel NL" and data["subscribers"] == []
    assert data["login"] == {"failed_attempts": 0, "locked": False, "successful_logins": 0, "attempts": 0}
    assert set(data["pages"][0]) == {"id", "title", "slug", "content", "visible"}
