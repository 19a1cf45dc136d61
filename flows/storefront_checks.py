"""Storefront verification: what a visitor actually gets, with evidence (no login, fresh contexts).

Modelled on the EDPS Website Evidence Collector and Blacklight: record cookies and tracking requests
before any choice, after rejecting, and after accepting (the positive control that proves the check can
see analytics at all), with screenshots. Each check has a name; a failing check names what it saw.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from playwright.async_api import BrowserContext, Page

from core.models import CheckResult, CheckStatus
from flows.content.html_text import page_text
from flows.content.page_languages import checkable, language_root
from flows.content.privacy_elements import detect_elements
from flows.labels import SUPPORTED_LOCALES, Labels, labels_for
from flows.pages.storefront_page import BAR_SELECTOR, FOUND_BY_TEXT, StorefrontPage
from flows.tracking import ADVERTISING, ANALYTICS, tracking_cookies, tracking_requests

ContextFactory = Callable[[dict[str, str] | None], Awaitable[BrowserContext]]
#: for a page's HTML in a language: the required elements missing from it ("id (description)"), and one
#: line of evidence per required element (see flows/content/privacy_elements.py); None when the element
#: table has no wording for that language (the content cannot be checked)
ContentCheck = Callable[[str, str], tuple[list[str], list[str]] | None]
#: the storefront's label table of a shop language (bar texts, default page titles); None when there is none
LabelsFor = Callable[[str], Labels | None]
CHOICE_MODES = ("confirm", "custom")


class EvidenceSink(Protocol):
    def save(self, store_id: str, name: str, content: str | bytes, kind: str = "backups") -> Any: ...


@dataclass(frozen=True)
class StorefrontExpectations:
    """What the fleet file says the live shop must show; None means the setting is not managed."""

    cookie_law_mode: str | None = None
    measurement_id: str | None = None
    require_consent: bool = True
    #: True: the CCPA page must be public and linked; False: it must not be public; None: not checked
    ccpa_page: bool | None = None
    privacy_content_check: ContentCheck | None = None
    #: the shop's languages, default first (empty: one language, the labels' locale)
    languages: tuple[str, ...] = ()
    #: where the privacy policy lives under each language's root (its slug is the same in every language)
    privacy_path: str = "service/privacy-policy/"
    #: the CCPA page: its address under each language's root when its slug is known, else found by title
    ccpa_path: str | None = None
    #: language -> the CCPA page's title (from the fleet file, else the label table's default)
    ccpa_titles: dict[str, str] = field(default_factory=dict)


@dataclass
class RequestLog:
    """Every request a page makes, in order, so a phase can take the slice that belongs to it."""

    urls: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("request", lambda request: self.urls.append(request.url))

    def since(self, mark: int) -> list[str]:
        return self.urls[mark:]


async def _consent_cookies(context: BrowserContext) -> dict[str, str]:
    """The platform's record of the visitor's choice (COOKIELAW, COOKIELAW_STATS, ...), as evidence."""
    return {c["name"]: c["value"] for c in await context.cookies() if c["name"].startswith("COOKIELAW")}


def _result(name: str, status: CheckStatus, message: str, seen: list[str] | None = None) -> CheckResult:
    return CheckResult(name=name, status=status, message=message, seen=seen or [])


class StorefrontVerifier:
    def __init__(self, new_context: ContextFactory, store_id: str, storefront_url: str, labels: Labels,
                 expected: StorefrontExpectations, evidence: EvidenceSink,
                 labels_for_language: LabelsFor | None = None) -> None:
        self.new_context = new_context
        self.store_id = store_id
        self.storefront_url = storefront_url
        self.labels = labels
        self.expected = expected
        self.evidence = evidence
        self.labels_for_language = labels_for_language or (lambda language: labels if language == labels.locale
                                                           else None)
        self.languages = expected.languages or (labels.locale,)
        self.results: list[CheckResult] = []
        self.phases: dict[str, Any] = {"languages": list(self.languages)}

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def storefront(self, page: Page, language: str | None = None) -> StorefrontPage:
        language = language or self.default_language
        return StorefrontPage(page, language_root(self.storefront_url, self.expected.languages, language),
                              self.labels_for_language(language), self.expected.privacy_path)

    def check_name(self, name: str, language: str) -> str:
        """Per-language checks carry the language when the shop has several: `privacy_policy_public[de]`."""
        return f"{name}[{language}]" if len(self.languages) > 1 else name

    def add(self, name: str, status: CheckStatus, message: str, seen: list[str] | None = None) -> None:
        self.results.append(_result(name, status, message, seen))

    async def _screenshot(self, page: Page, name: str) -> None:
        self.evidence.save(self.store_id, f"{name}.png", await page.screenshot(full_page=True), kind="evidence")

    async def _record(self, phase: str, context: BrowserContext, requests: list[str]) -> list[str]:
        cookies = await context.cookies()
        self.phases[phase] = {
            "cookies": [{"name": c["name"], "path": c.get("path"), "expires": c.get("expires")} for c in cookies],
            "requests": requests,
        }
        return tracking_cookies(cookies) + tracking_requests(requests)

    async def _second_page(self, storefront: StorefrontPage) -> None:
        """Navigate the way a visitor would: to a footer page other than the privacy policy, else home."""
        links = storefront.page.locator("footer a")
        for index in range(await links.count()):
            href = await links.nth(index).get_attribute("href") or ""
            if "privacy" not in href:
                await storefront.open(await storefront.page.evaluate("h => new URL(h, document.baseURI).href", href))
                return
        await storefront.open_home()

    async def run(self) -> list[CheckResult]:
        mode = self.expected.cookie_law_mode
        try:
            context = await self.new_context(None)
            try:
                reachable = await self._first_view_and_reject(context, mode)
            finally:
                await context.close()
            if reachable:
                await self._accept_phase(mode)
                await self._gpc_phase(mode)
        except Exception as exc:  # keep the checks already made; the unfinished part is a failure of its own
            self.add("storefront_check_error", CheckStatus.FAIL,
                     f"the checks could not finish: {str(exc).splitlines()[0]}")
        self.evidence.save(self.store_id, "evidence.json",
                           json.dumps({"store": self.store_id, "storefront_url": self.storefront_url,
                                       "phases": self.phases,
                                       "checks": [r.model_dump(mode="json") for r in self.results]},
                                      indent=2), kind="evidence")
        return self.results

    async def _first_view_and_reject(self, context: BrowserContext, mode: str | None) -> bool:
        page = await context.new_page()
        log = RequestLog()
        log.attach(page)
        storefront = self.storefront(page)
        response = await storefront.open_home()
        if response is None or response.status >= 400:
            status = response.status if response else "no response"
            self.add("storefront_reachable", CheckStatus.FAIL, f"the homepage answered {status}")
            return False
        await self._screenshot(page, "first-view")
        seen_before = await self._record("first_view", context, list(log.urls))
        bar_shown = await storefront.bar_visible()
        self.phases["cookie_bar_found_by"] = storefront.found_by

        if mode is None or mode == "none":
            self.add("cookie_bar_shown", CheckStatus.SKIP, "the fleet file does not ask for a cookie bar")
        elif bar_shown:
            self.add("cookie_bar_shown", CheckStatus.PASS, f"the cookie bar shows on the homepage (mode {mode}); "
                     + FOUND_BY_TEXT[storefront.found_by or "markup"], [FOUND_BY_TEXT[storefront.found_by or "markup"]])
        else:
            labels = "" if storefront.labels else f" (no label table for {self.default_language}: markup only)"
            self.add("cookie_bar_shown", CheckStatus.FAIL, f"no cookie bar on the homepage although mode is {mode}: "
                     f"neither the platform's {BAR_SELECTOR} nor a banner the label table describes{labels}")
        await self._first_layer(storefront, mode, bar_shown)

        if seen_before:
            self.add("no_tracking_before_consent", CheckStatus.FAIL,
                     "analytics/advertising before any choice: " + ", ".join(seen_before), seen_before)
        else:
            self.add("no_tracking_before_consent", CheckStatus.PASS, "no analytics or advertising cookies or beacons")

        if not (bar_shown and mode in CHOICE_MODES):
            reason = "no cookie bar with a choice to reject"
            self.add("no_tracking_after_reject", CheckStatus.SKIP, reason)
            self.add("cookie_bar_on_privacy_page", CheckStatus.SKIP, reason)
            return True
        mark = len(log.urls)
        try:
            clicks = await storefront.reject_all()
        except LookupError as exc:
            self.add("no_tracking_after_reject", CheckStatus.FAIL, f"cannot reject: {exc}")
            self.add("cookie_bar_on_privacy_page", CheckStatus.SKIP, "no choice could be made")
            return True
        self.phases["reject_clicks"] = clicks
        self.phases["after_reject_consent_cookies"] = await _consent_cookies(context)
        await self._second_page(storefront)
        await self._screenshot(page, "after-reject")
        seen_after = await self._record("after_reject", context, log.since(mark))
        if seen_after:
            self.add("no_tracking_after_reject", CheckStatus.FAIL,
                     "analytics/advertising after rejecting: " + ", ".join(seen_after), seen_after)
        else:
            self.add("no_tracking_after_reject", CheckStatus.PASS, "no tracking after rejecting, on a second page")
        await storefront.open(storefront.privacy_policy_url)
        if await storefront.bar_visible():
            self.add("cookie_bar_on_privacy_page", CheckStatus.PASS, "the bar shows again on the privacy policy page",
                     [f"consent cookies after rejecting: {self.phases['after_reject_consent_cookies']}"])
        else:
            self.add("cookie_bar_on_privacy_page", CheckStatus.FAIL,
                     "after a choice the privacy policy page shows no cookie bar: consent cannot be withdrawn there")
        return True

    async def _first_layer(self, storefront: StorefrontPage, mode: str | None, bar_shown: bool) -> None:
        name = "reject_on_first_layer"
        if not bar_shown or mode is None or mode == "none":
            self.add(name, CheckStatus.SKIP, "no cookie bar")
            return
        accept = await storefront.accept_button() is not None
        reject = await storefront.reject_button() is not None
        manage = await storefront.manage_button() is not None
        how = FOUND_BY_TEXT[storefront.found_by or "markup"]
        if accept and reject:
            self.add(name, CheckStatus.PASS, "accept and reject are both on the first layer", [how])
        elif accept and not manage:
            self.add(name, CheckStatus.WARN, "the bar only notifies: visitors cannot refuse cookies", [how])
        elif accept:
            manage_label = storefront.labels["storefront.manage"] if storefront.labels else "Manage cookies"
            self.add(name, CheckStatus.WARN, "rejecting takes more clicks than accepting (only through "
                     f"'{manage_label}')", [how])
        else:
            self.add(name, CheckStatus.FAIL, f"the bar offers no accept control the tool recognises ({how})")

    async def _accept_phase(self, mode: str | None) -> None:
        name = "analytics_after_accept"
        if not self.expected.measurement_id:
            self.add(name, CheckStatus.SKIP, "no Google Analytics Measurement ID in the fleet file")
        elif mode not in CHOICE_MODES:
            self.add(name, CheckStatus.SKIP, "visitors cannot accept analytics in this cookie-law mode")
        context = await self.new_context(None)
        try:
            page = await context.new_page()
            log = RequestLog()
            log.attach(page)
            storefront = self.storefront(page)
            await storefront.open_home()
            if self.expected.measurement_id and mode in CHOICE_MODES and await storefront.accept_all():
                await self._second_page(storefront)
                await self._screenshot(page, "after-accept")
                cookies = await context.cookies()
                await self._record("after_accept", context, list(log.urls))
                seen = tracking_cookies(cookies, (ANALYTICS,)) + tracking_requests(log.urls, (ANALYTICS,))
                if seen:
                    self.add(name, CheckStatus.PASS, "analytics works after accepting: " + ", ".join(seen), seen)
                else:
                    self.add(name, CheckStatus.FAIL, "positive control failed: no analytics cookie or beacon after "
                             "accepting, so the other checks cannot prove anything about analytics here")
            elif self.expected.measurement_id and mode in CHOICE_MODES:
                self.add(name, CheckStatus.FAIL, "no cookie bar with an accept control, so analytics cannot be "
                         "switched on by a visitor")
            for language in self.languages:
                await self._pages(self.storefront(page, language), language)
        finally:
            await context.close()

    async def _pages(self, storefront: StorefrontPage, language: str) -> None:
        """In one language: the privacy policy (and the CCPA page where it applies) are public and linked from
        the footer, and the policy holds the required elements in that language."""
        await storefront.open_home()
        public, content = self.check_name("privacy_policy_public", language), self.check_name(
            "privacy_policy_content", language)
        url = storefront.privacy_policy_url
        href = await storefront.footer_link_to(url)
        response = await storefront.open(url)
        if response is None or response.status != 200:
            self.add(public, CheckStatus.FAIL, f"{url} answered {response.status if response else 'nothing'}")
            self.add(content, CheckStatus.SKIP, "the privacy policy is not public")
        elif href is None:
            self.add(public, CheckStatus.FAIL, f"the footer of {storefront.storefront_url} has no link to {url}")
            await self._content(content, storefront, language)
        else:
            self.add(public, CheckStatus.PASS, f"public and linked from the footer: {href}")
            await self._content(content, storefront, language)
        await self._ccpa(storefront, language)

    async def _content(self, name: str, storefront: StorefrontPage, language: str) -> None:
        check = self.expected.privacy_content_check
        if check is None:
            self.add(name, CheckStatus.SKIP, "privacy_policy is not managed")
            return
        outcome = check(await storefront.main_html(), language)
        if outcome is None:
            self.add(name, CheckStatus.WARN, f"not checked: the required-elements table "
                     f"(flows/content/privacy_elements.yaml) has no wording for language {language!r}")
            return
        missing, evidence = outcome
        if missing:
            self.add(name, CheckStatus.FAIL, f"required elements missing ({language}): " + ", ".join(missing),
                     evidence)
        else:
            self.add(name, CheckStatus.PASS, f"every required element is present ({language})", evidence)

    async def _ccpa(self, storefront: StorefrontPage, language: str) -> None:
        name = self.check_name("ccpa_page_public", language)
        if self.expected.ccpa_page is None:
            self.add(name, CheckStatus.SKIP, "the CCPA page is not managed for this store")
            return
        await storefront.open_home()
        title = self.expected.ccpa_titles.get(language)
        href = None
        if self.expected.ccpa_path:
            href = await storefront.footer_link_to(storefront.storefront_url + self.expected.ccpa_path)
        if href is None and title:
            href = await storefront.footer_link(title)
        wanted = " or ".join(part for part in (self.expected.ccpa_path and f"to {self.expected.ccpa_path}",
                                                title and f"'{title}'") if part)
        if self.expected.ccpa_page is False:
            status = CheckStatus.PASS if href is None else CheckStatus.FAIL
            self.add(name, status, "not public, as desired" if href is None else f"still public at {href}")
            return
        if href is None:
            self.add(name, CheckStatus.FAIL, f"the footer of {storefront.storefront_url} has no link {wanted}")
            return
        response = await storefront.open(href)
        if response is None or response.status != 200:
            self.add(name, CheckStatus.FAIL, f"{href} answered {response.status if response else 'nothing'}")
        else:
            self.add(name, CheckStatus.PASS, f"public and linked from the footer: {href}")

    async def _gpc_phase(self, mode: str | None) -> None:
        name = "gpc_no_advertising"
        if mode not in CHOICE_MODES:
            self.add(name, CheckStatus.SKIP, "no cookie bar with a choice")
            return
        context = await self.new_context({"Sec-GPC": "1"})
        try:
            await context.add_init_script("Object.defineProperty(navigator, 'globalPrivacyControl', {value: true})")
            page = await context.new_page()
            storefront = self.storefront(page)
            await storefront.open_home()
            if await storefront.bar_visible() and await storefront.accept_all():
                await storefront.open_home()
            seen = tracking_cookies(await context.cookies(), (ADVERTISING,))
            if seen:
                # Report only: honouring GPC is required by the CCPA for "sale/share", not enforced here.
                self.add(name, CheckStatus.WARN, "advertising cookies despite Global Privacy Control "
                         "(Sec-GPC: 1): " + ", ".join(seen), seen)
            else:
                self.add(name, CheckStatus.PASS, "no advertising cookies for a visitor sending Sec-GPC: 1")
        finally:
            await context.close()


def _privacy_content_check(policy: Any) -> ContentCheck | None:
    if policy is None:
        return None

    def missing(html: str, language: str) -> tuple[list[str], list[str]] | None:
        if not checkable(language):
            return None
        findings = detect_elements(page_text(html), language, policy.profile, policy.required)
        absent = [f"{f.element.id} ({f.element.description(language)})" for f in findings if not f.present]
        return absent, [finding.explain() for finding in findings]

    return missing


def _ccpa_titles(ccpa: Any, languages: tuple[str, ...]) -> dict[str, str]:
    """The CCPA page's title per shop language: the fleet file's, else the label table's default."""
    titles = dict(getattr(ccpa, "title", None) or {})
    for language in languages:
        if language not in titles and language in SUPPORTED_LOCALES:
            titles[language] = labels_for(language)["content_pages.ccpa_title"]
    return titles


