"""The browser tests' pytest-playwright options do what docs/contributing.md says, on the fixtures the tests really use.

A tiny test file (one test failing on purpose, one passing, both on `store_session` against the mock) is run
by pytest in a new process with this suite's fixtures (`tests/conftest.py`, `tests/flows/conftest.py`) as
plugins: `--tracing retain-on-failure --screenshot only-on-failure --output DIR` must leave a trace and a
screenshot of the failing test under DIR, and nothing of the passing one. `--headed` (under Xvfb, when the
machine has it) must launch a Chromium that shows a window, never the headless shell.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.launches_browser  # about the launch path: no shared Chromium

ROOT = Path(__file__).resolve().parents[2]

INI = """\
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = session
asyncio_default_test_loop_scope = session
"""
CONFTEST = 'pytest_plugins = ["tests.conftest", "tests.flows.conftest"]\n'
TINY_TESTS = '''\
from playwright.async_api import expect


async def test_fails_on_purpose(store_session):
    session = await store_session("shop-en")
    await session.page.goto(session.backoffice_url)
    await expect(session.page.locator("body")).to_be_visible()
    assert False, "failing on purpose: the run must keep this test's trace and screenshot"


async def test_passes(store_session):
    session = await store_session("shop-en")
    await session.page.goto(session.backoffice_url)
    await expect(session.page.locator("body")).to_be_visible()


async def test_user_agent(store_session):
    """Prints whether the browser runs headless: headless Chromium says so in its user agent."""
    session = await store_session("shop-en")
    print("USER-AGENT:", await session.page.evaluate("navigator.userAgent"))
'''


def run_tiny_tests(folder: Path, *options: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    folder.mkdir(exist_ok=True)
    (folder / "pytest.ini").write_text(INI)
    (folder / "conftest.py").write_text(CONFTEST)
    (folder / "test_tiny.py").write_text(TINY_TESTS)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([*prefix, sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rA",
                           "--rootdir", str(folder), *options, "test_tiny.py"],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=300)


def test_a_failing_browser_test_leaves_a_trace_and_a_screenshot_and_a_passing_one_nothing(tmp_path: Path) -> None:
    output = tmp_path / "artifacts"
    result = run_tiny_tests(tmp_path / "suite", "--tracing", "retain-on-failure", "--screenshot",
                            "only-on-failure", "--output", str(output), "-k",
                            "(fails_on_purpose or passes) and classic")  # one markup dialect is enough here
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 1 passed" in result.stdout, result.stdout
    kept = sorted(path.relative_to(output).as_posix() for path in output.rglob("*") if path.is_file())
    failed = "test-tiny-py-test-fails-on-purpose-classic-chromium"  # the plugin's folder: the test id, slugified
    assert kept == [f"{failed}/test-failed-1.png", f"{failed}/trace.zip"], kept
    assert (output / failed / "test-failed-1.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with zipfile.ZipFile(output / failed / "trace.zip") as trace:
        events = b"".join(trace.read(name) for name in trace.namelist() if name.endswith(".trace"))
    assert b"/shop-en/admin" in events  # the trace of the backoffice page the test visited


@pytest.mark.skipif(not shutil.which("xvfb-run"), reason="--headed needs a display: install Debian's xvfb")
def test_headed_runs_a_chromium_that_shows_a_window(tmp_path: Path) -> None:
    headless = run_tiny_tests(tmp_path / "headless", "-s", "-k", "user_agent and classic")
    headed = run_tiny_tests(tmp_path / "headed", "-s", "--headed", "-k", "user_agent and classic",
                            prefix=("xvfb-run", "-a"))
    for result in (headless, headed):
        assert result.returncode == 0, result.stdout + result.stderr
    assert "USER-AGENT:" in headless.stdout and "HeadlessChrome" in headless.stdout
    assert "USER-AGENT:" in headed.stdout and "HeadlessChrome" not in headed.stdout
