"""cookie_law read / plan / apply / verify / idempotency in both locales, and the storefront's cookie bar."""

from __future__ import annotations

import dataclasses

import pytest
from playwright.async_api import expect

from ecom_privacy.models import LoginSecrets
from flows.cookie_law import CookieLawCurrent, CookieLawDesired, CookieLawSetting
from flows.login import login
from mock_backoffice import MockServer
from tests.flows.conftest import SessionFactory
from tests.support import EMAILS, PASSWORDS, http_json

SETTING = CookieLawSetting()


async def logged_in(store_session: SessionFactory, store_id: str):
    session = await store_session(store_id)
    await login(
        session.page, session.backoffice_url, session.labels, LoginSecrets(EMAILS[store_id], PASSWORDS[store_id]),
        clock=session.clock
    )
    return session


@pytest.mark.parametrize(("store_id", "before"), [("shop-nl", "none"), ("shop-en", "notify")])
async def test_confirm_mode_plan_apply_verify_idempotent(
    store_session: SessionFactory, mock_state, store_id: str, before: str
) -> None:
    session = await logged_in(store_session, store_id)
    desired = CookieLawDesired(mode="confirm")
    current = await SETTING.read(session)
    assert isinstance(current, CookieLawCurrent) and current.mode == before
    changes = SETTING.plan(current, desired, session.plan_input)
    assert [c.after for c in changes] == [{"mode": "confirm"}]
    assert mock_state()[store_id]["cookie_law"]["mode"] == before  # reading and planning changed nothing

    assert await SETTING.apply(session, changes) is True
    assert (await SETTING.read_back(session, desired)).mode == "confirm"
    assert mock_state()[store_id]["cookie_law"]["mode"] == "confirm"
    assert SETTING.plan(await SETTING.read(session), desired, session.plan_input) == []
    # Honest `changed`: the same changes again find the store as desired and save nothing.
    assert await SETTING.apply(session, changes) is False

    # The storefront now shows the bar with Yes / No in the store's language.
    yes, no = ("Ja", "Nee") if store_id == "shop-nl" else ("Yes", "No")
    await session.page.goto(session.storefront_url)
    bar = session.page.locator(".wsa-cookielaw")  # the platform's bar: its choices are links to the server
    await expect(bar.locator("a[href*='/cookielaw/optIn/']")).to_have_text(yes)
    await expect(bar.locator("a[href*='/cookielaw/optOut/']")).to_have_text(no)


@pytest.mark.parametrize("store_id", ["shop-nl", "shop-en"])
async def test_custom_message(store_session: SessionFactory, mock_state, store_id: str) -> None:
    session = await logged_in(store_session, store_id)
    message = "We gebruiken cookies & <b>statistieken</b> alleen met jouw toestemming."
    desired = CookieLawDesired(mode="custom", message=message)
    changes = SETTING.plan(await SETTING.read(session), desired, session.plan_input)
    assert await SETTING.apply(session, changes) is True
    await SETTING.read_back(session, desired)
    language = "nl" if store_id == "shop-nl" else "en"
    custom = {"mode": "custom", "message": message, "messages": {language: message}, "manage_cookies": True}
    assert mock_state()[store_id]["cookie_law"] == custom
    assert await SETTING.apply(session, changes) is False  # idempotent: a second run saves nothing
    assert mock_state()[store_id]["cookie_law"] == custom

    await session.page.goto(session.storefront_url)
    await expect(session.page.locator(".wsa-cookielaw")).to_contain_text(message)  # escaped, shown as text


async def test_the_custom_message_per_shop_language_and_the_manage_cookies_switch(
        store_session: SessionFactory, mock_server: MockServer, mock_state) -> None:
    """A shop in Dutch and English: one message per language, and the Manage cookies control switched off."""
    http_json(f"{mock_server.url}/__mock__/store-options", {"store": "shop-nl", "json_twins": False})
    store = mock_server.world.stores["shop-nl"]
    store.languages = ("nl", "en")  # the shop's languages, as a seed with `languages: [nl, en]` gives them
    session = await logged_in(store_session, "shop-nl")
    session.plan_input = dataclasses.replace(session.plan_input, languages=("nl", "en"))
    desired = CookieLawDesired(mode="custom", message={"nl": "Wij gebruiken cookies.", "en": "We use cookies."},
                               manage_cookies=False)
    session.plan_input.desired[SETTING.name] = desired
    [change] = SETTING.plan(await SETTING.read(session), desired, session.plan_input)
    assert change.summary == "mode none -> custom, custom message changed (nl, en), Manage cookies control off"
    assert await SETTING.apply(session, [change]) is True
    await SETTING.read_back(session, desired)
    assert mock_state()["shop-nl"]["cookie_law"] == {
        "mode": "custom", "message": "Wij gebruiken cookies.", "manage_cookies": False,
        "messages": {"nl": "Wij gebruiken cookies.", "en": "We use cookies."}}
    for path, text in (("", "Wij gebruiken cookies."), ("en/", "We use cookies.")):
        await session.page.goto(session.storefront_url + path)
        bar = session.page.locator(".wsa-cookielaw")
        await expect(bar).to_contain_text(text)
        await expect(bar.locator(".wsa-cookielaw-manage")).to_have_count(0)


async def test_the_real_dutch_confirmation_bar(store_session: SessionFactory, mock_server: MockServer) -> None:
    http_json(f"{mock_server.url}/__mock__/cookie-law", {"store": "shop-nl", "mode": "confirm"})
    session = await store_session("shop-nl")
    await session.page.goto(session.storefront_url)
    await expect(session.page.locator(".wsa-cookielaw")).to_contain_text(
        "Wij slaan cookies op om onze website te verbeteren. Is dat akkoord?")
