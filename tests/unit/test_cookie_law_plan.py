"""cookie_law's plan is pure: current + desired -> changes."""

from __future__ import annotations

from core.setting import PlanInput
from flows.cookie_law import CookieLawDesired, CookieLawSetting

SETTING = CookieLawSetting()
CTX = PlanInput(store_id="s", locale="en")


def plan(current: dict, **desired: object) -> list:
    return SETTING.plan(current, CookieLawDesired.model_validate(desired), CTX)


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
