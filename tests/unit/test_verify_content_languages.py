"""What `verify` checks on each language's public privacy page (pure: the content check verify runs on the
page's HTML): German and French are read like Dutch and English; a language without wording in the element
table is reported as not checked, never as a pass."""

from __future__ import annotations

import pytest

from flows.privacy_policy import PrivacyPolicyDesired
from flows.storefront.policy_pages import privacy_content_check
from tests.unit.content_support import render_policy

GDPR = PrivacyPolicyDesired.model_validate({"template": "templates/privacy-policy.{locale}.html",
                                            "profile": "gdpr"})


@pytest.mark.parametrize("language", ["de", "fr"])
def test_the_shipped_german_and_french_policies_pass_with_evidence(language: str) -> None:
    check = privacy_content_check(GDPR)
    assert check is not None
    outcome = check(render_policy(language), language)
    assert outcome is not None
    missing, evidence = outcome
    assert missing == []
    assert len(evidence) == 11 and all(": present" in line for line in evidence)


@pytest.mark.parametrize(("language", "text", "described"), [
    ("de", "<p>Wir achten Ihre Privatsphäre.</p>", "retention (wie lange die Daten gespeichert werden)"),
    ("fr", "<p>Nous respectons votre vie privée.</p>",
     "retention (combien de temps les données sont conservées)"),
])
def test_a_bare_german_or_french_page_fails_naming_every_element_in_its_language(
        language: str, text: str, described: str) -> None:
    check = privacy_content_check(GDPR)
    assert check is not None
    outcome = check(text, language)
    assert outcome is not None
    missing, _ = outcome
    assert len(missing) == 11 and described in missing


def test_a_language_without_wording_is_not_checked() -> None:
    check = privacy_content_check(GDPR)
    assert check is not None
    assert check("<p>Rispettiamo la tua privacy.</p>", "it") is None  # verify reports it as a warning
