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

    async def _first_visible(self, key: str) -> Locator | None:
        """The first button of the bar whose text is one of the label table's names under `key`."""
        for name in dict.fromkeys(self.labels.mapping(key).values()):
            button = self._button(name)
            if await button.count() and await button.first.is_visible():
                return button.first
        return None

    async def accept_button(self) -> Locator | None:
        """Whatever accepts on the first layer (Yes, Accept, OK): the bar's layout, not the fleet file, decides."""
        return await self._first_visible("storefront.accept")

    async def reject_button(self) -> Locator | None:
        return await self._first_visible("storefront.reject")

    @property
    def manage_button(self) -> Locator:
        return self._button(self.labels["storefront.manage"])

    @property
    def save_preferences_button(self) -> Locator:
        return self._button(self.labels["storefront.save_preferences"])

    async def reject_all(self) -> int:
        """Refuse every optional cookie with the fewest clicks the bar allows; returns the clicks it took."""
        reject = await self.reject_button()
        if reject is not None:
            await reject.click()
            return 1
        # Second layer: open the preferences, leave every category unticked, save.
        await self.manage_button.first.click()
        boxes = self.bar.locator("input[type='checkbox']")
        for index in range(await boxes.count()):
            await boxes.nth(index).uncheck()
        await self.save_preferences_button.first.click()
        return 2 + await boxes.count()

    async def visible(self, locator: Locator | None) -> bool:
        return locator is not None and await locator.count() > 0 and await locator.first.is_visible()

    async def accept_all(self) -> bool:
        accept = await self.accept_button()
        if accept is None:
            return False
        await accept.click()
        return True

    async def footer_link(self, title: str) -> str | None:
        """The address the footer links to under this title, or None when there is no such link."""
        link = self.page.locator("footer").get_by_role("link", name=title, exact=True)
        if await link.count() == 0:
            return None
        href = await link.first.get_attribute("href")
        return None if href is None else await self.page.evaluate("h => new URL(h, document.baseURI).href", href)

    async def main_html(self) -> str:
        """The page's own content (without header, cookie bar and footer) as HTML."""
        main = self.page.locator("main")
        return await (main.first.inner_html() if await main.count() else self.page.locator("body").inner_html())
