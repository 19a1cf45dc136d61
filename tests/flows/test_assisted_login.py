"""The login with a person at the screen (flows.assisted_login) against the mock's login chain, headless here
(the person's part is played by the test): what the tool fills in, and that a refusal is never resubmitted."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Route

from ecom_privacy.errors import TransientError
from ecom_privacy.models import LoginTally
from flows.assisted_login import AssistHooks, AssistStatus, KnownSecrets, assist_login
from flows.pages.base import in_backoffice
from mock_backoffice import MockServer
from tests.flows.conftest import SessionFactory
from tests.support import EMAILS, PASSWORDS, TOTP_SECRET, http_json

#: how long the "person" takes to do nothing, in the tests where nobody finishes the login
IDLE_S = 3.0


class Recorder:
    def __init__(self) -> None:
        self.said: list[str] = []
        self.refusals: list[str] = []

    def hooks(self) -> AssistHooks:
        return AssistHooks(say=self.said.append, refused=self.refusals.append)


def account(server: MockServer, store: str) -> dict:
    return http_json(f"{server.url}/__mock__/accounts?store={store}")


async def test_known_password_and_totp_code_are_filled_in_and_the_backoffice_reached(
        store_session: SessionFactory, mock_server: MockServer) -> None:
    session = await store_session("shop-totp")
    recorder, tally = Recorder(), LoginTally()
    known = KnownSecrets(EMAILS["shop-totp"], PASSWORDS["shop-totp"], TOTP_SECRET)
    result = await assist_login(session.page, session.backoffice_url, session.labels, known, 30, recorder.hooks(),
                                tally, clock=session.clock)
    assert result.status == AssistStatus.LOGGED_IN and result.refused is None
    assert in_backoffice(session.page.url, session.backoffice_url)
    assert (tally.counts.password, tally.counts.code) == (1, 1)
    assert account(mock_server, "shop-totp")["successful_logins"] == 1


async def test_a_refused_password_is_submitted_once_and_then_left_to_the_person(
        store_session: SessionFactory, mock_server: MockServer) -> None:
    session = await store_session("shop-en")
    recorder, tally = Recorder(), LoginTally()
    known = KnownSecrets(EMAILS["shop-en"], "Not-The-Password-1")
    result = await assist_login(session.page, session.backoffice_url, session.labels, known, IDLE_S,
                                recorder.hooks(), tally, clock=session.clock)
    assert result.status == AssistStatus.TIMED_OUT and result.showing == "password"
    assert recorder.refusals == [result.refused] and "email or password was refused" in (result.refused or "")
    assert tally.counts.password == 1
    state = account(mock_server, "shop-en")
    assert (state["attempts"], state["failed_attempts"], state["locked"]) == (1, 1, False)
    assert any("will not submit it again" in line for line in recorder.said)
    # The form stays for the person, untouched by the tool.
    assert await session.page.locator("input[name='password']").input_value() == ""


async def test_a_refused_code_is_not_submitted_again(store_session: SessionFactory, mock_server: MockServer) -> None:
    session = await store_session("shop-totp")
    recorder, tally = Recorder(), LoginTally()
    wrong_secret = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"  # a usable TOTP secret, not the account's
    known = KnownSecrets(EMAILS["shop-totp"], PASSWORDS["shop-totp"], wrong_secret)
    result = await assist_login(session.page, session.backoffice_url, session.labels, known, IDLE_S,
                                recorder.hooks(), tally, clock=session.clock)
    assert result.status == AssistStatus.TIMED_OUT and result.showing == "code"
    assert "one-time code was refused" in (result.refused or "") and len(recorder.refusals) == 1
    assert (tally.counts.password, tally.counts.code) == (1, 1)


async def test_without_a_password_only_the_email_is_filled_in(store_session: SessionFactory,
                                                              mock_server: MockServer) -> None:
    session = await store_session("shop-en")
    recorder, tally = Recorder(), LoginTally()
    result = await assist_login(session.page, session.backoffice_url, session.labels,
                                KnownSecrets(EMAILS["shop-en"]), IDLE_S, recorder.hooks(), tally,
                                clock=session.clock)
    assert result.status == AssistStatus.TIMED_OUT and result.showing == "password"
    assert await session.page.locator("input[name='username']").input_value() == EMAILS["shop-en"]
    assert tally.counts.password == 0 and account(mock_server, "shop-en")["attempts"] == 0
    assert any("type it in the window" in line for line in recorder.said)


async def test_an_unreachable_identity_service_is_named(store_session: SessionFactory,
                                                        mock_server: MockServer) -> None:
    session = await store_session("shop-en")
    await session.page.context.route(f"{mock_server.id_url}/**", lambda route: route.abort("connectionrefused"))
    with pytest.raises(TransientError, match=r"could not reach .*identity service") as caught:
        await assist_login(session.page, session.backoffice_url, session.labels,
                           KnownSecrets(EMAILS["shop-en"], PASSWORDS["shop-en"]), 30, Recorder().hooks(),
                           clock=session.clock)
    assert mock_server.id_url.split("//")[1] in str(caught.value) and "\n" not in str(caught.value)


async def test_an_expired_form_is_entered_again_not_taken_for_a_refusal(store_session: SessionFactory,
                                                                        mock_server: MockServer) -> None:
    session = await store_session("shop-en")
    tampered: list[str] = []

    async def expire_first_post(route: Route) -> None:
        # The first password post carries a token the identity service no longer knows (a form left too long).
        if route.request.method == "POST" and not tampered:
            tampered.append(route.request.url)
            body = re.sub(r"csrf_token=[^&]*", "csrf_token=expired", route.request.post_data or "")
            await route.continue_(post_data=body)
        else:
            await route.continue_()

    await session.page.context.route(f"{mock_server.id_url}/**", expire_first_post)
    recorder, tally = Recorder(), LoginTally()
    result = await assist_login(session.page, session.backoffice_url, session.labels,
                                KnownSecrets(EMAILS["shop-en"], PASSWORDS["shop-en"]), 30, recorder.hooks(), tally,
                                clock=session.clock)
    assert tampered and result.status == AssistStatus.LOGGED_IN
    assert result.refused is None and recorder.refusals == []
    assert tally.counts.password == 2 and any("expired" in line for line in recorder.said)
    assert account(mock_server, "shop-en")["successful_logins"] == 1
