"""Content > Pages > Privacy policy: the page must contain what the vendor's guide (and optionally GDPR
Art. 13) requires, in every shop language.

Two modes:
- `replace`: the tool owns the page; its content is the rendered template.
- `require`: the owner's text stays; only the sections of missing elements are appended, from the template.
Every shop language is planned on its own: its template (`{locale}` in the path is the language), its element
check, its diff, its title. Finding the page (slug `privacy-policy` first, then its title), comparing by what a
reader sees, backups and saving are the text page base's (flows/text_page_setting.py); this module renders the
content and checks the required elements.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ecom_privacy.errors import ConfigError
from ecom_privacy.setting import PlanInput
from ecom_privacy.storefront import StorefrontCheck
from flows.content.html_text import page_text
from flows.content.page_languages import checkable, language_root
from flows.content.privacy_elements import Element, Finding, detect_elements, element_table, resolve_elements
from flows.content.templates import ContentTemplate, load_template, template_variables
from flows.storefront.policy_pages import privacy_policy_checks
from flows.text_page_setting import SLUG_PATTERN, LanguagePlan, PageContent, TextPageDesired, TextPageSetting
from flows.text_pages import FoundPage, PageTarget, PageTexts, TextPageState, shop_languages


class PrivacyPolicyDesired(TextPageDesired):
    model_config = ConfigDict(extra="forbid")

    mode: Literal["replace", "require"] = "require"
    #: Jinja2 HTML file with one {% block <element> %} per element; relative to the fleet file's folder;
    #: `{locale}` is replaced by each shop language
    template: str = Field(min_length=1)
    #: basic = the vendor's list; gdpr = basic + GDPR Art. 13 (controller, legal basis, recipients, ...)
    profile: str = "basic"
    #: element ids required on top of the profile's
    required: list[str] = Field(default_factory=list)
    slug: str | None = Field(default="privacy-policy", pattern=SLUG_PATTERN)

    @field_validator("profile")
    @classmethod
    def _known_profile(cls, value: str) -> str:
        profiles = element_table().profiles
        if value not in profiles:
            raise ValueError(f"unknown profile {value!r}; known: {', '.join(profiles)}")
        return value

    @field_validator("required")
    @classmethod
    def _known_elements(cls, value: list[str]) -> list[str]:
        known = element_table().elements
        unknown = [element_id for element_id in value if element_id not in known]
        if unknown:
            raise ValueError(f"unknown element(s) {', '.join(unknown)}; known: {', '.join(known)}")
        return value


def _ids(elements: list[Element]) -> list[str]:
    return [element.id for element in elements]


@dataclass(frozen=True, kw_only=True)
class PolicyContent(PageContent):
    """A language's policy content and the element check of the page's current text in that language."""

    #: the elements the current page lacks (`require` appends exactly these, never one shown present)
    missing: list[str]
    #: False: the element table has no wording for the language (mode `replace` only)
    checked: bool
    #: per element of the current page: the sentence that satisfied it, or the closest miss (none: no page)
    findings: tuple[Finding, ...] = ()

    def detail(self) -> dict[str, Any]:
        return {"template": str(self.source), "missing": self.missing, "checked": self.checked,
                "elements": [finding.as_dict() for finding in self.findings]}


class PrivacyPolicySetting(TextPageSetting[PrivacyPolicyDesired, PolicyContent]):
    name = "privacy_policy"
    desired_model = PrivacyPolicyDesired
    title_label = "content_pages.privacy_policy_title"

    def storefront_checks(self, desired: PrivacyPolicyDesired | None,
                          languages: tuple[str, ...]) -> list[StorefrontCheck]:
        return privacy_policy_checks(desired)

    def _findings(self, html: str, desired: PrivacyPolicyDesired, language: str) -> list[Finding]:
        return detect_elements(page_text(html), language, desired.profile, desired.required)

    def _missing(self, html: str, desired: PrivacyPolicyDesired, language: str) -> list[str]:
        return [f.element.id for f in self._findings(html, desired, language) if not f.present]

    def _template(self, desired: PrivacyPolicyDesired, context: PlanInput, language: str) -> ContentTemplate:
        try:
            return load_template(desired.template, context.base_dir, language, context.store_id)
        except ConfigError as exc:
            raise ConfigError(f"{self.name}: shop language {language}: {exc}") from exc

    def _require_checkable(self, desired: PrivacyPolicyDesired, context: PlanInput, language: str) -> None:
        if desired.mode == "require" and not checkable(language):
            raise ConfigError(
                f"store {context.store_id}: {self.name}: shop language {language}: mode 'require' must know which "
                f"elements the page lacks, and the required-elements table (flows/content/privacy_elements.yaml) "
                f"has no wording for {language!r}; use mode: replace for this store (the page then holds the "
                f"template whole) or add {language!r} to the table")

    def _render(self, template: ContentTemplate, desired: PrivacyPolicyDesired, context: PlanInput, language: str,
                sections: list[str] | None = None) -> str:
        root = language_root(context.storefront_url, shop_languages(context), language)
        variables = template_variables(root, desired.vars, context.vars)
        html = template.render(variables) if sections is None else template.render_sections(sections, variables)
        if not checkable(language):
            return html  # `replace` only (see _require_checkable); the plan says the elements were not checked
        lacking = self._missing(html, desired, language) if sections is None else [
            element_id for element_id in self._missing(html, desired, language) if element_id in sections]
        if lacking:
            # Publishing a policy that the next run would call incomplete would be drift forever.
            part = "the template" if sections is None else "its sections for"
            raise ConfigError(
                f"store {context.store_id}: template {template.path}: {part} {', '.join(lacking)}: the text does "
                f"not say what the check looks for (flows/content/privacy_elements.yaml, language {language})"
            )
        return html

    def check(self, desired: BaseModel, context: PlanInput) -> None:
        """The base's checks (titles, every language's whole template), and in `require` mode the sections."""
        super().check(desired, context)
        policy = self.desired_of(desired)
        if policy.mode == "require":
            sections = _ids(resolve_elements(policy.profile, policy.required))
            for language in shop_languages(context):
                self._render(self._template(policy, context, language), policy, context, language, sections)

    def content(self, desired: PrivacyPolicyDesired, context: PlanInput, language: str,
                current: PageTexts | None) -> PolicyContent:
        """`replace`: the template whole. `require`: the owner's text with the sections of the missing elements
        appended (the whole template for a new page or a language without text yet)."""
        self._require_checkable(desired, context, language)
        template = self._template(desired, context, language)
        old_html = current.html if current is not None else ""
        findings = self._findings(old_html, desired, language) if checkable(language) else []
        missing = [finding.element.id for finding in findings if not finding.present]
        untranslated = not page_text(old_html).strip()
        name = template.path.name
        if current is None or desired.mode == "replace" or untranslated:
            html = self._render(template, desired, context, language)
        elif missing:
            html = old_html.rstrip() + "\n" + self._render(template, desired, context, language, missing)
        else:
            html = old_html
        if desired.mode == "replace":
            action = f"replace the content with {name}"
        elif untranslated:
            action = f"write the content from {name} (the page has none in this language)"
        else:
            action = f"append {len(missing)} missing section(s) from {name}"
        notes = []
        if missing and (desired.mode == "replace" or untranslated):  # `append N missing section(s)` says it
            notes.append(f"{len(missing)} required element(s) added")  # which ones: detail.missing, the evidence
        if not checkable(language):
            notes.append(f"required elements not checked: the element table has no wording for {language!r}")
        shown = tuple(findings) if current is not None else ()  # a page not there yet has no evidence
        return PolicyContent(html=html, source=template.path, action=action, notes=tuple(notes),
                             evidence=tuple(finding.explain() for finding in shown), missing=missing,
                             checked=checkable(language), findings=shown)

    def creation_summary(self, target: PageTarget, sources: list[str]) -> str:
        return (f"no page with the address /service/{target.slug}/ or titled {target.default_title!r}: "
                f"create it from {', '.join(sources)}")

    def change_before(self, page: FoundPage, planned: list[LanguagePlan[PolicyContent]]) -> dict[str, Any]:
        return {**super().change_before(page, planned), "missing": planned[0].content.missing}

    def change_detail(self, current: TextPageState, desired: PrivacyPolicyDesired,
                      planned: list[LanguagePlan[PolicyContent]]) -> dict[str, Any]:
        default = planned[0].content.detail()
        return {
            "missing": default["missing"], "mode": desired.mode, "template": default["template"],
            "found_by": current.found_by,
            # per element of the current page: the sentence that satisfied it, or the closest miss
            "elements": default["elements"],
            "languages": {part.language: {**part.content.detail(), "diff": part.diff} for part in planned},
        }
