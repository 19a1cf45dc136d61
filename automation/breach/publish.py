"""The public notice (Art. 34(3)(c)): one text page on the storefront with a title and content in every shop
language, made and kept through the same content-page machinery as the privacy policy (flows/text_pages.py:
found by its default-language title, every language backed up before it is overwritten, never deleted).

Plan reads the page in every language; apply writes all languages with one Save and then checks, as an
anonymous visitor of each language's storefront (`/<id>/` for the default, `/<id>/<lang>/` for the others),
that the footer links to the notice under that language's title and that the page shows that language's text.
`--withdraw` hides the page (hiding is per page, so in every language at once; kept in the backoffice) and
checks that no language's storefront links to it or serves it any more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from playwright.async_api import Browser

from automation.access.backoffice import Backoffice
from automation.breach.backoffice import BrowserOptions, visitor
from automation.breach.drafts import Draft
from automation.fleet.model import StoreConfig
from ecom_privacy.errors import VerificationError
from flows.content.html_text import page_text
from flows.content.page_languages import language_root
from flows.pages.storefront_page import StorefrontPage
from flows.text_pages import FoundPage, PageLanguageText, PageMatch, PageTarget, read_text_page, write_text_page

SETTING = "breach_notice"
#: what each action means, as the plan says it
ACTIONS = {"create": "create the page, visible", "update": "replace the content (backup first), visible",
           "show": "make the page visible", "hide": "hide the page (kept, not deleted)", "none": "nothing to do"}


def notice_target(drafts: dict[str, Draft]) -> PageTarget:
    """The notice page: found by its title in the default language (the first draft); a title per language."""
    return PageTarget(slug=None, titles={language: draft.subject for language, draft in drafts.items()})


@dataclass(frozen=True)
class NoticeChange:
    store: str
    #: language -> the notice's title there, the default language first
    titles: dict[str, str]
    #: the page as a whole: create | update | show | hide | none
    action: str
    #: language -> what changes in that language (same words as `action`)
    languages: dict[str, str]
    #: the notice page as found (None: not there yet)
    page: PageMatch | None

    def describe(self) -> str:
        where = f" (page {self.page.id}, {self.page.url})" if self.page else ""
        return "\n".join(f"store {self.store} [{language}]: {self.titles[language]!r}: {ACTIONS[action]}{where}"
                         for language, action in self.languages.items())


def _language_action(page: FoundPage | None, language: str, default: str, draft: Draft) -> str:
    if page is None:
        return "create"
    if page.text(language, default).differs_from(draft.subject, draft.html):
        return "update"
    return "none" if page.visible else "show"


async def plan_notice(backoffice: Backoffice, drafts: dict[str, Draft], withdraw: bool) -> NoticeChange:
    target = notice_target(drafts)
    session = backoffice.session
    assert session is not None  # opened
    state = await backoffice.step(lambda: read_text_page(session, target))
    page = state.found(SETTING)
    default = target.languages[0]
    if withdraw:
        action = "hide" if page is not None and page.visible else "none"
        per_language = dict.fromkeys(target.languages, action)
    else:
        per_language = {language: _language_action(page, language, default, draft)
                        for language, draft in drafts.items()}
        actions = set(per_language.values())
        action = next((a for a in ("create", "update", "show") if a in actions), "none")
    return NoticeChange(session.store_id, target.titles, action, per_language,
                        None if page is None else page.row())


async def apply_notice(backoffice: Backoffice, drafts: dict[str, Draft], change: NoticeChange) -> None:
    if change.action == "none":
        return
    target = notice_target(drafts)
    texts: dict[str, PageLanguageText] | None = None
    session = backoffice.session
    assert session is not None  # opened
    if change.action != "hide":
        texts = {language: PageLanguageText(title=draft.subject, html=draft.html)
                 for language, draft in drafts.items()}
    await backoffice.step(lambda: write_text_page(session, SETTING, target, texts=texts,
                                                  visible=change.action != "hide"))


def _storefront(page: Any, store: StoreConfig, language: str, options: BrowserOptions) -> StorefrontPage:
    """The storefront as a visitor of one shop language sees it (its root, its label table when there is one,
    under the user's `ui_overrides`)."""
    root = language_root(store.storefront_url, store.shop_languages, language)
    return StorefrontPage(page, root, options.shop_labels(language))


async def public_address(browser: Browser, store: StoreConfig, language: str, title: str,
                         options: BrowserOptions) -> str | None:
    """Where the footer of one language's storefront links to the notice (None: no link), as a visitor sees it."""
    async with visitor(browser, store, options) as page:
        storefront = _storefront(page, store, language, options)
        await storefront.open_home()
        return await storefront.footer_link(title)


async def verify_published(browser: Browser, store: StoreConfig, drafts: dict[str, Draft],
                           options: BrowserOptions) -> dict[str, str]:
    """Each language's notice public on that language's storefront; returns language -> its address."""
    addresses = {}
    for language, draft in drafts.items():
        where = f"store {store.id} [{language}]"
        url = await public_address(browser, store, language, draft.subject, options)
        async with visitor(browser, store, options) as page:
            storefront = _storefront(page, store, language, options)
            if url is None:
                raise VerificationError(f"{where}: the storefront {storefront.storefront_url} shows no link "
                                        f"{draft.subject!r} after publishing")
            if not url.startswith(storefront.storefront_url):
                raise VerificationError(f"{where}: the storefront links to the notice at {url}, outside this "
                                        f"language's storefront {storefront.storefront_url}")
            response = await storefront.open(url)
            if response is not None and response.status != 200:
                raise VerificationError(f"{where}: the notice {url} answers HTTP {response.status}")
            shown = page_text(await storefront.main_html())
        if page_text(draft.html) not in shown:
            raise VerificationError(f"{where}: the public page {url} does not show the notice's {language} text")
        addresses[language] = url
    return addresses


async def verify_withdrawn(browser: Browser, store: StoreConfig, drafts: dict[str, Draft], slug: str | None,
                           options: BrowserOptions) -> None:
    """No language's storefront links to the notice, and (its slug known) none serves it any more."""
    for language, draft in drafts.items():
        where = f"store {store.id} [{language}]"
        url = await public_address(browser, store, language, draft.subject, options)
        if url is not None:
            raise VerificationError(f"{where}: the storefront still links to the notice ({url}) after hiding it")
        if slug is None:
            continue
        async with visitor(browser, store, options) as page:
            storefront = _storefront(page, store, language, options)
            address = f"{storefront.storefront_url}service/{slug}/"
            response = await storefront.open(address)
            if response is not None and response.status == 200:
                raise VerificationError(f"{where}: {address} still shows the page after hiding it")
