"""The login page and its second step (one-time code)."""

from __future__ import annotations

from playwright.async_api import Locator

from flows.pages.base import BackofficePage, check_response, is_login_url


class LoginPage(BackofficePage):
    path = "login"
    page_name = "login"

    @property
    def email(self) -> Locator:
        return self.page.locator("input[name='email']")

    @property
    def password(self) -> Locator:
        return self.page.locator("input[name='password']")

    @property
    def login_button(self) -> Locator:
        return self.page.get_by_role("button", name=self.labels["login.button"], exact=True)

    @property
    def code(self) -> Locator:
        return self.page.locator("input[name='code'], input[autocomplete='one-time-code']")

    @property
    def verify_button(self) -> Locator:
        return self.page.get_by_role("button", name=self.labels["login.verify_button"], exact=True)

    @property
    def error_alert(self) -> Locator:
        return self.page.locator("[role='alert']")

    async def submit_form(self, button: Locator) -> None:
        # Wait only until the answer is known (commit): landing in the backoffice needs no more, and the
        # dashboard's styles and scripts are not worth a round trip. The login pages (a refusal, the code
        # step) are read, so for them the document is awaited.
        async with self.page.expect_navigation(wait_until="commit") as navigation:
            await button.click()
        check_response(await navigation.value, self.page_name)
        if is_login_url(self.page.url):
            await self.page.wait_for_load_state("domcontentloaded")

    async def alert_text(self) -> str:
        if await self.error_alert.count() == 0:
            return ""
        return (await self.error_alert.first.inner_text()).strip()

    async def is_code_step(self) -> bool:
        return await self.code.count() > 0
