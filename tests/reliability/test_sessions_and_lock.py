"""Session reuse between runs, and the lock that keeps two runs of one fleet file apart."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from automation.run.lock import FleetLock
from tests.reliability.conftest import Fleet, Run

ROOT = Path(__file__).resolve().parents[2]


def test_second_run_reuses_the_cached_session_without_logging_in(run: Callable[..., Run], state,
                                                                  private_session_dir: Path) -> None:
    stores = ["alpha", "charlie-totp"]
    args = ["--store", "alpha", "--store", "charlie-totp"]
    assert run("plan", *args).code == 2
    first = {store: state()[store]["login"] for store in stores}
    assert {store: first[store]["successful_logins"] for store in stores} == {"alpha": 1, "charlie-totp": 1}

    files = sorted(private_session_dir.glob("*.json"))
    assert len(files) == 2
    assert stat.S_IMODE(private_session_dir.stat().st_mode) == 0o700
    assert {stat.S_IMODE(path.stat().st_mode) for path in files} == {0o600}
    assert all("backend_session_id" in path.read_text() for path in files)

    again = run("apply", "--auto-approve", *args)
    assert again.code == 0, again.out + again.err
    assert again.err.count("reusing cached session") == 2 and '"event": "login"' not in again.err
    # No login form was submitted: neither a successful login nor any credential attempt.
    assert {store: state()[store]["login"] for store in stores} == first
    assert {state()[store]["cookie_law"]["mode"] for store in stores} == {"confirm"}


def test_no_session_cache_logs_in_every_time_and_writes_nothing(run: Callable[..., Run], state,
                                                                private_session_dir: Path) -> None:
    for _ in range(2):
        assert run("plan", "--store", "alpha", "--no-session-cache").code == 2
    assert state()["alpha"]["login"]["successful_logins"] == 2
    assert not list(private_session_dir.glob("*.json"))


def test_a_changed_login_never_picks_up_the_old_session(fleet: Fleet, run: Callable[..., Run], state) -> None:
    assert run("plan", "--store", "alpha").code == 2
    env = fleet.env.read_text().replace("owner@alpha.test", "someone-else@alpha.test")
    fleet.env.write_text(env)
    result = run("plan", "--store", "alpha")
    assert result.code == 1  # a new login with the new (wrong) email, not the old session
    assert "reusing cached session" not in result.err
    assert state()["alpha"]["login"]["attempts"] == 2


def test_overlapping_run_is_refused_with_a_clear_message(fleet: Fleet, run: Callable[..., Run], state,
                                                         private_session_dir: Path) -> None:
    with FleetLock(private_session_dir, fleet.path, "apply"):
        refused = run("apply", "--auto-approve", "--store", "alpha")
        assert refused.code == 1
        assert f"is already working on the fleet file {fleet.path}" in refused.err
        assert "--wait-lock SECONDS" in refused.err
        assert run("validate").code == 0  # validate reads only: it takes no lock
    assert state()["alpha"]["login"]["attempts"] == 0  # the refused run never went near the store
    assert run("plan", "--store", "alpha").code == 2  # free again


def test_wait_lock_waits_for_the_other_run(fleet: Fleet, private_session_dir: Path) -> None:
    lock = FleetLock(private_session_dir, fleet.path, "apply")
    lock.acquire()
    env = dict(os.environ, ECOM_PRIVACY_SESSION_DIR=str(private_session_dir))
    process = subprocess.Popen(
        [sys.executable, "-m", "automation", "plan", *fleet.args(), "--store", "alpha", "--wait-lock", "120",
         "--artifacts-dir", str(fleet.directory / "runs"), "--log-format", "json"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        for line in process.stderr:  # released only once the waiting run said it waits
            if json.loads(line).get("event") == "waiting for lock":
                break
        lock.release()
        out, _ = process.communicate(timeout=120)
    finally:
        lock.release()
        if process.poll() is None:
            process.kill()
    assert process.returncode == 2, out
    assert "Store alpha: 1 change(s) planned" in out
