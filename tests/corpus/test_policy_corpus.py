"""Sweeps over the whole labelled policy corpus (tests/data/policies): pure, no browser, but about 10 s.

They left tests/unit, which must stay a loop of seconds: there the element detector is tested per family of
wording and look-alike, and `require` on one corpus policy per language.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.policy_elements import evaluate, load_corpus
from tests.unit.test_content_plans import CORPUS_POLICIES
from tests.unit.test_content_plans import (
    test_require_appends_exactly_the_elements_the_plan_shows_missing_never_a_present_one as require_check,
)


@pytest.mark.parametrize("path", CORPUS_POLICIES, ids=lambda path: f"{path.parent.name}-{path.name}")
def test_require_appends_exactly_the_missing_elements_for_every_corpus_policy(path: Path) -> None:
    require_check(path)


def test_the_labelled_corpus_is_recognised_with_precision_and_recall_of_at_least_0_9() -> None:
    policies = load_corpus()
    assert {p.language for p in policies} == {"en", "nl", "de", "fr"}
    assert all(sum(p.language == language for p in policies) >= 25 for language in ("en", "nl"))
    assert all(sum(p.language == language for p in policies) >= 20 for language in ("de", "fr"))
    below = [f"{language} {element_id}: precision {c.precision:.2f}, recall {c.recall:.2f}"
             for (language, element_id), c in evaluate(policies).items() if min(c.precision, c.recall) < 0.9]
    assert not below, below
