"""The mock's own scripts in a real Chromium: the cookie bar's choices and the Web extras toggle; the login
chain across two origins."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from mock_backoffice import MockServer

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Exception as exc:  # no browser on this machine: the HTTP-level tests still cover the server
            pytest.skip(f"Chromium not available: {exc}")
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    context = chromium.new_context()
    context.set_default_timeout(5_000)
    yield context.new_page()
    context.close()


def consent_cookies(page: Page) -> dict[str, str]:
    return {c["name"]: c["value"] for c in page.context.cookies() if c["name"].startswith("COOKIELAW")}


def test_confirm_bar_choice_and_withdrawal(seed: dict[str, Any], page: Page) -> None:
    with MockServer(seed) as server:
        page.goto(f"{server.url}/shop-en/service/contact/")
        page.goto(f"{server.url}/shop-en/")
        bar = page.locator(".wsa-cookielaw")
        bar.locator("a.wsa-cookielaw-button[href*='/cookielaw/optIn/']").click()
        expect(bar).to_have_count(0)  # back on the homepage, which no longer shows the bar
        assert page.url == f"{server.url}/shop-en/"
        assert consent_cookies(page) == {
            "COOKIELAW": "1",
            "COOKIELAW_STATS": "1",
            "COOKIELAW_ADS": "1",
            "COOKIELAW_SOCIAL": "1",
        }
        assert all(c["path"] == "/shop-en/" for c in page.context.cookies() if c["name"].startswith("COOKIELAW"))
        page.get_by_role("link", name="Privacy policy").click()
        page.locator(".wsa-cookielaw a[href*='/cookielaw/optOut/']").click()
        expect(page).to_have_url(f"{server.url}/shop-en/service/privacy-policy/")
        assert set(consent_cookies(page).values()) == {"0"}


def test_custom_bar_preferences(seed: dict[str, Any], page: Page) -> None:
    with MockServer(seed) as server:
        page.goto(f"{server.url}/shop-custom/")
        bar = page.locator(".wsa-cookielaw")
        expect(bar.get_by_text("We use <b>cookies</b> & more.")).to_be_visible()
        expect(page.get_by_label("Analytics cookies")).to_be_hidden()
        bar.get_by_role("link", name="Manage cookies").click()
        page.get_by_label("Social media cookies").check()
        bar.get_by_role("button", name="Save preferences").click()
        expect(page.locator(".wsa-cookielaw")).to_have_count(0)
        assert consent_cookies(page) == {
            "COOKIELAW": "1",
            "COOKIELAW_STATS": "0",
            "COOKIELAW_ADS": "0",
            "COOKIELAW_SOCIAL": "1",
        }


def test_theme_banner_sets_the_cookies_in_the_browser(seed: dict[str, Any], page: Page) -> None:
    seed["stores"][1]["theme_cookie_bar"] = True
    with MockServer(seed) as server:
        page.goto(f"{server.url}/shop-en/")
        bar = page.get_by_role("region", name="Cookies")
        bar.get_by_role("button", name="No", exact=True).click()
        expect(bar).to_be_hidden()
        assert set(consent_cookies(page).values()) == {"0"} and len(consent_cookies(page)) == 4


def test_editor_language_tabs_switch_and_save_every_language(seed: dict[str, Any], page: Page) -> None:
    seed["stores"][0]["languages"] = ["nl", "en"]
    with MockServer(seed) as server:
        page.goto(f"{server.url}/shop-nl/admin/pages/2")
        page.get_by_label("E-mailadres").fill("nl@shop.test")
        page.get_by_label("Wachtwoord").fill("geheim-nl")
        page.get_by_role("button", name="Inloggen").click()
        expect(page.get_by_role("tabpanel")).to_have_count(1)
        page.get_by_role("tab", name="English").click()
        panel = page.get_by_role("tabpanel")
        expect(panel.get_by_label("Titel")).to_have_value("Privacy policy")
        panel.get_by_role("textbox", name="Inhoud", exact=True).fill("Nieuw in het Engels")
        page.get_by_role("button", name="Opslaan").click()
        expect(page.get_by_role("status")).to_have_text("De pagina is opgeslagen.")
        stored = server.world.stores["shop-nl"].page_by_id(2)
        assert stored is not None and stored.text("en").content == "<p>Nieuw in het Engels</p>"
        assert stored.text("nl").content == "<p>Wij respecteren je privacy.</p>"


def test_web_extras_message_row_follows_the_mode(seed: dict[str, Any], page: Page) -> None:
    with MockServer(seed) as server:
        page.goto(f"{server.url}/shop-en/admin/settings/web_extras")
        page.get_by_label("Email address").fill("en@shop.test")
        page.get_by_label("Password").fill("secret-en")
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("heading", name="Web extras").wait_for()
        message = page.get_by_label("Message", exact=True)
        expect(message).to_be_hidden()
        page.get_by_label("Mode", exact=True).select_option(label="Show a custom message on the first page")
        expect(message).to_be_visible()
        message.fill("Cookies help us.")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("status")).to_have_text("Your settings have been saved.")
        assert server.world.stores["shop-en"].cookie_law.mode == "custom"
        page.get_by_label("Mode", exact=True).select_option(label="No message")
        expect(message).to_be_hidden()


def test_newsletter_selection_menu_and_confirmation(page: Page) -> None:
    seed = {"stores": [{"id": "nb", "locale": "nl", "email": "o@nb.test", "password": "pw-nb", "markup": "aria",
                        "subscribers": {"generate": {"count": 30, "passive_before_2018": 5, "seed": 4}}}]}
    with MockServer(seed) as server:
        page.goto(f"{server.url}/nb/admin/newsletter_subscriptions")
        page.get_by_label("E-mailadres").fill("o@nb.test")
        page.get_by_label("Wachtwoord").fill("pw-nb")
        page.get_by_role("button", name="Inloggen").click()
        rows = page.locator("table.subscribers tbody tr")
        expect(rows).to_have_count(25)
        menu_button = page.locator("#bulk-toggle")
        expect(menu_button).to_be_hidden()

        # The header checkbox selects the rows of this page only; unticking clears the menu again.
        page.get_by_label("Alle abonnees op deze pagina selecteren").check()
        expect(page.get_by_role("button", name="25 items geselecteerd")).to_be_visible()
        page.get_by_label("Alle abonnees op deze pagina selecteren").uncheck()
        expect(menu_button).to_be_hidden()

        emails = rows.locator("td:nth-child(2)").all_inner_texts()
        rows.nth(1).get_by_role("checkbox").check()
        rows.nth(4).get_by_role("checkbox").check()
        page.get_by_role("button", name="2 items geselecteerd").click()
        page.get_by_role("menuitem", name="Geselecteerde nieuwsbriefabonnees archiveren").click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_contain_text("2 nieuwsbriefabonnees archiveren?")
        dialog.get_by_role("button", name="Annuleren").click()  # cancel archives nothing
        expect(dialog).to_be_hidden()
        assert not any(s.archived for s in server.world.stores["nb"].subscribers)

        page.get_by_role("button", name="2 items geselecteerd").click()
        page.get_by_role("menuitem", name="Geselecteerde nieuwsbriefabonnees archiveren").click()
        dialog.get_by_role("button", name="OK").click()
        expect(page.get_by_role("status")).to_have_text("2 nieuwsbriefabonnees zijn gearchiveerd.")
        archived = {s.email for s in server.world.stores["nb"].subscribers if s.archived}
        assert archived == {emails[1], emails[4]}


def test_page_editor_toolbar_and_submit_copy_the_editor_html(seed: dict[str, Any], page: Page) -> None:
    with MockServer(seed) as server:
        page.goto(f"{server.url}/shop-nl/admin/pages/2")
        page.get_by_label("E-mailadres").fill("nl@shop.test")
        page.get_by_label("Wachtwoord").fill("geheim-nl")
        page.get_by_role("button", name="Inloggen").click()
        editor = page.get_by_role("textbox", name="Inhoud", exact=True)
        expect(editor).to_have_text("Wij respecteren je privacy.")
        editor.click()
        page.keyboard.press("End")
        page.keyboard.press("Shift+Home")  # select the whole line
        page.get_by_role("button", name="Vet").click()
        page.get_by_role("switch", name="ZICHTBAARHEID").uncheck()
        page.get_by_role("button", name="Opslaan").click()
        expect(page.get_by_role("status")).to_have_text("De pagina is opgeslagen.")
        stored = server.world.stores["shop-nl"].page_by_id(2)
        assert stored is not None and stored.visible is False
        assert stored.content == "<p><strong>Wij respecteren je privacy.</strong></p>"


def test_one_agency_login_in_a_real_browser_opens_the_other_store(page: Page) -> None:
    seed = {"stores": [{"id": "client-a", "locale": "en", "email": "agency@web.test", "password": "pw-agency"},
                       {"id": "client-b", "locale": "nl", "email": "agency@web.test"}]}
    with MockServer(seed) as server:
        page.goto(f"{server.url}/client-a/admin/orders")
        assert page.url.startswith(f"{server.id_url}/auth/login?")  # the form is on the other origin
        page.get_by_label("Email address").fill("agency@web.test")
        page.get_by_label("Password").fill("pw-agency")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Orders")).to_be_visible()
        assert page.url == f"{server.url}/client-a/admin/orders"
        page.goto(f"{server.url}/client-b/admin/orders")  # no password form: straight back with a token
        expect(page.get_by_role("heading", name="Bestellingen")).to_be_visible()
        assert page.url == f"{server.url}/client-b/admin/orders"
        server.app.test_client().post("/__mock__/sessions/revoke", json={"store": "client-a"})
        page.goto(f"{server.url}/client-a/admin/customers")  # an ended session: the chain renews it, no form
        expect(page.get_by_role("heading", name="Customers")).to_be_visible()
        account = server.world.stores["client-a"].account
        assert (account.attempts, account.successful_logins) == (1, 1)
        assert [server.world.stores[s].login.successful_logins for s in ("client-a", "client-b")] == [2, 1]
