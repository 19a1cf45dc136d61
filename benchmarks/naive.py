"""The naive baseline the engine is measured against: what a first script would do.

One store after the other, a new browser for each, a fresh login every time, then read the cookie-law
setting with the tool's own flows (so the difference measured is the engine, not the page objects).
`python -m benchmarks.naive FLEET ENV_FILE` prints the number of stores read.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from playwright.async_api import async_playwright

from automation.access.secrets import load_environment, resolve_secrets
from automation.browser.launch import find_browser, launch, new_store_context
from automation.fleet.composition import read_fleet
from ecom_privacy.clock import SYSTEM_CLOCK
from ecom_privacy.setting import PlanInput, StoreSession
from flows.cookie_law import CookieLawSetting
from flows.labels import labels_for
from flows.login import login


class _NoArtifacts:
    def save(self, store_id: str, name: str, content: str | bytes, kind: str = "backups") -> Path:
        raise RuntimeError("the naive baseline only reads")


async def read_all(fleet_file: Path, env_file: Path) -> int:
    fleet = read_fleet(fleet_file)
    env = load_environment(env_file)
    setting = CookieLawSetting()
    done = 0
    async with async_playwright() as playwright:
        choice = find_browser(playwright, headless=True)  # launched headless below
        for store in fleet.stores:
            browser = await launch(playwright, choice)
            try:
                context = await new_store_context(browser, store.locale, 15_000)
                page = await context.new_page()
                labels = labels_for(store.locale)
                await login(page, store.backoffice_url, labels, resolve_secrets(store, env, env_file),
                            clock=SYSTEM_CLOCK)
                session = StoreSession(page=page, store_id=store.id, locale=store.locale,
                                       backoffice_url=store.backoffice_url, storefront_url=store.storefront_url,
                                       labels=labels, artifacts=_NoArtifacts(),
                                       plan_input=PlanInput(store_id=store.id, locale=store.locale),
                                       clock=SYSTEM_CLOCK)
                await setting.read(session)
                done += 1
            finally:
                await browser.close()
    return done


def main(argv: list[str]) -> int:
    done = asyncio.run(read_all(Path(argv[0]), Path(argv[1])))
    print(f"naive: read {done} store(s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
