"""Settings > Web statistics (Instellingen > Webstatistieken), GOOGLE ANALYTICS 4 section, and its JSON twin."""

from __future__ import annotations

from playwright.async_api import Locator
from pydantic import BaseModel, ConfigDict, StrictBool, StrictStr

from ecom_privacy.probe import ElementCheck
from flows.pages.base import BackofficePage
from flows.pages.json_twin import JsonTwin


class AnalyticsTwin(BaseModel):
    """The twin's Google Analytics values (strict: a tracking id that is not text is an unusable twin)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    measurement_id: StrictStr | None
    consent_mode: StrictBool


class WebStatisticsTwin(JsonTwin):
    """`web_statistics.json`: `web_statistics.stats_google_analytics.tracking_id` is public; the consent field a
    guess (flows/labels/twins.yaml)."""

    async def read(self) -> AnalyticsTwin:
        fields = {"measurement_id": ("measurement_id", "Google Analytics tracking id"),
                  "consent_mode": ("consent_mode", "consent mode")}
        return self.pick(await self.fetch(), fields, AnalyticsTwin)


class WebStatisticsPage(BackofficePage):
    path_key = "web_statistics"
    twin_key = "web_statistics_json"
    page_name = "Settings > Web statistics"

    async def _section(self) -> Locator:
        return await self.require(self.section(self.labels["analytics.section"]),
                                  f"section {self.labels['analytics.section']}")

    async def _measurement_field(self) -> Locator:
        section = await self._section()
        return await self.require(section.get_by_label(self.labels["analytics.measurement_id"], exact=True),
                                  "Measurement ID field")

    async def read_measurement_id(self) -> str:
        return (await (await self._measurement_field()).input_value()).strip()

    async def consent_mode_shown(self) -> bool:
        """The platform always runs consent mode; the page says so in a note we look for."""
        section = await self._section()
        return await section.get_by_text(self.labels["analytics.consent_note"], exact=False).count() > 0

    async def fill_measurement_id(self, value: str) -> None:
        await (await self._measurement_field()).fill(value)

    async def probe_elements(self) -> list[ElementCheck]:
        section = self.section(self.labels["analytics.section"])
        section_name = f"section {self.labels['analytics.section']}"
        found = await self.present(section, section_name, "analytics.section")
        if found.found:
            inside = [await self.present(section.get_by_label(self.labels["analytics.measurement_id"], exact=True),
                                         "Measurement ID field", "analytics.measurement_id"),
                      await self.present(section.get_by_text(self.labels["analytics.consent_note"], exact=False),
                                         "consent mode note", "analytics.consent_note")]
        else:
            reason = f"inside the missing {section_name}"
            inside = [self.unchecked("Measurement ID field", "analytics.measurement_id", reason),
                      self.unchecked("consent mode note", "analytics.consent_note", reason)]
        return [found, *inside, await self.save_button_check()]
