"""Settings > Web extras > COOKIE LAW: the mode that makes the storefront show the cookie bar.

Four modes (the help article "Notifying customers about cookies"): no message, a notification only, confirmation
required, and the recommended custom message on the first page, whose text is kept per shop language and whose
bar carries a "Manage cookies" control. The fleet file gives the custom message inline (one text for the shop's
default language, or one per language) or as a template per language (`message_template`, `{locale}` in its
name, plain text with the store's vars), and may say whether the Manage cookies control shows.

`read` takes the state from the page's JSON twin (`settings/web_extras.json`) when it has it, else from the
rendered page, saying so once per store; `apply` clicks through the page; its read-back uses the same `read`.
"""

from __future__ import annotations

import html
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ecom_privacy.errors import ConfigError
from ecom_privacy.models import Change, ChangeAction, Diagnostic
from ecom_privacy.probe import ProbeTarget
from ecom_privacy.setting import CurrentState, PlanInput, Setting, StoreSession
from ecom_privacy.storefront import StorefrontCheck
from flows.content.templates import load_template, template_variables
from flows.pages.json_twin import TwinUnusable, fallback_notes
from flows.pages.web_extras_page import CookieLawReading, WebExtrasPage, WebExtrasTwin
from flows.storefront.cookie_bar import cookie_bar_checks
from flows.text_pages import shop_languages

CookieLawMode = Literal["none", "notify", "confirm", "custom"]


