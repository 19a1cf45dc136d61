"""Ctrl-C in the middle of an apply, as a terminal sends it: SIGINT to the whole process group.

The run must stop cleanly, write its report with `interrupted: true`, and tell the truth: every setting
reported as changed is changed in the backoffice, every store reported as skipped was left untouched.
"""

from __future__ import annotations

import json
import os
import pty
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from mock_backoffice import MockServer
from tests.reliability.conftest import Fleet, read_terminal
from tests.support import http_json

pytestmark = pytest.mark.launches_browser  # about the launch path: no shared Chromium

ROOT = Path(__file__).resolve().parents[2]
STORES = ["alpha", "bravo", "echo", "gen-001", "gen-002", "gen-003"]
SEEDED_MODES = {"alpha": "none", "bravo": "notify", "echo": "none", "gen-001": "none", "gen-002": "none",
                "gen-003": "none"}


def start_apply(fleet: Fleet, session_dir: Path) -> subprocess.Popen[str]:
    args = [arg for store in STORES for arg in ("--store", store)]
    return subprocess.Popen(
        [sys.executable, "-m", "automation", "apply", "--auto-approve", *fleet.args(), *args, "--parallelism", "1",
         "--artifacts-dir", str(fleet.directory / "runs"), "--log-format", "json"],
        cwd=ROOT, env=dict(os.environ, ECOM_PRIVACY_SESSION_DIR=str(session_dir)), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True,  # its own process group, like a shell job
    )


def interrupt_after_first_store(process: subprocess.Popen[str], times: int = 1) -> None:
    """SIGINT once the first store is done; a second one after the first was taken note of (signals that
    arrive together are merged by the kernel, as a person pressing Ctrl-C twice never quite manages)."""
    assert process.stderr is not None
    sent = 0
    for line in process.stderr:
        event = json.loads(line).get("event", "")
        if (sent == 0 and event == "store done") or (0 < sent < times and event.startswith("SIGINT received")):
            os.killpg(process.pid, signal.SIGINT)
            sent += 1
        if sent == times:
            return


def check_report_tells_the_truth(server: MockServer, fleet: Fleet) -> dict[str, dict]:
    [run_dir] = sorted((fleet.directory / "runs").iterdir())
    report = json.loads((run_dir / "report.json").read_text())
    assert report["interrupted"] is True
    assert (run_dir / "report.html").is_file() and (run_dir / "junit.xml").is_file()
    state = http_json(f"{server.url}/__mock__/state")["stores"]
    stores = {store["id"]: store for store in report["stores"]}
    assert sorted(stores) == sorted(STORES)
    for store_id, store in stores.items():
        [setting] = store["settings"]
        mode = state[store_id]["cookie_law"]["mode"]
        if setting["status"] == "changed":
            assert mode == "confirm", store_id
        elif setting["status"] == "skipped":
            assert mode == SEEDED_MODES[store_id], store_id
            assert setting["error_kind"] == "interrupted"
        else:  # caught in the middle of applying: failed, never "changed"
            assert setting["status"] == "failed" and setting["error_kind"] == "interrupted", store
    return stores


def test_ctrl_c_stops_cleanly_and_the_report_says_what_was_applied(server: MockServer, fleet: Fleet,
                                                                    private_session_dir: Path) -> None:
    http_json(f"{server.url}/__mock__/faults", {"latency_ms": 100})
    process = start_apply(fleet, private_session_dir)
    interrupt_after_first_store(process)
    out, err = process.communicate(timeout=120)
    http_json(f"{server.url}/__mock__/faults", {})
    assert process.returncode == 1, err
    stores = check_report_tells_the_truth(server, fleet)
    assert stores["alpha"]["settings"][0]["status"] == "changed"  # finished before the signal
    skipped = [sid for sid, store in stores.items() if store["status"] == "skipped"]
    assert len(skipped) >= 3  # the store in flight may have finished; nothing new started after it
    assert all(stores[sid]["error"] == "not started: the run was interrupted" for sid in skipped)
    assert "SIGINT received: finishing the steps in flight" in err
    assert "(interrupted)" in out and "Store gen-003: skipped (not started: the run was interrupted)" in out


def test_second_ctrl_c_stops_at_once_and_still_reports_truthfully(server: MockServer, fleet: Fleet,
                                                                   private_session_dir: Path) -> None:
    http_json(f"{server.url}/__mock__/faults", {"latency_ms": 100})
    process = start_apply(fleet, private_session_dir)
    interrupt_after_first_store(process, times=2)
    _, err = process.communicate(timeout=120)
    http_json(f"{server.url}/__mock__/faults", {})
    assert process.returncode == 1, err
    check_report_tells_the_truth(server, fleet)
    assert "received again: stopping now" in err


def test_ctrl_c_at_a_terminal_says_at_once_what_it_does(server: MockServer, fleet: Fleet,
                                                         private_session_dir: Path) -> None:
    """A person at a terminal reads, the moment Ctrl-C arrives, what the tool now does and how to stop it
    sooner: a line in their words, before the run ends, not a log line at the end."""
    http_json(f"{server.url}/__mock__/faults", {"latency_ms": 100})
    leader, follower = pty.openpty()
    args = [arg for store in STORES for arg in ("--store", store)]
    process = subprocess.Popen(
        [sys.executable, "-m", "automation", "apply", "--auto-approve", *fleet.args(), *args, "--parallelism", "1",
         "--artifacts-dir", str(fleet.directory / "runs"), "--no-color"],
        cwd=ROOT, env=dict(os.environ, ECOM_PRIVACY_SESSION_DIR=str(private_session_dir)),
        stdout=subprocess.PIPE, stderr=follower, text=True, start_new_session=True)
    os.close(follower)
    screen = b""
    while b"store done" not in screen:  # the console log line of the first store
        screen += os.read(leader, 4096)
    os.killpg(process.pid, signal.SIGINT)
    screen_text = screen.decode(errors="replace") + read_terminal(leader)
    out, _ = process.communicate(timeout=120)
    os.close(leader)
    http_json(f"{server.url}/__mock__/faults", {})
    assert process.returncode == 1, out
    said = ("Ctrl-C: finishing the step each running store is in, starting nothing new; press Ctrl-C again to "
            "stop at once")
    assert said in screen_text
    assert screen_text.index(said) < screen_text.index("run finished")  # at once, not when the run ends
    assert "SIGINT received" not in screen_text  # said to the person, not logged at them
    check_report_tells_the_truth(server, fleet)


def test_ctrl_c_while_the_browser_driver_starts_ends_cleanly(fleet: Fleet, private_session_dir: Path) -> None:
    """Ctrl-C reaches the whole process group, Playwright's driver too, which dies of it while it is still
    starting. The run ends as interrupted, every store not started, and no traceback."""
    import psutil

    process = start_apply(fleet, private_session_dir)
    tool = psutil.Process(process.pid)
    while not any("node" in child.name() for child in tool.children(recursive=True)):
        assert process.poll() is None, process.communicate()
    os.killpg(process.pid, signal.SIGINT)  # the driver has just been started: it has not set up its handlers
    _, err = process.communicate(timeout=120)
    assert process.returncode == 1, err
    assert "Traceback" not in err and "Event loop is closed" not in err, err
    [run_dir] = sorted((fleet.directory / "runs").iterdir())
    report = json.loads((run_dir / "report.json").read_text())
    assert report["interrupted"] is True
    assert {store["status"] for store in report["stores"]} == {"skipped"}
    assert all(store["error"] == "not started: the run was interrupted" for store in report["stores"])
