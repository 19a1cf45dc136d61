"""One store's backoffice for the breach commands: a browser, a logged-in page, a visitor's page.

The fleet runner drives settings across many stores; `breach notify` and `breach publish` act on a few named
stores with their own plan/apply, so they open a store here: same browser choice, login, label tables,
transient-fault retries and redaction as the runner.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from playwright.async_api import Browser, Page, async_playwright

from automation.access.backoffice_session import BackofficeSession
from automation.access.login_chain import ChainLogin, IdentitySessions, RecoveryCodeLedger
from automation.access.secrets import resolve_secrets
from automation.access.session_cache import RefusedLogins, SessionCache, default_session_dir
from automation.browser.launch import find_browser, launch, new_store_context, new_storefront_context
from automation.browser.retry import retry_transient
from automation.browser.tracing import StoreTrace
from automation.fleet.model import Fleet, StoreConfig, plan_input_for
from automation.outputs.artifacts import RunArtifacts
from automation.outputs.logs import get_logger
from automation.redaction.redactor import Redactor
from ecom_privacy.clock import SYSTEM_CLOCK, Clock
from ecom_privacy.errors import SessionExpiredError
from ecom_privacy.setting import StoreSession
from flows.labels import labels_for
from flows.registry import lightspeed_ecom

T = TypeVar("T")
ATTEMPTS = 6


@dataclass
class BrowserOptions:
    browser_path: str | None = None
    headed: bool = False
    timeout_ms: int = 15_000
    #: the command's clock (TOTP codes, backup names, refusals); the CLI passes its own (ecom_privacy/clock.py)
    clock: Clock = SYSTEM_CLOCK


@asynccontextmanager
async def open_browser(options: BrowserOptions) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await launch(playwright, find_browser(playwright, options.browser_path, not options.headed),
                               options.headed)
        try:
            yield browser
        finally:
            await browser.close()


class StoreDesk:
    """A logged-in backoffice page of one store; `step` retries transient faults and logs in again."""

    def __init__(self, session: StoreSession, relogin: Callable[[], Awaitable[None]]) -> None:
        self.session = session
        self._relogin = relogin

    async def step(self, operation: Callable[[], Awaitable[T]]) -> T:
        async def before_retry(exc: BaseException) -> None:
            if isinstance(exc, SessionExpiredError):
                await self._relogin()

        return await retry_transient(operation, attempts=ATTEMPTS, before_retry=before_retry)


@asynccontextmanager
async def store_desk(browser: Browser, fleet: Fleet, store: StoreConfig, env: dict[str, str],
                     artifacts: RunArtifacts, redactor: Redactor, options: BrowserOptions) -> AsyncIterator[StoreDesk]:
    """The store's backoffice, logged in the way a run logs in (`BackofficeSession`: the login chain, the
    refused-login memory in the session folder, so a refused password is never tried again by any command).
    Cached sessions are not used: breach commands are rare, and a fresh login proves the account now."""
    secrets = resolve_secrets(store, env, None)
    backoffice = BackofficeSession(
        store_id=store.id, backoffice_url=store.backoffice_url, locale=store.locale,
        driver=lightspeed_ecom(clock=options.clock),
        secrets=lambda: secrets,
        open_context=lambda cached: new_store_context(browser, store.locale, options.timeout_ms,
                                                      storage_state=cached),  # type: ignore[arg-type]
        cache=SessionCache(default_session_dir(), enabled=False),
        refused=RefusedLogins(default_session_dir(), clock=options.clock),
        redactor=redactor, attempts=ATTEMPTS, log=get_logger(store=store.id),
        trace_for=lambda context: StoreTrace(context, lambda: Path("."), enabled=False),
        # the recovery codes a run spent are skipped here too (a spent one would be a refused code)
        chain_login=ChainLogin(IdentitySessions(), RecoveryCodeLedger(default_session_dir()), redactor, ATTEMPTS),
    )
    try:
        page = await backoffice.open()
        session = StoreSession(page=page, store_id=store.id, locale=store.locale,
                               backoffice_url=store.backoffice_url, storefront_url=store.storefront_url,
                               labels=labels_for(store.locale), artifacts=artifacts,
                               plan_input=plan_input_for(fleet, store), clock=options.clock)
        yield StoreDesk(session, lambda: backoffice.login("session expired, logging in again"))
    finally:
        if backoffice.context is not None:
            await backoffice.context.close()


@asynccontextmanager
async def visitor(browser: Browser, store: StoreConfig, options: BrowserOptions) -> AsyncIterator[Page]:
    """A fresh visitor of the storefront (no backoffice cookies): what the public sees."""
    context = await new_storefront_context(browser, store.locale, store.storefront_url, options.timeout_ms)
    try:
        yield await context.new_page()
    finally:
        await context.close()
