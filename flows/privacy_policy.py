"""Content > Pages > Privacy policy: the page must contain what the vendor's guide (and optionally GDPR
Art. 13) requires, in every shop language.

Two modes:
- `replace`: the tool owns the page; its content is the rendered template.
- `require`: the owner's text stays; only the sections of missing elements are appended, from the template.
Every shop language is planned on its own: its template (`{locale}` in the path is the language), its element
check, its diff, its title. The page is found by its slug first (`privacy-policy`, the same in every
language), then by its title. Content is compared by what a reader sees (`page_text`), because the
backoffice's editor rewrites the HTML it stores. Each language's old content is backed up to the run's
artifacts before it is overwritten.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.errors import ConfigError
from core.models import Change
from core.setting import PlanInput, Setting, StoreSession
from core.storefront import StorefrontCheck
from flows.content.html_text import page_text, text_diff
from flows.content.page_languages import checkable, language_root, tagged
from flows.content.privacy_elements import Element, Finding, detect_elements, element_table, resolve_elements
from flows.content.templates import ContentTemplate, load_template, template_variables
from flows.pages.content_pages import same_title
from flows.storefront.policy_pages import privacy_policy_checks
from flows.text_pages import (
    PageTarget,
    applied_target,
    page_language,
    page_target,
    read_text_page,
    shop_languages,
    the_page,
    titles_per_language,
    write_text_page,
    write_titled_page,
)

TITLE_LABEL = "content_pages.privacy_policy_title"


class PrivacyPolicyDesired(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: Literal["replace", "require"] = "require"
    #: Jinja2 HTML file with one {% block <element> %} per element; relative to the fleet file's folder;
    #: `{locale}` is replaced by each shop language
    template: str = Field(min_length=1)
    #: basic = the vendor's list; gdpr = basic + GDPR Art. 13 (controller, legal basis, recipients, ...)
    profile: str = "basic"
    #: element ids required on top of the profile's
    required: list[str] = Field(default_factory=list)
    #: template variables for every store of this layer; a store's own `vars` win
    vars: dict[str, Any] = Field(default_factory=dict)
    #: the page's title per shop language; a language left out gets the label table's default title
    title: dict[str, str] = Field(default_factory=dict)
    #: the page's address (/service/<slug>/, the same in every language): the page is found by it first
    slug: str | None = Field(default="privacy-policy", pattern=r"^[a-z0-9][a-z0-9-]*$")

    _titles = field_validator("title", mode="before")(titles_per_language)

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


class PrivacyPolicySetting(Setting):
    name = "privacy_policy"
    desired_model = PrivacyPolicyDesired

    def target(self, desired: PrivacyPolicyDesired | None, context: PlanInput) -> PageTarget:
        if desired is None:
            return page_target(self.name, {}, "privacy-policy", TITLE_LABEL, context)
        return page_target(self.name, desired.title, desired.slug, TITLE_LABEL, context)

    async def read(self, session: StoreSession) -> dict[str, Any]:
        desired = session.plan_input.desired.get(self.name)
        assert desired is None or isinstance(desired, PrivacyPolicyDesired)
        return await read_text_page(session, self.target(desired, session.plan_input))

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
        assert isinstance(desired, PrivacyPolicyDesired)
        self.target(desired, context)
        for language in shop_languages(context):
            self._require_checkable(desired, context, language)
            template = self._template(desired, context, language)
            self._render(template, desired, context, language)
            if desired.mode == "require":
                self._render(template, desired, context, language,
                             _ids(resolve_elements(desired.profile, desired.required)))

    def _plan_language(self, page: dict[str, Any] | None, desired: PrivacyPolicyDesired, context: PlanInput,
                       language: str, title: str) -> dict[str, Any]:
        """One language's part of the plan: what to write (None: leave), and why."""
        self._require_checkable(desired, context, language)
        template = self._template(desired, context, language)
        current = page_language(page, language, shop_languages(context)[0])
        old_html = current["html"]
        findings = self._findings(old_html, desired, language) if checkable(language) else []
        # `require` appends exactly the elements shown as missing here, never one the evidence shows present
        missing = [finding.element.id for finding in findings if not finding.present]
        untranslated = not page_text(old_html).strip()
        if page is None or desired.mode == "replace" or untranslated:
            new_html = self._render(template, desired, context, language)
        elif missing:
            new_html = old_html.rstrip() + "\n" + self._render(template, desired, context, language, missing)
        else:
            new_html = old_html
        old_text, new_text = page_text(old_html), page_text(new_html)
        content_differs = old_text != new_text
        # A title from the fleet file is desired state; a default title only names a new or untitled page.
        rename = page is not None and (not current["title"].strip() or (
            language in desired.title and not same_title(current["title"], title)))
        parts = []
        if page is not None and content_differs:
            if desired.mode == "replace":
                parts.append(f"replace the content with {template.path.name}")
            elif untranslated:
                parts.append(f"write the content from {template.path.name} (the page has none in this language)")
            else:
                parts.append(f"append {len(missing)} missing section(s) from {template.path.name}")
        if missing:
            parts.append("missing: " + ", ".join(missing))
        if not checkable(language):
            parts.append(f"required elements not checked: the element table has no wording for {language!r}")
        if rename:
            parts.append(f"title {current['title']!r} -> {title!r}")
        return {
            "language": language, "template": str(template.path), "missing": missing,
            "checked": checkable(language), "changes": content_differs or rename,
            "title": title if (page is None or rename) else None,
            # the desired content, also when unchanged: a saved plan carries everything apply needs
            "html": new_html,
            "summary": "; ".join(parts),
            "diff": text_diff(old_text, new_text, old_name=f"current ({language})", new_name=f"desired ({language})")
            if content_differs else "",
            "elements": [finding.as_dict() for finding in findings] if page is not None else [],
            "evidence": [finding.explain() for finding in findings] if page is not None else [],
        }

    def plan(self, current: dict[str, Any], desired: BaseModel, context: PlanInput) -> list[Change]:
        assert isinstance(desired, PrivacyPolicyDesired)
        page = the_page(self.name, current)
        target = self.target(desired, context)
        languages = target.languages
        planned = [self._plan_language(page, desired, context, language, title)
                   for language, title in target.titles.items()]
        make_visible = page is not None and not page["visible"]
        if page is not None and not make_visible and not any(part["changes"] for part in planned):
            return []

        parts = []
        if page is None:
            parts.append(f"no page with the address /service/{desired.slug}/ or titled {target.default_title!r}: "
                         f"create it from {', '.join(p['template'].rsplit('/', 1)[-1] for p in planned)}")
        parts += [tagged(p["language"], languages, p["summary"]) for p in planned if p["summary"]]
        if make_visible:
            parts.append("make visible")
        default = planned[0]
        before = None if page is None else {"page_id": page["id"], "url": page["url"], "visible": page["visible"],
                                           "missing": default["missing"]}
        after: dict[str, Any] = {
            "visible": True, "title": page["title"] if page else target.default_title, "html": default["html"],
            "slug": desired.slug, "find_titles": target.titles,
            "languages": {p["language"]: {"title": p["title"], "html": p["html"]} for p in planned},
        }
        if page is not None:
            after["page_id"] = page["id"]
        diff = "\n".join(p["diff"] for p in planned if p["diff"])
        return [Change(
            setting=self.name, action="create" if page is None else "update", before=before, after=after,
            summary="; ".join(parts), diff=diff,
            evidence=[tagged(p["language"], languages, line) for p in planned for line in p["evidence"]],
            detail={
                "missing": default["missing"], "mode": desired.mode, "template": default["template"],
                "found_by": current.get("found_by"),
                # per element of the current page: the sentence that satisfied it, or the closest miss
                "elements": default["elements"],
                "languages": {p["language"]: {key: p[key] for key in ("template", "missing", "checked", "diff",
                                                                       "elements")} for p in planned},
            },
        )]

    def storefront_checks(self, desired: BaseModel | None, languages: tuple[str, ...]) -> list[StorefrontCheck]:
        return privacy_policy_checks(desired)

    async def apply(self, session: StoreSession, changes: list[Change]) -> None:
        for change in changes:
            if "languages" not in change.after:  # a plan saved by an earlier version: the default language only
                await write_titled_page(session, self.name, change.after["title"], html=change.after["html"],
                                        visible=change.after["visible"])
                continue
            await write_text_page(session, self.name, applied_target(change), texts=change.after["languages"],
                                  visible=change.after["visible"])
