"""Playwright's driver is started with Node's options for the driver (automation/browser/driver.py), the user's own
NODE_OPTIONS after ours, and the tool's environment left as it was."""

from __future__ import annotations

import os
from pathlib import Path

import psutil
import pytest

from automation.browser.driver import DRIVER_NODE_OPTIONS, NODE_OPTIONS, driver_node_options, start_driver


def test_the_users_node_options_come_after_ours() -> None:
    assert driver_node_options(None) == " ".join(DRIVER_NODE_OPTIONS)
    assert driver_node_options("--max-semi-space-size=8 --trace-warnings").endswith(
        " --max-semi-space-size=8 --trace-warnings")


def _drivers() -> set[int]:
    """Playwright drivers of this process (a browser fixture of another test may have one running too)."""
    return {child.pid for child in psutil.Process().children(recursive=True)
            if any(part.endswith("cli.js") for part in child.cmdline()[:3])}


def _environment(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(entry.split("=", 1) for entry in raw.decode(errors="replace").split("\0") if "=" in entry)


@pytest.mark.parametrize("users", [None, "--trace-warnings"])
async def test_the_driver_runs_with_the_options_and_the_environment_is_left_as_it_was(
        users: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    if users is None:
        monkeypatch.delenv(NODE_OPTIONS, raising=False)
    else:
        monkeypatch.setenv(NODE_OPTIONS, users)
    before = _drivers()
    playwright = await start_driver()
    try:
        [driver] = _drivers() - before
        assert _environment(driver)[NODE_OPTIONS] == driver_node_options(users)
        assert os.environ.get(NODE_OPTIONS) == users
    finally:
        await playwright.stop()
