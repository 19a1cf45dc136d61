"""cookie_law's storefront checks: the bar shows, can be refused on the first layer, a refusal holds on a
second page, the bar comes back on the privacy policy page, and Global Privacy Control gets no advertising.
In the custom-message mode, each shop language's bar shows the fleet file's message and (unless the fleet file
switches it off) the "Manage cookies" control.

The consent checks read the shared consent observation and open no page of their own; the custom message is
read on each language's privacy policy page, where the bar always shows again.
"""

from __future__ import annotations

from ecom_privacy.models import CheckResult, CheckStatus
from ecom_privacy.storefront import ConsentNeeds, Stage, StorefrontCheck, StorefrontVisit
from flows.pages.storefront_page import BAR_SELECTOR, FOUND_BY_TEXT
from flows.storefront.results import CHOICE_MODES, result


def cookie_bar_checks(mode: str | None, messages: dict[str, str] | None = None,
                      manage_cookies: bool | None = None) -> list[StorefrontCheck]:
    """The checks for a cookie-law `mode` (None: not managed, which asks for no bar, like `none`). `messages`:
    the custom message per language where the fleet file gives its text (a template's is checked by plan);
    `manage_cookies`: whether the custom bar must offer "Manage cookies" (None: as the help article says, yes)."""
    needs = ConsentNeeds(bar=mode not in (None, "none"), choice=mode in CHOICE_MODES)
    checks: list[StorefrontCheck] = [BarOnFirstView(mode, needs), RefusalHolds(needs), NoAdvertisingWithGpc(needs)]
    if mode == "custom":
        checks.append(CustomMessageShown(messages or {}, manage_cookies is not False))
    return checks


class BarOnFirstView(StorefrontCheck):
    stage = Stage.FIRST_VIEW

    def __init__(self, mode: str | None, needs: ConsentNeeds) -> None:
        self.mode, self.needs = mode, needs

    async def run(self, visit: StorefrontVisit, language: str) -> list[CheckResult]:
        seen = visit.consent
        how = FOUND_BY_TEXT[seen.found_by or "markup"]
        if not self.needs.bar:
            shown = result("cookie_bar_shown", CheckStatus.SKIP, "the fleet file does not ask for a cookie bar")
        elif seen.bar_shown:
            shown = result("cookie_bar_shown", CheckStatus.PASS,
                           f"the cookie bar shows on the homepage (mode {self.mode}); " + how, [how])
        else:
            labels = "" if seen.labels_known else f" (no label table for {seen.language}: markup only)"
            shown = result("cookie_bar_shown", CheckStatus.FAIL,
                           f"no cookie bar on the homepage although mode is {self.mode}: neither the platform's "
                           f"{BAR_SELECTOR} nor a banner the label table describes{labels}")
        return [shown, self._first_layer(visit)]

    def _first_layer(self, visit: StorefrontVisit) -> CheckResult:
        name, seen = "reject_on_first_layer", visit.consent
        if not seen.bar_shown or not self.needs.bar:
            return result(name, CheckStatus.SKIP, "no cookie bar")
        how = FOUND_BY_TEXT[seen.found_by or "markup"]
        if seen.accept_control and seen.reject_control:
            return result(name, CheckStatus.PASS, "accept and reject are both on the first layer", [how])
        if seen.accept_control and not seen.manage_control:
            return result(name, CheckStatus.WARN, "the bar only notifies: visitors cannot refuse cookies", [how])
        if seen.accept_control:
            return result(name, CheckStatus.WARN, "rejecting takes more clicks than accepting (only through "
                          f"'{seen.manage_label}')", [how])
        return result(name, CheckStatus.FAIL, f"the bar offers no accept control the tool recognises ({how})")


