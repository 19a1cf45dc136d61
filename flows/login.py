"""Log in to a store's backoffice by following its login chain, wherever it leads.

The backoffice hands over to an identity service on another origin (Lightspeed ID), which asks for the
email and password, then a one-time code when the account has two-step verification, and calls back into
the store (`<admin>/auth/sso?token=...`). The flow does not assume that order or those addresses: on every
page it recognises what is shown (the backoffice itself, a bot challenge, the password form, the code
step) by origin, path and form fields, answers it, and finishes only when it is back on the store's admin
origin outside `<admin>/auth/`. An identity session still alive in the browser passes the chain without
any form.

A refused password or code is never retried (accounts lock after a few failures), whatever page of the
chain says so: a form shown again after it was submitted is a refusal. Only transient faults may be
retried, by the engine.
"""

from __future__ import annotations

from collections.abc import Awaitable
from urllib.parse import parse_qsl, urlsplit

import pyotp
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Locator, Page, Request, Response

from ecom_privacy.clock import Clock
from ecom_privacy.driver import LoginFlow
from ecom_privacy.errors import AccountLockedError, AuthenticationError, CodeUnavailableError, TransientError
from ecom_privacy.models import LoginSecrets, LoginTally
from flows.labels import Labels
from flows.pages.base import in_backoffice, without_query
from flows.pages.login_page import LoginChainPage

#: pages one login may pass through before it is called lost (login, challenge, password, code, callback)
MAX_CHAIN_PAGES = 12
#: times one login enters the chain again after a submission's answer was lost (then the engine retries it)
MAX_REENTRIES = 2
#: the address of a page that has shown nothing yet
BLANK = "about:blank"
#: query parameters of the chain's addresses that are one-time secrets (the SSO token, an OIDC code)
ONE_TIME_PARAMETERS = ("token", "code", "id_token", "access_token")


async def is_logged_in(page: Page, backoffice_url: str, labels: Labels) -> bool:
    """Open the dashboard; True when it shows, i.e. the chain did not stop at a form (an identity session
    still alive passes it on its own)."""
    chain = LoginChainPage(page, backoffice_url, labels)
    await chain.enter()
    return chain.in_backoffice()


def login_flow(clock: Clock) -> LoginFlow:
    """The login as the engine calls it (`ecom_privacy.driver.LoginFlow`), its one-time codes at `clock`'s time."""

    async def login_at(page: Page, backoffice_url: str, labels: Labels, secrets: LoginSecrets,
                       tally: LoginTally | None = None) -> None:
        await login(page, backoffice_url, labels, secrets, tally, clock=clock)

    return login_at


async def login(page: Page, backoffice_url: str, labels: Labels, secrets: LoginSecrets,
                tally: LoginTally | None = None, *, clock: Clock) -> None:
    """Log in from wherever the page is; afterwards the page shows the backoffice. A TOTP code is the one of
    `clock`'s now: the run's clock, which a test can set (the backoffice checks the code against its own)."""
    tally = tally if tally is not None else LoginTally()
    tally.counts.chains += 1
    chain = LoginChainPage(page, backoffice_url, labels)
    watch = _ChainWatch(page, backoffice_url, tally)
    try:
        response: Response | None = None
        # Reuse a form of the chain only when it is really on screen (an error page can sit at its URL); a new
        # page shows nothing (no round trip to the browser to find that out, once per login of a fleet run).
        if chain.in_backoffice() or chain.page.url == BLANK or not await chain.any_form_field.count():
            response = await watch.unreachable_named(chain.enter())
        await _follow(chain, secrets, tally, response, watch, clock)
    finally:
        watch.stop()


async def _follow(chain: LoginChainPage, secrets: LoginSecrets, tally: LoginTally, response: Response | None,
                  watch: _ChainWatch, clock: Clock) -> None:
    submitted: str | None = None  # "password" or "code": what the page now showing answers
    for _ in range(MAX_CHAIN_PAGES):
        if chain.in_backoffice():
            return
        if await chain.shows_challenge(response):
            tally.counts.bot_challenges += 1
            await chain.wait_out_challenge()
            response = None
            continue
        if submitted is not None and await _form_expired(chain) and watch.reentries < MAX_REENTRIES:
            # The form's token ran out (an identity session ended under it): nothing was checked, so it is
            # no refusal; the chain is entered again for a fresh form.
            watch.reentries += 1
            response, submitted = await watch.unreachable_named(chain.enter()), None
            continue
        if await chain.shows_password_form():
            if submitted is not None:
                await _raise_refusal(chain, submitted)
            tally.identity_url = without_query(chain.page.url)
            # Both fields were just found (shows_password_form): filled without looking for them again.
            await chain.username.first.fill(secrets.email)
            await chain.password.first.fill(secrets.password)
            button = await chain.require(chain.sign_in_button, "sign-in button")
            tally.counts.password += 1  # counted before the click: a submission that times out still counts
            submitted = "password"
            response, submitted = await _submit(chain, button, submitted, watch)
            continue
        if await chain.shows_code_form():
            if submitted == "code":
                await _raise_refusal(chain, submitted)
            tally.identity_url = tally.identity_url or without_query(chain.page.url)
            code = _one_time_code(secrets, tally, clock)
            await chain.code.first.fill(code)
            button = await chain.require(chain.verify_button, "verify button")
            tally.counts.code += 1
            submitted = "code"
            response, submitted = await _submit(chain, button, submitted, watch)
            continue
        if submitted is not None and await chain.alert_text():
            await _raise_refusal(chain, submitted)  # a page of its own that says no: still a refusal
        response = await _wait_for_progress(chain)
    raise chain.mismatch("login chain", f"not back in the backoffice after {MAX_CHAIN_PAGES} pages "
                                        f"(at {without_query(chain.page.url)})")


