"""The login chain across a fleet, end to end (CLI in-process, real Chromium, the mock's identity service):
one identity login serving an agency's stores, recovery codes spent one by one, bot challenges."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from automation.cli import main
from mock_backoffice import MockServer, write_fleet
from tests.reliability.conftest import Run
from tests.secret_scan import describe, scan_directory
from tests.support import TOTP_SECRET, http_json

AGENCY_PASSWORD = "Agency-Secret-7007"
RECOVERY_CODES = ["rcv1-aaaa-1111", "rcv2-bbbb-2222", "rcv3-cccc-3333"]
AGENCY = ["agency-a", "agency-b", "agency-c"]
SEED: dict[str, Any] = {
    "stores": [
        # one Lightspeed ID (one email) holding three stores, with two-step verification
        {"id": "agency-a", "locale": "en", "email": "team@agency.test", "password": AGENCY_PASSWORD,
         "totp_secret": TOTP_SECRET, "recovery_codes": RECOVERY_CODES},
        {"id": "agency-b", "locale": "nl", "email": "team@agency.test"},
        {"id": "agency-c", "locale": "en", "email": "Team@Agency.test"},
        {"id": "guarded", "locale": "en", "email": "owner@guarded.test", "password": "Guarded-Secret-8008",
         "bot_challenge": True},
    ]
}
SECRETS = [AGENCY_PASSWORD, TOTP_SECRET, *RECOVERY_CODES, "Guarded-Secret-8008"]


def assert_no_secrets(run_dir: Path) -> None:
    leaks = scan_directory(run_dir, {f"secret {index}": value for index, value in enumerate(SECRETS)})
    assert not leaks, describe(leaks)


@pytest.fixture(scope="module")
def chain_server() -> Iterator[MockServer]:
    with MockServer(SEED) as server:
        yield server


@pytest.fixture
def server(chain_server: MockServer) -> MockServer:
    http_json(f"{chain_server.url}/__mock__/reset", {})
    return chain_server


def account(server: MockServer, store: str) -> dict[str, Any]:
    return http_json(f"{server.url}/__mock__/accounts?store={store}")


@pytest.fixture
def fleet_files(server: MockServer, tmp_path: Path) -> tuple[Path, Path]:
    path, env = write_fleet(server.world, server.url, tmp_path / "fleet" / "fleet.yaml")
    return Path(path), Path(env)


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], fleet_files: tuple[Path, Path], tmp_path: Path) -> Callable[..., Run]:
    def invoke(*args: str) -> Run:
        runs = tmp_path / "runs"
        before = set(runs.iterdir()) if runs.exists() else set()
        out = io.StringIO()
        code = main([*args, "-c", str(fleet_files[0]), "--env-file", str(fleet_files[1]), "--artifacts-dir",
                     str(runs), "--log-format", "json", "--no-history"], out=out)
        created = sorted(set(runs.iterdir()) - before) if runs.exists() else []
        return Run(code, out.getvalue(), capsys.readouterr().err, created[-1] if created else runs)

    return invoke


def logins(run_dir: Path) -> dict[str, dict[str, int]]:
    document = json.loads((run_dir / "plan.json").read_text(encoding="utf-8"))
    return {store["id"]: store["logins"] for store in document["stores"]}


def test_one_identity_login_serves_every_store_of_an_agency_account(run: Callable[..., Run], server: MockServer,
                                                                    private_session_dir: Path) -> None:
    # All three at once: they must not race each other into the password form.
    result = run("plan", *[arg for store in AGENCY for arg in ("--store", store)], "--parallelism", "3")
    assert result.code == 2, result.out + result.err
    agency = account(server, "agency-a")
    assert agency["stores"] == AGENCY
    # one password and one code for the account, however many stores; no failure on the way
    assert (agency["successful_logins"], agency["attempts"], agency["failed_attempts"]) == (1, 2, 0)
    state = http_json(f"{server.url}/__mock__/state")["stores"]
    assert {store: state[store]["login"]["successful_logins"] for store in AGENCY} == dict.fromkeys(AGENCY, 1)
    counted = logins(result.run_dir)
    assert sum(c["password"] for c in counted.values()) == 1 and sum(c["code"] for c in counted.values()) == 1
    assert all(c["chains"] == 1 for c in counted.values())
    assert ("Logins: 3 store(s): 1 by password, 2 by the account's identity session; 1 password(s) and 1 code(s) "
            "submitted") in result.out
    assert_no_secrets(result.run_dir)
    assert not any(secret in result.err for secret in SECRETS)


def _without_totp(fleet: Path) -> None:
    """The agency's stores answer the code step with recovery codes only (no TOTP secret configured)."""
    data = yaml.safe_load(fleet.read_text(encoding="utf-8"))
    for store in data["stores"]:
        store["credentials"].pop("totp_secret_env", None)
    fleet.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_recovery_codes_are_used_one_per_login_and_never_twice(run: Callable[..., Run], server: MockServer,
                                                               fleet_files: tuple[Path, Path],
                                                               private_session_dir: Path, tmp_path: Path) -> None:
    fleet, env = fleet_files
    assert "RECOVERY_CODES" in env.read_text(encoding="utf-8")  # the mock's fleet names the variable
    _without_totp(fleet)
    first = run("plan", "--store", "agency-a", "--no-session-cache")
    assert first.code == 2, first.out + first.err
    assert account(server, "agency-a")["recovery_codes_used"] == [1]
    assert logins(first.run_dir)["agency-a"]["recovery_codes"] == 1

    # A later run (the identity session gone too) takes the next code, not the spent one.
    http_json(f"{server.url}/__mock__/identity/sessions/revoke", {})
    second = run("plan", "--store", "agency-b", "--no-session-cache")
    assert second.code == 2, second.out + second.err
    used = account(server, "agency-a")
    assert used["recovery_codes_used"] == [1, 2] and used["failed_attempts"] == 0

    spent = list(private_session_dir.glob("recovery-*.used"))
    assert len(spent) == 1 and len(spent[0].read_text().split()) == 2
    assert not any(code in spent[0].read_text() for code in RECOVERY_CODES)  # hashes only
    for result in (first, second):
        assert_no_secrets(result.run_dir)
        assert not any(code in result.err + result.out for code in RECOVERY_CODES)

    # probe logs in its own way but skips the codes the runs spent too (a spent code would be a refused one)
    http_json(f"{server.url}/__mock__/identity/sessions/revoke", {})
    probed = io.StringIO()
    code = main(["probe", "--store", "agency-a", "--no-session-cache", "-c", str(fleet), "--env-file", str(env),
                 "--artifacts-dir", str(tmp_path / "probe-runs")], out=probed)
    assert code == 0, probed.getvalue()
    used = account(server, "agency-a")
    assert used["recovery_codes_used"] == [1, 2, 3] and used["failed_attempts"] == 0


