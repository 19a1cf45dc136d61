"""Settings > Web extras (Instellingen > Webextra's), COOKIE LAW section, and its JSON twin.

The section is found by its heading; its controls by their labels (a `<label for>` and its control, in either
markup): the mode dropdown, the custom message (one box per shop language when the shop has several, labelled
with the language's name: a guess), and the switch of the "Manage cookies" control (a guess, touched only when
the fleet file asks for it).
"""

from __future__ import annotations

from typing import Any, Literal

from playwright.async_api import Locator
from pydantic import BaseModel, ConfigDict, StrictBool, StrictStr

from ecom_privacy.probe import ElementCheck
from flows.pages.base import BackofficePage
from flows.pages.json_twin import JsonTwin, TwinUnusable

Mode = Literal["none", "notify", "confirm", "custom"]


class CookieLawTwin(BaseModel):
    """What the twin says about the cookie law, before it is mapped to the tool's words (strict: a number where
    a text should be is an unusable twin, not a guess)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: StrictStr
    #: {language: text}, or one text (the shop's default language)
    message: dict[StrictStr, StrictStr] | StrictStr


class ManageCookiesTwin(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    manage_cookies: StrictBool


class CookieLawReading(BaseModel):
    """The section as read, in the tool's words; `manage_cookies` None: not shown / not known."""

    model_config = ConfigDict(frozen=True)

    mode: Mode
    messages: dict[str, str]
    manage_cookies: bool | None = None


class WebExtrasPage(BackofficePage):
    path_key = "web_extras"
    twin_key = "web_extras_json"
    page_name = "Settings > Web extras"

    @property
    def cookie_law_section(self) -> Locator:
        return self.section(self.labels["cookie_law.section"])

    async def _section(self) -> Locator:
        return await self.require(self.cookie_law_section, f"section {self.labels['cookie_law.section']}")

    async def _mode_select(self) -> Locator:
        section = await self._section()
        return await self.require(
            section.get_by_label(self.labels["cookie_law.mode"], exact=True), "cookie law mode dropdown"
        )

    def message_label(self, language: str, languages: tuple[str, ...]) -> str:
        """The label of a language's message box: the plain label in a shop with one language."""
        label = self.labels["cookie_law.message"]
        if len(languages) <= 1:
            return label
        name = self.labels.mapping("content_pages.languages").get(language, language)
        return self.labels["cookie_law.message_in_language"].replace("{message}", label).replace("{language}", name)

    async def _message_box(self, language: str, languages: tuple[str, ...]) -> Locator:
        section = await self._section()
        label = self.message_label(language, languages)
        return await self.require(section.get_by_label(label, exact=True), f"cookie law message box {label!r}")

    def _manage_switch(self, section: Locator) -> Locator:
        return section.get_by_label(self.labels["cookie_law.manage_cookies"], exact=True)

    def _mode_labels(self) -> dict[str, str]:
        return self.labels.mapping("cookie_law.modes")

    async def read_mode(self) -> Mode:
        select = await self._mode_select()
        text = (await select.locator("option:checked").inner_text()).strip()
        for mode, label in self._mode_labels().items():
            if label == text:
                return mode  # type: ignore[return-value]  # a key of the label table's modes
        options = [o.strip() for o in await select.locator("option").all_inner_texts()]
        raise self.mismatch("cookie law mode option", f"selected option {text!r} is not in the label table; "
                            f"the page offers {options}")

    async def read_message(self, language: str, languages: tuple[str, ...]) -> str:
        return await (await self._message_box(language, languages)).input_value()

    async def read_manage_cookies(self) -> bool | None:
        """The "Manage cookies" switch, or None when the section has none."""
        switch = self._manage_switch(await self._section())
        return await switch.first.is_checked() if await switch.count() else None

    async def read(self, languages: tuple[str, ...], *, manage: bool) -> CookieLawReading:
        """The section as the page shows it (`manage`: read the Manage cookies switch too)."""
        return CookieLawReading(mode=await self.read_mode(),
                                messages={language: await self.read_message(language, languages)
                                          for language in languages},
                                manage_cookies=await self.read_manage_cookies() if manage else None)

    async def choose_mode(self, mode: str) -> None:
        select = await self._mode_select()
        label = self._mode_labels()[mode]
        options = [o.strip() for o in await select.locator("option").all_inner_texts()]
        if label not in options:
            raise self.mismatch(f"cookie law mode option {label!r}", f"the page offers {options}")
        await select.select_option(label=label)

    async def fill_message(self, language: str, languages: tuple[str, ...], message: str) -> None:
        # The box is revealed by the page's script once the custom mode is chosen; fill() waits for that.
        await (await self._message_box(language, languages)).fill(message)

    async def set_manage_cookies(self, on: bool) -> None:
        switch = await self.require(self._manage_switch(await self._section()),
                                    f"switch {self.labels['cookie_law.manage_cookies']!r}")
        await switch.set_checked(on)

    async def probe_elements(self) -> list[ElementCheck]:
        section_name = f"section {self.labels['cookie_law.section']}"
        section = await self.present(self.cookie_law_section, section_name, "cookie_law.section")
        checks = [section]
        modes = self._mode_labels()
        if not section.found:
            inside = f"inside the missing {section_name}"
            checks += [self.unchecked("cookie law mode dropdown", "cookie_law.mode", inside),
                       self.unchecked("cookie law message box", "cookie_law.message", inside)]
            checks += [self.unchecked(f"mode option {mode}", f"cookie_law.modes.{mode}", inside) for mode in modes]
        else:
            select = self.cookie_law_section.get_by_label(self.labels["cookie_law.mode"], exact=True)
            dropdown = await self.present(select, "cookie law mode dropdown", "cookie_law.mode")
            # The message box is hidden until the custom mode is chosen, but it is in the page.
            box = self.cookie_law_section.get_by_label(self.labels["cookie_law.message"], exact=False)
            checks += [dropdown, await self.present(box, "cookie law message box", "cookie_law.message")]
            if dropdown.found:
                offered = [text.strip() for text in await select.first.locator("option").all_inner_texts()]
                checks += [self.label_check(f"mode option {mode}", f"cookie_law.modes.{mode}", label in offered,
                                            f"the dropdown offers {offered}") for mode, label in modes.items()]
            else:
                checks += [self.unchecked(f"mode option {mode}", f"cookie_law.modes.{mode}",
                                          "the mode dropdown is missing") for mode in modes]
        return [*checks, await self.save_button_check()]


