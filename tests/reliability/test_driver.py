"""Playwright's driver is started with Node's options for the driver and its compile cache
(automation/browser/driver.py): the user's own NODE_OPTIONS after ours, the user's own NODE_COMPILE_CACHE as it
is, and the tool's environment left as it was."""

from __future__ import annotations

import os
from pathlib import Path

import psutil
import pytest

from automation.browser.driver import (
    DRIVER_NODE_OPTIONS,
    NODE_COMPILE_CACHE,
    NODE_OPTIONS,
    driver_environment,
    driver_node_options,
    start_driver,
)


def test_the_users_node_options_come_after_ours() -> None:
    assert driver_node_options(None) == " ".join(DRIVER_NODE_OPTIONS)
    assert driver_node_options("--max-semi-space-size=8 --trace-warnings").endswith(
        " --max-semi-space-size=8 --trace-warnings")


def test_the_compile_cache_is_in_the_users_cache_folder_unless_they_chose_one(tmp_path: Path) -> None:
    made = driver_environment({"XDG_CACHE_HOME": str(tmp_path)})
    assert made[NODE_COMPILE_CACHE] == str(tmp_path / "ecom-privacy" / "node-compile-cache")
    assert (tmp_path / "ecom-privacy" / "node-compile-cache").is_dir()
    assert NODE_COMPILE_CACHE not in driver_environment({NODE_COMPILE_CACHE: "/elsewhere"})
    # A cache folder that cannot be made means no cache, not a failed run.
    (tmp_path / "file").write_text("not a folder")
    assert NODE_COMPILE_CACHE not in driver_environment({"XDG_CACHE_HOME": str(tmp_path / "file")})


def _drivers() -> set[int]:
    """Playwright drivers of this process (a browser fixture of another test may have one running too)."""
    return {child.pid for child in psutil.Process().children(recursive=True)
            if any(part.endswith("cli.js") for part in child.cmdline()[:3])}


def _environment(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(entry.split("=", 1) for entry in raw.decode(errors="replace").split("\0") if "=" in entry)


@pytest.mark.parametrize("users", [None, "--trace-warnings"])
async def test_the_driver_runs_with_the_options_and_the_environment_is_left_as_it_was(
        users: str | None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    if users is None:
        monkeypatch.delenv(NODE_OPTIONS, raising=False)
    else:
        monkeypatch.setenv(NODE_OPTIONS, users)
    monkeypatch.delenv(NODE_COMPILE_CACHE, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    before = _drivers()
    playwright = await start_driver()
    try:
        [driver] = _drivers() - before
        environment = _environment(driver)
        assert environment[NODE_OPTIONS] == driver_node_options(users)
        assert environment[NODE_COMPILE_CACHE] == str(tmp_path / "ecom-privacy" / "node-compile-cache")
        assert os.environ.get(NODE_OPTIONS) == users and NODE_COMPILE_CACHE not in os.environ
    finally:
        await playwright.stop()
    # Node filled the cache: the next run's driver starts from compiled code.
    assert any((tmp_path / "ecom-privacy" / "node-compile-cache").rglob("*"))
