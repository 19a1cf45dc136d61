"""The pages of the login chain: the identity service's login form and code step, and a bot challenge.

Lightspeed ID's pages live on another origin than the store and their texts are not public: the forms are
recognised by their fields (`username`, `password`, `code`), which the OIDC hand-over fixes; the button
labels come from the label table's `identity:` keys (guesses), with the form's own submit button as the
fallback so a wrong guess does not stop a login.
"""

from __future__ import annotations

from playwright.async_api import Locator, Response
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from ecom_privacy.errors import BotChallengeError, TransientError
from flows.pages.base import (
    GET_ATTEMPTS,
    BackofficePage,
    check_response,
    in_backoffice,
    is_bot_challenge,
    typed_goto,
    without_query,
)

#: Cloudflare's interstitial: its title and text (English; its header `cf-mitigated` is the surer sign)
CHALLENGE_TITLES = ("Just a moment...", "Just a moment…")
CHALLENGE_TEXT = "Checking your browser"


class LoginChainPage(BackofficePage):
    """Whatever page of the login chain the browser is on; it knows the forms it may meet there."""

    path = ""
    page_name = "login"

    # -- the identity service's login form ------------------------------------------------------------
    @property
    def username(self) -> Locator:
        return self.page.locator("input[name='username']")

    @property
    def password(self) -> Locator:
        return self.page.locator("input[name='password']")

    @property
    def sign_in_button(self) -> Locator:
        return self._submit_of(self.password, "identity.sign_in")

    # -- its code step (TOTP or a recovery code) ------------------------------------------------------
    @property
    def code(self) -> Locator:
        return self.page.locator("input[name='code'], input[autocomplete='one-time-code']")

    @property
    def verify_button(self) -> Locator:
        return self._submit_of(self.code, "identity.verify")

    @property
    def error_alert(self) -> Locator:
        return self.page.locator("[role='alert']")

    @property
    def any_form_field(self) -> Locator:
        return self.page.locator("input[name='username'], input[name='password'], input[name='code'], "
                                 "input[autocomplete='one-time-code']")

    def _submit_of(self, field: Locator, label_key: str) -> Locator:
        """The button labelled as the table says, else the submit button of the form `field` is in."""
        form = self.page.locator("form").filter(has=field)
        labelled = form.get_by_role("button", name=self.labels[label_key], exact=True)
        return labelled.or_(form.locator("button[type='submit'], input[type='submit']"))

    # -- what the browser shows ------------------------------------------------------------------------
    def in_backoffice(self) -> bool:
        return in_backoffice(self.page.url, self.backoffice_url)

    async def shows_password_form(self) -> bool:
        return await self.password.count() > 0 and await self.username.count() > 0

    async def shows_code_form(self) -> bool:
        return await self.code.count() > 0

    async def shows_challenge(self, response: Response | None = None) -> bool:
        if is_bot_challenge(response):
            return True
        title = (await self.page.title()).strip()
        return title in CHALLENGE_TITLES

    async def alert_text(self) -> str:
        if await self.error_alert.count() == 0:
            return ""
        return (await self.error_alert.first.inner_text()).strip()

    # -- moving on ---------------------------------------------------------------------------------------
    async def enter(self) -> Response | None:
        """Open the backoffice's dashboard and follow wherever it sends us. A bot challenge is returned (to
        be waited out), not raised; any other HTTP error is typed as usual, and a transient one (on any page
        of the redirects, either origin) makes the whole GET go again, as a page load does."""
        retrying = AsyncRetrying(stop=stop_after_attempt(GET_ATTEMPTS), wait=wait_exponential(multiplier=0.1, max=1),
                                 retry=retry_if_exception_type(TransientError), reraise=True)
        async for attempt in retrying:
            with attempt:
                response = await typed_goto(self.page, self.backoffice_url + "/")
                if not is_bot_challenge(response):
                    check_response(response, self.page_name)
                return response
        raise AssertionError("unreachable: tenacity re-raises the last error")

    async def submit_form(self, button: Locator) -> Response | None:
        # Wait only until the answer is known (commit): landing in the backoffice needs no more, and the
        # dashboard's styles and scripts are not worth a round trip. Pages of the chain are read, so for
        # them the document is awaited.
        async with self.page.expect_navigation(wait_until="commit") as navigation:
            await button.click()
        response = await navigation.value
        if not is_bot_challenge(response):
            check_response(response, self.page_name)
        if not self.in_backoffice():
            await self.page.wait_for_load_state("domcontentloaded")
        return response

    async def wait_out_challenge(self) -> None:
        """Wait until the challenge page gives way (its script carries on once it is solved), as long as the
        run's timeout (--timeout); raise BotChallengeError when it does not."""
        try:
            await self.page.wait_for_function("titles => !titles.includes(document.title.trim())",
                                              arg=list(CHALLENGE_TITLES))
            await self.page.wait_for_load_state("domcontentloaded")
        except Exception as exc:  # a timeout, or the page closed under the wait: the challenge stands
            raise BotChallengeError(
                f"the login chain at {without_query(self.page.url)} answered with a bot challenge "
                f"(\"Just a moment...\", \"{CHALLENGE_TEXT}\") that did not clear within the timeout (--timeout)"
            ) from exc