def expectations_for(desired: dict[str, Any], languages: tuple[str, ...]) -> StorefrontExpectations:
    """What the live shop must show, derived from a store's desired settings (by setting name)."""
    cookie_law = desired.get("cookie_law")
    analytics = desired.get("analytics")
    ccpa = desired.get("ccpa_page")
    policy = desired.get("privacy_policy")
    ccpa_slug = getattr(ccpa, "slug", None)
    return StorefrontExpectations(
        cookie_law_mode=getattr(cookie_law, "mode", None),
        measurement_id=getattr(analytics, "measurement_id", None),
        require_consent=getattr(analytics, "require_consent", True),
        ccpa_page={"present": True, "absent": False}.get(getattr(ccpa, "state", None) or ""),
        privacy_content_check=_privacy_content_check(policy),
        languages=languages,
        privacy_path=f"service/{getattr(policy, 'slug', None) or 'privacy-policy'}/",
        ccpa_path=f"service/{ccpa_slug}/" if ccpa_slug else None,
        ccpa_titles=_ccpa_titles(ccpa, languages),
    )


def storefront_labels(language: str) -> Labels | None:
    """The label table of a shop language, for a storefront in it; None when the tool has none."""
    return labels_for(language) if language in SUPPORTED_LOCALES else None


async def verify_storefront(new_context: ContextFactory, store_id: str, storefront_url: str, labels: Labels,
                            desired: dict[str, Any], evidence: EvidenceSink,
                            languages: tuple[str, ...] = ()) -> list[CheckResult]:
    """Check one storefront in every shop language (`languages`, default first; empty: the labels' locale).
    `labels` is the default language's table when there is one (its bar texts are the fallback)."""
    languages = languages or (labels.locale,)
    expected = expectations_for(desired, languages)
    verifier = StorefrontVerifier(new_context, store_id, storefront_url, labels, expected, evidence,
                                  labels_for_language=storefront_labels)
    return await verifier.run()
