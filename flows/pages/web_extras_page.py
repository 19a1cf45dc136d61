"""Settings > Web extras (Instellingen > Webextra's), COOKIE LAW section."""

from __future__ import annotations

from playwright.async_api import Locator

from ecom_privacy.probe import ElementCheck
from flows.pages.base import BackofficePage


class WebExtrasPage(BackofficePage):
    path_key = "web_extras"
    page_name = "Settings > Web extras"

    @property
    def cookie_law_section(self) -> Locator:
        heading = self.page.get_by_role("heading", name=self.labels["cookie_law.section"], exact=True)
        return self.page.locator("section").filter(has=heading)

    async def _section(self) -> Locator:
        return await self.require(self.cookie_law_section, f"section {self.labels['cookie_law.section']}")

    async def _mode_select(self) -> Locator:
        section = await self._section()
        return await self.require(
            section.get_by_label(self.labels["cookie_law.mode"], exact=True), "cookie law mode dropdown"
        )

    async def _message_box(self) -> Locator:
        section = await self._section()
        return await self.require(
            section.get_by_label(self.labels["cookie_law.message"], exact=True), "cookie law message box"
        )

    def _mode_labels(self) -> dict[str, str]:
        return self.labels.mapping("cookie_law.modes")

    async def read_mode(self) -> str:
        select = await self._mode_select()
        text = (await select.locator("option:checked").inner_text()).strip()
        for mode, label in self._mode_labels().items():
            if label == text:
                return mode
        options = [o.strip() for o in await select.locator("option").all_inner_texts()]
        raise self.mismatch("cookie law mode option", f"selected option {text!r} is not in the label table; "
                            f"the page offers {options}")

    async def read_message(self) -> str:
        return await (await self._message_box()).input_value()

    async def choose_mode(self, mode: str) -> None:
        select = await self._mode_select()
        label = self._mode_labels()[mode]
        options = [o.strip() for o in await select.locator("option").all_inner_texts()]
        if label not in options:
            raise self.mismatch(f"cookie law mode option {label!r}", f"the page offers {options}")
        await select.select_option(label=label)

    async def fill_message(self, message: str) -> None:
        # The box is revealed by the page's script once the custom mode is chosen; fill() waits for that.
        await (await self._message_box()).fill(message)

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
            checks += [dropdown, await self.present(
                self.cookie_law_section.get_by_label(self.labels["cookie_law.message"], exact=True),
                "cookie law message box", "cookie_law.message")]
            if dropdown.found:
                offered = [text.strip() for text in await select.first.locator("option").all_inner_texts()]
                checks += [self.label_check(f"mode option {mode}", f"cookie_law.modes.{mode}", label in offered,
                                            f"the dropdown offers {offered}") for mode, label in modes.items()]
            else:
                checks += [self.unchecked(f"mode option {mode}", f"cookie_law.modes.{mode}",
                                          "the mode dropdown is missing") for mode in modes]
        return [*checks, await self.save_button_check()]