def test_a_bot_challenge_is_its_own_error_tried_twice_and_never_a_refused_login(
        run: Callable[..., Run], server: MockServer, private_session_dir: Path) -> None:
    result = run("plan", "--store", "guarded", "--timeout", "2")
    assert result.code == 1
    store = json.loads((result.run_dir / "plan.json").read_text(encoding="utf-8"))["stores"][0]
    assert store["error_kind"] == "bot_challenge"
    assert "ecom-privacy login --store guarded" in store["error"] and "not a refused password" in store["error"]
    assert store["logins"]["bot_challenges"] == 2 and store["logins"]["password"] == 0
    assert http_json(f"{server.url}/__mock__/challenges")["guarded"]["pending"] == 2  # tried at most twice
    assert account(server, "guarded")["attempts"] == 0  # no password was ever typed
    assert "FAILED (bot_challenge)" in result.out
    assert not list(private_session_dir.glob("*.refused"))  # not remembered as a refusal ...
    again = run("plan", "--store", "guarded", "--timeout", "2")
    assert again.code == 1  # ... so the next run tries again (twice at most, as before)
    assert http_json(f"{server.url}/__mock__/challenges")["guarded"]["pending"] == 4


def test_an_unreachable_identity_service_fails_the_store_in_one_line_naming_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with MockServer({"stores": [{"id": "solo", "locale": "en", "email": "owner@solo.test",
                                 "password": "Solo-Secret-9009"}]}) as server:
        path, env = write_fleet(server.world, server.url, tmp_path / "fleet.yaml")
        identity = server.id_url
        server.stop_identity()  # the stores answer, the identity service does not
        out = io.StringIO()
        code = main(["plan", "-c", str(path), "--env-file", str(env), "--artifacts-dir", str(tmp_path / "runs"),
                     "--log-format", "json", "--no-history"], out=out)
    capsys.readouterr()
    assert code == 1
    store = json.loads(next((tmp_path / "runs").glob("*/plan.json")).read_text(encoding="utf-8"))["stores"][0]
    assert store["error_kind"] == "transient" and "\n" not in store["error"]
    assert f"could not reach {identity} (the identity service)" in store["error"]
    assert f"Store solo: FAILED (transient): the login chain could not reach {identity}" in out.getvalue()


def test_breach_commands_take_the_runs_session_dir_and_skip_its_spent_recovery_codes(
        run: Callable[..., Run], server: MockServer, fleet_files: tuple[Path, Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """#24 finding 11: the breach commands had no --session-dir; an operator who keeps the runs' sessions in
    one got the recovery codes a run had spent resubmitted (refused, and the refusal then blocked publish)."""
    fleet, env = fleet_files
    _without_totp(fleet)
    sessions = tmp_path / "site-sessions"
    assert run("plan", "--store", "agency-a", "--no-session-cache", "--session-dir", str(sessions)).code == 2
    assert account(server, "agency-a")["recovery_codes_used"] == [1]
    http_json(f"{server.url}/__mock__/identity/sessions/revoke", {})
    db = f"sqlite:///{tmp_path / 'register.sqlite3'}"
    assert main(["breach", "new", "--title", "Export left open", "--store", "agency-a", "--discovered-at",
                 "2026-11-25 09:30", "--discovered-by", "own", "--nature", "An export was readable.",
                 "--consequences", "Phishing.", "--measures-taken", "Closed.", "--contact-name", "Anna",
                 "--contact-email", "privacy@agency.test", "--facts-language", "en",
                 "--db", db]) == 0
    out = io.StringIO()
    code = main(["breach", "publish", "1", "--store", "agency-a", "-c", str(fleet), "--env-file", str(env),
                 "--session-dir", str(sessions), "--artifacts-dir", str(tmp_path / "runs"), "--db", db], out=out)
    err = capsys.readouterr().err
    assert code == 2, out.getvalue() + err  # plan only: the notice would be created
    used = account(server, "agency-a")
    assert used["recovery_codes_used"] == [1, 2] and used["failed_attempts"] == 0
