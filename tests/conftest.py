"""Fixtures: the mock backoffice on a free port over real HTTP, and one real Chromium per test session.

The browser fixtures are pytest-playwright's (the pytest-playwright-asyncio plugin): `browser` (one per
session) and `new_context` (contexts it closes after the test, recording traces and screenshots as its
options say: `--headed`, `--tracing retain-on-failure`, `--screenshot only-on-failure`, `--output DIR`).
Only the launch options are ours, below.

The clock (issue #25): a test never pairs a fixed calendar date with the real clock. It either hands the tool
a clock (`main(..., clock=FixedClock(...))`, ecom_privacy/clock.py) and computes its dates from that clock's now, or
freezes time with time-machine. `--clock-shift-days N` proves it: the whole session runs N days ahead
(time-machine, ticking), and the tests marked `clock` (the date-sensitive ones: breach, alerts, history,
status, locks, session cache, the mock's TOTP) must pass there too; `make test` runs them a second time so,
730 days ahead. A CLI process that a test starts goes through tests/cli_process.py, which moves its clock
by the same shift. Chromium and the database servers keep the real clock: a forward shift only makes the
mock's cookies last longer, and the tool asks neither of them for the time.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import time_machine

from automation.browser.cdp_endpoint import CDP_ENV
from automation.home.places import SESSIONS_ENV
from tests.cli_process import CLOCK_SHIFT_ENV
from tests.suite_marks import PURE_FOLDERS, apply_markers, folder, heavy_modules_first
from tests.support import TEST_SEED, http_json

_TRAVEL = pytest.StashKey[time_machine.travel]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--clock-shift-days", type=float, default=None, metavar="DAYS",
                     help="run the whole session this many days ahead of the real clock (time-machine; CLI "
                          "processes started through tests/cli_process.py too): the date-sensitive tests (-m clock) "
                          "must pass whatever the date")


#: Node's compile cache for Playwright's drivers (Node 22.1+): the tool keeps it in the user's cache folder
#: unless NODE_COMPILE_CACHE names one (automation/browser/driver.py); a test session keeps its own, as it keeps
#: its sessions and history out of the user's folders. It covers pytest-playwright's driver too.
NODE_COMPILE_CACHE_ENV = "NODE_COMPILE_CACHE"


def _node_compile_cache() -> None:
    """One cache folder per xdist worker (no two processes of different workers write one entry together),
    kept between sessions in the temporary folder, so a session starts warm; a developer's own setting wins."""
    if NODE_COMPILE_CACHE_ENV not in os.environ:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        cache = Path(tempfile.gettempdir()) / f"ecom-privacy-tests-{os.getuid()}" / "node-compile-cache" / worker
        cache.mkdir(parents=True, exist_ok=True)
        os.environ[NODE_COMPILE_CACHE_ENV] = str(cache)


def pytest_configure(config: pytest.Config) -> None:
    _node_compile_cache()
    days = config.getoption("--clock-shift-days")
    if days:
        # Started before collection, so even a module-level "now" is the shifted one; ticking, so that time
        # passes as it does in a real run (the mock's session ages, the CLI's durations).
        travel = time_machine.travel(datetime.now(UTC) + timedelta(days=days), tick=True)
        travel.start()
        config.stash[_TRAVEL] = travel
        os.environ[CLOCK_SHIFT_ENV] = repr(days)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    apply_markers(items)  # browser, postgres, xvfb, subprocess: by folder and by what a test uses (suite_marks.py)
    heavy_modules_first(items)


def pytest_unconfigure(config: pytest.Config) -> None:
    travel = config.stash.get(_TRAVEL, None)
    if travel is not None:
        travel.stop()
        os.environ.pop(CLOCK_SHIFT_ENV, None)

if TYPE_CHECKING:  # the mock (Flask) and Playwright are imported by the fixtures that use them: the unit
    # tests, which use neither, start faster
    from playwright.async_api import Playwright

    from automation.browser.driver import DriverHost
    from mock_backoffice import MockServer
    from tests.remote_chromium import RemoteChromium


@pytest.fixture(autouse=True)
def private_session_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Cached logins and run locks of each test in a folder of its own, never in the user's ~/.cache."""
    directory = tmp_path_factory.mktemp("sessions")
    monkeypatch.setenv(SESSIONS_ENV, str(directory))
    return directory


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The default history database of each test in a folder of its own, never the user's ~/.local/share."""
    directory = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("XDG_DATA_HOME", str(directory))
    monkeypatch.delenv("ECOM_PRIVACY_DB", raising=False)
    monkeypatch.delenv("ECOM_PRIVACY_HOME", raising=False)  # a developer's own home never reaches a test
    return directory


def keeps_its_own_browser(item: pytest.Item) -> bool:
    """A test that needs no browser (the pure folders), or is about how the tool finds, starts and launches its
    driver and browser (`launches_browser`, the Xvfb ones): no shared Chromium and no kept driver for it."""
    return (folder(item) in PURE_FOLDERS or item.get_closest_marker("launches_browser") is not None
            or item.get_closest_marker("xvfb") is not None)


