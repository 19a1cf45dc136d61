"""The shared consent observation: one visit of a shop as a new visitor, phase by phase, with evidence.

Modelled on the EDPS Website Evidence Collector and Blacklight: record cookies and tracking requests
before any choice, after rejecting, and after accepting (the positive control that proves the checks can
see analytics at all), with screenshots. It judges nothing: it fills a `ConsentObservation` that the
settings' checks read, and does only what their `ConsentNeeds` ask for (no reject without a choice).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from playwright.async_api import BrowserContext, Page

from ecom_privacy.storefront import ConsentObservation, Seen
from flows.pages.storefront_page import StorefrontPage
from flows.tracking import ADVERTISING, classify_cookie, classify_request, tracking_cookies

ContextFactory = Callable[[dict[str, str] | None], Awaitable[BrowserContext]]


class EvidenceSink(Protocol):
    def save(self, store_id: str, name: str, content: str | bytes, kind: str = "backups") -> Any: ...


@dataclass
class RequestLog:
    """Every request a page makes, in order, so a phase can take the slice that belongs to it."""

    urls: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("request", lambda request: self.urls.append(request.url))

    def since(self, mark: int) -> list[str]:
        return self.urls[mark:]


def tracking_seen(cookies: list[dict[str, Any]], requests: list[str]) -> list[Seen]:
    """Tracking cookies (by name, sorted) and then tracking requests (in order), each with its category."""
    named = sorted({(str(c["name"]), category) for c in cookies if (category := classify_cookie(str(c["name"])))})
    return [(category, name) for name, category in named] + [
        (category, url) for url in requests if (category := classify_request(url))]


async def consent_cookies(context: BrowserContext) -> dict[str, str]:
    """The platform's record of the visitor's choice (COOKIELAW, COOKIELAW_STATS, ...), as evidence."""
    return {c["name"]: c["value"] for c in await context.cookies() if c["name"].startswith("COOKIELAW")}


class ConsentVisit:
    """The phases of the visit; `phases` is what evidence.json records of each."""

    def __init__(self, store_id: str, evidence: EvidenceSink, observation: ConsentObservation,
                 storefront: Callable[[Page], StorefrontPage], phases: dict[str, Any]) -> None:
        self.store_id = store_id
        self.evidence = evidence
        self.observation = observation
        self.storefront = storefront
        self.phases = phases

    async def screenshot(self, page: Page, name: str) -> None:
        self.evidence.save(self.store_id, f"{name}.png", await page.screenshot(full_page=True), kind="evidence")

    async def record(self, phase: str, context: BrowserContext, requests: list[str]) -> list[Seen]:
        cookies = await context.cookies()
        self.phases[phase] = {
            "cookies": [{"name": c["name"], "path": c.get("path"), "expires": c.get("expires")} for c in cookies],
            "requests": requests,
        }
        return tracking_seen(cookies, requests)  # type: ignore[arg-type]

    async def second_page(self, storefront: StorefrontPage) -> None:
        """Navigate the way a visitor would: to a footer page other than the privacy policy, else home."""
        links = storefront.page.locator("footer a")
        for index in range(await links.count()):
            href = await links.nth(index).get_attribute("href") or ""
            if "privacy" not in href:
                await storefront.open(await storefront.page.evaluate("h => new URL(h, document.baseURI).href", href))
                return
        await storefront.open_home()

    async def first_view(self, page: Page, log: RequestLog) -> str | None:
        """The homepage before any choice. Returns why the shop cannot be checked (its answer), else None."""
        seen, storefront = self.observation, self.storefront(page)
        response = await storefront.open_home()
        if response is None or response.status >= 400:
            return f"the homepage answered {response.status if response else 'no response'}"
        await self.screenshot(page, "first-view")
        seen.before_choice = await self.record("first_view", page.context, list(log.urls))
        seen.bar_shown = await storefront.bar_visible()
        seen.found_by = storefront.found_by
        self.phases["cookie_bar_found_by"] = storefront.found_by
        if seen.bar_shown and seen.needs.bar:
            seen.accept_control = await storefront.accept_button() is not None
            seen.reject_control = await storefront.reject_button() is not None
            seen.manage_control = await storefront.manage_button() is not None
            if storefront.labels:
                seen.manage_label = storefront.labels["storefront.manage"]
        return None

    async def reject(self, page: Page, log: RequestLog) -> None:
        """Reject, then look at a second page and at the privacy policy (where the bar must come back)."""
        seen, storefront = self.observation, self.storefront(page)
        if not (seen.bar_shown and seen.needs.choice):
            return
        mark = len(log.urls)
        try:
            clicks = await storefront.reject_all()
        except LookupError as exc:
            seen.rejected, seen.reject_error = False, str(exc)
            return
        seen.rejected = True
        self.phases["reject_clicks"] = clicks
        seen.consent_cookies_after_reject = await consent_cookies(page.context)
        self.phases["after_reject_consent_cookies"] = seen.consent_cookies_after_reject
        await self.second_page(storefront)
        await self.screenshot(page, "after-reject")
        seen.after_reject = await self.record("after_reject", page.context, log.since(mark))
        await storefront.open(storefront.privacy_policy_url)
        seen.bar_on_privacy_page = await storefront.bar_visible()

    async def accept(self, page: Page, log: RequestLog) -> None:
        """A fresh visit: accept (where the checks ask for it and there is a choice) and look at a second page.
        Where the bar only notifies, acknowledge it (OK) instead: analytics must still wait for consent."""
        seen, storefront = self.observation, self.storefront(page)
        await storefront.open_home()
        if seen.needs.accept and not seen.needs.choice and seen.bar_shown:
            if await storefront.accept_all():
                await self.second_page(storefront)
                await self.screenshot(page, "after-notice")
                seen.after_notice = await self.record("after_notice", page.context, list(log.urls))
            return
        if not (seen.needs.accept and seen.needs.choice):
            return
        seen.accepted = await storefront.accept_all()
        if seen.accepted:
            await self.second_page(storefront)
            await self.screenshot(page, "after-accept")
            seen.after_accept = await self.record("after_accept", page.context, list(log.urls))

    async def with_gpc(self, new_context: ContextFactory) -> None:
        """A fresh visit sending Global Privacy Control that accepts whatever the bar offers: which
        advertising cookies does it get? (Only where there is a choice.)"""
        seen = self.observation
        if not seen.needs.choice:
            return
        context = await new_context({"Sec-GPC": "1"})
        try:
            await context.add_init_script("Object.defineProperty(navigator, 'globalPrivacyControl', {value: true})")
            page = await context.new_page()
            storefront = self.storefront(page)
            await storefront.open_home()
            if await storefront.bar_visible() and await storefront.accept_all():
                await storefront.open_home()
            seen.with_gpc = [(ADVERTISING, name) for name in tracking_cookies(await context.cookies(), (ADVERTISING,))]
        finally:
            await context.close()
