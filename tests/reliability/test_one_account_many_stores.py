"""One identity account (an agency login) holding six stores, with a wrong password in the environment: every
command that logs in makes at most one failed attempt for the account, in the command and across commands
(#24 findings 1, 2, 3 and 11). The mock counts every credential submission per account
(`/__mock__/accounts`) and locks an account after five failures, as the identity service does.

Each command runs in-process against the real mock over HTTP in a real Chromium.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from automation.cli import main
from mock_backoffice import MockServer, write_fleet
from tests.support import http_json

pytestmark = pytest.mark.browser

RIGHT = "Agency-Right-7007"
STORES = [f"agency-{n}" for n in range(1, 7)]
SEED: dict[str, Any] = {"stores": [
    {"id": STORES[0], "locale": "en", "email": "team@six.test", "password": RIGHT},
    *({"id": store, "locale": "en", "email": "team@six.test"} for store in STORES[1:]),
]}
INCIDENT = """\
title: Export left open
stores: [{stores}]
discovered_at: 2026-11-25 09:30
discovered_by: own
facts_language: en
nature: An export of customer names and email addresses was readable without a login.
people_categories: [customers]
people_count: 20
record_categories: names, email addresses
consequences: Phishing emails that appear to come from the shop.
measures_taken: The export was closed.
contact_name: Anna de Vries
contact_email: privacy@agency.test
"""


@dataclass
class Site:
    fleet: Path
    env: Path
    directory: Path
    db: str

    def passwords(self, by_store: dict[str, str]) -> None:
        lines = []
        for line in self.env.read_text(encoding="utf-8").splitlines():
            name = line.split("=", 1)[0]
            store = next((s for s in by_store if name == "EP_" + s.upper().replace("-", "_") + "_PASSWORD"), None)
            lines.append(f"{name}={by_store[store]}" if store else line)
        self.env.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def agency_server() -> Iterator[MockServer]:
    with MockServer(SEED) as server:
        yield server


@pytest.fixture
def server(agency_server: MockServer) -> MockServer:
    http_json(f"{agency_server.url}/__mock__/reset", {})
    return agency_server


@pytest.fixture
def site(server: MockServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Site:
    fleet, env = write_fleet(server.world, server.url, tmp_path / "fleet" / "fleet.yaml")
    site = Site(Path(fleet), Path(env), tmp_path, f"sqlite:///{tmp_path / 'register.sqlite3'}")
    incident = tmp_path / "incident.yaml"
    incident.write_text(INCIDENT.format(stores=", ".join(STORES)), encoding="utf-8")
    assert main(["breach", "new", "--file", str(incident), "--db", site.db]) == 0
    capsys.readouterr()
    return site


def account(server: MockServer) -> dict[str, Any]:
    return http_json(f"{server.url}/__mock__/accounts?email=team@six.test")


def each_store() -> list[str]:
    return [arg for store in STORES for arg in ("--store", store)]


#: every command that logs in to stores, as a person would type it
COMMANDS: dict[str, Callable[[Site], list[str]]] = {
    "plan": lambda site: ["plan", "--parallelism", "3", "--no-history", "--artifacts-dir",
                          str(site.directory / "runs")],
    "apply": lambda site: ["apply", "--auto-approve", "--parallelism", "3", "--no-history", "--artifacts-dir",
                           str(site.directory / "runs")],
    "probe": lambda site: ["probe", "--parallelism", "3", "--artifacts-dir", str(site.directory / "runs")],
    "export-subscribers": lambda site: ["export-subscribers", "--parallelism", "3", "--artifacts-dir",
                                        str(site.directory / "runs"), "--out", str(site.directory / "exports")],
    "login --check": lambda site: ["login", "--check", *each_store()],
    "breach notify": lambda site: ["breach", "notify", "1", *each_store(), "--db", site.db, "--artifacts-dir",
                                   str(site.directory / "runs")],
    "breach publish": lambda site: ["breach", "publish", "1", *each_store(), "--db", site.db, "--artifacts-dir",
                                    str(site.directory / "runs")],
}


def run(site: Site, command: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    out = io.StringIO()
    code = main([*COMMANDS[command](site), "-c", str(site.fleet), "--env-file", str(site.env),
                 "--log-format", "json"], out=out)
    return code, out.getvalue() + capsys.readouterr().err


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_wrong_password_over_six_stores_of_one_account_is_tried_once(
        command: str, site: Site, server: MockServer, capsys: pytest.CaptureFixture[str]) -> None:
    site.passwords(dict.fromkeys(STORES, "Not-The-Password-1"))
    code, output = run(site, command, capsys)
    assert code != 0, output
    after = account(server)
    assert (after["attempts"], after["failed_attempts"], after["locked"]) == (1, 1, False), (after, output)
    assert "account locked" not in output
    # The next run of the same command (a nightly one): the refusal is remembered, nothing is submitted.
    code, output = run(site, command, capsys)
    assert code != 0
    assert account(server)["attempts"] == 1, output
    assert "refused" in output


def test_a_half_done_rotation_gives_one_attempt_and_the_right_password_does_not_read_locked(
        site: Site, server: MockServer, capsys: pytest.CaptureFixture[str]) -> None:
    """#24 finding 3: each store's environment holds a different wrong password for the same email (a rotation
    half done), the last store the right one."""
    site.passwords({store: f"Stale-Password-{n}" for n, store in enumerate(STORES[:-1], start=1)}
                   | {STORES[-1]: RIGHT})
    code, output = run(site, "plan", capsys)
    assert code == 1
    after = account(server)
    assert (after["attempts"], after["failed_attempts"], after["locked"]) == (1, 1, False), after
    report = json.loads(max((site.directory / "runs").iterdir()).joinpath("plan.json").read_text(encoding="utf-8"))
    errors = {store["id"]: store["error"] or "" for store in report["stores"]}
    assert not any("locked" in error for error in errors.values()), errors
    assert "no further attempt for any store of the account in this run" in errors[STORES[-1]]
    assert "Logins: 6 store(s): 6 failed; 1 password(s)" in output


def test_after_one_command_is_refused_no_other_command_tries_the_account(
        site: Site, server: MockServer, capsys: pytest.CaptureFixture[str]) -> None:
    """The refusal memory is per account and shared by every command through the session folder."""
    site.passwords(dict.fromkeys(STORES, "Not-The-Password-1"))
    for command in COMMANDS:
        code, output = run(site, command, capsys)
        assert code != 0, (command, output)
        assert account(server)["attempts"] == 1, (command, output)
    # Corrected in one store's environment: that store may try (once), and its success serves the account.
    site.passwords({STORES[2]: RIGHT})
    code, output = run(site, "login --check", capsys)
    after = account(server)
    assert (after["attempts"], after["successful_logins"], after["failed_attempts"]) == (2, 1, 0), output
    assert f"{STORES[2]}: accepted" in output