class WebExtrasTwin(JsonTwin):
    """`settings/web_extras.json`: the cookie law as data (every name a guess: flows/labels/twins.yaml)."""

    async def read(self, languages: tuple[str, ...], *, manage: bool) -> CookieLawReading:
        """The section as the twin says it; TwinUnusable when it lacks what the page would show."""
        data = await self.fetch()
        fields = {"mode": ("cookie_law_mode", "cookie law"), "message": ("cookie_law_message", "cookie law message")}
        raw: dict[str, Any] = self.pick(data, fields, CookieLawTwin).model_dump()
        if manage:  # only looked for when the fleet file manages the switch: it is a guess of ours
            raw["manage_cookies"] = self.pick(data, {"manage_cookies": ("cookie_law_manage", "Manage cookies")},
                                              ManageCookiesTwin).manage_cookies
        modes = {str(value): mode for mode, value in dict(self.table["cookie_law_modes"]).items()}
        if raw["mode"] not in modes:
            raise TwinUnusable(f"{self.label()} has a cookie law mode the tool does not know ({raw['mode']!r})",
                               f"known: {sorted(modes)} (twins.{self.name}.cookie_law_modes)")
        message = raw["message"]
        texts = {languages[0]: message} if isinstance(message, str) else message
        return CookieLawReading(mode=modes[raw["mode"]],  # type: ignore[arg-type]  # a key of the mode table
                                messages={language: texts.get(language, "") for language in languages},
                                manage_cookies=raw.get("manage_cookies") if manage else None)
