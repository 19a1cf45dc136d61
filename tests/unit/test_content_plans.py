"""The pure parts of privacy_policy and ccpa_page: templates, plans, and the desired-state models."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from automation.outputs.render import render_change
from ecom_privacy.errors import ConfigError, SettingError
from ecom_privacy.models import Change
from flows.ccpa_page import CcpaPageDesired, CcpaPageSetting
from flows.content.html_text import page_text
from flows.content.templates import load_template, template_variables
from flows.privacy_policy import PrivacyPolicyDesired, PrivacyPolicySetting
from flows.text_pages import FoundPage, PageMatch, TextPageState
from mock_backoffice.richtext import clean_html
from tests.unit.content_support import CCPA_TEMPLATE, CONFIG, POLICY_TEMPLATE, STOREFRONT, VARS, context, render_policy

POLICY = PrivacyPolicySetting()
CCPA = CcpaPageSetting()
URL = "http://mock/shop/admin/content/pages"


def page_state(title: str, html: str | None, visible: bool = True, page_id: int = 2,
               more: tuple[PageMatch, ...] = ()) -> TextPageState:
    """What a read finds: no page, or one known in the default language only (`more`: other pages matched)."""
    if html is None:
        return TextPageState(title=title)
    row = PageMatch(id=page_id, title=title, url=f"{URL}/{page_id}", visible=visible)
    return TextPageState(title=title, matches=(row, *more), page=FoundPage(**row.model_dump(), html=html))


# --- templates -------------------------------------------------------------------------------------------
def test_missing_variable_names_the_store_the_template_and_the_variable() -> None:
    template = load_template(POLICY_TEMPLATE, CONFIG, "nl", "fietsen")
    with pytest.raises(ConfigError) as info:
        template.render(template_variables(STOREFRONT, {"company": "X", "email": "a@b.test", "updated": "2025"}))
    message = str(info.value)
    assert "store fietsen" in message and str(CONFIG / "templates/privacy-policy.nl.html") in message
    assert "variable 'address' is not set" in message


def test_values_are_html_escaped_and_optional_variables_may_be_left_out() -> None:
    template = load_template(POLICY_TEMPLATE, CONFIG, "en", "s")
    html = template.render(template_variables(STOREFRONT, {**VARS["en"], "company": 'A & B <script>x</script>'}))
    assert "A &amp; B &lt;script&gt;x&lt;/script&gt;" in html and "<script>" not in html
    assert "data protection officer" not in html  # dpo is optional and not set
    with_dpo = template.render(template_variables(STOREFRONT, {**VARS["en"], "dpo": "Jo <jo@x.test>"}))
    assert "data protection officer: Jo &lt;jo@x.test&gt;." in with_dpo


def test_sections_render_alone_in_template_order() -> None:
    template = load_template(POLICY_TEMPLATE, CONFIG, "en", "s")
    html = template.render_sections(["retention", "purposes"], template_variables(STOREFRONT, VARS["en"]))
    headings = [line for line in page_text(html).splitlines() if line.startswith("#")]
    assert headings == ["## Why we collect your data", "## How long we keep your data"]


def test_template_path_problems_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"store s: template .*nope\.en\.html not found .*language 'en'"):
        load_template("nope.{locale}.html", tmp_path, "en", "s")
    (tmp_path / "bad.html").write_text("<p>{% block x %}</p>")
    with pytest.raises(ConfigError, match=r"bad\.html, line 1"):
        load_template("bad.html", tmp_path, "en", "s")
    (tmp_path / "plain.html").write_text("<p>{{ company }}</p>")
    template = load_template(str(tmp_path / "plain.html"), Path("/elsewhere"), "en", "s")  # absolute path
    with pytest.raises(ConfigError, match="has no section for rights"):
        template.render_sections(["rights"], {"company": "c"})


def test_storefront_addresses_are_template_variables_and_vars_win() -> None:
    variables = template_variables("https://s.test", {"company": "c"}, {"contact_url": "https://s.test/service/"})
    assert variables["privacy_policy_url"] == "https://s.test/service/privacy-policy/"
    assert variables["contact_url"] == "https://s.test/service/"


# --- privacy_policy plan -----------------------------------------------------------------------------------
def desired_policy(**values: Any) -> PrivacyPolicyDesired:
    return PrivacyPolicyDesired.model_validate({"template": POLICY_TEMPLATE, **values})


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_replace_plans_the_whole_template_with_a_text_diff(locale: str) -> None:
    short = "<p>We respect your privacy.</p>" if locale == "en" else "<p>Wij respecteren je privacy.</p>"
    title = "Privacy policy" if locale == "en" else "Privacybeleid"
    [change] = POLICY.plan(page_state(title, short), desired_policy(mode="replace"), context(locale))
    assert (change.action, change.before["page_id"], change.after["page_id"]) == ("update", 2, 2)
    assert change.after["html"] == render_policy(locale)  # everything apply needs, for a saved plan too
    assert change.detail["missing"] == ["personal_data", "purposes", "usage", "cookie_withdrawal", "up_to_date"]
    diff = change.diff.splitlines()
    assert f"-{page_text(short)}" in diff and "<p>" not in change.diff
    assert change.summary == f"replace the content with privacy-policy.{locale}.html; 5 required element(s) added"
    assert Change.model_validate_json(change.model_dump_json()) == change  # survives a saved plan


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_no_perpetual_drift_after_the_editor_rewrote_the_page(locale: str) -> None:
    stored = clean_html(render_policy(locale))
    assert POLICY.plan(page_state("P", stored), desired_policy(mode="replace"), context(locale)) == []
    assert POLICY.plan(page_state("P", stored), desired_policy(mode="require", profile="gdpr"), context(locale)) == []


def test_require_appends_only_the_missing_sections_after_the_owners_text() -> None:
    owner = ("<h2>What we collect</h2><p>We collect your name and email address.</p>"
             "<h2>Cookies</h2><p>Withdraw your cookie consent with the No button.</p>")
    [change] = POLICY.plan(page_state("Privacy policy", owner), desired_policy(), context("en"))
    assert change.detail["missing"] == ["purposes", "usage", "up_to_date"]
    assert change.after["html"].startswith(owner)
    headings = [line for line in page_text(change.after["html"]).splitlines() if line.startswith("#")]
    assert headings == ["## What we collect", "## Cookies", "## Why we collect your data", "## How we use your data",
                        "## Changes to this policy"]
    assert change.summary == "append 3 missing section(s) from privacy-policy.en.html"  # which: detail.missing


def test_require_with_gdpr_profile_and_extra_elements() -> None:
    template = load_template(POLICY_TEMPLATE, CONFIG, "en", "s")
    complete_basic = template.render_sections(
        ["controller", "personal_data", "purposes", "usage", "legal_basis", "cookie_withdrawal", "up_to_date"],
        template_variables(STOREFRONT, VARS["en"]))
    plan = POLICY.plan(page_state("P", complete_basic), desired_policy(required=["retention"]), context("en"))
    assert plan[0].detail["missing"] == ["retention"]
    gdpr = POLICY.plan(page_state("P", complete_basic), desired_policy(profile="gdpr"), context("en"))
    assert gdpr[0].detail["missing"] == ["recipients", "retention", "rights", "complaint"]


def test_a_hidden_complete_policy_is_only_made_visible() -> None:
    [change] = POLICY.plan(page_state("P", render_policy("nl"), visible=False), desired_policy(), context("nl"))
    assert change.summary == "make visible" and change.diff == ""
    assert change.after["html"] == render_policy("nl") and change.after["visible"] is True


def test_a_missing_policy_page_is_created_from_the_template() -> None:
    [change] = POLICY.plan(page_state("Privacybeleid", None), desired_policy(), context("nl"))
    assert change.action == "create" and change.before is None
    assert {key: change.after[key] for key in ("visible", "title", "html")} == {
        "visible": True, "title": "Privacybeleid", "html": render_policy("nl")}
    assert change.after["slug"] == "privacy-policy"
    assert change.after["languages"] == {"nl": {"title": "Privacybeleid", "html": render_policy("nl")}}


def test_template_variable_missing_is_a_config_error_of_the_plan() -> None:
    incomplete = {k: v for k, v in VARS["en"].items() if k != "updated"}
    with pytest.raises(ConfigError, match=r"store shop-en: template .*variable 'updated' is not set"):
        POLICY.plan(page_state("P", "<p>x</p>"), desired_policy(), context("en", vars=incomplete))
    assert POLICY.plan(page_state("P", "<p>x</p>"), desired_policy(vars={"updated": "2 May 2025"}),
                       context("en", vars=incomplete))  # the setting's vars fill the gap


def test_a_template_that_does_not_satisfy_the_check_is_refused(tmp_path: Path) -> None:
    (tmp_path / "thin.html").write_text("<p>We value your privacy.</p>{% block purposes %}<p>Hi</p>{% endblock %}")
    with pytest.raises(ConfigError, match="the template personal_data, purposes, usage"):
        POLICY.plan(page_state("P", "<p>x</p>"), desired_policy(mode="replace", template="thin.html"),
                    context("en", base_dir=tmp_path))
    owner = ("<p>We collect your name and email address. We use your data only for your orders. Click No in the "
             "cookie bar to withdraw your cookie consent. Last updated 2024.</p>")
    assert POLICY.plan(page_state("P", owner), desired_policy(), context("en"))[0].detail["missing"] == ["purposes"]
    with pytest.raises(ConfigError, match="its sections for purposes: the text does not say"):
        POLICY.plan(page_state("P", owner), desired_policy(template="thin.html"), context("en", base_dir=tmp_path))


def test_two_policy_pages_are_an_error_naming_both() -> None:
    state = page_state("Privacy policy", "<p>a</p>",
                       more=(PageMatch(id=9, title="privacy policy", url=f"{URL}/9", visible=False),))
    with pytest.raises(SettingError, match=rf"page 2 \({URL}/2\), page 9 \({URL}/9\)"):
        POLICY.plan(state, desired_policy(), context("en"))


def test_desired_model_validation() -> None:
    with pytest.raises(ValidationError, match="unknown element"):
        desired_policy(required=["shoe_size"])
    with pytest.raises(ValidationError, match="unknown profile"):
        desired_policy(profile="strict")
    with pytest.raises(ValidationError, match="template"):
        PrivacyPolicyDesired.model_validate({"mode": "replace"})
    with pytest.raises(ValidationError):
        desired_policy(mode="merge")


def test_check_renders_templates_offline() -> None:
    POLICY.check(desired_policy(profile="gdpr"), context("nl"))
    with pytest.raises(ConfigError, match="variable 'email'"):
        POLICY.check(desired_policy(), context("nl", vars={"company": "c", "address": "a", "updated": "2025"}))


# --- ccpa_page plan ----------------------------------------------------------------------------------------
CCPA_TITLE = "Do not sell my personal information"


def ccpa(**values: Any) -> CcpaPageDesired:
    return CcpaPageDesired.model_validate({"template": CCPA_TEMPLATE, **values})


def rendered_ccpa(locale: str) -> str:
    template = load_template(CCPA_TEMPLATE, CONFIG, locale, "s")
    return template.render(template_variables(STOREFRONT, VARS[locale]))


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_ccpa_present_creates_a_visible_page_linking_contact_and_privacy_policy(locale: str) -> None:
    [change] = CCPA.plan(page_state(CCPA_TITLE, None), ccpa(), context(locale))
    # a new page gets the title of the shop's language (from the label table, when the fleet file sets none)
    title = {"en": CCPA_TITLE, "nl": "Verkoop mijn persoonsgegevens niet"}[locale]
    assert change.action == "create" and change.after["visible"] is True and change.after["title"] == title
    text = page_text(change.after["html"])
    assert f"<{STOREFRONT}service/contact/>" in text and f"<{STOREFRONT}service/privacy-policy/>" in text
    assert CCPA.plan(page_state(CCPA_TITLE, clean_html(change.after["html"])), ccpa(), context(locale)) == []


def test_ccpa_hidden_or_changed_page_is_updated_in_place() -> None:
    [change] = CCPA.plan(page_state(CCPA_TITLE, rendered_ccpa("en"), visible=False, page_id=7), ccpa(), context("en"))
    assert (change.action, change.after["page_id"], change.summary) == ("update", 7, "make visible")
    [edit] = CCPA.plan(page_state(CCPA_TITLE, "<p>Old words</p>", page_id=7), ccpa(), context("en"))
    assert edit.summary == "set the content from ccpa.en.html" and "-Old words" in edit.diff


def test_ccpa_absent_hides_and_ignore_does_nothing() -> None:
    visible = page_state(CCPA_TITLE, "<p>x</p>", page_id=7)
    [hide] = CCPA.plan(visible, ccpa(state="absent"), context("en"))
    assert hide.action == "hide" and {key: hide.after[key] for key in ("visible", "title", "html", "page_id")} == {
        "visible": False, "title": CCPA_TITLE, "html": None, "page_id": 7}
    assert CCPA.plan(page_state(CCPA_TITLE, "<p>x</p>", visible=False), ccpa(state="absent"), context("en")) == []
    assert CCPA.plan(page_state(CCPA_TITLE, None), CcpaPageDesired(state="absent"), context("en")) == []
    assert CCPA.plan(visible, CcpaPageDesired(state="ignore"), context("en")) == []


def test_ccpa_template_without_links_is_refused(tmp_path: Path) -> None:
    (tmp_path / "bare.html").write_text("<p>We do not sell data.</p>")
    with pytest.raises(ConfigError, match="must link to the contact page"):
        CCPA.plan(page_state(CCPA_TITLE, None), ccpa(template="bare.html"), context("en", base_dir=tmp_path))


def test_ccpa_present_needs_a_template() -> None:
    with pytest.raises(ValidationError, match="needs a 'template'"):
        CcpaPageDesired(state="present")


# --- require mode and the evidence of the element check ----------------------------------------------------
def corpus_html(path: Path) -> str:
    """A corpus policy as the backoffice would hold it (the .txt files are written as page_text() writes)."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        return raw
    html, in_list = [], False
    for line in raw.splitlines():
        item = line.startswith("- ")
        if in_list and not item:
            html.append("</ul>")
        if item and not in_list:
            html.append("<ul>")
        in_list = item
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            html.append(f"<h{level}>{escape(line.lstrip('#').strip())}</h{level}>")
        elif item:
            html.append(f"<li>{escape(line[2:])}</li>")
        elif line.strip():
            html.append(f"<p>{escape(line)}</p>")
    return "\n".join(html + (["</ul>"] if in_list else []))


