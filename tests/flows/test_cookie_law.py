"""cookie_law read / plan / apply / verify / idempotency in both locales, and the storefront's cookie bar."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from ecom_privacy.models import LoginSecrets
from flows.cookie_law import CookieLawCurrent, CookieLawDesired, CookieLawSetting
from flows.login import login
from tests.flows.conftest import SessionFactory
from tests.support import EMAILS, PASSWORDS

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
    assert (await SETTING.verify(session, desired)).mode == "confirm"
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
    await SETTING.verify(session, desired)
    assert mock_state()[store_id]["cookie_law"] == {"mode": "custom", "message": message}
    assert await SETTING.apply(session, changes) is False  # idempotent: a second run saves nothing
    assert mock_state()[store_id]["cookie_law"] == {"mode": "custom", "message": message}

    await session.page.goto(session.storefront_url)
    await expect(session.page.locator(".wsa-cookielaw")).to_contain_text(message)  # escaped, shown as text
