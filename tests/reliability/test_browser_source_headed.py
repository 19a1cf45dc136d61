"""`--headed` reaches the browser choice through BrowserSource (plan, apply and verify launch through it).

Apart from test_find_browser.py, whose tests share one synchronous Playwright driver: this one runs the async
API, which cannot run while a synchronous driver is alive in the same thread.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from automation.browser.launch import BROWSER_ENV
from automation.browser.source import BrowserSource
from ecom_privacy.errors import ConfigError
from tests.reliability.test_find_browser import fake_binary

pytestmark = pytest.mark.launches_browser  # about the launch path: no shared Chromium


@pytest.fixture
def playwright_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Playwright browsers folder; nothing of the machine's own browsers is found."""
    home = tmp_path / "ms-playwright"
    home.mkdir()
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(home))
    monkeypatch.delenv(BROWSER_ENV, raising=False)
    return home


@pytest.fixture
def system(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A system with Debian's layout in a temporary folder: a full Chromium and its headless shell."""
    from automation.browser import launch as browser_module

    full = fake_binary(tmp_path / "usr/bin/chromium")
    shell = fake_binary(tmp_path / "usr/bin/chromium-headless-shell")
    monkeypatch.setattr(browser_module, "SYSTEM_CANDIDATES", (str(full),))
    monkeypatch.setattr(browser_module, "HEADLESS_SHELL_CANDIDATES", (str(shell),))
    return {"full": full, "shell": shell}


async def test_the_browser_source_of_plan_apply_and_verify_asks_for_a_headed_browser(
        playwright_home: Path, system: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """verify (and plan, apply) launch through BrowserSource: --headed must reach find_browser."""
    monkeypatch.setenv(BROWSER_ENV, str(system["shell"]))
    async with async_playwright() as started:
        source = BrowserSource(started, browser_path=None, headed=True)
        with pytest.raises(ConfigError, match="Chromium's headless shell, which cannot show a window"):
            await source.get()