class CookieLawDesired(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: CookieLawMode
    #: the custom message (mode `custom`): one text, the shop's default language's, or {language: text}
    message: str | dict[str, str] | None = None
    #: the custom message from a file per shop language (`{locale}` in the name), relative to the fleet file;
    #: plain text, with the store's vars ({{ company }}); instead of `message`
    message_template: str | None = None
    #: the custom-message bar shows its "Manage cookies" control (true) or not (false); unset: left as it is
    manage_cookies: bool | None = None

    @model_validator(mode="after")
    def _custom_needs_message(self) -> CookieLawDesired:
        if self.message is not None and self.message_template is not None:
            raise ValueError("give either 'message' or 'message_template', not both")
        texts = [self.message] if isinstance(self.message, str) else list((self.message or {}).values())
        if self.mode == "custom" and not self.message_template and not any(text.strip() for text in texts):
            raise ValueError("mode 'custom' needs a non-empty 'message' (the text of the cookie bar, or one per "
                             "shop language: {nl: ..., en: ...}) or a 'message_template'")
        return self

    def inline_messages(self, default_language: str) -> dict[str, str]:
        """The inline message per language (one text is the default language's); empty with a template."""
        if isinstance(self.message, str):
            return {default_language: self.message}
        return dict(self.message or {})


def normalise_message(message: str | None) -> str:
    """Textareas send CRLF and browsers trim differently: compare what a visitor would read."""
    return "\n".join(line.rstrip() for line in (message or "").replace("\r\n", "\n").strip().split("\n"))


def desired_messages(desired: CookieLawDesired, context: PlanInput) -> dict[str, str]:
    """The custom message the fleet file wants, per shop language it names (normalised). A language that is not
    the shop's, or a template that does not render, is a configuration error naming the store."""
    languages = shop_languages(context)
    if desired.message_template is None:
        wanted = desired.inline_messages(languages[0])
        strangers = [language for language in wanted if language not in languages]
        if strangers:
            raise ConfigError(f"store {context.store_id}: cookie_law.message.{strangers[0]}: not a language of the "
                              f"shop ({', '.join(languages)})")
        return {language: normalise_message(text) for language, text in wanted.items()}
    messages = {}
    for language in languages:
        template = load_template(desired.message_template, context.base_dir, language, context.store_id)
        # The template renders as HTML-escaped text; the bar shows plain text, so the escapes are undone.
        text = normalise_message(html.unescape(template.render(template_variables(context.storefront_url,
                                                                                  context.vars))))
        if not text:
            raise ConfigError(f"store {context.store_id}: cookie_law.message_template: {template.path} renders an "
                              f"empty message")
        messages[language] = text
    return messages


class CookieLawCurrent(CurrentState):
    """The COOKIE LAW section as read: the chosen mode, the custom message per shop language (normalised; a box
    keeps its text when another mode is chosen) and the Manage cookies switch (None: not read or not there)."""

    mode: CookieLawMode
    messages: dict[str, str] = Field(default_factory=dict)
    manage_cookies: bool | None = None


def _message_differences(current: CookieLawCurrent, wanted: dict[str, str]) -> list[str]:
    return [language for language, text in wanted.items()
            if normalise_message(current.messages.get(language)) != text]


class CookieLawSetting(Setting[CookieLawDesired, CookieLawCurrent]):
    name = "cookie_law"
    desired_model = CookieLawDesired
    current_model = CookieLawCurrent

    async def read(self, session: StoreSession) -> CookieLawCurrent:
        languages = shop_languages(session.plan_input)
        desired = session.plan_input.desired.get(self.name)
        manage = isinstance(desired, CookieLawDesired) and desired.manage_cookies is not None
        twin = WebExtrasTwin(session.page, session.backoffice_url, session.labels, "web_extras", "web_extras_json")
        notes: list[Diagnostic] = []
        try:
            reading = await twin.read(languages, manage=manage)
        except TwinUnusable as problem:
            notes = fallback_notes(session, problem)
            page = WebExtrasPage(session.page, session.backoffice_url, session.labels)
            await page.open()
            reading = await page.read(languages, manage=manage)
        return _current(reading).noting(notes)

    def probe_targets(self, session: StoreSession) -> list[ProbeTarget]:
        return [WebExtrasPage(session.page, session.backoffice_url, session.labels).probe_target()]

    def check(self, desired: CookieLawDesired, context: PlanInput) -> None:
        """`validate`: the messages' languages are the shop's and the template renders in every language."""
        if desired.mode == "custom":
            desired_messages(desired, context)

    def plan(self, current: CookieLawCurrent, desired: CookieLawDesired, context: PlanInput) -> list[Change]:
        custom = desired.mode == "custom"
        wanted = desired_messages(desired, context) if custom else {}
        changed_messages = _message_differences(current, wanted)
        manage_differs = custom and desired.manage_cookies is not None and \
            current.manage_cookies != desired.manage_cookies
        if current.mode == desired.mode and not changed_messages and not manage_differs:
            return []
        before: dict[str, Any] = {"mode": current.mode}
        after: dict[str, Any] = {"mode": desired.mode}
        if custom or current.mode == "custom":
            before["messages"] = dict(current.messages)
        if custom:
            after["messages"] = wanted
        if manage_differs:
            before["manage_cookies"], after["manage_cookies"] = current.manage_cookies, desired.manage_cookies
        parts = []
        if current.mode != desired.mode:
            parts.append(f"mode {current.mode} -> {desired.mode}")
        if changed_messages:
            several = len(shop_languages(context)) > 1
            parts.append("custom message changed" + (f" ({', '.join(changed_messages)})" if several else ""))
        if manage_differs:
            parts.append(f"Manage cookies control {'on' if desired.manage_cookies else 'off'}")
        return [Change(setting=self.name, action=ChangeAction.UPDATE, before=before, after=after,
                       summary=", ".join(parts))]

    def storefront_checks(self, desired: CookieLawDesired | None, languages: tuple[str, ...]) -> list[StorefrontCheck]:
        if desired is None:
            return cookie_bar_checks(None)
        inline = desired.inline_messages(languages[0]) if languages else {}
        return cookie_bar_checks(desired.mode, {language: normalise_message(text) for language, text in inline.items()},
                                 desired.manage_cookies)

    async def apply(self, session: StoreSession, changes: list[Change]) -> bool:
        page = WebExtrasPage(session.page, session.backoffice_url, session.labels)
        languages = shop_languages(session.plan_input)
        saved = False
        for change in changes:
            mode = change.after["mode"]
            messages: dict[str, str] = change.after.get("messages") or {}
            manage: bool | None = change.after.get("manage_cookies")
            await page.open()
            # Already so (a retry after a save whose answer was lost, or someone fixed it since the plan):
            # saving again would report a change that this run did not make.
            now = _current(await page.read(languages, manage=manage is not None))
            if now.mode == mode and not _message_differences(now, messages) and (
                    manage is None or now.manage_cookies == manage):
                continue
            await page.choose_mode(mode)
            for language, text in messages.items():
                await page.fill_message(language, languages, text)
            if manage is not None:
                await page.set_manage_cookies(manage)
            await page.save_settings()
            saved = True
        return saved


def _current(reading: CookieLawReading) -> CookieLawCurrent:
    return CookieLawCurrent(mode=reading.mode,
                            messages={language: normalise_message(text) for language, text in reading.messages.items()},
                            manage_cookies=reading.manage_cookies)
