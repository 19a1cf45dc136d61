"""Playwright's driver is started with Node's options for the driver and its compile cache
(automation/browser/driver.py): the user's own NODE_OPTIONS after ours, the user's own NODE_COMPILE_CACHE as it
is, and the tool's environment left as it was. A command gets a loop and a driver of its own, unless a
`DriverHost` serves: then commands share its loop and its driver, and each still ends as `asyncio.run` ends."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import psutil
import pytest

from automation.browser.driver import (
    DRIVER_NODE_OPTIONS,
    NODE_COMPILE_CACHE,
    NODE_OPTIONS,
    DriverHost,
    driver_environment,
    driver_node_options,
    release_driver,
    run_command,
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


async def _command(seen: list[Any]) -> None:
    """What a command does with its driver: start (or borrow) it, leave a task running, let the driver go."""
    playwright = await start_driver()
    request = await playwright.request.new_context()  # a round trip to the driver: it answers
    await request.dispose()
    seen.append((playwright, asyncio.get_running_loop(), asyncio.create_task(asyncio.sleep(3600)), _drivers()))
    await release_driver(playwright)


def test_commands_served_by_a_host_share_its_loop_and_driver_and_each_ends_alone() -> None:
    before = _drivers()
    host = DriverHost()
    seen: list[Any] = []
    try:
        with host.serving():
            run_command(_command(seen))
            run_command(_command(seen))
        (first, loop, left_1, drivers_1), (second, loop_2, left_2, drivers_2) = seen
        assert first is second and loop is loop_2 and host.started == 1 and host.lent == 2
        [driver] = drivers_1 - before
        assert drivers_2 == drivers_1  # released by the first command, kept running for the second
        assert left_1.cancelled() and left_2.cancelled()  # what a command leaves behind ends with it
    finally:
        host.close()
    assert driver not in _drivers()  # the host's close stops its driver


@pytest.mark.launches_browser  # no host serves (tests/conftest.py): as a command in a process of its own
def test_without_a_host_each_command_has_a_loop_and_a_driver_of_its_own() -> None:
    before = _drivers()
    seen: list[Any] = []
    run_command(_command(seen))
    run_command(_command(seen))
    (first, loop, left, drivers_1), (second, loop_2, _, drivers_2) = seen
    assert first is not second and loop is not loop_2 and loop.is_closed() and left.cancelled()
    [driver_1] = drivers_1 - before
    [driver_2] = drivers_2 - before
    assert driver_1 != driver_2 and not ({driver_1, driver_2} & _drivers())


async def test_a_coroutine_on_another_loop_gets_a_driver_of_its_own_while_a_host_serves() -> None:
    host = DriverHost()
    try:
        with host.serving():
            playwright = await start_driver()  # pytest-asyncio's loop, not the host's
            await release_driver(playwright)
        assert host.lent == 0 and host.started == 0
    finally:
        host.close()
