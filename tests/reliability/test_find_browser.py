"""Which Chromium a run launches: a headed run never gets a headless-only build (bug 5), a headless one prefers it.

Real Playwright (its driver only, no browser is launched) reads a fake browsers folder of our making
(PLAYWRIGHT_BROWSERS_PATH), laid out as `playwright install` lays it out; the "browsers" in it are tiny
scripts, and the system candidates are pointed at scripts in a temporary folder as well.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Playwright, sync_playwright

from automation.browser import launch as browser_module
from automation.browser.launch import BROWSER_ENV, explicit_browser, find_browser, is_headless_shell
from ecom_privacy.errors import ConfigError

pytestmark = pytest.mark.launches_browser  # about the launch path: no shared Chromium


def fake_binary(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 1\n")
    path.chmod(0o755)
    return path


@pytest.fixture(scope="module")
def browsers_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The fake Playwright browsers folder of this module: the driver reads its location once, at start."""
    home = tmp_path_factory.mktemp("ms-playwright")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(home))
        yield home


@pytest.fixture(scope="module")
def module_driver(browsers_folder: Path) -> Iterator[Playwright]:
    # One driver for the module: starting Playwright's driver takes about a second, and it holds no state
    # the tests change (they change the folder's content, emptied before each test).
    with sync_playwright() as started:
        yield started


@pytest.fixture
def playwright_home(browsers_folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Playwright browsers folder; nothing of the machine's own browsers is found."""
    for child in browsers_folder.iterdir():
        shutil.rmtree(child)
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(browsers_folder))
    monkeypatch.delenv(BROWSER_ENV, raising=False)
    return browsers_folder


@pytest.fixture
def driver(module_driver: Playwright, playwright_home: Path) -> Playwright:
    """Playwright's driver (no browser), reading the fake browsers folder, empty for this test."""
    return module_driver


@pytest.fixture
def system(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A system with Debian's layout in a temporary folder: a full Chromium and its headless shell."""
    full = fake_binary(tmp_path / "usr/bin/chromium")
    shell = fake_binary(tmp_path / "usr/bin/chromium-headless-shell")
    monkeypatch.setattr(browser_module, "SYSTEM_CANDIDATES", (str(full),))
    monkeypatch.setattr(browser_module, "HEADLESS_SHELL_CANDIDATES", (str(shell),))
    return {"full": full, "shell": shell}


def playwright_shell(driver: Playwright) -> Path:
    """Where `playwright install --only-shell chromium` puts the headless shell of this Playwright's revision."""
    full = Path(driver.chromium.executable_path)
    revision = full.parents[1].name.removeprefix("chromium-")
    return full.parents[2] / f"chromium_headless_shell-{revision}/chrome-headless-shell-linux64/chrome-headless-shell"


def test_only_playwrights_headless_shell_serves_headless_runs_never_headed_ones(
        driver: Playwright, system: dict[str, Path]) -> None:
    shell = fake_binary(playwright_shell(driver))
    assert find_browser(driver, headless=True) == browser_module.BrowserChoice(str(shell), "playwright")
    headed = find_browser(driver, headless=False)
    assert headed.executable == str(system["full"]) and headed.source == "system"


def test_only_playwrights_full_chromium_is_launched_by_path_when_headless(driver: Playwright) -> None:
    """Playwright left to itself launches its headless shell when headless: missing here, so name the full one."""
    full = fake_binary(Path(driver.chromium.executable_path))
    assert find_browser(driver, headless=True).executable == str(full)
    assert find_browser(driver, headless=False).executable == str(full)


def test_a_system_headless_shell_is_preferred_headless_and_skipped_headed(
        driver: Playwright, system: dict[str, Path]) -> None:
    assert find_browser(driver, headless=True).executable == str(system["shell"])
    assert find_browser(driver, headless=False).executable == str(system["full"])


def test_a_chromium_on_path_that_is_a_headless_shell_is_not_taken_for_a_headed_run(
        driver: Playwright, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shell = fake_binary(tmp_path / "lib/chromium/chromium-headless-shell")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin/chromium").symlink_to(shell)  # e.g. a container image's "chromium" that is only the shell
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setattr(browser_module, "SYSTEM_CANDIDATES", ("chromium",))
    monkeypatch.setattr(browser_module, "HEADLESS_SHELL_CANDIDATES", ())
    assert find_browser(driver, headless=True).executable == str(tmp_path / "bin/chromium")
    with pytest.raises(ConfigError, match="No full Chromium found for --headed"):
        find_browser(driver, headless=False)


def test_a_headless_shell_given_for_a_headed_run_is_refused_naming_where_it_came_from(
        driver: Playwright, system: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    shell = str(system["shell"])
    assert find_browser(driver, shell, headless=True).executable == shell
    with pytest.raises(ConfigError, match=f"--browser points at '{shell}', Chromium's headless shell, which cannot "
                                          f"show a window; for --headed point --browser"):
        find_browser(driver, shell, headless=False)
    monkeypatch.setenv(BROWSER_ENV, shell)
    with pytest.raises(ConfigError, match=f"{BROWSER_ENV} points at '{shell}', Chromium's headless shell"):
        explicit_browser(None, headless=False)
    assert find_browser(driver, str(system["full"]), headless=False).executable == str(system["full"])


def test_headless_shells_are_told_by_name_or_by_the_name_they_link_to(tmp_path: Path) -> None:
    assert is_headless_shell("/usr/bin/chromium-headless-shell")
    assert is_headless_shell("/ms-playwright/chromium_headless_shell-1255/chrome-headless-shell-linux64/"
                             "chrome-headless-shell")
    assert is_headless_shell("/ms-playwright/chromium_headless_shell-1091/chrome-linux/headless_shell")
    assert not is_headless_shell("/usr/bin/chromium") and not is_headless_shell("/opt/google/chrome/chrome")
    os.symlink(fake_binary(tmp_path / "chromium-headless-shell"), tmp_path / "chrome")
    assert is_headless_shell(str(tmp_path / "chrome"))
