"""Settings > Web extras > COOKIE LAW: the mode that makes the storefront show the cookie bar."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from ecom_privacy.models import Change, ChangeAction
from ecom_privacy.probe import ProbeTarget
from ecom_privacy.setting import CurrentState, PlanInput, Setting, StoreSession
from ecom_privacy.storefront import StorefrontCheck
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


class CookieLawCurrent(CurrentState):
    """The COOKIE LAW section as read: the chosen mode and the custom message box (normalised; the box keeps
    its text when another mode is chosen, so it may hold a message while the mode is not `custom`)."""

    mode: CookieLawMode
    message: str = ""


def _differences(current: CookieLawCurrent, mode: str, message: str | None) -> tuple[bool, bool]:
    """(mode differs, custom message differs): the message counts only when the wanted mode is `custom`."""
    message_differs = mode == "custom" and normalise_message(current.message) != normalise_message(message)
    return current.mode != mode, message_differs


class CookieLawSetting(Setting[CookieLawDesired, CookieLawCurrent]):
    name = "cookie_law"
    desired_model = CookieLawDesired
    current_model = CookieLawCurrent

    async def read(self, session: StoreSession) -> CookieLawCurrent:
        page = WebExtrasPage(session.page, session.backoffice_url, session.labels)
        await page.open()
        return await self._read_open(page)

    def probe_targets(self, session: StoreSession) -> list[ProbeTarget]:
        return [WebExtrasPage(session.page, session.backoffice_url, session.labels).probe_target()]

    @staticmethod
    async def _read_open(page: WebExtrasPage) -> CookieLawCurrent:
        return CookieLawCurrent(mode=await page.read_mode(),  # type: ignore[arg-type]  # a label table key
                                message=normalise_message(await page.read_message()))

    def plan(self, current: CookieLawCurrent, desired: CookieLawDesired, context: PlanInput) -> list[Change]:
        want_message = desired.mode == "custom"
        mode_differs, message_differs = _differences(current, desired.mode, desired.message)
        if not (mode_differs or message_differs):
            return []
        before: dict[str, Any] = {"mode": current.mode}
        after: dict[str, Any] = {"mode": desired.mode}
        if want_message or current.mode == "custom":
            before["message"] = current.message
        if want_message:
            after["message"] = normalise_message(desired.message)
        parts = []
        if mode_differs:
            parts.append(f"mode {current.mode} -> {desired.mode}")
        if message_differs:
            parts.append("custom message changed")
        return [Change(setting=self.name, action=ChangeAction.UPDATE, before=before, after=after,
                       summary=", ".join(parts))]

    def storefront_checks(self, desired: CookieLawDesired | None, languages: tuple[str, ...]) -> list[StorefrontCheck]:
        return cookie_bar_checks(desired.mode if desired is not None else None)

    async def apply(self, session: StoreSession, changes: list[Change]) -> bool:
        page = WebExtrasPage(session.page, session.backoffice_url, session.labels)
        saved = False
        for change in changes:
            await page.open()
            mode, message = change.after["mode"], change.after.get("message")
            # Already so (a retry after a save whose answer was lost, or someone fixed it since the plan):
            # saving again would report a change that this run did not make.
            if not any(_differences(await self._read_open(page), mode, message)):
                continue
            await page.choose_mode(mode)
            if mode == "custom":
                await page.fill_message(message)
            await page.save_settings()
            saved = True
        return saved
