"""Session reuse between runs, and the store locks that keep two runs of one store apart, whatever fleet files
name it."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from automation.run.lock import StoreLocks
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


def _held_elsewhere(fleet: Fleet, store_id: str) -> object:
    """The store as another fleet file names it (another id, the same backoffice address written otherwise)."""
    from automation.fleet.composition import read_fleet

    store = next(s for s in read_fleet(fleet.path).stores if s.id == store_id)
    return replace(store, id=f"{store_id}-in-another-fleet", backoffice_url=store.backoffice_url + "/")


def test_overlapping_runs_wait_or_leave_out_only_the_stores_they_share(fleet: Fleet, run: Callable[..., Run], state,
                                                                       private_session_dir: Path) -> None:
    """#22 item 3: the lock was per fleet file and session folder: a manual apply and the nightly run changed
    the same setting of the same store at the same time."""
    with StoreLocks(private_session_dir, [_held_elsewhere(fleet, "alpha")], "apply"):  # type: ignore[list-item]
        overlapping = run("apply", "--auto-approve", "--store", "alpha", "--store", "bravo")
        assert overlapping.code == 1
        report = json.loads((overlapping.run_dir / "report.json").read_text())
        stores = {store["id"]: store for store in report["stores"]}
        assert stores["alpha"]["error_kind"] == "locked" and stores["bravo"]["status"] == "ok"
        assert "is already working on this store; not started" in stores["alpha"]["error"]
        assert "--wait-lock SECONDS" in stores["alpha"]["error"]
        refused = run("apply", "--auto-approve", "--store", "alpha")  # nothing left to do: refused whole
        assert refused.code == 1 and "is already working on store(s) alpha; not starting" in refused.err
        assert run("plan", "--store", "echo").code == 2  # another store: proceeds
        assert run("validate").code == 0  # validate reads only: it takes no lock
    assert state()["alpha"]["login"]["attempts"] == 0  # the left-out store was never logged in to
    assert state()["bravo"]["cookie_law"]["mode"] == "confirm"
    assert run("plan", "--store", "alpha").code == 2  # free again


def test_wait_lock_waits_for_the_other_run(fleet: Fleet, private_session_dir: Path) -> None:
    lock = StoreLocks(private_session_dir, [_held_elsewhere(fleet, "alpha")], "apply")  # type: ignore[list-item]
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
