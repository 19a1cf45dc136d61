from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest_asyncio
from playwright.async_api import BrowserContext

from automation.browser.launch import prepare_store_context, store_context_options
from automation.outputs.artifacts import RunArtifacts
from ecom_privacy.clock import SYSTEM_CLOCK
from ecom_privacy.setting import PlanInput, StoreSession
from flows.labels import labels_for
from mock_backoffice import MockServer
from tests.support import TEST_SEED

LOCALES = {store["id"]: store["locale"] for store in TEST_SEED["stores"]}

SessionFactory = Callable[[str], Awaitable[StoreSession]]


@pytest_asyncio.fixture
async def store_session(new_context: Callable[..., Awaitable[BrowserContext]], mock_server: MockServer,
                        tmp_path: Path) -> AsyncIterator[SessionFactory]:
    """Opens a fresh browser context for a test store (not logged in); pytest-playwright's `new_context` closes
    it after the test, keeping its trace and a screenshot when the test failed and the options ask for them."""
    artifacts = RunArtifacts(tmp_path / "run")

    async def open_session(store_id: str) -> StoreSession:
        locale = LOCALES[store_id]
        context = await prepare_store_context(await new_context(**store_context_options(locale)),
                                              timeout_ms=10_000)
        page = await context.new_page()
        return StoreSession(
            page=page, store_id=store_id, locale=locale,
            backoffice_url=f"{mock_server.url}/{store_id}/admin", storefront_url=f"{mock_server.url}/{store_id}/",
            labels=labels_for(locale), artifacts=artifacts,
            plan_input=PlanInput(store_id=store_id, locale=locale, base_dir=tmp_path),
            clock=SYSTEM_CLOCK,  # the mock's clock is the real one too: its TOTP codes and dates agree
        )

    yield open_session
