"""The public storefront as a visitor sees it: the cookie bar, the footer links, the text pages.

The cookie bar is found by the platform's own markup first (real stores' HTML, docs/backoffice.md): a
`div.wsa-cookielaw` whose choices are links to `/cookielaw/optIn/` and `/cookielaw/optOut/`. Only when that
is absent (a theme with its own banner) is it looked for by its visible texts from the label table of the
page's language: a region named like `storefront.bar` with buttons named `storefront.accept` / `.reject`.
`found_by` says which way worked, so every check can say what it relied on.
"""

from __future__ import annotations

from typing import Literal

from playwright.async_api import Locator, Page, Response

from flows.labels import Labels

#: the platform's cookie bar and its choice links, as real stores render them (their own e2e tests use these)
BAR_SELECTOR = ".wsa-cookielaw"
OPT_IN_SELECTOR = "a[href*='/cookielaw/optIn/']"
OPT_OUT_SELECTOR = "a[href*='/cookielaw/optOut/']"
#: the submit control of the custom-message mode's Manage cookies form (its markup is not documented)
SUBMIT_SELECTOR = "form button[type='submit'], form input[type='submit']"
FoundBy = Literal["markup", "labels"]
#: how each way of finding the bar is described in check messages
FOUND_BY_TEXT: dict[str, str] = {
    "markup": f"found by the platform's markup ({BAR_SELECTOR} with {OPT_IN_SELECTOR} / {OPT_OUT_SELECTOR} links)",
    "labels": "found by the label table (a region with buttons named by their texts), not the platform's markup",
}


class StorefrontPage:
    def __init__(self, page: Page, storefront_url: str, labels: Labels | None,
                 privacy_path: str = "service/privacy-policy/") -> None:
        """`storefront_url`: the language's root (`.../de/` for a non-default language); `labels`: the label
        table of that language, or None when there is none (then only the platform's markup is recognised)."""
        self.page = page
        self.storefront_url = storefront_url.rstrip("/") + "/"
        self.labels = labels
        self.privacy_path = privacy_path
        self.found_by: FoundBy | None = None

    async def open_home(self) -> Response | None:
        return await self.page.goto(self.storefront_url, wait_until="load")

    async def open(self, url: str) -> Response | None:
        return await self.page.goto(url, wait_until="load")

    @property
    def privacy_policy_url(self) -> str:
        return self.storefront_url + self.privacy_path

    # --- the cookie bar ---------------------------------------------------------------------------------
    @property
    def markup_bar(self) -> Locator:
        return self.page.locator(BAR_SELECTOR)

    @property
    def label_bar(self) -> Locator | None:
        if self.labels is None:
            return None
        return self.page.get_by_role("region", name=self.labels["storefront.bar"], exact=True)

    async def bar(self) -> Locator | None:
        """The visible cookie bar, by markup first, then by label; sets `found_by`."""
        if await self.visible(self.markup_bar):
            self.found_by = "markup"
            return self.markup_bar.first
        label_bar = self.label_bar
        if label_bar is not None and await self.visible(label_bar):
            self.found_by = "labels"
            return label_bar.first
        return None

    async def bar_visible(self) -> bool:
        return await self.bar() is not None

    def _named(self, bar: Locator, name: str) -> Locator:
        return bar.get_by_role("button", name=name, exact=True).or_(bar.get_by_role("link", name=name, exact=True))

    async def _first_named(self, bar: Locator, key: str) -> Locator | None:
        """The first control of the bar whose text is one of the label table's names under `key`."""
        if self.labels is None:
            return None
        for name in dict.fromkeys(self.labels.mapping(key).values()):
            control = self._named(bar, name)
            if await self.visible(control):
                return control.first
        return None

    async def _choice(self, selector: str, key: str) -> Locator | None:
        bar = await self.bar()
        if bar is None:
            return None
        if self.found_by == "markup":
            link = bar.locator(selector)
            return link.first if await self.visible(link) else None
        return await self._first_named(bar, key)

    async def accept_button(self) -> Locator | None:
        """Whatever accepts on the first layer (Yes, Accept, OK): the bar's layout, not the fleet file, decides."""
        return await self._choice(OPT_IN_SELECTOR, "storefront.accept")

    async def reject_button(self) -> Locator | None:
        return await self._choice(OPT_OUT_SELECTOR, "storefront.reject")

    async def manage_button(self) -> Locator | None:
        """The custom-message mode's "Manage cookies" control (by its text: its markup is not documented)."""
        bar = await self.bar()
        if bar is None or self.labels is None:
            return None
        control = self._named(bar, self.labels["storefront.manage"])
        return control.first if await self.visible(control) else None

    async def _save_preferences(self, bar: Locator) -> None:
        if self.found_by == "markup" and await self.visible(bar.locator(SUBMIT_SELECTOR)):
            await bar.locator(SUBMIT_SELECTOR).first.click()
            return
        assert self.labels is not None
        await self._named(bar, self.labels["storefront.save_preferences"]).first.click()

    async def _choose(self, control: Locator) -> None:
        """Click a choice; a link of the platform's bar goes to the server and back, so wait for that page."""
        if self.found_by == "markup":
            async with self.page.expect_navigation(wait_until="load"):
                await control.click()
        else:
            await control.click()

    async def reject_all(self) -> int:
        """Refuse every optional cookie with the fewest clicks the bar allows; returns the clicks it took.

        Raises LookupError when the bar offers no way to refuse that the tool recognises."""
        reject = await self.reject_button()
        if reject is not None:
            await self._choose(reject)
            return 1
        # Second layer: open the preferences, leave every category unticked, save.
        manage = await self.manage_button()
        bar = await self.bar()
        if manage is None or bar is None:
            raise LookupError("the cookie bar offers no reject control and no Manage cookies control")
        await manage.click()
        boxes = bar.locator("input[type='checkbox']")
        for index in range(await boxes.count()):
            await boxes.nth(index).uncheck()
        if self.found_by == "markup":
            async with self.page.expect_navigation(wait_until="load"):
                await self._save_preferences(bar)
        else:
            await self._save_preferences(bar)
        return 2 + await boxes.count()

    async def visible(self, locator: Locator | None) -> bool:
        return locator is not None and await locator.count() > 0 and await locator.first.is_visible()

    async def accept_all(self) -> bool:
        accept = await self.accept_button()
        if accept is None:
            return False
        await self._choose(accept)
        return True

    # --- pages ------------------------------------------------------------------------------------------
    async def _footer_hrefs(self) -> list[tuple[str, str]]:
        """(absolute address, text) of every footer link."""
        return await self.page.locator("footer a[href]").evaluate_all(
            "links => links.map(a => [a.href, a.textContent.trim()])")

    async def footer_link(self, title: str) -> str | None:
        """The address the footer links to under this title, or None when there is no such link."""
        wanted = " ".join(title.split()).casefold()
        return next((href for href, text in await self._footer_hrefs() if " ".join(text.split()).casefold() == wanted),
                    None)

    async def footer_link_to(self, url: str) -> str | None:
        """The footer's link to this address (whatever its text), or None."""
        return next((href for href, _ in await self._footer_hrefs() if href.rstrip("/") == url.rstrip("/")), None)

    async def main_html(self) -> str:
        """The page's own content (without header, cookie bar and footer) as HTML."""
        main = self.page.locator("main")
        return await (main.first.inner_html() if await main.count() else self.page.locator("body").inner_html())
