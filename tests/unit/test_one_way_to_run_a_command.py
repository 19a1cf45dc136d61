"""Every command runs its coroutine through `automation.browser.driver.run_command` and starts Playwright's
driver through `start_driver` / `playwright_driver`, never `asyncio.run` or `async_playwright()` of its own: the
one place where a command's event loop and driver are made is where Node's options, the compile cache and a
process's `DriverHost` (one loop and driver for many commands, as the test session keeps) take effect."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("automation", "flows", "ecom_privacy")
DRIVER = ROOT / "automation" / "browser" / "driver.py"
OWN_LOOP_OR_DRIVER = re.compile(r"\basyncio\.run\(|\basync_playwright\(\)|\bnew_event_loop\(")


def offenders() -> list[str]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == DRIVER:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if OWN_LOOP_OR_DRIVER.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_no_command_makes_its_own_event_loop_or_driver() -> None:
    assert offenders() == []


def test_the_check_would_see_one() -> None:
    assert OWN_LOOP_OR_DRIVER.search("    document = asyncio.run(runner.run())")
    assert OWN_LOOP_OR_DRIVER.search("async with async_playwright() as playwright:")
    assert not OWN_LOOP_OR_DRIVER.search("    document = run_command(runner.run())")
