"""Credentials checked on purpose (#22 item 9): a wrong (rotated) password went unnoticed while a cached
session was valid, and surfaced at 2 a.m. when the session expired. `login --check` logs in with the stored
credentials without using or replacing the cached session; the fleet's `check_credentials` makes a
scheduled run do it once a period."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from automation.access.session_cache import session_key
from tests.reliability.conftest import Fleet, Run


def cached_file(private_session_dir: Path, fleet: Fleet, store_id: str = "alpha") -> Path:
    [path] = [p for p in private_session_dir.glob("*.json")
              if p.stem == session_key(store_id, _url(fleet, store_id), f"owner@{store_id}.test")]
    return path


def _url(fleet: Fleet, store_id: str) -> str:
    stores = yaml.safe_load(fleet.path.read_text())["stores"]
    return next(store["backoffice_url"] for store in stores if store["id"] == store_id).rstrip("/")


def test_login_check_logs_in_with_the_credentials_and_leaves_the_cached_session_alone(
        run: Callable[..., Run], state, fleet: Fleet, private_session_dir: Path) -> None:
    assert run("plan", "--store", "alpha").code == 2
    cached = cached_file(private_session_dir, fleet)
    before = cached.read_bytes()
    checked = run("login", "--check", "--store", "alpha", "--store", "charlie-totp")
    assert checked.code == 0, checked.out + checked.err
    assert "alpha: accepted (1 password(s) and 0 code(s) submitted)" in checked.out
    assert "charlie-totp: accepted (1 password(s) and 1 code(s) submitted)" in checked.out
    assert "Credentials: 2 store(s) checked, 2 accepted, 0 not" in checked.out
    assert state()["alpha"]["login"]["successful_logins"] == 2
    assert cached.read_bytes() == before  # neither used nor replaced
    assert list(private_session_dir.glob("*.json")) == [cached]  # the check saved no session of its own
    again = run("plan", "--store", "alpha")
    assert again.code == 2 and "reusing cached session" in again.err


def test_login_check_finds_a_rotated_password_a_cached_session_hides(
        run: Callable[..., Run], state, fleet: Fleet) -> None:
    assert run("plan", "--store", "alpha").code == 2
    fleet.set_password("alpha", "Rotated-Away-1")
    assert run("plan", "--store", "alpha").code == 2  # the cached session hides the wrong password
    checked = run("login", "--check", "--store", "alpha")
    assert checked.code == 1
    assert "alpha: refused (the email or password was refused" in checked.out
    assert "remembered: no command tries these credentials again" in checked.out
    attempts = state()["alpha"]["login"]["attempts"]
    again = run("login", "--check", "--store", "alpha")
    assert again.code == 1 and "alpha: not tried" in again.out
    assert state()["alpha"]["login"]["attempts"] == attempts  # a refused password is remembered as in a run


def test_check_credentials_in_the_fleet_file_makes_a_scheduled_run_log_in_once_a_period(
        run: Callable[..., Run], state, fleet: Fleet, private_session_dir: Path) -> None:
    data = yaml.safe_load(fleet.path.read_text())
    data["check_credentials"] = "weekly"
    fleet.path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert run("plan", "--store", "alpha").code == 2  # logs in: the credentials are proven now
    fleet.set_password("alpha", "Rotated-Away-1")
    within = run("plan", "--store", "alpha")
    assert within.code == 2 and "reusing cached session" in within.err  # proven less than a week ago
    key = session_key("alpha", _url(fleet, "alpha"), "owner@alpha.test")
    (private_session_dir / f"checked-{key}").write_text((datetime.now(UTC) - timedelta(days=8)).isoformat())
    due = run("plan", "--store", "alpha")
    assert due.code == 1, due.out + due.err
    assert "credentials check due" in due.err
    assert "Store alpha: FAILED (authentication): the email or password was refused" in due.out
