"""The login page and its second step (one-time code)."""

from __future__ import annotations

from playwright.async_api import Locator

from flows.pages.base import BackofficePage, check_response


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
        async with self.page.expect_navigation(wait_until="domcontentloaded") as navigation:
            await button.click()
        check_response(await navigation.value, self.page_name)

    async def alert_text(self) -> str:
        if await self.error_alert.count() == 0:
            return ""
        return (await self.error_alert.first.inner_text()).strip()

    async def is_code_step(self) -> bool:
        return await self.code.count() > 0
