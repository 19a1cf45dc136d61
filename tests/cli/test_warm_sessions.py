"""The suite's warm sessions (tests/warm_sessions.py): a test that opts in starts with every seeded store logged
in, so its runs reuse the cached sessions and submit no password or code; the world is still the seed's."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from mock_backoffice import MockServer
from tests.cli.conftest import CliRunner
from tests.support import EMAILS, TEST_SEED, http_json, write_fleet

STORES = [store["id"] for store in TEST_SEED["stores"]]


@pytest.mark.clock  # logged in and reused two years ahead too (make test's second pass)
def test_a_plan_of_every_store_logs_none_in_with_warm_sessions(
        warm_sessions: None, cli: CliRunner, mock_server: MockServer, mock_state, private_session_dir: Path,
        tmp_path: Path) -> None:
    path = write_fleet(tmp_path, mock_server.url, {"cookie_law": {"mode": "confirm"}}, STORES)
    copied = sorted(private_session_dir.glob("*.json"))
    assert len(copied) == len(STORES)
    assert stat.S_IMODE(private_session_dir.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(file.stat().st_mode) == 0o600 for file in copied)
    # the seed's world: nothing counted, nothing asked for yet
    assert http_json(f"{mock_server.url}/__mock__/requests")["requests"] == []
    state = mock_state()
    assert all(state[store]["login"]["successful_logins"] == 0 for store in STORES)
    assert all(state[store]["active_sessions"] == 1 for store in STORES)

    result = cli("plan", "-c", str(path), "--env-file", str(tmp_path / ".env"))
    assert result.code == 2, result.out + result.err
    assert (f"Logins: {len(STORES)} store(s): {len(STORES)} by cached session; 0 password(s) and 0 code(s) "
            "submitted") in result.out, result.out
    accounts = http_json(f"{mock_server.url}/__mock__/accounts")["accounts"]
    assert all(accounts[EMAILS[store]]["attempts"] == 0 for store in STORES)  # no password, no code typed
    assert not any(record["path"].startswith("admin/auth") for record in
                   http_json(f"{mock_server.url}/__mock__/requests")["requests"])


@pytest.mark.parametrize("attempt", [1, 2])
def test_what_a_test_did_to_the_world_is_gone_in_the_next_but_the_logins_stay(
        attempt: int, warm_sessions: None, cli: CliRunner, mock_server: MockServer, mock_state,
        tmp_path: Path) -> None:
    """Two tests in a row (xdist's loadfile keeps them on one worker, in this order): each finds the seed's
    cookie law, changes it, and still needs no login."""
    assert mock_state()["shop-nl"]["cookie_law"]["mode"] == "none"
    path = write_fleet(tmp_path, mock_server.url, {"cookie_law": {"mode": "notify"}}, ["shop-nl"])
    result = cli("apply", "-c", str(path), "--env-file", str(tmp_path / ".env"), "--auto-approve")
    assert result.code == 0, result.out + result.err
    assert "Logins: 1 store(s): 1 by cached session; 0 password(s)" in result.out, result.out
    assert mock_state()["shop-nl"]["cookie_law"]["mode"] == "notify"
