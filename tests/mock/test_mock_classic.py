"""The `classic` markup (the default): the real backoffice's Rails/Turbolinks shape, at the real paths.

HTTP level: Rails forms (`utf8`, `authenticity_token`, `_method=patch`, a hidden `0` before each checkbox, fields
`settings[shop_setting][...]`), class-based markup without ARIA roles, the old paths gone. In a real browser:
Turbolinks swaps the body on a link click and on a form submit (no new document), the address changes as a
link's visit starts, and archiving is confirmed with the browser's own confirm()."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect, sync_playwright

from mock_backoffice import MockServer, create_app
from mock_backoffice.testing import BackofficeClient

SEED: dict[str, Any] = {"stores": [
    {"id": "nl", "locale": "nl", "email": "o@nl.test", "password": "pw-nl", "languages": ["nl", "en"],
     "cookie_law": {"mode": "custom", "message": {"nl": "Wij gebruiken cookies.", "en": "We use cookies."}},
     "subscribers": {"generate": {"count": 30, "passive_before_2018": 5, "seed": 4}}},
    {"id": "en", "locale": "en", "email": "o@en.test", "password": "pw-en"},
]}
ADMIN_PAGES = ("/settings/web_extras", "/web_statistics", "/pages", "/pages/2", "/pages/new",
               "/newsletter_subscriptions", "/account", "/settings", "/", "/customers")
OLD_PATHS = ("/settings/extras", "/settings/statistics", "/content/pages", "/content/pages/2",
             "/marketing/newsletter", "/settings/account")


def logged_in(store_id: str) -> BackofficeClient:
    bo = BackofficeClient(create_app(SEED).test_client(), store_id)
    bo.login()
    return bo


def html(bo: BackofficeClient, path: str) -> str:
    response = bo.client.get(bo.admin + path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_the_real_paths_answer_and_the_old_ones_are_gone() -> None:
    bo = logged_in("en")
    for path in ADMIN_PAGES:
        html(bo, path)
    for path in OLD_PATHS:
        assert bo.client.get(bo.admin + path).status_code == 404, path


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_no_aria_roles_beyond_native_html(path: str) -> None:
    page = html(logged_in("nl"), path)
    assert "role=" not in page and "aria-" not in page
    assert '<div class="PageHeader' in page or path in ("/", "/customers", "/settings", "/account")
    assert '<meta name="csrf-token" content="' in page and "classic/application.js" in page and "window.SEOshop" in page


def test_settings_forms_are_rails_forms() -> None:
    page = html(logged_in("nl"), "/settings/web_extras")
    form = page[page.index('<form id="form_settings_web_extras"'):]
    assert re.search(r'<input name="utf8" type="hidden" value="&#x2713;">\s*<input type="hidden" name="_method" '
                     r'value="patch">\s*<input type="hidden" name="authenticity_token" value="[^"]+">', form)
    # every checkbox is preceded by a hidden "0" of the same name
    for name in re.findall(r'<input type="checkbox" value="1" name="([^"]+)"', form):
        assert f'<input name="{name}" type="hidden" value="0">' in form, name
    assert 'name="settings[shop_setting][cookielaw_mode]"' in form
    # one message box per shop language, each labelled with the language's name
    assert '<label for="settings_shop_setting_cookielaw_message_en">Bericht (English)</label>' in form
    assert 'Wij gebruiken cookies.</textarea>' in form and 'We use cookies.</textarea>' in form
    assert '<input type="submit" name="commit" value="Opslaan"' in form


def test_an_update_needs_the_method_override() -> None:
    bo = logged_in("en")
    token = bo.token("/settings/web_extras")
    fields = {"authenticity_token": token, "settings[shop_setting][cookielaw_mode]": "2"}
    assert bo.client.post(bo.admin + "/settings/web_extras", data=fields).status_code == 405
    saved = bo.client.post(bo.admin + "/settings/web_extras", data={**fields, "_method": "patch"})
    assert saved.status_code == 302 and bo.store.cookie_law.mode == "confirm"
    assert '<div class="Flash Flash--notice">Your settings have been saved.</div>' in html(bo, "/settings/web_extras")


def test_list_rows_carry_their_record_id_and_no_source_column_by_default() -> None:
    page = html(logged_in("nl"), "/newsletter_subscriptions")
    assert len(re.findall(r'<tr data-id="\d+">', page)) == 25
    assert "<th>Bron</th>" not in page and '<a href="#" class="BulkActions-archive" data-confirm=' in page
    assert re.search(r'<tr data-id="\d+">\s*<td><a href="/nl/admin/pages/\d+">', html(logged_in("nl"), "/pages"))


# --- in a real browser ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=executable)
        except Exception as exc:  # no browser on this machine: the HTTP-level tests still cover the server
            pytest.skip(f"Chromium not available: {exc}")
        yield browser
        browser.close()


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer(SEED) as running:
        yield running


@pytest.fixture
def page(chromium: Browser, server: MockServer) -> Iterator[Page]:
    context = chromium.new_context()
    context.set_default_timeout(5_000)
    page = context.new_page()
    page.goto(f"{server.url}/nl/admin/")
    page.get_by_label("E-mailadres").fill("o@nl.test")
    page.get_by_label("Wachtwoord").fill("pw-nl")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.locator(".PageHeader, h1").first).to_be_visible()
    yield page
    context.close()


def documents(page: Page) -> list[str]:
    """The pages that fire a load event from now on (the page opened last has finished loading first)."""
    page.wait_for_load_state("load")
    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))
    return loads


def test_a_link_swaps_the_body_without_a_new_document(page: Page, server: MockServer) -> None:
    page.evaluate("window.sameDocument = true")
    loads = documents(page)
    page.get_by_role("link", name="Instellingen").click()
    expect(page.locator("#content h1")).to_have_text("Instellingen")
    assert page.evaluate("window.sameDocument") is True and loads == []  # no new document, no load event
    assert page.url == f"{server.url}/nl/admin/settings"
    page.get_by_role("link", name="Webextra's").click()
    expect(page.locator("#content .PageHeader h1")).to_have_text("Webextra's")
    assert page.evaluate("window.sameDocument") is True


def test_a_submit_swaps_the_body_and_the_page_scripts_start_again(page: Page, server: MockServer) -> None:
    page.goto(f"{server.url}/nl/admin/settings/web_extras")
    page.evaluate("window.sameDocument = true")
    loads = documents(page)
    page.get_by_label("Modus", exact=True).select_option(label="Bevestiging is vereist voor cookies")
    expect(page.get_by_label("Bericht (Nederlands)")).to_be_hidden()  # the page's script follows the mode
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Je instellingen zijn opgeslagen.")).to_be_visible()
    assert page.evaluate("window.sameDocument") is True and loads == []
    assert server.world.stores["nl"].cookie_law.mode == "confirm"
    # the swapped-in page's script works: choosing the custom mode shows the message boxes again
    page.get_by_label("Modus", exact=True).select_option(label="Toon een aangepaste melding op de eerste pagina")
    expect(page.get_by_label("Bericht (English)")).to_be_visible()


def test_archive_asks_with_the_browsers_own_confirm(page: Page, server: MockServer) -> None:
    page.goto(f"{server.url}/nl/admin/newsletter_subscriptions")
    rows = page.locator("tr[data-id]")
    emails = rows.locator("td:nth-child(2)").all_inner_texts()
    rows.nth(0).get_by_role("checkbox").check()
    rows.nth(3).get_by_role("checkbox").check()
    expect(rows.nth(0)).to_have_class(re.compile(r"-checked"))
    asked: list[str] = []

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss() if len(asked) == 1 else dialog.accept()

    page.on("dialog", answer)
    for _ in range(2):  # first cancelled, then confirmed
        page.get_by_role("link", name="2 items geselecteerd").click()
        page.get_by_role("link", name="Geselecteerde nieuwsbriefabonnees archiveren").click()
    expect(page.get_by_text("2 nieuwsbriefabonnees zijn gearchiveerd.")).to_be_visible()
    assert asked == ["2 nieuwsbriefabonnees archiveren? Je kunt klanten niet dearchiveren."] * 2
    assert {s.email for s in server.world.stores["nl"].subscribers if s.archived} == {emails[0], emails[3]}


def test_editor_language_tabs_are_links_and_every_language_is_saved(page: Page, server: MockServer) -> None:
    page.goto(f"{server.url}/nl/admin/pages/2")
    page.get_by_role("link", name="English", exact=True).click()
    title = page.get_by_label("Titel").filter(visible=True)
    expect(title).to_have_value("Privacy policy")
    page.locator("[contenteditable]").filter(visible=True).fill("Nieuw in het Engels")
    page.get_by_label("ZICHTBAARHEID").uncheck()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De pagina is opgeslagen.")).to_be_visible()
    stored = server.world.stores["nl"].page_by_id(2)
    assert stored is not None and stored.text("en").content == "<p>Nieuw in het Engels</p>" and not stored.visible
