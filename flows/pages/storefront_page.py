"""The public storefront as a visitor sees it: the cookie bar, the footer links, the text pages."""

from __future__ import annotations

from playwright.async_api import Locator, Page, Response

from flows.labels import Labels


class StorefrontPage:
    def __init__(self, page: Page, storefront_url: str, labels: Labels) -> None:
        self.page = page
        self.storefront_url = storefront_url.rstrip("/") + "/"
        self.labels = labels

    async def open_home(self) -> Response | None:
        return await self.page.goto(self.storefront_url, wait_until="load")

    async def open(self, url: str) -> Response | None:
        return await self.page.goto(url, wait_until="load")

    @property
    def privacy_policy_url(self) -> str:
        return self.storefront_url + self.labels["storefront.privacy_policy_path"]

    @property
    def bar(self) -> Locator:
        return self.page.get_by_role("region", name=self.labels["storefront.bar"], exact=True)

    async def bar_visible(self) -> bool:
        return await self.bar.count() > 0 and await self.bar.first.is_visible()

    def _button(self, name: str) -> Locator:
        return self.bar.get_by_role("button", name=name, exact=True)

    def accept_button(self, mode: str) -> Locator | None:
        names = self.labels.mapping("storefront.accept")
        return self._button(names[mode]) if mode in names else None

    def reject_button(self, mode: str) -> Locator | None:
        names = self.labels.mapping("storefront.reject")
        return self._button(names[mode]) if mode in names else None

    @property
    def manage_button(self) -> Locator:
        return self._button(self.labels["storefront.manage"])

    @property
    def save_preferences_button(self) -> Locator:
        return self._button(self.labels["storefront.save_preferences"])

    async def visible(self, locator: Locator | None) -> bool:
        return locator is not None and await locator.count() > 0 and await locator.first.is_visible()

    async def reject_all(self, mode: str) -> int:
        """Refuse every optional cookie with the fewest clicks the bar allows; returns the clicks it took."""
        reject = self.reject_button(mode)
        if await self.visible(reject):
            assert reject is not None
            await reject.first.click()
            return 1
        # Second layer: open the preferences, leave every category unticked, save.
        await self.manage_button.first.click()
        boxes = self.bar.locator("input[type='checkbox']")
        for index in range(await boxes.count()):
            await boxes.nth(index).uncheck()
        await self.save_preferences_button.first.click()
        return 2 + await boxes.count()

    async def accept_all(self, mode: str) -> None:
        accept = self.accept_button(mode)
        if accept is None:
            raise LookupError(f"no accept button known for cookie-law mode {mode!r}")
        await accept.first.click()

    async def footer_link(self, title: str) -> str | None:
        """The address the footer links to under this title, or None when there is no such link."""
        link = self.page.locator("footer").get_by_role("link", name=title, exact=True)
        if await link.count() == 0:
            return None
        href = await link.first.get_attribute("href")
        return None if href is None else await self.page.evaluate("h => new URL(h, document.baseURI).href", href)

    async def main_text(self) -> str:
        main = self.page.locator("main")
        return await (main.first.inner_text() if await main.count() else self.page.locator("body").inner_text())
