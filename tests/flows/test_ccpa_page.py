"""ccpa_page against the mock in real Chromium: create, verify, idempotency, hide, an interrupted creation
finished by the next run, and two pages with the title."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from ecom_privacy.errors import SettingError
from flows.ccpa_page import CcpaPageDesired, CcpaPageSetting
from flows.content.html_text import page_text
from flows.text_pages import TextPageState
from mock_backoffice import MockServer
from tests.flows.conftest import SessionFactory
from tests.flows.content_support import CCPA_TEMPLATE, logged_in, pages_titled, put_page

SETTING = CcpaPageSetting()
TITLES = {"shop-nl": "Verkoop mijn persoonsgegevens niet", "shop-en": "Do not sell my personal information"}
PRESENT = CcpaPageDesired(state="present", template=CCPA_TEMPLATE)


@pytest.mark.parametrize("store_id", ["shop-nl", "shop-en"])
async def test_present_creates_a_visible_page_linked_from_the_storefront(store_session: SessionFactory, mock_state,
                                                                         store_id: str) -> None:
    session = await logged_in(store_session, store_id)
    title = TITLES[store_id]
    current = await SETTING.read(session)
    assert current == TextPageState(title=title, slug="do-not-sell-my-personal-information")
    [change] = SETTING.plan(current, PRESENT, session.plan_input)
    assert change.action == "create" and change.after["visible"] is True

    assert await SETTING.apply(session, [change]) is True
    await SETTING.read_back(session, PRESENT)
    [page] = pages_titled(mock_state(), store_id, title)
    assert page["visible"] is True
    assert page_text(page["content"]) == page_text(change.after["html"])
    assert SETTING.plan(await SETTING.read(session), PRESENT, session.plan_input) == []
    assert await SETTING.apply(session, [change]) is False  # a repeated apply neither duplicates nor changes it
    assert pages_titled(mock_state(), store_id, title) == [page]

    shop = session.page
    await shop.goto(session.storefront_url)
    await shop.locator("footer").get_by_role("link", name=title).click()
    await expect(shop.get_by_role("heading", level=1)).to_have_text(title)
    contact_name = "contactpagina" if store_id == "shop-nl" else "contact page"
    contact = shop.locator("main").get_by_role("link", name=contact_name)
    await expect(contact).to_have_attribute("href", session.storefront_url + "service/contact/")
    await shop.locator("main").get_by_role("link", name="privacybeleid" if store_id == "shop-nl"
                                          else "privacy policy").click()
    await expect(shop.get_by_role("heading", level=1)).to_have_text(
        "Privacybeleid" if store_id == "shop-nl" else "Privacy policy")


async def test_an_interrupted_creation_is_finished_not_duplicated(store_session: SessionFactory,
                                                                  mock_state) -> None:
    session = await logged_in(store_session, "shop-en")
    title = TITLES["shop-en"]
    # An earlier run (or a person) clicked "Add page", typed the title and saved, then stopped:
    # the page exists, hidden and empty.
    page = session.page
    await page.goto(session.backoffice_url + "/pages")
    await page.get_by_role("link", name="Add page").click()
    await page.get_by_label("Title", exact=True).fill(title)
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_text("The page has been saved.", exact=True)).to_be_visible()  # either markup
    [half_made] = pages_titled(mock_state(), "shop-en", title)
    assert half_made["visible"] is False and half_made["content"] == ""

    [change] = SETTING.plan(await SETTING.read(session), PRESENT, session.plan_input)
    assert change.action == "update" and change.after["page_id"] == half_made["id"]
    assert change.summary.endswith("make visible")
    await SETTING.apply(session, [change])
    await SETTING.read_back(session, PRESENT)
    [finished] = pages_titled(mock_state(), "shop-en", title)
    assert finished["id"] == half_made["id"] and finished["visible"] is True and finished["content"]


async def test_a_create_retried_after_it_succeeded_finds_the_page(store_session: SessionFactory,
                                                                  mock_state) -> None:
    session = await logged_in(store_session, "shop-nl")
    [change] = SETTING.plan(await SETTING.read(session), PRESENT, session.plan_input)
    await SETTING.apply(session, [change])
    await SETTING.apply(session, [change])  # the same "create" again, e.g. after a lost response
    assert len(pages_titled(mock_state(), "shop-nl", TITLES["shop-nl"])) == 1


async def test_two_pages_with_the_title_and_none_at_the_slug_are_an_error_naming_both(store_session: SessionFactory,
                                                                 mock_server: MockServer, mock_state) -> None:
    # Dutch titles give Dutch addresses, so no page is at the default slug: they are looked up by title.
    title = TITLES["shop-nl"]
    first = put_page(mock_server.url, store="shop-nl", title=title, content="<p>oud</p>", visible=False)
    second = put_page(mock_server.url, store="shop-nl", title=title.upper(), content="<p>nieuw</p>", visible=True)
    session = await logged_in(store_session, "shop-nl")
    current = await SETTING.read(session)
    assert [m.id for m in current.matches] == [first["id"], second["id"]]
    for desired in (PRESENT, CcpaPageDesired(state="absent")):
        with pytest.raises(SettingError) as info:
            SETTING.plan(current, desired, session.plan_input)
        for made in (first, second):
            assert f"page {made['id']} ({session.backoffice_url}/pages/{made['id']})" in str(info.value)
    assert SETTING.plan(current, CcpaPageDesired(state="ignore"), session.plan_input) == []

    fake_create = SETTING.plan(TextPageState(title=title), PRESENT, session.plan_input)
    with pytest.raises(SettingError):  # apply looks again and refuses to pick one
        await SETTING.apply(session, fake_create)
    assert len([p for p in mock_state()["shop-nl"]["pages"] if p["title"].lower() == title.lower()]) == 2


async def test_a_page_at_the_slug_wins_over_pages_with_the_title(store_session: SessionFactory,
                                                                 mock_server: MockServer) -> None:
    title = TITLES["shop-en"]
    first = put_page(mock_server.url, store="shop-en", title=title, content="<p>old</p>", visible=False)
    put_page(mock_server.url, store="shop-en", title=title.upper(), content="<p>new</p>", visible=True)
    session = await logged_in(store_session, "shop-en")
    current = await SETTING.read(session)
    assert current.found_by == "slug" and [m.id for m in current.matches] == [first["id"]]
    assert current.page is not None and current.page.slug == "do-not-sell-my-personal-information"


async def test_absent_hides_the_page_and_keeps_it(store_session: SessionFactory, mock_server: MockServer,
                                                  mock_state) -> None:
    title = TITLES["shop-nl"]
    made = put_page(mock_server.url, store="shop-nl", title=title, content="<p>Wij verkopen niets.</p>")
    session = await logged_in(store_session, "shop-nl")
    absent = CcpaPageDesired(state="absent")
    [change] = SETTING.plan(await SETTING.read(session), absent, session.plan_input)
    assert change.action == "hide" and change.after["visible"] is False
    assert await SETTING.apply(session, [change]) is True
    await SETTING.read_back(session, absent)
    assert await SETTING.apply(session, [change]) is False  # already hidden: nothing saved
    [page] = pages_titled(mock_state(), "shop-nl", title)
    assert page == {**made, "visible": False}  # hidden, content untouched, never deleted
    response = await session.page.goto(session.storefront_url + f"service/{made['slug']}/")
    assert response is not None and response.status == 404