class RefusalHolds(StorefrontCheck):
    stage = Stage.AFTER_REJECT

    def __init__(self, needs: ConsentNeeds) -> None:
        self.needs = needs

    async def run(self, visit: StorefrontVisit, language: str) -> list[CheckResult]:
        seen = visit.consent
        after, on_privacy = "no_tracking_after_reject", "cookie_bar_on_privacy_page"
        if seen.rejected is None:
            reason = "no cookie bar with a choice to reject"
            return [result(after, CheckStatus.SKIP, reason), result(on_privacy, CheckStatus.SKIP, reason)]
        if not seen.rejected:
            return [result(after, CheckStatus.FAIL, f"cannot reject: {seen.reject_error}"),
                    result(on_privacy, CheckStatus.SKIP, "no choice could be made")]
        return [self._tracking(visit), self._bar_on_privacy_page(visit)]

    @staticmethod
    def _tracking(visit: StorefrontVisit) -> CheckResult:
        name, seen = "no_tracking_after_reject", visit.consent
        tracking = seen.tracking(seen.after_reject, allowed=False)
        if tracking:
            return result(name, CheckStatus.FAIL, "analytics/advertising after rejecting: " + ", ".join(tracking),
                          tracking)
        allowed = seen.tracking(seen.after_reject, allowed=True)
        if allowed:
            return result(name, CheckStatus.WARN, "after rejecting only tracking the fleet file lets run without "
                          "consent: " + ", ".join(allowed), allowed)
        return result(name, CheckStatus.PASS, "no tracking after rejecting, on a second page")

    @staticmethod
    def _bar_on_privacy_page(visit: StorefrontVisit) -> CheckResult:
        name, seen = "cookie_bar_on_privacy_page", visit.consent
        if seen.bar_on_privacy_page:
            return result(name, CheckStatus.PASS, "the bar shows again on the privacy policy page",
                          [f"consent cookies after rejecting: {seen.consent_cookies_after_reject}"])
        return result(name, CheckStatus.FAIL,
                      "after a choice the privacy policy page shows no cookie bar: consent cannot be withdrawn there")


class NoAdvertisingWithGpc(StorefrontCheck):
    stage = Stage.GPC

    def __init__(self, needs: ConsentNeeds) -> None:
        self.needs = needs

    async def run(self, visit: StorefrontVisit, language: str) -> list[CheckResult]:
        name, seen = "gpc_no_advertising", visit.consent.with_gpc
        if seen is None:
            return [result(name, CheckStatus.SKIP, "no cookie bar with a choice")]
        advertising = [what for _, what in seen]
        if advertising:
            # Report only: honouring GPC is required by the CCPA for "sale/share", not enforced here.
            return [result(name, CheckStatus.WARN, "advertising cookies despite Global Privacy Control "
                           "(Sec-GPC: 1): " + ", ".join(advertising), advertising)]
        return [result(name, CheckStatus.PASS, "no advertising cookies for a visitor sending Sec-GPC: 1")]


def _words(text: str) -> str:
    return " ".join(text.split())


class CustomMessageShown(StorefrontCheck):
    """The custom-message bar in each shop language, on the privacy policy page (where it always shows): the
    message, and the Manage cookies control."""

    stage = Stage.PAGES

    def __init__(self, messages: dict[str, str], manage: bool) -> None:
        self.messages, self.manage = messages, manage

    async def run(self, visit: StorefrontVisit, language: str) -> list[CheckResult]:
        name = visit.check_name("custom_message_shown", language)
        control = visit.check_name("manage_cookies_control", language)
        storefront = visit.storefront(language)
        await storefront.open(storefront.privacy_policy_url)
        bar = await storefront.bar()
        if bar is None:
            reason = f"no cookie bar on {storefront.privacy_policy_url}, where it must always show"
            return [result(name, CheckStatus.FAIL, reason), result(control, CheckStatus.SKIP, "no cookie bar")]
        shown = _words(await bar.inner_text())
        wanted = self.messages.get(language)
        if wanted and _words(wanted) in shown:
            message = result(name, CheckStatus.PASS, f"the bar shows the fleet file's message ({language})", [shown])
        elif wanted:
            message = result(name, CheckStatus.FAIL, f"the bar does not show the fleet file's message ({language}): "
                             f"it reads {shown[:200]!r}", [shown])
        elif shown:
            message = result(name, CheckStatus.PASS, f"the bar shows a custom message ({language}); its text comes "
                             "from a template or another language, checked by plan against the backoffice", [shown])
        else:
            message = result(name, CheckStatus.FAIL, f"the custom-message bar is empty ({language})")
        has_control = await storefront.manage_button() is not None
        if has_control == self.manage:
            said = "offers" if has_control else "does not offer"
            return [message, result(control, CheckStatus.PASS, f"the bar {said} 'Manage cookies', as desired")]
        if self.manage:
            return [message, result(control, CheckStatus.FAIL, "the custom-message bar offers no 'Manage cookies' "
                                    "control the tool recognises")]
        return [message, result(control, CheckStatus.FAIL, "the bar still offers 'Manage cookies' although the "
                                "fleet file switches it off")]
