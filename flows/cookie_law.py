"""Settings > Web extras > COOKIE LAW: the mode that makes the storefront show the cookie bar."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from core.models import Change
from core.setting import PlanInput, Setting, StoreSession
from core.storefront import StorefrontCheck
from flows.pages.web_extras_page import WebExtrasPage
from flows.storefront.cookie_bar import cookie_bar_checks

CookieLawMode = Literal["none", "notify", "confirm", "custom"]


class CookieLawDesired(BaseModel):
    model_config = ConfigDict(extra="forbid")

    mode: CookieLawMode
    #: the text of the bar; used only with mode `custom`
    message: str | None = None

    @model_validator(mode="after")
    def _custom_needs_message(self) -> CookieLawDesired:
        if self.mode == "custom" and not (self.message or "").strip():
            raise ValueError("mode 'custom' needs a non-empty 'message' (the text of the cookie bar)")
        return self


def normalise_message(message: str | None) -> str:
    """Textareas send CRLF and browsers trim differently: compare what a visitor would read."""
    return "\n".join(line.rstrip() for line in (message or "").replace("\r\n", "\n").strip().split("\n"))


class CookieLawSetting(Setting):
    name = "cookie_law"
    desired_model = CookieLawDesired

    async def read(self, session: StoreSession) -> dict[str, Any]:
        page = WebExtrasPage(session.page, session.backoffice_url, session.labels)
        await page.open()
        return {"mode": await page.read_mode(), "message": normalise_message(await page.read_message())}

    def plan(self, current: dict[str, Any], desired: BaseModel, context: PlanInput) -> list[Change]:
        assert isinstance(desired, CookieLawDesired)
        want_message = desired.mode == "custom"
        mode_differs = current.get("mode") != desired.mode
        message_differs = want_message and normalise_message(current.get("message")) != normalise_message(
            desired.message
        )
        if not (mode_differs or message_differs):
            return []
        before: dict[str, Any] = {"mode": current.get("mode")}
        after: dict[str, Any] = {"mode": desired.mode}
        if want_message or current.get("mode") == "custom":
            before["message"] = current.get("message", "")
        if want_message:
            after["message"] = normalise_message(desired.message)
        parts = []
        if mode_differs:
            parts.append(f"mode {current.get('mode')} -> {desired.mode}")
        if message_differs:
            parts.append("custom message changed")
        return [Change(setting=self.name, action="update", before=before, after=after, summary=", ".join(parts))]

    def storefront_checks(self, desired: BaseModel | None, languages: tuple[str, ...]) -> list[StorefrontCheck]:
        return cookie_bar_checks(desired.mode if isinstance(desired, CookieLawDesired) else None)

    async def apply(self, session: StoreSession, changes: list[Change]) -> None:
        page = WebExtrasPage(session.page, session.backoffice_url, session.labels)
        for change in changes:
            await page.open()
            await page.choose_mode(change.after["mode"])
            if change.after["mode"] == "custom":
                await page.fill_message(change.after["message"])
            await page.save_settings()
