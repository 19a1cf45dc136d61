"""analytics: the GA4 Measurement ID in Settings > Web statistics, both locales."""

from __future__ import annotations

import pytest

from ecom_privacy.models import LoginSecrets
from ecom_privacy.setting import PlanInput
from flows.analytics import AnalyticsCurrent, AnalyticsDesired, AnalyticsSetting
from flows.login import login
from tests.flows.conftest import SessionFactory
from tests.support import EMAILS, PASSWORDS, http_text

SETTING = AnalyticsSetting()


@pytest.mark.parametrize("store_id", ["shop-nl", "shop-en"])
async def test_set_and_remove_measurement_id(
    store_session: SessionFactory, mock_state, mock_server, store_id: str
) -> None:
    session = await store_session(store_id)
    await login(
        session.page, session.backoffice_url, session.labels, LoginSecrets(EMAILS[store_id], PASSWORDS[store_id]),
        clock=session.clock
    )
    current = await SETTING.read(session)
    assert current == AnalyticsCurrent(measurement_id=None, consent_mode=True)

    desired = AnalyticsDesired(measurement_id="G-ABC12345")
    changes = SETTING.plan(current, desired, session.plan_input)
    assert [c.summary for c in changes] == ["Measurement ID (none) -> G-ABC12345"]
    assert await SETTING.apply(session, changes) is True
    await SETTING.read_back(session, desired)
    assert mock_state()[store_id]["analytics"]["measurement_id"] == "G-ABC12345"
    assert await SETTING.apply(session, changes) is False  # already so: honest, nothing saved
    _, html = http_text(f"{mock_server.url}/{store_id}/")
    assert 'data-measurement-id="G-ABC12345"' in html

    none = AnalyticsDesired(measurement_id=None)
    await SETTING.apply(session, SETTING.plan(await SETTING.read(session), none, session.plan_input))
    assert mock_state()[store_id]["analytics"]["measurement_id"] == ""
    assert SETTING.plan(await SETTING.read(session), none, session.plan_input) == []


def test_missing_consent_mode_is_a_warning_not_a_change() -> None:
    desired = AnalyticsDesired(measurement_id="G-ABC12345")
    current = AnalyticsCurrent(measurement_id="G-ABC12345", consent_mode=False)
    assert SETTING.plan(current, desired, PlanInput("s", "en")) == []
    [warning] = SETTING.diagnose(current, desired, PlanInput("s", "en"))
    assert warning.severity == "warning" and "consent mode" in warning.detail
    unrequired = AnalyticsDesired(measurement_id="G-ABC12345", require_consent=False)
    assert SETTING.diagnose(current, unrequired, PlanInput("s", "en")) == []


def test_measurement_id_is_validated() -> None:
    with pytest.raises(ValueError, match="should match pattern"):
        AnalyticsDesired(measurement_id="UA-12345-1")