async def _submit(chain: LoginChainPage, button: Locator, submitted: str,
                  watch: _ChainWatch) -> tuple[Response | None, str | None]:
    """Submit a form of the chain. When its answer is lost to a transient fault (a 5xx on the post or on
    one of the redirects after it), the chain is entered again from the backoffice: an accepted password has
    left an identity session that carries us through, an unanswered one shows its form again, which is then
    no refusal (nothing answered it) but a form to fill in again."""
    try:
        return await watch.unreachable_named(chain.submit_form(button)), submitted
    except TransientError:
        if watch.reentries >= MAX_REENTRIES:
            raise
        watch.reentries += 1
        return await watch.unreachable_named(chain.enter()), None


def _one_time_code(secrets: LoginSecrets, tally: LoginTally, clock: Clock) -> str:
    """The current TOTP code; without a TOTP secret the next unused recovery code (spent from now on)."""
    if secrets.totp_secret:
        return pyotp.TOTP(secrets.totp_secret).at(clock.now())
    if secrets.recovery_codes:
        code = secrets.recovery_codes[0]
        if tally.on_recovery_code is not None:
            tally.on_recovery_code(code)
        tally.counts.recovery_codes += 1
        return code
    raise CodeUnavailableError(
        "the login chain asks for a one-time code but no TOTP secret is configured and no unused recovery code "
        "is left (set credentials.totp_secret_env, or credentials.recovery_codes_env to fresh recovery codes, "
        "in the fleet file)"
    )


async def _wait_for_progress(chain: LoginChainPage) -> Response | None:
    """A page of the chain that is none of the known ones (a hand-over that forwards by script): wait for the
    next document, and call it a changed UI when none comes."""
    url = chain.page.url
    try:
        async with chain.page.expect_navigation(wait_until="domcontentloaded") as navigation:
            pass
        return await navigation.value
    except Exception:
        if chain.page.url != url:
            return None  # it moved on while we were looking: read the new page
        raise chain.mismatch("login form", f"the login chain stopped at {without_query(url)}") from None


async def _form_expired(chain: LoginChainPage) -> bool:
    return chain.labels["identity.form_expired"] in await chain.alert_text()


async def _raise_refusal(chain: LoginChainPage, submitted: str) -> None:
    """The form answered was shown again (or a page said no): the password or code was refused."""
    message = await chain.alert_text()
    labels = chain.labels
    said = f": {message}" if message else " (no message shown)"
    if labels["identity.locked"] in message:
        raise AccountLockedError(f"account locked{said} (unlock it in the backoffice; the tool will not retry)")
    if submitted == "code" or labels["identity.bad_code"] in message:
        raise AuthenticationError(
            f"the one-time code was refused{said} (check the TOTP secret and the clock, or the recovery codes)")
    raise AuthenticationError(f"the email or password was refused{said}")


def one_time_values(url: str, backoffice_url: str) -> list[str]:
    """The one-time values (an SSO token, a code) a navigation off the store's backoffice carries in its query:
    secrets of the run, for the redactor."""
    if in_backoffice(url, backoffice_url):
        return []
    return [value for name, value in parse_qsl(urlsplit(url).query) if name in ONE_TIME_PARAMETERS and value]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class _ChainWatch:
    """Listens to the page while the chain runs: one-time tokens in its addresses go to the tally (for the
    redactor), and a navigation that fails names the origin it failed on (the identity service, say)."""

    def __init__(self, page: Page, backoffice_url: str, tally: LoginTally) -> None:
        self.page = page
        self.backoffice_url = backoffice_url
        self.tally = tally
        self.failed_origin: str | None = None
        self.reentries = 0
        page.on("request", self._on_request)
        page.on("requestfailed", self._on_failed)

    def _on_request(self, request: Request) -> None:
        if request.is_navigation_request():
            self.tally.one_time_values.extend(one_time_values(request.url, self.backoffice_url))

    def _on_failed(self, request: Request) -> None:
        if request.is_navigation_request():
            self.failed_origin = _origin(request.url)

    async def unreachable_named(self, step: Awaitable[Response | None]) -> Response | None:
        """Run a navigation of the chain; a connection failure names the origin that could not be reached
        (the store's own failures keep their usual message)."""
        self.failed_origin = None
        try:
            return await step
        except (TransientError, PlaywrightError) as exc:
            origin = self.failed_origin
            if origin is None or origin == _origin(self.backoffice_url):
                raise
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise TransientError(f"the login chain could not reach {origin} (the identity service): "
                                 f"{reason.split(': ', 1)[-1]}") from exc

    def stop(self) -> None:
        self.page.remove_listener("request", self._on_request)
        self.page.remove_listener("requestfailed", self._on_failed)
