"""analytics' storefront checks: no tracking before any choice, and the positive control that analytics does
run after accepting (so that "nothing seen" elsewhere means something).

With `require_consent: false` the fleet file lets analytics run without consent: analytics seen before any
choice (or after rejecting) is then a warning, not a failure; advertising still fails.
"""

from __future__ import annotations

from ecom_privacy.models import CheckResult, CheckStatus
from ecom_privacy.storefront import ConsentNeeds, Stage, StorefrontCheck, StorefrontVisit
from flows.storefront.results import result
from flows.tracking import ANALYTICS


def analytics_checks(measurement_id: str | None, require_consent: bool) -> list[StorefrontCheck]:
    allowed = frozenset() if require_consent else frozenset({ANALYTICS})
    return [NoTrackingBeforeConsent(ConsentNeeds(allowed_without_consent=allowed)),
            AnalyticsAfterAccept(measurement_id, ConsentNeeds(accept=bool(measurement_id)))]


class NoTrackingBeforeConsent(StorefrontCheck):
    stage = Stage.FIRST_VIEW

    def __init__(self, needs: ConsentNeeds) -> None:
        self.needs = needs

    async def run(self, visit: StorefrontVisit, language: str) -> list[CheckResult]:
        name, seen = "no_tracking_before_consent", visit.consent
        tracking = seen.tracking(seen.before_choice, allowed=False)
        if tracking:
            return [result(name, CheckStatus.FAIL, "analytics/advertising before any choice: " + ", ".join(tracking),
                           tracking)]
        allowed = seen.tracking(seen.before_choice, allowed=True)
        if allowed:
            # A warning, not a pass: the fleet file allows it, but EU law (ePrivacy) still wants consent for
            # analytics cookies in most cases, so the report keeps it in sight.
            return [result(name, CheckStatus.WARN, "analytics before any choice, which the fleet file allows "
                           "(analytics.require_consent: false): " + ", ".join(allowed), allowed)]
        return [result(name, CheckStatus.PASS, "no analytics or advertising cookies or beacons")]


class AnalyticsAfterAccept(StorefrontCheck):
    stage = Stage.AFTER_ACCEPT

    def __init__(self, measurement_id: str | None, needs: ConsentNeeds) -> None:
        self.measurement_id, self.needs = measurement_id, needs

    async def run(self, visit: StorefrontVisit, language: str) -> list[CheckResult]:
        name, seen = "analytics_after_accept", visit.consent
        if not self.measurement_id:
            return [result(name, CheckStatus.SKIP, "no Google Analytics Measurement ID in the fleet file")]
        if not seen.needs.choice:
            return [result(name, CheckStatus.SKIP, "visitors cannot accept analytics in this cookie-law mode"),
                    self._after_notice(visit)]
        if not seen.accepted:
            return [result(name, CheckStatus.FAIL, "no cookie bar with an accept control, so analytics cannot be "
                           "switched on by a visitor")]
        analytics = [what for category, what in seen.after_accept if category == ANALYTICS]
        if analytics:
            return [result(name, CheckStatus.PASS, "analytics works after accepting: " + ", ".join(analytics),
                           analytics)]
        return [result(name, CheckStatus.FAIL, "positive control failed: no analytics cookie or beacon after "
                       "accepting, so the other checks cannot prove anything about analytics here")]

    @staticmethod
    def _after_notice(visit: StorefrontVisit) -> CheckResult:
        """A bar that only notifies offers no consent: after its OK, analytics must still wait."""
        name, seen = "analytics_waits_after_notice", visit.consent
        if seen.after_notice is None:
            return result(name, CheckStatus.SKIP, "visitors cannot accept analytics in this cookie-law mode, and "
                          "there is no notice to acknowledge (analytics before any choice is checked on first view)")
        analytics = [what for category, what in seen.after_notice if category == ANALYTICS]
        if analytics:
            return result(name, CheckStatus.FAIL, "analytics after the visitor only acknowledged a notice (OK), which "
                          "is not consent: " + ", ".join(analytics), analytics)
        return result(name, CheckStatus.PASS, "analytics still waits after the notice is acknowledged (no consent "
                      "was asked)")
