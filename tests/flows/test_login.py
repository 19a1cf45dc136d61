"""The login flow against the mock over real HTTP in real Chromium: it follows the login chain through the
mock's identity service (another origin) and back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import Browser, expect

from automation.browser.launch import new_store_context
from ecom_privacy.clock import SYSTEM_CLOCK, FixedClock
from ecom_privacy.errors import (
    AccountLockedError,
    AuthenticationError,
    BotChallengeError,
    SessionExpiredError,
    TransientError,
)
from ecom_privacy.models import LoginSecrets, LoginTally
from flows.labels import labels_for
from flows.login import is_logged_in, login
from flows.pages.base import in_backoffice
from flows.pages.web_extras_page import WebExtrasPage
from mock_backoffice import MockServer
from mock_backoffice.seed import derived_recovery_codes
from tests.flows.conftest import SessionFactory
from tests.support import EMAILS, PASSWORDS, TOTP_SECRET, http_json


def account(server: MockServer, store: str) -> dict:
    return http_json(f"{server.url}/__mock__/accounts?store={store}")


@pytest.mark.parametrize("store_id", ["shop-nl", "shop-en"])
async def test_login_follows_the_chain_in_both_locales(store_session: SessionFactory, mock_server: MockServer,
                                                      mock_state, store_id: str) -> None:
    session = await store_session(store_id)
    assert not await is_logged_in(session.page, session.backoffice_url, session.labels)
    assert not in_backoffice(session.page.url, session.backoffice_url)  # it stopped at the identity service
    tally = LoginTally()
    await login(session.page, session.backoffice_url, session.labels,
                LoginSecrets(EMAILS[store_id], PASSWORDS[store_id]), tally, clock=session.clock)
    assert in_backoffice(session.page.url, session.backoffice_url)
    assert await is_logged_in(session.page, session.backoffice_url, session.labels)
    assert mock_state()[store_id]["login"]["successful_logins"] == 1
    assert (tally.counts.chains, tally.counts.password, tally.counts.code) == (1, 1, 0)
    assert tally.identity_url is not None and tally.identity_url.startswith(mock_server.id_url)
    assert tally.one_time_values  # the SSO token, handed to the redactor by the engine


async def test_wrong_password_is_refused_once_and_not_retried(store_session: SessionFactory,
                                                              mock_server: MockServer) -> None:
    session = await store_session("shop-en")
    tally = LoginTally()
    with pytest.raises(AuthenticationError, match="email or password was refused"):
        await login(session.page, session.backoffice_url, session.labels,
                    LoginSecrets(EMAILS["shop-en"], "wrong-pw"), tally, clock=session.clock)
    state = account(mock_server, "shop-en")
    assert (state["attempts"], state["failed_attempts"], state["locked"]) == (1, 1, False)
    assert tally.counts.password == 1


async def test_five_failures_lock_the_account(store_session: SessionFactory, mock_server: MockServer) -> None:
    session = await store_session("shop-lock")
    bad = LoginSecrets(EMAILS["shop-lock"], "wrong-pw")
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            await login(session.page, session.backoffice_url, session.labels, bad, clock=session.clock)
    good = LoginSecrets(EMAILS["shop-lock"], PASSWORDS["shop-lock"])
    with pytest.raises(AccountLockedError, match="locked"):
        await login(session.page, session.backoffice_url, session.labels, good, clock=session.clock)
    assert account(mock_server, "shop-lock")["locked"] is True


async def test_totp_code_step(store_session: SessionFactory) -> None:
    session = await store_session("shop-totp")
    tally = LoginTally()
    await login(session.page, session.backoffice_url, session.labels,
                LoginSecrets(EMAILS["shop-totp"], PASSWORDS["shop-totp"], TOTP_SECRET), tally, clock=session.clock)
    assert await is_logged_in(session.page, session.backoffice_url, session.labels)
    assert (tally.counts.password, tally.counts.code, tally.counts.recovery_codes) == (1, 1, 0)


async def test_the_one_time_code_is_the_one_of_the_clock_the_login_is_given(
        store_session: SessionFactory, mock_server: MockServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The code is computed at the run's clock, not the machine's: against a backoffice whose own clock stands
    in 2031, a login on a clock set there passes, one on a clock ten minutes off is refused."""
    there = datetime(2031, 1, 1, 9, 0, tzinfo=UTC)
    monkeypatch.setattr(mock_server.world, "clock", lambda: there.timestamp())  # restored after the test
    secrets = LoginSecrets(EMAILS["shop-totp"], PASSWORDS["shop-totp"], TOTP_SECRET)
    off = await store_session("shop-totp")
    with pytest.raises(AuthenticationError, match="one-time code was refused"):
        await login(off.page, off.backoffice_url, off.labels, secrets, clock=FixedClock(there - timedelta(minutes=10)))
    session = await store_session("shop-totp")
    await login(session.page, session.backoffice_url, session.labels, secrets, clock=FixedClock(there))
    assert await is_logged_in(session.page, session.backoffice_url, session.labels)


