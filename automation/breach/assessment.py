"""A short guided risk assessment from the regulators' criteria (EDPB Guidelines 9/2022 on breach
notification, and the Dutch AP's questions): the answers become the recorded reasons.

Outcome: `none` (no risk: register only), `risk` (notify the authority within 72 hours) or `high` (also inform
the people affected, or publish a notice when individual messages would take disproportionate effort).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecom_privacy.config_errors import did_you_mean
from ecom_privacy.errors import ConfigError
from ecom_privacy.yaml_input import load_yaml_file

RISKS = ("none", "risk", "high")


@dataclass(frozen=True)
class Question:
    key: str
    text: str


QUESTIONS: tuple[Question, ...] = (
    Question("personal_data", "Does the breach involve personal data (about identifiable people)?"),
    Question("unintelligible", "Was all affected data unintelligible to whoever got it (state-of-the-art "
                               "encryption whose key was not compromised)?"),
    Question("identifiable", "Can the people be identified from the data, directly or combined with other data?"),
    Question("sensitive", "Does it include sensitive data: special categories, payment or financial data, "
                          "identity documents, passwords, or data about children?"),
    Question("severe_consequences", "Could it lead to identity theft, fraud, financial loss, discrimination, "
                                    "damage to reputation or physical harm?"),
    Question("large_scale", "Does it affect many people (roughly a thousand or more) or vulnerable people?"),
    Question("malicious", "Was it malicious (an attack, theft) rather than an internal mistake?"),
    Question("contained", "Were the data recovered, or measures taken, so that a high risk is no longer likely "
                          "(e.g. the recipient confirmed deletion, all affected passwords were reset)?"),
)
KEYS = tuple(question.key for question in QUESTIONS)
YES = {"yes", "y", "true", "ja", "j", "1"}
NO = {"no", "n", "false", "nee", "0"}


def parse_answer(key: str, value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ConfigError(f"{where}: answer {key}={value!r} must be yes or no")


def answers_from(pairs: list[str], file: Path | None) -> dict[str, bool]:
    """`--answer key=yes` flags over an `--answers FILE.yaml` mapping."""
    answers: dict[str, bool] = {}
    if file is not None:
        # The strict reader: a second `sensitive:` silently flipping a risk answer is an error here.
        data = load_yaml_file(file, "the answers file")
        if not isinstance(data, dict):
            raise ConfigError(f"{file}: must map question keys ({', '.join(KEYS)}) to yes/no")
        for key, value in data.items():
            _known(str(key), str(file))
            answers[str(key)] = parse_answer(str(key), value, str(file))
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ConfigError(f"--answer {pair!r}: write KEY=yes or KEY=no (keys: {', '.join(KEYS)})")
        _known(key.strip(), "--answer")
        answers[key.strip()] = parse_answer(key.strip(), value, "--answer")
    return answers


def _known(key: str, where: str) -> None:
    if key not in KEYS:
        raise ConfigError(f"{where}: unknown question {key!r}{did_you_mean(key, KEYS)}")


def needed(answers: Mapping[str, bool]) -> list[Question]:
    """The questions still to answer, given the answers so far (some answers end the assessment early)."""
    remaining = []
    for question in QUESTIONS:
        if question.key in answers:
            if _decided(answers, question.key):
                return []
            continue
        remaining.append(question)
        break  # one at a time: the next question may depend on this answer
    return remaining


def _decided(answers: Mapping[str, bool], key: str) -> bool:
    return ((key == "personal_data" and not answers[key]) or (key == "unintelligible" and answers[key])
            or (key == "identifiable" and not answers[key]))


def ask(answers: dict[str, bool], prompt: Callable[[Question], bool]) -> dict[str, bool]:
    """Ask what the answers so far leave open, one question at a time."""
    while True:
        pending = needed(answers)
        if not pending:
            return answers
        answers[pending[0].key] = prompt(pending[0])


def assess(answers: Mapping[str, bool]) -> dict[str, Any]:
    """The outcome and its reasons; every question that mattered and its answer is in `answers`."""
    missing = [q.key for q in needed(answers)]
    if missing:
        raise ConfigError(f"the assessment needs an answer to {missing[0]!r} "
                          f"({next(q.text for q in QUESTIONS if q.key == missing[0])}): "
                          f"pass --answer {missing[0]}=yes|no, or run 'breach assess' on a terminal")
    reasons: list[str] = []
    if not answers["personal_data"]:
        risk, reasons = "none", ["no personal data is involved"]
    elif answers["unintelligible"]:
        risk, reasons = "none", ["the data were unintelligible to unauthorised persons (Art. 34(3)(a))"]
    elif not answers["identifiable"]:
        risk, reasons = "none", ["the people cannot be identified from the data"]
    else:
        aggravating = [text for key, text in (
            ("sensitive", "sensitive data are involved"),
            ("severe_consequences", "the consequences for the people can be severe"),
            ("large_scale", "many or vulnerable people are affected"),
            ("malicious", "the breach was malicious")) if answers.get(key)]
        reasons = ["identifiable personal data were exposed", *aggravating]
        high = answers.get("sensitive") or answers.get("severe_consequences") or (
            answers.get("large_scale") and answers.get("malicious"))
        if high and answers.get("contained"):
            risk = "risk"
            reasons.append("measures taken make a high risk no longer likely (Art. 34(3)(b)): "
                           "individual notification not required")
        elif high:
            risk = "high"
        else:
            risk = "risk"
            reasons.append("no factor that makes the risk high")
    questions = {q.key: q.text for q in QUESTIONS}
    return {"risk": risk, "reasons": reasons,
            "answers": [{"key": key, "question": questions[key], "answer": "yes" if value else "no"}
                        for key, value in answers.items()]}


OUTCOME_TEXT = {
    "none": "no risk: record in the register; no notification required",
    "risk": "risk: notify the supervisory authority within 72 hours of discovery",
    "high": "high risk: notify the authority within 72 hours and inform the people affected without undue "
            "delay (or publish a notice when individual messages take disproportionate effort)",
}
