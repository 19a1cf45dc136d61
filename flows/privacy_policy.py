"""Content > Pages > Privacy policy: the page must contain what the vendor's guide (and optionally GDPR
Art. 13) requires, in the store's language.

Two modes:
- `replace`: the tool owns the page; its content is the rendered template.
- `require`: the owner's text stays; only the sections of missing elements are appended, from the template.
Content is compared by what a reader sees (`page_text`), because the backoffice's editor rewrites the HTML it
stores. The old content is backed up to the run's artifacts before it is overwritten.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from automation.errors import ConfigError
from automation.models import Change
from flows.base import PlanInput, Setting, StoreSession
from flows.content.html_text import page_text, text_diff
from flows.content.privacy_elements import Element, Finding, detect_elements, element_table, resolve_elements
from flows.content.templates import ContentTemplate, load_template, template_variables
from flows.text_pages import read_titled_page, the_page, write_titled_page


class PrivacyPolicyDesired(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: Literal["replace", "require"] = "require"
    #: Jinja2 HTML file with one {% block <element> %} per element; relative to the fleet file's folder;
    #: `{locale}` is replaced by the store's language
    template: str = Field(min_length=1)
    #: basic = the vendor's list; gdpr = basic + GDPR Art. 13 (controller, legal basis, recipients, ...)
    profile: str = "basic"
    #: element ids required on top of the profile's
    required: list[str] = Field(default_factory=list)
    #: template variables for every store of this layer; a store's own `vars` win
    vars: dict[str, Any] = Field(default_factory=dict)

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

    async def read(self, session: StoreSession) -> dict[str, Any]:
        return await read_titled_page(session, session.labels["content_pages.privacy_policy_title"])

    def _findings(self, html: str, desired: PrivacyPolicyDesired, context: PlanInput) -> list[Finding]:
        return detect_elements(page_text(html), context.locale, desired.profile, desired.required)

    def _missing(self, html: str, desired: PrivacyPolicyDesired, context: PlanInput) -> list[str]:
        return [f.element.id for f in self._findings(html, desired, context) if not f.present]

    def _render(self, template: ContentTemplate, desired: PrivacyPolicyDesired, context: PlanInput,
                sections: list[str] | None = None) -> str:
        variables = template_variables(context.storefront_url, desired.vars, context.vars)
        html = template.render(variables) if sections is None else template.render_sections(sections, variables)
        lacking = self._missing(html, desired, context) if sections is None else [
            element_id for element_id in self._missing(html, desired, context) if element_id in sections]
        if lacking:
            # Publishing a policy that the next run would call incomplete would be drift forever.
            part = "the template" if sections is None else "its sections for"
            raise ConfigError(
                f"store {context.store_id}: template {template.path}: {part} {', '.join(lacking)}: the text does "
                f"not say what the check looks for (flows/content/privacy_elements.yaml, language {context.locale})"
            )
        return html

    def check(self, desired: BaseModel, context: PlanInput) -> None:
        assert isinstance(desired, PrivacyPolicyDesired)
        template = load_template(desired.template, context.base_dir, context.locale, context.store_id)
        self._render(template, desired, context)
        if desired.mode == "require":
            self._render(template, desired, context, _ids(resolve_elements(desired.profile, desired.required)))

    def plan(self, current: dict[str, Any], desired: BaseModel, context: PlanInput) -> list[Change]:
        assert isinstance(desired, PrivacyPolicyDesired)
        page = the_page(self.name, current)
        template = load_template(desired.template, context.base_dir, context.locale, context.store_id)
        old_html = page["html"] if page else ""
        findings = self._findings(old_html, desired, context)
        # `require` appends exactly the elements shown as missing here, never one the evidence shows present
        missing = [finding.element.id for finding in findings if not finding.present]
        if page is None or desired.mode == "replace":
            new_html = self._render(template, desired, context)
        elif missing:
            new_html = old_html.rstrip() + "\n" + self._render(template, desired, context, missing)
        else:
            new_html = old_html
        old_text, new_text = page_text(old_html), page_text(new_html)
        content_differs = old_text != new_text
        make_visible = page is not None and not page["visible"]
        if page is not None and not content_differs and not make_visible:
            return []

        parts = []
        if page is None:
            parts.append(f"no page titled {current['title']!r}: create it from {template.path.name}")
        elif content_differs and desired.mode == "replace":
            parts.append(f"replace the content with {template.path.name}")
        elif content_differs:
            parts.append(f"append {len(missing)} missing section(s) from {template.path.name}")
        if missing:
            parts.append("missing: " + ", ".join(missing))
        if make_visible:
            parts.append("make visible")
        before = None if page is None else {"page_id": page["id"], "url": page["url"], "visible": page["visible"],
                                           "missing": missing}
        after = {"visible": True, "title": page["title"] if page else current["title"], "html": new_html}
        if page is not None:
            after["page_id"] = page["id"]
        return [Change(
            setting=self.name, action="create" if page is None else "update", before=before, after=after,
            summary="; ".join(parts),
            detail={
                "diff": text_diff(old_text, new_text) if content_differs else "",
                "missing": missing, "mode": desired.mode, "template": str(template.path),
                # per element of the current page: the sentence that satisfied it, or the closest miss
                "elements": [finding.as_dict() for finding in findings] if page is not None else [],
                "evidence": [finding.explain() for finding in findings] if page is not None else [],
            },
        )]

    async def apply(self, session: StoreSession, changes: list[Change]) -> None:
        for change in changes:
            await write_titled_page(session, self.name, change.after["title"], html=change.after["html"],
                                    visible=change.after["visible"])
