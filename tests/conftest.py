"""Fixtures: the mock backoffice on a free port over real HTTP, and one real Chromium per test session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Browser, async_playwright

from automation.browser import find_browser, launch
from mock_backoffice import MockServer
from tests.support import TEST_SEED, http_json


@pytest.fixture(scope="session")
def mock_server_session() -> Iterator[MockServer]:
    server = MockServer(TEST_SEED)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mock_server(mock_server_session: MockServer) -> MockServer:
    """The session's mock, reset to the seed (sessions, lockouts and faults cleared) for this test."""
    http_json(f"{mock_server_session.url}/__mock__/reset", {})
    return mock_server_session


@pytest.fixture
def mock_state(mock_server: MockServer) -> Any:
    def read() -> dict[str, Any]:
        return http_json(f"{mock_server.url}/__mock__/state")["stores"]

    return read


@pytest_asyncio.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await launch(playwright, find_browser(playwright))
        try:
            yield chromium
        finally:
            await chromium.close()
