"""Log in to a store's backoffice: email and password, then a one-time code when the account has MFA.

A refused password or code is never retried (the account locks after a few failures); only transient
faults may be retried, by the engine.
"""

from __future__ import annotations

import pyotp
from playwright.async_api import Page

from core.errors import AccountLockedError, AuthenticationError
from core.models import LoginSecrets
from flows.labels import Labels
from flows.pages.base import is_login_url
from flows.pages.login_page import LoginPage


async def is_logged_in(page: Page, backoffice_url: str, labels: Labels) -> bool:
    """Open the dashboard; True when the backoffice did not send us to the login page."""
    login = LoginPage(page, backoffice_url, labels)
    await login.load(login.backoffice_url + "/")
    return not is_login_url(page.url)


async def login(page: Page, backoffice_url: str, labels: Labels, secrets: LoginSecrets) -> None:
    """Log in from wherever the page is; afterwards the page shows the backoffice."""
    login_page = LoginPage(page, backoffice_url, labels)
    # Reuse the login form only when it is really on screen (an error page can sit at the login URL).
    if not (is_login_url(page.url) and await login_page.email.count()):
        await login_page.load(login_page.url)
        if not is_login_url(page.url):
            return  # the backoffice let us straight in: the session is still valid
    await (await login_page.require(login_page.email, "email field")).fill(secrets.email)
    await (await login_page.require(login_page.password, "password field")).fill(secrets.password)
    await login_page.submit_form(await login_page.require(login_page.login_button, "Log in button"))

    if await login_page.is_code_step():
        if not secrets.totp_secret:
            raise AuthenticationError(
                "the backoffice asks for a one-time code but no TOTP secret is configured "
                "(set credentials.totp_secret_env in the fleet file)"
            )
        code = pyotp.TOTP(secrets.totp_secret).now()
        await login_page.code.first.fill(code)
        await login_page.submit_form(await login_page.require(login_page.verify_button, "Verify button"))

    if is_login_url(page.url):
        await _raise_refusal(login_page)


async def _raise_refusal(login_page: LoginPage) -> None:
    message = await login_page.alert_text()
    labels = login_page.labels
    if labels["login.locked"] in message:
        raise AccountLockedError(f"account locked: {message} (unlock it in the backoffice; the tool will not retry)")
    if labels["login.bad_code"] in message:
        raise AuthenticationError(f"the one-time code was refused: {message} (check the TOTP secret and the clock)")
    if labels["login.bad_credentials"] in message:
        raise AuthenticationError(f"the email or password was refused: {message}")
    raise login_page.mismatch("login result", f"still on the login page, message {message!r}")
