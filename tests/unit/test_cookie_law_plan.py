"""cookie_law's plan is pure: current + desired -> changes; the custom message per shop language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from ecom_privacy.errors import ConfigError
from ecom_privacy.setting import PlanInput
from flows.cookie_law import CookieLawCurrent, CookieLawDesired, CookieLawSetting, desired_messages

SETTING = CookieLawSetting()
CTX = PlanInput(store_id="s", locale="en")
MULTI = PlanInput(store_id="s", locale="nl", languages=("nl", "de"))


def plan(current: dict, context: PlanInput = CTX, **desired: object) -> list:
    return SETTING.plan(CookieLawCurrent.model_validate(current), CookieLawDesired.model_validate(desired), context)


def test_current_state_is_a_frozen_strict_model() -> None:
    assert SETTING.current_model is CookieLawCurrent
    current = CookieLawCurrent(mode="notify", messages={"en": ""})
    with pytest.raises(ValidationError):
        current.mode = "none"  # type: ignore[misc]  # plan, diagnose and verify all see one reading
    with pytest.raises(ValidationError, match="extra"):
        CookieLawCurrent.model_validate({"mode": "notify", "messages": {}, "colour": "red"})
    with pytest.raises(ValidationError):
        CookieLawCurrent(mode="shout")  # type: ignore[arg-type]


def test_observed_is_json_and_a_saved_plan_compares_with_it() -> None:
    desired = CookieLawDesired(mode="confirm")
    observed = SETTING.observe(CookieLawCurrent(mode="none"), desired, CTX)
    saved = json.loads(json.dumps(observed))  # what plan --out writes and apply PLAN.json reads
    assert saved == {"mode": "none", "messages": {}, "manage_cookies": None}
    assert SETTING.stale_reason(saved, CookieLawCurrent(mode="none"), desired, CTX) is None
    assert "now {'mode': 'notify'" in (SETTING.stale_reason(saved, CookieLawCurrent(mode="notify"), desired, CTX)
                                        or "")


def test_no_change_when_mode_matches() -> None:
    assert plan({"mode": "confirm", "messages": {"en": "old text"}}, mode="confirm") == []


def test_mode_change() -> None:
    [change] = plan({"mode": "none"}, mode="confirm")
    assert (change.setting, change.action) == ("cookie_law", "update")
    assert change.before == {"mode": "none"} and change.after == {"mode": "confirm"}
    assert change.summary == "mode none -> confirm"


def test_custom_message_compared_by_what_a_visitor_reads() -> None:
    current = {"mode": "custom", "messages": {"en": "We use cookies.\r\n  "}}
    assert plan(current, mode="custom", message="We use cookies.") == []
    [change] = plan({"mode": "custom", "messages": {"en": "Old"}}, mode="custom", message="New")
    assert change.after == {"mode": "custom", "messages": {"en": "New"}}
    assert change.summary == "custom message changed"


def test_leaving_custom_mode_shows_the_old_message() -> None:
    [change] = plan({"mode": "custom", "messages": {"en": "Old"}}, mode="confirm")
    assert change.before == {"mode": "custom", "messages": {"en": "Old"}}
    assert change.after == {"mode": "confirm"}


def test_the_message_per_shop_language() -> None:
    current = {"mode": "custom", "messages": {"nl": "Wij gebruiken cookies.", "de": ""}}
    # One text is the default language's: the German box is left alone.
    assert plan(current, MULTI, mode="custom", message="Wij gebruiken cookies.") == []
    [change] = plan(current, MULTI, mode="custom", message={"nl": "Wij gebruiken cookies.", "de": "Wir auch."})
    assert change.after == {"mode": "custom", "messages": {"nl": "Wij gebruiken cookies.", "de": "Wir auch."}}
    assert change.summary == "custom message changed (de)"
    with pytest.raises(ConfigError, match=r"store s: cookie_law.message.fr: not a language of the shop \(nl, de\)"):
        plan(current, MULTI, mode="custom", message={"fr": "Nous aussi."})


def test_the_message_from_a_template_per_language(tmp_path: Path) -> None:
    (tmp_path / "cookies.nl.txt").write_text("{{ company }} gebruikt cookies & meer.\n", encoding="utf-8")
    (tmp_path / "cookies.de.txt").write_text("{{ company }} nutzt Cookies.", encoding="utf-8")
    context = PlanInput(store_id="s", locale="nl", languages=("nl", "de"), base_dir=tmp_path,
                        vars={"company": "Fiets & Zo"})
    desired = CookieLawDesired(mode="custom", message_template="cookies.{locale}.txt")
    assert desired_messages(desired, context) == {"nl": "Fiets & Zo gebruikt cookies & meer.",
                                                 "de": "Fiets & Zo nutzt Cookies."}
    SETTING.check(desired, context)
    (tmp_path / "cookies.de.txt").unlink()
    with pytest.raises(ConfigError, match=r"cookies\.de\.txt not found"):
        SETTING.check(desired, context)


def test_the_manage_cookies_control_only_when_the_fleet_file_sets_it() -> None:
    current = {"mode": "custom", "messages": {"en": "Hi"}, "manage_cookies": True}
    assert plan(current, mode="custom", message="Hi") == []
    [change] = plan(current, mode="custom", message="Hi", manage_cookies=False)
    assert change.before["manage_cookies"] is True and change.after["manage_cookies"] is False
    assert change.summary == "Manage cookies control off"


@pytest.mark.parametrize(("desired", "error"), [
    ({"mode": "custom"}, "mode 'custom' needs a non-empty 'message'"),
    ({"mode": "custom", "message": {"en": "  "}}, "mode 'custom' needs a non-empty 'message'"),
    ({"mode": "custom", "message": "x", "message_template": "y"}, "either 'message' or 'message_template'"),
])
def test_the_desired_state_is_checked(desired: dict, error: str) -> None:
    with pytest.raises(ValidationError, match=error):
        CookieLawDesired.model_validate(desired)
