"""Content > Pages > "Do not sell my personal information": the page stores under the CCPA must show.

`present`: a visible page holding, in every shop language, the title (the fleet file's `title`, else the
label table's default) and the template's content, which links to the contact page and the privacy policy.
`absent`: the page is hidden (in every language: visibility is the page's), never deleted. `ignore`: nothing.
Finding the page (its slug first, then its title in the default language, every time, so an interrupted
creation is finished by the next run and two pages with the title are an error naming both), planning and
saving are the text page base's (flows/text_page_setting.py); this module renders the content.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from ecom_privacy.errors import ConfigError
from ecom_privacy.setting import PlanInput
from ecom_privacy.storefront import StorefrontCheck
from flows.content.html_text import page_text
from flows.content.page_languages import language_root
from flows.content.templates import load_template, template_variables
from flows.storefront.policy_pages import ccpa_page_checks
from flows.text_page_setting import SLUG_PATTERN, PageContent, PageWanted, TextPageDesired, TextPageSetting
from flows.text_pages import PageTexts, shop_languages

#: the address the platform gives a page created with the English title
DEFAULT_SLUG = "do-not-sell-my-personal-information"


class CcpaPageDesired(TextPageDesired):
    model_config = ConfigDict(extra="forbid")

    state: Literal["present", "absent", "ignore"] = "present"
    #: Jinja2 HTML file for the page's content; relative to the fleet file's folder; `{locale}` = each language
    template: str | None = None
    slug: str | None = Field(default=DEFAULT_SLUG, pattern=SLUG_PATTERN)

    @model_validator(mode="after")
    def _present_needs_template(self) -> CcpaPageDesired:
        if self.state == "present" and not (self.template or "").strip():
            raise ValueError("state 'present' needs a 'template' (the page's content, "
                             "e.g. templates/ccpa.{locale}.html)")
        return self


class CcpaPageSetting(TextPageSetting[CcpaPageDesired, PageContent]):
    name = "ccpa_page"
    desired_model = CcpaPageDesired
    title_label = "content_pages.ccpa_title"

    def storefront_checks(self, desired: CcpaPageDesired | None, languages: tuple[str, ...]) -> list[StorefrontCheck]:
        return ccpa_page_checks(desired, languages)

    def wanted(self, desired: CcpaPageDesired) -> PageWanted:
        return PageWanted(desired.state)

    def content(self, desired: CcpaPageDesired, context: PlanInput, language: str,
                current: PageTexts | None) -> PageContent:
        """The template in `language`; it must link to the contact page or the privacy policy."""
        assert desired.template is not None  # the model requires it for `present`, the only state rendered
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
        return PageContent(html=html, source=template.path, action=f"set the content from {template.path.name}")
