"""Remote browsers: the run drives a Chromium it did not start, over CDP, and survives losing it.

The test starts a real headless Chromium with `--remote-debugging-port=0` on 127.0.0.1 (the port read from
its `DevTools listening on` line), points the tool at it through $ECOM_PRIVACY_CDP_ENDPOINT, SIGKILLs that
browser while a store is logging in, and starts a new one on the same port. The stores in flight lose their
connection; they must be run again on the new one and end exactly as a run without the crash would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from automation.browser.source import CDP_ENV
from mock_backoffice import MockServer
from tests.reliability.conftest import Fleet
from tests.remote_chromium import RemoteChromium
from tests.support import http_json

pytestmark = pytest.mark.launches_browser  # about the launch path: no shared Chromium

ROOT = Path(__file__).resolve().parents[2]
STORES = ["alpha", "bravo", "echo", "gen-001"]


@pytest.fixture
def remote_chromium() -> Iterator[RemoteChromium]:
    chromium = RemoteChromium().start()
    try:
        yield chromium
    finally:
        chromium.close()


def start_plan(fleet: Fleet, session_dir: Path, endpoint: str, *extra: str) -> subprocess.Popen[str]:
    selection = [arg for store in STORES for arg in ("--store", store)]
    return subprocess.Popen(
        [sys.executable, "-m", "automation", "plan", *fleet.args(), *selection, "--parallelism", "2",
         "--no-session-cache", "--artifacts-dir", str(fleet.directory / "runs"), "--log-format", "json", *extra],
        cwd=ROOT, env=dict(os.environ, ECOM_PRIVACY_SESSION_DIR=str(session_dir), **{CDP_ENV: endpoint}),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def events(err: str) -> list[dict]:
    return [json.loads(line) for line in err.splitlines() if line.startswith("{")]


def test_plan_runs_in_a_remote_browser(server: MockServer, fleet: Fleet, private_session_dir: Path,
                                       remote_chromium: RemoteChromium) -> None:
    process = start_plan(fleet, private_session_dir, remote_chromium.endpoint)
    _out, err = process.communicate(timeout=180)
    assert process.returncode == 2, err[-3000:]  # the seeded stores differ from the fleet file: changes planned
    connected = [e for e in events(err) if e["event"] == "connected to a remote browser over CDP"]
    assert len(connected) == 1 and connected[0]["endpoint"] == remote_chromium.endpoint
    assert not any(e["event"] == "browser" for e in events(err))  # nothing launched locally


def test_a_lost_remote_browser_is_a_transient_fault_retried_on_a_new_connection(
        server: MockServer, fleet: Fleet, private_session_dir: Path, remote_chromium: RemoteChromium) -> None:
    http_json(f"{server.url}/__mock__/faults", {"latency_ms": 150})  # logins long enough to be caught in flight
    process = start_plan(fleet, private_session_dir, remote_chromium.endpoint)
    assert process.stderr is not None
    seen: list[str] = []
    for line in process.stderr:
        seen.append(line)
        if json.loads(line).get("event") == "login":  # a store is logging in right now: kill its browser
            remote_chromium.kill()
            remote_chromium.start()  # the same port: the endpoint the run was given answers again
            break
    _out, rest = process.communicate(timeout=180)
    http_json(f"{server.url}/__mock__/faults", {})
    err = "".join(seen) + rest
    assert process.returncode == 2, err[-3000:]
    lines = events(err)
    retried = {e["store"] for e in lines if e["event"].startswith("browser connection lost under this store")}
    assert retried, "no store was caught in flight by the lost connection"
    assert len([e for e in lines if e["event"] == "connected to a remote browser over CDP"]) == 2
    [run_dir] = sorted((fleet.directory / "runs").iterdir())
    plan = json.loads((run_dir / "plan.json").read_text())
    statuses = {store["id"]: (store["status"], [s["status"] for s in store["settings"]]) for store in plan["stores"]}
    # Every store, the retried ones too, was read in full on the new browser: none failed, none skipped.
    assert statuses == {store: ("ok", ["drift"]) for store in STORES}, statuses
    assert remote_chromium.starts == 2
