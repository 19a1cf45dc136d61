"""The guided assessment: the regulators' criteria lead to no risk / risk / high risk, answers become reasons."""

from __future__ import annotations

from pathlib import Path

import pytest

from automation.breach.assessment import KEYS, answers_from, ask, assess, needed
from ecom_privacy.errors import ConfigError

ALL_NO = dict.fromkeys(KEYS, False) | {"personal_data": True, "identifiable": True}


def test_no_personal_data_or_encrypted_data_is_no_risk_and_stops_asking() -> None:
    assert assess({"personal_data": False})["risk"] == "none"
    encrypted = assess({"personal_data": True, "unintelligible": True})
    assert encrypted["risk"] == "none" and "Art. 34(3)(a)" in encrypted["reasons"][0]
    assert needed({"personal_data": True, "unintelligible": True}) == []


def test_identifiable_data_without_aggravating_factors_is_a_risk() -> None:
    result = assess(ALL_NO)
    assert result["risk"] == "risk"
    assert {a["key"]: a["answer"] for a in result["answers"]}["sensitive"] == "no"


@pytest.mark.parametrize("factor", ["sensitive", "severe_consequences"])
def test_sensitive_data_or_severe_consequences_are_high_risk(factor: str) -> None:
    assert assess(ALL_NO | {factor: True})["risk"] == "high"


def test_large_scale_alone_is_not_high_but_with_an_attack_it_is() -> None:
    assert assess(ALL_NO | {"large_scale": True})["risk"] == "risk"
    assert assess(ALL_NO | {"large_scale": True, "malicious": True})["risk"] == "high"


def test_containment_lowers_high_risk_and_says_why() -> None:
    result = assess(ALL_NO | {"sensitive": True, "contained": True})
    assert result["risk"] == "risk" and any("Art. 34(3)(b)" in reason for reason in result["reasons"])


def test_missing_answers_are_named_and_asked_one_by_one() -> None:
    with pytest.raises(ConfigError, match=r"needs an answer to 'identifiable'"):
        assess({"personal_data": True, "unintelligible": False})
    asked: list[str] = []
    answers = ask({}, lambda question: asked.append(question.key) or question.key in ("personal_data", "identifiable"))
    assert asked == list(KEYS) and assess(answers)["risk"] == "risk"


def test_answers_from_flags_and_file(tmp_path: Path) -> None:
    file = tmp_path / "answers.yaml"
    file.write_text("personal_data: yes\nunintelligible: nee\n", encoding="utf-8")
    assert answers_from(["identifiable=ja"], file) == {"personal_data": True, "unintelligible": False,
                                                        "identifiable": True}
    with pytest.raises(ConfigError, match=r"unknown question 'colour'"):
        answers_from(["colour=yes"], None)
    with pytest.raises(ConfigError, match=r"must be yes or no"):
        answers_from(["sensitive=perhaps"], None)
