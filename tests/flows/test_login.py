"""The login flow against the mock over real HTTP in real Chromium."""

from __future__ import annotations

import pytest

from core.errors import AccountLockedError, AuthenticationError
from core.models import LoginSecrets
from flows.login import is_logged_in, login
from tests.flows.conftest import SessionFactory
from tests.support import EMAILS, PASSWORDS, TOTP_SECRET


@pytest.mark.parametrize("store_id", ["shop-nl", "shop-en"])
async def test_login_succeeds_in_both_locales(store_session: SessionFactory, mock_state, store_id: str) -> None:
    session = await store_session(store_id)
    assert not await is_logged_in(session.page, session.backoffice_url, session.labels)
    await login(
        session.page, session.backoffice_url, session.labels, LoginSecrets(EMAILS[store_id], PASSWORDS[store_id])
    )
    assert await is_logged_in(session.page, session.backoffice_url, session.labels)
    assert mock_state()[store_id]["login"]["successful_logins"] == 1


async def test_wrong_password_is_refused_once_and_not_retried(store_session: SessionFactory, mock_state) -> None:
    session = await store_session("shop-en")
    with pytest.raises(AuthenticationError, match="email or password was refused"):
        await login(session.page, session.backoffice_url, session.labels, LoginSecrets(EMAILS["shop-en"], "wrong-pw"))
    login_state = mock_state()["shop-en"]["login"]
    assert login_state["failed_attempts"] == 1 and not login_state["locked"]


async def test_five_failures_lock_the_account(store_session: SessionFactory, mock_state) -> None:
    session = await store_session("shop-lock")
    bad = LoginSecrets(EMAILS["shop-lock"], "wrong-pw")
    for _ in range(5):
        with pytest.raises(AuthenticationError):
            await login(session.page, session.backoffice_url, session.labels, bad)
    good = LoginSecrets(EMAILS["shop-lock"], PASSWORDS["shop-lock"])
    with pytest.raises(AccountLockedError, match="locked"):
        await login(session.page, session.backoffice_url, session.labels, good)
    assert mock_state()["shop-lock"]["login"]["locked"] is True


async def test_totp_second_step(store_session: SessionFactory, mock_state) -> None:
    session = await store_session("shop-totp")
    await login(
        session.page,
        session.backoffice_url,
        session.labels,
        LoginSecrets(EMAILS["shop-totp"], PASSWORDS["shop-totp"], TOTP_SECRET),
    )
    assert await is_logged_in(session.page, session.backoffice_url, session.labels)


async def test_totp_missing_secret_and_wrong_secret(store_session: SessionFactory) -> None:
    session = await store_session("shop-totp")
    with pytest.raises(AuthenticationError, match="no TOTP secret is configured"):
        await login(
            session.page,
            session.backoffice_url,
            session.labels,
            LoginSecrets(EMAILS["shop-totp"], PASSWORDS["shop-totp"]),
        )
    session = await store_session("shop-totp")
    with pytest.raises(AuthenticationError, match="one-time code was refused"):
        await login(
            session.page,
            session.backoffice_url,
            session.labels,
            LoginSecrets(EMAILS["shop-totp"], PASSWORDS["shop-totp"], "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
        )
