"""Content > Pages > "Do not sell my personal information": the page stores under the CCPA must show.

`present`: a visible page with that title (per locale, from the label table) holding the template's content,
which links to the contact page and the privacy policy. `absent`: the page is hidden, never deleted.
`ignore`: nothing. The page is found by title every time, so an interrupted creation is finished by the next
run, and two pages with the title are an error that names both.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from automation.errors import ConfigError
from automation.models import Change
from flows.base import PlanInput, Setting, StoreSession
from flows.content.html_text import page_text, text_diff
from flows.content.templates import load_template, template_variables
from flows.text_pages import read_titled_page, the_page, write_titled_page


class CcpaPageDesired(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: Literal["present", "absent", "ignore"] = "present"
    #: Jinja2 HTML file for the page's content; relative to the fleet file's folder; `{locale}` = the language
    template: str | None = None
    #: template variables for every store of this layer; a store's own `vars` win
    vars: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _present_needs_template(self) -> CcpaPageDesired:
        if self.state == "present" and not (self.template or "").strip():
            raise ValueError("state 'present' needs a 'template' (the page's content, "
                             "e.g. templates/ccpa.{locale}.html)")
        return self


class CcpaPageSetting(Setting):
    name = "ccpa_page"
    desired_model = CcpaPageDesired

    async def read(self, session: StoreSession) -> dict[str, Any]:
        return await read_titled_page(session, session.labels["content_pages.ccpa_title"])

    def _render(self, desired: CcpaPageDesired, context: PlanInput) -> tuple[str, str]:
        """The page's HTML and the template's file name."""
        assert desired.template is not None
        template = load_template(desired.template, context.base_dir, context.locale, context.store_id)
        variables = template_variables(context.storefront_url, desired.vars, context.vars)
        html = template.render(variables)
        text = page_text(html)
        if f"<{variables['contact_url']}>" not in text and f"<{variables['privacy_policy_url']}>" not in text:
            raise ConfigError(
                f"store {context.store_id}: template {template.path}: the CCPA page must link to the contact page "
                f"({{{{ contact_url }}}}) or the privacy policy ({{{{ privacy_policy_url }}}})"
            )
        return html, template.path.name

    def check(self, desired: BaseModel, context: PlanInput) -> None:
        assert isinstance(desired, CcpaPageDesired)
        if desired.state == "present":
            self._render(desired, context)

    def plan(self, current: dict[str, Any], desired: BaseModel, context: PlanInput) -> list[Change]:
        assert isinstance(desired, CcpaPageDesired)
        if desired.state == "ignore":
            return []
        page = the_page(self.name, current)
        title = page["title"] if page else current["title"]
        before = None if page is None else {"page_id": page["id"], "url": page["url"], "visible": page["visible"]}
        if desired.state == "absent":
            if page is None or not page["visible"]:
                return []
            return [Change(setting=self.name, action="hide", before=before,
                           after={"visible": False, "title": title, "html": None, "page_id": page["id"]},
                           summary=f"hide the page {title!r} (it is kept, not deleted)")]

        html, template_name = self._render(desired, context)
        old_text, new_text = page_text(page["html"] if page else ""), page_text(html)
        content_differs = old_text != new_text
        make_visible = page is not None and not page["visible"]
        if page is not None and not content_differs and not make_visible:
            return []
        if page is None:
            summary = f"create the page {title!r} from {template_name}, visible"
        else:
            summary = "; ".join(part for part, needed in (
                (f"set the content from {template_name}", content_differs), ("make visible", make_visible)) if needed)
        after: dict[str, Any] = {"visible": True, "title": title, "html": html}
        if page is not None:
            after["page_id"] = page["id"]
        return [Change(setting=self.name, action="create" if page is None else "update", before=before, after=after,
                       summary=summary, detail={"diff": text_diff(old_text, new_text) if content_differs else ""})]

    async def apply(self, session: StoreSession, changes: list[Change]) -> None:
        for change in changes:
            await write_titled_page(session, self.name, change.after["title"], html=change.after["html"],
                                    visible=change.after["visible"])
