"""A third text page on the base (flows/text_page_setting.py), defined here in a few lines: terms and conditions
from a template. Its plans against typed current states (no browser) show what every page setting gets for free:
create, update per language with a diff, make visible, hide, no drift once applied, titles without a label
table, and what a saved plan observed."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest
from pydantic import Field

from ecom_privacy.errors import ConfigError
from ecom_privacy.models import ChangeAction
from ecom_privacy.setting import PlanInput, comparable
from flows.content.templates import load_template, template_variables
from flows.text_page_setting import PageContent, PageWanted, TextPageDesired, TextPageSetting
from flows.text_pages import FoundPage, PageLanguageText, PageMatch, PageTexts, TextPageAfter, TextPageState


# --- the whole third setting ------------------------------------------------------------------------------
class TermsDesired(TextPageDesired):
    state: Literal["present", "absent"] = "present"
    template: str = "terms.{locale}.html"
    slug: str | None = Field(default="terms", pattern=r"^[a-z0-9][a-z0-9-]*$")


class TermsSetting(TextPageSetting[TermsDesired, PageContent]):
    name = "terms_page"
    desired_model = TermsDesired

    def wanted(self, desired: TermsDesired) -> PageWanted:
        return PageWanted(desired.state)

    def content(self, desired: TermsDesired, context: PlanInput, language: str,
                current: PageTexts | None) -> PageContent:
        template = load_template(desired.template, context.base_dir, language, context.store_id)
        html = template.render(template_variables(context.storefront_url, desired.vars, context.vars))
        return PageContent(html=html, source=template.path, action=f"set the content from {template.path.name}")
# ----------------------------------------------------------------------------------------------------------


TERMS = TermsSetting()
TITLES = {"nl": "Algemene voorwaarden", "en": "Terms and conditions"}
HTML = {"nl": "<p>Bij {{ company }} geldt: wat je koopt, betaal je.</p>",
        "en": "<p>At {{ company }}: what you buy, you pay for.</p>"}
#: the rendered templates (a rendered template ends with a newline)
SHOWN = {language: html.replace("{{ company }}", "Multi") + "\n" for language, html in HTML.items()}


@pytest.fixture
def context(tmp_path: Path) -> PlanInput:
    for language, html in HTML.items():
        (tmp_path / f"terms.{language}.html").write_text(html, encoding="utf-8")
    return PlanInput(store_id="multi", locale="en", vars={"company": "Multi"}, base_dir=tmp_path,
                     storefront_url="https://multi.test/", languages=("nl", "en"))


def found(texts: dict[str, tuple[str, str]], visible: bool = True) -> TextPageState:
    row = PageMatch(id=4, title=texts["nl"][0], url="http://bo/pages/4", visible=visible, slug="terms")
    languages = {language: PageTexts(title=title, html=html) for language, (title, html) in texts.items()}
    return TextPageState(slug="terms", title=row.title, found_by="slug", matches=(row,),
                         page=FoundPage(**row.model_dump(), html=languages["nl"].html, languages=languages))


def test_a_missing_page_is_created_in_every_language(context: PlanInput) -> None:
    [change] = TERMS.plan(TextPageState(slug="terms", title=TITLES["nl"]), TermsDesired(title=TITLES), context)
    assert change.action is ChangeAction.CREATE and change.before is None
    assert change.summary == "create the page 'Algemene voorwaarden' from terms.nl.html, terms.en.html, visible"
    assert change.after["languages"] == {language: {"title": TITLES[language], "html": SHOWN[language]}
                                         for language in ("nl", "en")}
    assert (change.after["slug"], change.after["visible"], change.detail) == ("terms", True, {"found_by": None})


def test_one_changed_language_is_updated_with_its_diff_and_a_hidden_page_made_visible(context: PlanInput) -> None:
    current = found({"nl": (TITLES["nl"], SHOWN["nl"]), "en": (TITLES["en"], "<p>Old terms.</p>")}, visible=False)
    [change] = TERMS.plan(current, TermsDesired(title=TITLES), context)
    assert change.action is ChangeAction.UPDATE and change.after["page_id"] == 4
    assert change.summary == "[en] set the content from terms.en.html; make visible"
    assert "-Old terms." in change.diff.splitlines() and "(nl)" not in change.diff
    assert change.before == {"page_id": 4, "url": "http://bo/pages/4", "visible": False}


def test_an_applied_page_plans_clean_and_absent_hides_it(context: PlanInput) -> None:
    done = found({language: (TITLES[language], SHOWN[language]) for language in ("nl", "en")})
    assert TERMS.plan(done, TermsDesired(title=TITLES), context) == []
    [hide] = TERMS.plan(done, TermsDesired(state="absent", title=TITLES), context)
    assert hide.action is ChangeAction.HIDE and hide.after["visible"] is False and hide.after["languages"] is None
    hidden = found({language: (TITLES[language], SHOWN[language]) for language in ("nl", "en")}, visible=False)
    assert TERMS.plan(hidden, TermsDesired(state="absent", title=TITLES), context) == []


def test_a_fleet_title_renames_and_without_a_label_table_every_title_is_required(context: PlanInput) -> None:
    current = found({language: (TITLES[language], SHOWN[language]) for language in ("nl", "en")})
    [rename] = TERMS.plan(current, TermsDesired(title={**TITLES, "en": "Terms of sale"}), context)
    assert rename.summary == "[en] title 'Terms and conditions' -> 'Terms of sale'"
    titles = {language: text["title"] for language, text in rename.after["languages"].items()}
    assert titles == {"nl": None, "en": "Terms of sale"}  # only the renamed language's title is written
    with pytest.raises(ConfigError, match=r"terms_page\.title\.en: no title .* this page has no default title"):
        TERMS.plan(current, TermsDesired(title={"nl": TITLES["nl"]}), context)


def test_what_a_saved_plan_observed_round_trips_and_a_changed_page_makes_it_stale(context: PlanInput) -> None:
    desired = TermsDesired(title=TITLES)
    current = found({"nl": (TITLES["nl"], "<p>oud</p>"), "en": (TITLES["en"], SHOWN["en"])})
    observed = TERMS.observe(current, desired, context)
    assert TextPageState.model_validate(observed) == current
    saved = [comparable(change) for change in TERMS.plan(current, desired, context)]
    assert TERMS.stale_reason(observed, current, desired, context) is None
    assert TERMS.saved_plan_mismatch(saved, observed, current, desired, context) is None
    edited = found({"nl": (TITLES["nl"], "<p>door iemand anders</p>"), "en": (TITLES["en"], SHOWN["en"])})
    assert TERMS.stale_reason(observed, edited, desired, context) is not None


def test_a_changes_after_reads_back_as_the_settings_model(context: PlanInput) -> None:
    """apply reads a typed payload (TextPageAfter), while the plan holds the same JSON as before it was typed."""
    [create] = TERMS.plan(TextPageState(slug="terms", title=TITLES["nl"]), TermsDesired(title=TITLES), context)
    after = TERMS.after_of(create)
    assert isinstance(after, TextPageAfter) and not after.one_language_only
    assert after.languages == {language: PageLanguageText(title=TITLES[language], html=SHOWN[language])
                               for language in ("nl", "en")}
    assert (after.target.slug, after.target.titles) == ("terms", TITLES)
    assert set(create.after) == {"visible", "title", "html", "slug", "find_titles", "languages"}  # no page_id key

    old = create.model_copy(update={"after": {"visible": True, "title": "Algemene voorwaarden", "html": "<p>x</p>"}})
    assert TERMS.after_of(old).one_language_only  # a plan saved before plans carried every language

    edited = create.model_copy(update={"after": {**create.after, "visible": "sometimes"}})
    with pytest.raises(ValueError, match="visible"):  # a plan file edited into something apply cannot do
        TERMS.after_of(edited)