CORPUS_POLICIES = sorted((Path(__file__).resolve().parents[1] / "data" / "policies").glob("*/*.*"))
#: one policy per language here; every policy of the corpus in tests/corpus/ (about 10 s: too slow for the unit
#: suite, which must stay a quick loop)
CORPUS_SAMPLE = [next(path for path in CORPUS_POLICIES if path.parent.name == language)
                 for language in sorted({path.parent.name for path in CORPUS_POLICIES})]


@pytest.mark.parametrize("path", CORPUS_SAMPLE, ids=lambda path: path.name)
def test_require_appends_exactly_the_elements_the_plan_shows_missing_never_a_present_one(path: Path) -> None:
    locale = path.parent.name
    owner = corpus_html(path)
    plan = POLICY.plan(page_state("P", owner), desired_policy(profile="gdpr"), context(locale))
    elements = plan[0].detail["elements"] if plan else []
    shown_present = {e["id"] for e in elements if e["present"]}
    shown_missing = [e["id"] for e in elements if not e["present"]]
    owner_text = page_text(owner)
    for element in elements:
        if element["present"]:  # the evidence is the owner's own text, quoted
            assert element["evidence"] and all(part in owner_text for part in element["evidence"].split(" ... "))
    if not plan:
        return
    [change] = plan
    assert change.detail["missing"] == shown_missing and len(elements) == 11
    appended = change.after["html"][len(owner.rstrip()):]
    template = load_template(POLICY_TEMPLATE, CONFIG, locale, "s")
    assert appended == "\n" + template.render_sections(shown_missing, template_variables(STOREFRONT, VARS[locale]))
    appended_headings = [line for line in page_text(appended).splitlines() if line.startswith("#")]
    assert len(appended_headings) == len(shown_missing) and not shown_present & set(shown_missing)
    # what was appended is recognised on the next run: no perpetual drift
    assert POLICY.plan(page_state("P", change.after["html"]), desired_policy(profile="gdpr"), context(locale)) == []


def test_the_plan_text_shows_the_evidence_per_element() -> None:
    owner = ("<h2>Cookies</h2><p>You can set your browser to refuse cookies.</p>"
             "<h2>What we collect</h2><p>We collect your name and email address.</p>")
    [change] = POLICY.plan(page_state("Privacy policy", owner), desired_policy(), context("en"))
    text = render_change(change, diff=True).plain
    assert "      elements:" in text
    assert ("        cookie_withdrawal: present (under 'Cookies'): \"Cookies ... You can set your browser to refuse "
            "cookies.\"") in text
    assert "        up_to_date: MISSING: nothing close" in text
    evidence = {e["id"]: e for e in change.detail["elements"]}
    assert evidence["personal_data"]["evidence"] == "What we collect ... We collect your name and email address."
    assert Change.model_validate_json(change.model_dump_json()) == change
