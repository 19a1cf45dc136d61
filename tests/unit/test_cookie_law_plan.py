"""cookie_law's plan is pure: current + desired -> changes."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from ecom_privacy.setting import PlanInput
from flows.cookie_law import CookieLawCurrent, CookieLawDesired, CookieLawSetting

SETTING = CookieLawSetting()
CTX = PlanInput(store_id="s", locale="en")


def plan(current: dict, **desired: object) -> list:
    return SETTING.plan(CookieLawCurrent.model_validate(current), CookieLawDesired.model_validate(desired), CTX)


def test_current_state_is_a_frozen_strict_model() -> None:
    assert SETTING.current_model is CookieLawCurrent
    current = CookieLawCurrent(mode="notify", message="")
    with pytest.raises(ValidationError):
        current.mode = "none"  # type: ignore[misc]  # plan, diagnose and verify all see one reading
    with pytest.raises(ValidationError, match="extra"):
        CookieLawCurrent.model_validate({"mode": "notify", "message": "", "colour": "red"})
    with pytest.raises(ValidationError):
        CookieLawCurrent(mode="shout")  # type: ignore[arg-type]


def test_observed_is_json_and_a_saved_plan_compares_with_it() -> None:
    desired = CookieLawDesired(mode="confirm")
    observed = SETTING.observe(CookieLawCurrent(mode="none"), desired, CTX)
    saved = json.loads(json.dumps(observed))  # what plan --out writes and apply PLAN.json reads
    assert saved == {"mode": "none", "message": ""}
    assert SETTING.stale_reason(saved, CookieLawCurrent(mode="none"), desired, CTX) is None
    assert "now {'mode': 'notify'" in (SETTING.stale_reason(saved, CookieLawCurrent(mode="notify"), desired, CTX)
                                        or "")


def test_no_change_when_mode_matches() -> None:
    assert plan({"mode": "confirm", "message": "old text"}, mode="confirm") == []


def test_mode_change() -> None:
    [change] = plan({"mode": "none", "message": ""}, mode="confirm")
    assert (change.setting, change.action) == ("cookie_law", "update")
    assert change.before == {"mode": "none"} and change.after == {"mode": "confirm"}
    assert change.summary == "mode none -> confirm"


def test_custom_message_compared_by_what_a_visitor_reads() -> None:
    assert plan({"mode": "custom", "message": "We use cookies.\r\n  "}, mode="custom", message="We use cookies.") == []
    [change] = plan({"mode": "custom", "message": "Old"}, mode="custom", message="New")
    assert change.after == {"mode": "custom", "message": "New"}
    assert change.summary == "custom message changed"


def test_leaving_custom_mode_shows_the_old_message() -> None:
    [change] = plan({"mode": "custom", "message": "Old"}, mode="confirm")
    assert change.before == {"mode": "custom", "message": "Old"}
    assert change.after == {"mode": "confirm"}
