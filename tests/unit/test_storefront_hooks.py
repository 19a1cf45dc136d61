"""The storefront checks the settings contribute (pure: an observation made by hand, no browser): which
setting contributes what, and how `analytics.require_consent` is read."""

from __future__ import annotations

import pytest

from ecom_privacy.models import CheckStatus
from ecom_privacy.storefront import ConsentNeeds, ConsentObservation, Stage, StorefrontView
from flows.analytics import AnalyticsDesired
from flows.registry import all_settings
from flows.storefront.verifier import contributed_checks
from flows.tracking import ADVERTISING, ANALYTICS


class Visit:
    """A visit that has seen `observation`; pages are never asked for by consent checks."""

    def __init__(self, observation: ConsentObservation) -> None:
        self.consent = observation
        self.languages = ("en",)

    def check_name(self, name: str, language: str) -> str:
        return name

    def storefront(self, language: str) -> StorefrontView:
        raise AssertionError("a consent check opened a page")


def observation(needs: ConsentNeeds, before: list[tuple[str, str]]) -> ConsentObservation:
    return ConsentObservation(needs=needs, language="en", labels_known=True, before_choice=before)


async def before_consent(require_consent: bool, seen: list[tuple[str, str]]):
    settings = all_settings()
    desired = {"analytics": AnalyticsDesired(measurement_id="G-TEST1234", require_consent=require_consent)}
    checks = [c for c in contributed_checks(settings, desired, ("en",)) if c.stage == Stage.FIRST_VIEW]
    needs = ConsentNeeds()
    for check in checks:
        needs = needs.merge(check.needs)
    visit = Visit(observation(needs, seen))
    results = [r for check in checks for r in await check.run(visit, "en")]
    [result] = [r for r in results if r.name == "no_tracking_before_consent"]
    return result


async def test_every_stage_has_a_contributor_even_when_nothing_is_managed() -> None:
    stages = [check.stage for check in contributed_checks(all_settings(), {}, ("en",))]
    assert sorted(set(stages)) == list(Stage)


@pytest.mark.parametrize(("require_consent", "status"), [(True, CheckStatus.FAIL), (False, CheckStatus.WARN)])
async def test_analytics_before_consent_fails_unless_the_fleet_file_allows_it(require_consent: bool,
                                                                              status: CheckStatus) -> None:
    result = await before_consent(require_consent, [(ANALYTICS, "_ga"), (ANALYTICS, "http://x/g/collect")])
    assert result.status == status
    assert result.seen == ["_ga", "http://x/g/collect"]


async def test_advertising_before_consent_fails_even_when_analytics_needs_no_consent() -> None:
    result = await before_consent(False, [(ADVERTISING, "_fbp"), (ANALYTICS, "_ga")])
    assert result.status == CheckStatus.FAIL
    assert result.seen == ["_fbp"]


async def test_nothing_seen_passes() -> None:
    assert (await before_consent(False, [])).status == CheckStatus.PASS
