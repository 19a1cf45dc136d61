"""Content > Pages > "Do not sell my personal information": the page stores under the CCPA must show.

`present`: a visible page holding, in every shop language, the title (the fleet file's `title`, else the
label table's default) and the template's content, which links to the contact page and the privacy policy.
`absent`: the page is hidden (in every language: visibility is the page's), never deleted. `ignore`: nothing.
The page is found by its slug first, then by its title in the default language, every time, so an
interrupted creation is finished by the next run, and two pages with the title are an error that names both.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.errors import ConfigError
from core.models import Change
from core.setting import PlanInput, Setting, StoreSession
from core.storefront import StorefrontCheck
from flows.content.html_text import page_text, text_diff
from flows.content.page_languages import language_root, tagged
from flows.content.templates import load_template, template_variables
from flows.pages.content_pages import same_title
from flows.storefront.policy_pages import ccpa_page_checks
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

TITLE_LABEL = "content_pages.ccpa_title"
#: the address the platform gives a page created with the English title
DEFAULT_SLUG = "do-not-sell-my-personal-information"


class CcpaPageDesired(BaseModel):
    model_config = ConfigDict(extra="forbid")

    state: Literal["present", "absent", "ignore"] = "present"
    #: Jinja2 HTML file for the page's content; relative to the fleet file's folder; `{locale}` = each language
    template: str | None = None
    #: template variables for every store of this layer; a store's own `vars` win
    vars: dict[str, Any] = Field(default_factory=dict)
    #: the page's title per shop language; a language left out gets the label table's default title
    title: dict[str, str] = Field(default_factory=dict)
    #: the page's address (/service/<slug>/): the page is found by it first, then by its title
    slug: str | None = Field(default=DEFAULT_SLUG, pattern=r"^[a-z0-9][a-z0-9-]*$")

    _titles = field_validator("title", mode="before")(titles_per_language)

    @model_validator(mode="after")
    def _present_needs_template(self) -> CcpaPageDesired:
        if self.state == "present" and not (self.template or "").strip():
            raise ValueError("state 'present' needs a 'template' (the page's content, "
                             "e.g. templates/ccpa.{locale}.html)")
        return self


class CcpaPageSetting(Setting):
    name = "ccpa_page"
    desired_model = CcpaPageDesired

    def target(self, desired: CcpaPageDesired | None, context: PlanInput) -> PageTarget:
        if desired is None:
            return page_target(self.name, {}, DEFAULT_SLUG, TITLE_LABEL, context)
        return page_target(self.name, desired.title, desired.slug, TITLE_LABEL, context)

    async def read(self, session: StoreSession) -> dict[str, Any]:
        desired = session.plan_input.desired.get(self.name)
        assert desired is None or isinstance(desired, CcpaPageDesired)
        return await read_text_page(session, self.target(desired, session.plan_input))

    def _render(self, desired: CcpaPageDesired, context: PlanInput, language: str) -> tuple[str, str]:
        """The page's HTML in `language` and the template's file name."""
        assert desired.template is not None
        try:
            template = load_template(desired.template, context.base_dir, language, context.store_id)
        except ConfigError as exc:
            raise ConfigError(f"{self.name}: shop language {language}: {exc}") from exc
        root = language_root(context.storefront_url, shop_languages(context), language)
        variables = template_variables(root, desired.vars, context.vars)
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
            self.target(desired, context)
            for language in shop_languages(context):
                self._render(desired, context, language)

    def plan(self, current: dict[str, Any], desired: BaseModel, context: PlanInput) -> list[Change]:
        assert isinstance(desired, CcpaPageDesired)
        if desired.state == "ignore":
            return []
        page = the_page(self.name, current)
        target = self.target(desired, context)
        languages = target.languages
        title = page["title"] if page else target.default_title
        before = None if page is None else {"page_id": page["id"], "url": page["url"], "visible": page["visible"]}
        if desired.state == "absent":
            if page is None or not page["visible"]:
                return []
            return [Change(setting=self.name, action="hide", before=before,
                           after={"visible": False, "title": title, "html": None, "page_id": page["id"],
                                  "slug": desired.slug, "find_titles": target.titles, "languages": None},
                           summary=f"hide the page {title!r} in every language (it is kept, not deleted)")]

        parts, diffs, texts, template_names = [], [], {}, []
        changed = False
        for language, wanted_title in target.titles.items():
            html, template_name = self._render(desired, context, language)
            template_names.append(template_name)
            current_text = page_language(page, language, languages[0])
            old_text, new_text = page_text(current_text["html"]), page_text(html)
            content_differs = old_text != new_text
            rename = page is not None and (not current_text["title"].strip() or (
                language in desired.title and not same_title(current_text["title"], wanted_title)))
            texts[language] = {"title": wanted_title if (page is None or rename) else None,
                               "html": html}
            changed = changed or content_differs or rename
            if content_differs:
                diffs.append(text_diff(old_text, new_text, old_name=f"current ({language})",
                                       new_name=f"desired ({language})"))
            if page is not None:
                part = "; ".join(text for text, needed in (
                    (f"set the content from {template_name}", content_differs),
                    (f"title {current_text['title']!r} -> {wanted_title!r}", rename)) if needed)
                if part:
                    parts.append(tagged(language, languages, part))
        make_visible = page is not None and not page["visible"]
        if page is not None and not changed and not make_visible:
            return []
        if page is None:
            parts.insert(0, f"create the page {title!r} from {', '.join(template_names)}, visible")
        elif make_visible:
            parts.append("make visible")
        after: dict[str, Any] = {"visible": True, "title": title, "html": texts[languages[0]]["html"],
                                 "slug": desired.slug, "find_titles": target.titles, "languages": texts}
        if page is not None:
            after["page_id"] = page["id"]
        return [Change(setting=self.name, action="create" if page is None else "update", before=before, after=after,
                       summary="; ".join(parts), diff="\n".join(diffs),
                       detail={"found_by": current.get("found_by")})]

    def storefront_checks(self, desired: BaseModel | None, languages: tuple[str, ...]) -> list[StorefrontCheck]:
        return ccpa_page_checks(desired, languages)

    async def apply(self, session: StoreSession, changes: list[Change]) -> None:
        for change in changes:
            if "languages" not in change.after:  # a plan saved by an earlier version: the default language only
                await write_titled_page(session, self.name, change.after["title"], html=change.after["html"],
                                        visible=change.after["visible"])
                continue
            await write_text_page(session, self.name, applied_target(change), texts=change.after["languages"],
                                  visible=change.after["visible"])
