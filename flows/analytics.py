"""Settings > Web statistics > Google Analytics 4: the Measurement ID, with analytics waiting for consent.

Read from the page's JSON twin (`web_statistics.json`) when it has the values, else from the rendered page.

The platform has no switch for consent: it always starts Google's consent mode with analytics storage
denied. `require_consent` therefore checks that the backoffice still says so; whether the live shop really
waits (a theme can load analytics early) only `ecom-privacy verify` can tell.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ecom_privacy.models import Change, ChangeAction, Diagnostic
from ecom_privacy.probe import ProbeTarget
from ecom_privacy.setting import CurrentState, PlanInput, Setting, StoreSession
from ecom_privacy.storefront import StorefrontCheck
from flows.pages.json_twin import TwinUnusable, fallback_notes
from flows.pages.web_statistics_page import WebStatisticsPage, WebStatisticsTwin
from flows.storefront.analytics_checks import analytics_checks

CONSENT_HINT = ("the backoffice no longer says that consent mode is on; analytics may run before consent. "
                "Check the shop with 'ecom-privacy verify' and the platform's settings")


class AnalyticsDesired(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: G-XXXXXXXXXX, or null for no Google Analytics at all
    measurement_id: str | None = Field(default=None, pattern=r"^G-[A-Z0-9]{4,12}$")
    require_consent: bool = True


class AnalyticsCurrent(CurrentState):
    """The GA4 section as read: the Measurement ID (None when empty) and whether the page says consent mode."""

    measurement_id: str | None = None
    consent_mode: bool


class AnalyticsSetting(Setting[AnalyticsDesired, AnalyticsCurrent]):
    name = "analytics"
    desired_model = AnalyticsDesired
    current_model = AnalyticsCurrent

    async def read(self, session: StoreSession) -> AnalyticsCurrent:
        """From the JSON twin (`web_statistics.json`) when it has both values, else from the rendered page."""
        twin = WebStatisticsTwin(session.page, session.backoffice_url, session.labels, "web_statistics",
                                 "web_statistics_json")
        try:
            data = await twin.read()
            return AnalyticsCurrent(measurement_id=(data.measurement_id or "").strip() or None,
                                    consent_mode=data.consent_mode)
        except TwinUnusable as problem:
            notes = fallback_notes(session, problem)
        page = WebStatisticsPage(session.page, session.backoffice_url, session.labels)
        await page.open()
        return AnalyticsCurrent(measurement_id=await page.read_measurement_id() or None,
                                consent_mode=await page.consent_mode_shown()).noting(notes)

    def probe_targets(self, session: StoreSession) -> list[ProbeTarget]:
        return [WebStatisticsPage(session.page, session.backoffice_url, session.labels).probe_target()]

    def plan(self, current: AnalyticsCurrent, desired: AnalyticsDesired, context: PlanInput) -> list[Change]:
        changes = []
        if current.measurement_id != desired.measurement_id:
            before, after = current.measurement_id, desired.measurement_id
            summary = f"Measurement ID {before or '(none)'} -> {after or '(none)'}"
            changes.append(Change(setting=self.name, action=ChangeAction.UPDATE, before={"measurement_id": before},
                                  after={"measurement_id": after}, summary=summary))
        return changes

    def diagnose(self, current: AnalyticsCurrent, desired: AnalyticsDesired,
                 context: PlanInput) -> list[Diagnostic]:
        if desired.require_consent and desired.measurement_id and not current.consent_mode:
            # Not a change the tool can make: the backoffice has no switch for it, so it is a warning.
            return [Diagnostic(summary="consent mode not shown", detail=CONSENT_HINT)]
        return []

    def storefront_checks(self, desired: AnalyticsDesired | None, languages: tuple[str, ...]) -> list[StorefrontCheck]:
        wanted = desired or AnalyticsDesired()
        return analytics_checks(wanted.measurement_id, wanted.require_consent)

    async def apply(self, session: StoreSession, changes: list[Change]) -> bool:
        page = WebStatisticsPage(session.page, session.backoffice_url, session.labels)
        saved = False
        for change in changes:
            if change.action != ChangeAction.UPDATE:
                continue
            wanted = change.after["measurement_id"] or ""
            await page.open()
            if await page.read_measurement_id() == wanted:
                continue  # already so: saving again would report a change this run did not make
            await page.fill_measurement_id(wanted)
            await page.save_settings()
            saved = True
        return saved
