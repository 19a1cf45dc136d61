"""The public notice (Art. 34(3)(c)): a text page on the storefront, made and kept through the same
content-page machinery as the privacy policy (found by title, backup before overwrite, never deleted).

Plan reads the page; apply writes it and then checks as an anonymous visitor that the storefront links to
it and shows the notice; `--withdraw` hides the page (kept in the backoffice) and checks it is gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from playwright.async_api import Browser

from automation.breach.backoffice import BrowserOptions, StoreDesk, visitor
from automation.breach.drafts import Draft
from automation.errors import VerificationError
from automation.fleet import StoreConfig
from flows.content.html_text import page_text
from flows.labels import labels_for
from flows.pages.storefront_page import StorefrontPage
from flows.text_pages import read_titled_page, the_page, write_titled_page

SETTING = "breach_notice"


@dataclass(frozen=True)
class NoticeChange:
    store: str
    language: str
    title: str
    #: create | update | show | hide | none
    action: str
    page: dict[str, Any] | None

    def describe(self) -> str:
        where = f" (page {self.page['id']}, {self.page['url']})" if self.page else ""
        text = {"create": "create the page, visible", "update": "replace the content (backup first), visible",
                "show": "make the page visible", "hide": "hide the page (kept, not deleted)",
                "none": "nothing to do"}[self.action]
        return f"store {self.store} [{self.language}]: {self.title!r}: {text}{where}"


async def plan_notice(desk: StoreDesk, draft: Draft, withdraw: bool) -> NoticeChange:
    state = await desk.step(lambda: read_titled_page(desk.session, draft.subject))
    page = the_page(SETTING, state)
    if withdraw:
        action = "hide" if page is not None and page["visible"] else "none"
    elif page is None:
        action = "create"
    elif page_text(page["html"]) != page_text(draft.html):
        action = "update"
    else:
        action = "none" if page["visible"] else "show"
    summary = None if page is None else {k: page[k] for k in ("id", "url", "visible")}
    return NoticeChange(desk.session.store_id, draft.language, draft.subject, action, summary)


async def apply_notice(desk: StoreDesk, draft: Draft, change: NoticeChange) -> None:
    if change.action == "none":
        return
    html = None if change.action == "hide" else draft.html
    await desk.step(lambda: write_titled_page(desk.session, SETTING, draft.subject, html=html,
                                              visible=change.action != "hide"))


async def public_address(browser: Browser, store: StoreConfig, title: str, options: BrowserOptions) -> str | None:
    """Where the storefront's footer links to the notice, as an anonymous visitor sees it (None: no link)."""
    async with visitor(browser, store, options) as page:
        storefront = StorefrontPage(page, store.storefront_url, labels_for(store.locale))
        await storefront.open_home()
        return await storefront.footer_link(title)


async def verify_published(browser: Browser, store: StoreConfig, draft: Draft, options: BrowserOptions) -> str:
    url = await public_address(browser, store, draft.subject, options)
    if url is None:
        raise VerificationError(f"store {store.id}: the storefront shows no link {draft.subject!r} after publishing")
    async with visitor(browser, store, options) as page:
        storefront = StorefrontPage(page, store.storefront_url, labels_for(store.locale))
        response = await storefront.open(url)
        if response is not None and response.status != 200:
            raise VerificationError(f"store {store.id}: the notice {url} answers HTTP {response.status}")
        shown = page_text(await storefront.main_html())
    expected = page_text(draft.html)
    if expected not in shown:
        raise VerificationError(f"store {store.id}: the public page {url} does not show the notice's text")
    return url


async def verify_withdrawn(browser: Browser, store: StoreConfig, draft: Draft, options: BrowserOptions) -> None:
    url = await public_address(browser, store, draft.subject, options)
    if url is not None:
        raise VerificationError(f"store {store.id}: the storefront still links to the notice ({url}) after hiding it")

