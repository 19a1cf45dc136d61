"""The breach commands' way to their stores: a browser, each store's backoffice opened the one way every
command opens it (`automation.access.backoffice`), a visitor's page.

The fleet runner drives settings across many stores; `breach notify` and `breach publish` act on a few named
stores with their own plan/apply, so they open a store with the same `StoreAccess` as a run: same login
coordinator, label tables, transient-fault retries and redaction.
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from playwright.async_api import Browser, Page

from automation.access.backoffice import StoreAccess
from automation.browser.driver import playwright_driver
from automation.browser.launch import new_storefront_context
from automation.browser.source import BrowserSource
from automation.fleet.composition import fleet_driver, read_ui_overrides
from automation.fleet.model import Fleet, StoreConfig
from automation.home.places import paths_of
from automation.redaction.redactor import Redactor
from ecom_privacy.clock import SYSTEM_CLOCK, Clock
from ecom_privacy.labels import Labels

ATTEMPTS = 6


@dataclass
class BrowserOptions:
    browser_path: str | None = None
    headed: bool = False
    #: a running Chromium to use over CDP (--cdp-endpoint / $ECOM_PRIVACY_CDP_ENDPOINT), as for every command
    cdp_endpoint: str | None = None
    timeout_ms: int = 15_000
    #: the command's clock (TOTP codes, backup names, refusals); the CLI passes its own (ecom_privacy/clock.py)
    clock: Clock = SYSTEM_CLOCK
    #: the label table of a shop language under the user's `ui_overrides` (the command's driver's
    #: `shop_labels`), for what a visitor's storefront says; None: no table (nothing read by label)
    shop_labels: Callable[[str], Labels | None] = lambda language: None


@asynccontextmanager
async def open_browser(options: BrowserOptions) -> AsyncIterator[Browser]:
    """The command's browser, from the one browser source every command uses (launched, or reached over CDP)."""
    async with playwright_driver() as playwright:
        source = BrowserSource(playwright, options.browser_path, options.headed, options.cdp_endpoint,
                               options.timeout_ms, clock=options.clock)
        try:
            yield await source.get()
        finally:
            await source.close()


def breach_access(args: argparse.Namespace, fleet: Fleet, env: dict[str, str], redactor: Redactor) -> StoreAccess:
    """How a breach command opens its stores: the way a run does (`StoreAccess`: one login coordinator for the
    command, the refused-login memory and spent recovery codes of the session folder, `--session-dir` or the
    home, so a refused password is never tried again by any command). Cached sessions are not used: breach
    commands are rare, and a fresh login proves the account now. The label tables are the fleet file's
    `ui_overrides` over the shipped ones, as for every command."""
    clock = getattr(args, "clock", SYSTEM_CLOCK)
    driver = fleet_driver(read_ui_overrides(fleet, getattr(args, "ui_overrides", None)), clock)
    return StoreAccess.create(driver=driver, env=env, env_file=getattr(args, "env_file", None),
                              session_dir=paths_of(args).session_dir, use_cache=False, redactor=redactor,
                              attempts=ATTEMPTS, timeout_ms=int(args.timeout * 1000), clock=clock)


@asynccontextmanager
async def visitor(browser: Browser, store: StoreConfig, options: BrowserOptions) -> AsyncIterator[Page]:
    """A fresh visitor of the storefront (no backoffice cookies): what the public sees."""
    context = await new_storefront_context(browser, store.locale, store.storefront_url, options.timeout_ms)
    try:
        yield await context.new_page()
    finally:
        await context.close()
