"""Content settings per shop language (pure plans, no browser): a template, a diff and a title per language,
a missing template or an unreadable language is an error for that setting, titles are store facts."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pytest

from ecom_privacy.errors import ConfigError
from ecom_privacy.setting import PlanInput
from flows.ccpa_page import CcpaPageDesired, CcpaPageSetting
from flows.content.templates import load_template, template_variables
from flows.privacy_policy import PrivacyPolicyDesired, PrivacyPolicySetting
from flows.text_pages import FoundPage, PageMatch, PageTexts, TextPageState
from tests.unit.content_support import CONFIG

POLICY, CCPA = PrivacyPolicySetting(), CcpaPageSetting()
VARS = {"company": "Multi B.V.", "address": "Stationsweg 1, 3811 AB Amersfoort", "email": "p@multi.test",
        "updated": "2025-03-01"}
STOREFRONT = "https://multi.test/"


def context(languages: tuple[str, ...], base_dir: Path = CONFIG) -> PlanInput:
    return PlanInput(store_id="multi", locale="en", vars=VARS, base_dir=base_dir, storefront_url=STOREFRONT,
                     languages=languages)


def rendered(language: str, languages: tuple[str, ...]) -> str:
    root = STOREFRONT if language == languages[0] else f"{STOREFRONT}{language}/"
    template = load_template("templates/privacy-policy.{locale}.html", CONFIG, language, "multi")
    return template.render(template_variables(root, VARS))


def state(texts: dict[str, tuple[str, str]], found_by: Literal["slug", "title"] = "slug") -> TextPageState:
    row = PageMatch(id=2, title=next(iter(texts.values()))[0], url="http://bo/pages/2", visible=True,
                    slug="privacy-policy")
    languages = {language: PageTexts(title=title, html=html) for language, (title, html) in texts.items()}
    return TextPageState(title="x", slug="privacy-policy", found_by=found_by, matches=(row,),
                         page=FoundPage(**row.model_dump(), html=next(iter(languages.values())).html,
                                        languages=languages))


def policy(**values: Any) -> PrivacyPolicyDesired:
    return PrivacyPolicyDesired.model_validate({"template": "templates/privacy-policy.{locale}.html", **values})


def test_each_language_gets_its_template_its_diff_and_links_with_its_prefix() -> None:
    languages = ("nl", "en")
    current = state({"nl": ("Privacyverklaring", "<p>Wij respecteren je privacy.</p>"),
                     "en": ("Privacy statement", rendered("en", languages))})
    [change] = POLICY.plan(current, policy(mode="require"), context(languages))
    assert change.summary.startswith("[nl] append 5 missing section(s) from privacy-policy.nl.html")
    assert "[en]" not in change.summary  # English is complete
    assert "+++ desired (nl)" in change.diff and "desired (en)" not in change.diff
    assert change.detail["languages"]["en"]["missing"] == []
    assert "https://multi.test/en/service/contact/" in change.after["languages"]["en"]["html"]
    # titles are store facts: the owner's titles stay, none is written
    assert change.after["languages"]["nl"]["title"] is None and change.after["languages"]["en"]["title"] is None


def test_an_untranslated_language_gets_the_whole_template_and_the_default_title() -> None:
    languages = ("nl", "en")
    current = state({"nl": ("Privacybeleid", rendered("nl", languages)), "en": ("", "")})
    [change] = POLICY.plan(current, policy(), context(languages))
    assert change.after["languages"]["en"] == {"title": "Privacy policy", "html": rendered("en", languages)}
    assert "[en] write the content from privacy-policy.en.html" in change.summary


def test_a_title_from_the_fleet_file_renames_and_a_complete_page_plans_clean() -> None:
    languages = ("nl",)
    current = state({"nl": ("Privacybeleid", rendered("nl", languages))})
    assert POLICY.plan(current, policy(), context(languages)) == []
    [change] = POLICY.plan(current, policy(title={"nl": "Privacyverklaring"}), context(languages))
    assert change.summary == "title 'Privacybeleid' -> 'Privacyverklaring'"
    assert change.after["languages"]["nl"] == {"title": "Privacyverklaring", "html": rendered("nl", languages)}


def test_a_language_without_a_template_fails_the_setting_naming_it(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "privacy-policy.nl.html").write_text(
        (CONFIG / "templates" / "privacy-policy.nl.html").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"privacy_policy: shop language fr: store multi: template .*"
                                          r"privacy-policy\.fr\.html not found"):
        POLICY.plan(state({"nl": ("P", "<p>x</p>"), "fr": ("", "")}), policy(mode="replace"),
                    context(("nl", "fr"), tmp_path))


def test_require_needs_the_element_table_of_the_language(tmp_path: Path) -> None:
    # Italian: a template of the shop's own, but no wording in the element table
    (tmp_path / "templates").mkdir()
    for language, source in (("nl", "nl"), ("it", "en")):
        (tmp_path / "templates" / f"privacy-policy.{language}.html").write_text(
            (CONFIG / "templates" / f"privacy-policy.{source}.html").read_text(encoding="utf-8"), encoding="utf-8")
    titled = {"title": {"nl": "Privacyverklaring", "it": "Informativa sulla privacy"}}
    with pytest.raises(ConfigError, match=r"shop language it: mode 'require' .* has no wording for 'it'"):
        POLICY.check(policy(mode="require", **titled), context(("nl", "it"), tmp_path))
    POLICY.check(policy(mode="replace", **titled), context(("nl", "it"), tmp_path))  # the template whole


def test_require_checks_german_and_french_like_dutch_and_english() -> None:
    languages = ("nl", "de", "fr")
    POLICY.check(policy(mode="require"), context(languages))
    # a German page that already names the controller and the rights, a French one with nothing yet
    german = ("<p>Verantwortlich ist die Multi B.V., Stationsweg 1, 3811 AB Amersfoort, p@multi.test.</p>"
              "<p>Sie haben das Recht auf Auskunft, Berichtigung und Löschung Ihrer Daten.</p>")
    current = state({"nl": ("Privacyverklaring", rendered("nl", languages)), "de": ("Datenschutz", german),
                     "fr": ("Confidentialité", "<p>Nous respectons votre vie privée.</p>")})
    [change] = POLICY.plan(current, policy(mode="require", profile="gdpr"), context(languages))
    parts = change.detail["languages"]
    assert parts["nl"]["missing"] == [] and parts["nl"]["checked"]
    assert parts["de"]["checked"] and parts["fr"]["checked"]
    assert "controller" not in parts["de"]["missing"] and "rights" not in parts["de"]["missing"]
    assert {"usage", "retention", "complaint"} <= set(parts["de"]["missing"])
    assert len(parts["fr"]["missing"]) == 11
    german_after = change.after["languages"]["de"]["html"]
    assert german_after.startswith(german)  # require appends, never rewrites what is there
    assert "Wie lange wir Ihre Daten speichern" in german_after and "Wer wir sind" not in german_after
    assert "not checked" not in change.summary


def test_a_language_without_a_label_table_needs_a_title() -> None:
    with pytest.raises(ConfigError, match=r"privacy_policy\.title\.es: no title for shop language 'es'"):
        POLICY.plan(state({"nl": ("P", "<p>x</p>")}), policy(mode="replace"), context(("nl", "es")))


def test_a_title_must_be_given_per_language() -> None:
    with pytest.raises(ValueError, match="give the title per shop language"):
        policy(title="Privacy")


def test_ccpa_page_is_created_with_a_title_and_content_per_language() -> None:
    desired = CcpaPageDesired.model_validate({"template": "templates/ccpa.{locale}.html"})
    empty = TextPageState(title="x", slug="do-not-sell-my-personal-information")
    [change] = CCPA.plan(empty, desired, context(("nl", "en", "de", "fr")))
    assert change.action == "create" and change.summary.startswith("create the page 'Verkoop mijn persoonsgegevens")
    titles = {language: text["title"] for language, text in change.after["languages"].items()}
    assert titles == {"nl": "Verkoop mijn persoonsgegevens niet", "en": "Do not sell my personal information",
                      "de": "Meine personenbezogenen Daten nicht verkaufen",
                      "fr": "Ne pas vendre mes informations personnelles"}
    assert "https://multi.test/fr/service/contact/" in change.after["languages"]["fr"]["html"]