@pytest.fixture(scope="session")
def shared_chromium() -> Iterator[RemoteChromium]:
    """One headless Chromium per test session (per xdist worker), listening for CDP on 127.0.0.1."""
    from tests.remote_chromium import RemoteChromium

    chromium = RemoteChromium().start()
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture(autouse=True)
def shared_browser_endpoint(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str | None:
    """Every run of the tool in a test (in-process, or a CLI process that inherits the environment) reaches the
    session's Chromium through the tool's own `--cdp-endpoint` default ($ECOM_PRIVACY_CDP_ENDPOINT) instead of
    launching one: as with a browser farm, each run opens contexts of its own there and closes only those.
    Launching a browser costs each run about half a second. The tests about how the tool finds and launches
    its browser (marker `launches_browser`) and those in a real display (`xvfb`) keep the launch path, and so
    does a test that passes `--cdp-endpoint` itself."""
    if keeps_its_own_browser(request.node):
        monkeypatch.delenv(CDP_ENV, raising=False)
        return None
    chromium: RemoteChromium = request.getfixturevalue("shared_chromium")
    if chromium.process is None or chromium.process.poll() is not None:  # gone (out of memory?): a new one
        chromium.start()
    monkeypatch.setenv(CDP_ENV, chromium.endpoint)
    return chromium.endpoint


@pytest.fixture(scope="session")
def driver_host() -> Iterator[DriverHost]:
    """One event loop and one Playwright driver per test session (per xdist worker) for in-process runs."""
    from automation.browser.driver import DriverHost

    host = DriverHost()
    try:
        yield host
    finally:
        host.close()


@pytest.fixture(autouse=True)
def kept_driver(request: pytest.FixtureRequest) -> Iterator[DriverHost | None]:
    """Every in-process run of the tool in a test (`main([...])`) runs on the session's kept event loop and
    borrows its Playwright driver (automation/browser/driver.py, `DriverHost`) instead of starting a driver of
    its own: about 0.3 s of CPU per run, several hundred runs per session. Browsers, contexts and pages remain
    each run's own. The tests about how the tool starts its driver or launches a browser (`launches_browser`,
    the Xvfb ones) keep a driver per run; a CLI process started by a test always has its own."""
    if keeps_its_own_browser(request.node):
        yield None
        return
    host: DriverHost = request.getfixturevalue("driver_host")
    with host.serving():
        yield host


@pytest.fixture(scope="session")
def mock_server_session() -> Iterator[MockServer]:
    from mock_backoffice import MockServer

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


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any], playwright: Playwright,
                             browser_name: str) -> dict[str, Any]:
    """pytest-playwright's launch options (--headed, --browser-channel, --slowmo) for its session-wide `browser`,
    with the Chromium and the flags the tool itself would launch: a headed session never gets a headless shell."""
    from automation.browser.launch import find_browser, launch_args

    options = {"args": launch_args(), **browser_type_launch_args}
    if browser_name == "chromium" and not options.get("channel"):  # a --browser-channel is Playwright's to find
        choice = find_browser(playwright, headless=options.get("headless", True))
        options["executable_path"] = choice.executable
    return options


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Any]:
    """One real PostgreSQL server for the test session (skipped, with the reason, where none can start)."""
    from tests.postgres import PostgresUnavailable, running_postgres

    try:
        with running_postgres() as server:
            yield server
    except PostgresUnavailable as exc:
        pytest.skip(f"PostgreSQL tests skipped: {exc}")


@pytest.fixture
def postgres_url(postgres_server: Any, request: pytest.FixtureRequest) -> str:
    """A fresh, empty PostgreSQL database for one test, as a SQLAlchemy URL."""
    import re

    name = "t_" + re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())[:40] + "_" + os.urandom(3).hex()
    return postgres_server.create_database(name)


# --- warm sessions (issue #23 item 9; tests/warm_sessions.py) ------------------------------------------------
if TYPE_CHECKING:
    from tests.warm_sessions import WarmSessions


@pytest.fixture(scope="session")
def warm_session_book(tmp_path_factory: pytest.TempPathFactory) -> WarmSessions:
    """The cached sessions of each mock server of this worker, each store logged in once (on first use)."""
    from tests.warm_sessions import WarmSessions

    return WarmSessions(tmp_path_factory.mktemp("warm-sessions"))


@pytest.fixture
def warm_server(mock_server: MockServer) -> MockServer:
    """The mock whose stores `warm_sessions` logs in: the session's; a folder or module whose tests use a mock
    of their own overrides this fixture with it."""
    return mock_server


@pytest.fixture
def warm_sessions(warm_session_book: WarmSessions, warm_server: MockServer, private_session_dir: Path) -> None:
    """Opt-in for tests that are not about logging in: the mock reset to its seed with every store's login kept,
    and the tool's cached session of each store in this test's session folder, so no run logs in."""
    warm_session_book.enter(warm_server, private_session_dir)