async def test_totp_missing_secret_and_wrong_secret(store_session: SessionFactory) -> None:
    session = await store_session("shop-totp")
    with pytest.raises(AuthenticationError, match="no TOTP secret is configured"):
        await login(session.page, session.backoffice_url, session.labels,
                    LoginSecrets(EMAILS["shop-totp"], PASSWORDS["shop-totp"]), clock=session.clock)
    session = await store_session("shop-totp")
    with pytest.raises(AuthenticationError, match="one-time code was refused"):
        await login(session.page, session.backoffice_url, session.labels,
                    LoginSecrets(EMAILS["shop-totp"], PASSWORDS["shop-totp"], "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
                    clock=session.clock)


async def test_recovery_code_answers_the_code_step_and_a_used_one_is_refused(store_session: SessionFactory,
                                                                             mock_server: MockServer) -> None:
    codes = derived_recovery_codes("shop-totp")  # what the mock gives a two-step account without its own
    spent: list[str] = []
    tally = LoginTally(on_recovery_code=spent.append)
    session = await store_session("shop-totp")
    await login(session.page, session.backoffice_url, session.labels,
                LoginSecrets(EMAILS["shop-totp"], PASSWORDS["shop-totp"], recovery_codes=codes[:2]), tally,
                clock=session.clock)
    assert in_backoffice(session.page.url, session.backoffice_url)
    assert spent == [codes[0]] and tally.counts.recovery_codes == 1
    assert account(mock_server, "shop-totp")["recovery_codes_used"] == [1]

    session = await store_session("shop-totp")  # a new browser, offered the spent code again
    with pytest.raises(AuthenticationError, match="one-time code was refused"):
        await login(session.page, session.backoffice_url, session.labels,
                    LoginSecrets(EMAILS["shop-totp"], PASSWORDS["shop-totp"], recovery_codes=codes[:1]),
                    clock=session.clock)


async def test_an_expired_session_is_noticed_wherever_it_bounces(store_session: SessionFactory,
                                                                 mock_server: MockServer) -> None:
    session = await store_session("shop-en")
    secrets = LoginSecrets(EMAILS["shop-en"], PASSWORDS["shop-en"])
    await login(session.page, session.backoffice_url, session.labels, secrets, clock=session.clock)
    extras = WebExtrasPage(session.page, session.backoffice_url, session.labels)

    # The store session is revoked, the identity session lives: the chain lets us back in on the way, and
    # the page says so (the engine then logs, counts and caches the new session).
    http_json(f"{mock_server.url}/__mock__/sessions/revoke", {"store": "shop-en"})
    with pytest.raises(SessionExpiredError, match="logged us in again"):
        await extras.open()
    assert in_backoffice(session.page.url, session.backoffice_url)
    await extras.open()  # and the new session works

    # Both revoked: the browser bounces to the identity service's form, off the store's origin.
    http_json(f"{mock_server.url}/__mock__/sessions/revoke", {"store": "shop-en"})
    http_json(f"{mock_server.url}/__mock__/identity/sessions/revoke", {})
    with pytest.raises(SessionExpiredError, match="login chain"):
        await extras.open()
    assert session.page.url.startswith(mock_server.id_url)
    tally = LoginTally()
    await login(session.page, session.backoffice_url, session.labels, secrets, tally, clock=session.clock)
    assert tally.counts.password == 1
    await extras.open()


async def test_an_unreachable_identity_service_is_named(store_session: SessionFactory,
                                                        mock_server: MockServer) -> None:
    session = await store_session("shop-en")
    # The identity service's origin refuses connections (as a service that is down does).
    await session.page.context.route(f"{mock_server.id_url}/**", lambda route: route.abort("connectionrefused"))
    with pytest.raises(TransientError, match=r"could not reach .*identity service") as caught:
        await login(session.page, session.backoffice_url, session.labels,
                    LoginSecrets(EMAILS["shop-en"], PASSWORDS["shop-en"]), clock=session.clock)
    assert mock_server.id_url.split("//")[1] in str(caught.value) and "\n" not in str(caught.value)


CHALLENGE_SEED = {"stores": [{"id": "guarded", "locale": "en", "email": "owner@guarded.test",
                              "password": "Guarded-Secret-8008", "bot_challenge": True}]}


async def test_a_bot_challenge_is_waited_out_once_a_person_solved_it_and_reported_when_not(browser: Browser) -> None:
    with MockServer(CHALLENGE_SEED) as server:
        backoffice_url = f"{server.url}/guarded/admin"
        labels = labels_for("en")
        secrets = LoginSecrets("owner@guarded.test", "Guarded-Secret-8008")
        context = await new_store_context(browser, "en", timeout_ms=3_000)
        try:
            page = await context.new_page()
            with pytest.raises(BotChallengeError, match="bot challenge") as caught:
                await login(page, backoffice_url, labels, secrets, clock=SYSTEM_CLOCK)
            assert caught.value.kind == "bot_challenge" and not isinstance(caught.value, AuthenticationError)
            assert http_json(f"{server.url}/__mock__/accounts?store=guarded")["attempts"] == 0

            context.set_default_timeout(15_000)
            await page.goto("about:blank")  # so the title awaited below is the new challenge's
            tally = LoginTally()
            logging_in = asyncio.create_task(login(page, backoffice_url, labels, secrets, tally, clock=SYSTEM_CLOCK))
            await expect(page).to_have_title("Just a moment...")
            # The person ticks "Verify you are human" (the automated browser never passes on its own).
            await asyncio.to_thread(http_json, f"{server.url}/__mock__/challenges/solve", {"store": "guarded"})
            await logging_in
            assert in_backoffice(page.url, backoffice_url)
            assert (tally.counts.bot_challenges, tally.counts.password) == (1, 1)
        finally:
            await context.close()
