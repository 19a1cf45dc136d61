"""A setting that failed in the plan is never reported compliant by the apply that follows (issue #10, bug 1).

One store's backoffice lacks its COOKIE LAW section (cookie_law fails, `ui_mismatch`) and its Measurement ID
drifted; another store is intact. Applying the plan, saved or interactive, applies what the plan holds and
reports the failed setting as failed, with the plan's error kind, and exits 1.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from mock_backoffice import MockServer, write_fleet
from tests.cli.conftest import CliRunner
from tests.support import http_json

GA = "G-PLAN1234"
SEED: dict[str, Any] = {
    "stores": [
        {"id": "broken", "locale": "en", "email": "owner@broken.test", "password": "Broken-Secret-1001",
         "break_ui": ["cookie_law_section"], "analytics": {"measurement_id": "G-OLD0001"}},
        {"id": "intact", "locale": "nl", "email": "owner@intact.test", "password": "Intact-Secret-2002",
         "analytics": {"measurement_id": "G-OLD0002"}},
    ]
}


@pytest.fixture(scope="module")
def broken_server() -> Iterator[MockServer]:
    with MockServer(SEED) as server:
        yield server


@pytest.fixture
def fleet_args(broken_server: MockServer, tmp_path: Path) -> list[str]:
    http_json(f"{broken_server.url}/__mock__/reset", {})
    path, env = write_fleet(broken_server.world, broken_server.url, tmp_path / "fleet" / "fleet.yaml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["defaults"] = {"cookie_law": {"mode": "confirm"}, "analytics": {"measurement_id": GA}}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return ["-c", str(path), "--env-file", str(env)]


def state(server: MockServer) -> dict[str, Any]:
    return http_json(f"{server.url}/__mock__/state")["stores"]


def settings_of(report: dict[str, Any], store: str) -> dict[str, dict[str, Any]]:
    [found] = [s for s in report["stores"] if s["id"] == store]
    return {s["setting"]: s for s in found["settings"]}


def newest_report(tmp_path: Path) -> dict[str, Any]:
    newest = sorted((tmp_path / "runs").iterdir())[-1]
    return json.loads((newest / "report.json").read_text(encoding="utf-8"))


def assert_failed_in_plan_reported(report: dict[str, Any], server: MockServer) -> None:
    broken = settings_of(report, "broken")
    assert broken["cookie_law"]["status"] == "failed", broken
    assert broken["cookie_law"]["error_kind"] == "ui_mismatch"
    assert "failed in the plan" in broken["cookie_law"]["error"] and "plan again" in broken["cookie_law"]["error"]
    # The rest of the plan was applied: the failure stays with its setting.
    assert broken["analytics"]["status"] == "changed"
    assert {name: s["status"] for name, s in settings_of(report, "intact").items()} == {
        "cookie_law": "changed", "analytics": "changed"}
    now = state(server)
    assert now["broken"]["analytics"]["measurement_id"] == GA and now["intact"]["cookie_law"]["mode"] == "confirm"


def test_saved_plan_reports_a_setting_that_failed_in_the_plan_as_failed(
        cli: CliRunner, broken_server: MockServer, fleet_args: list[str], tmp_path: Path) -> None:
    plan_file = tmp_path / "plan.json"
    planned = cli("plan", *fleet_args, "--out", str(plan_file))
    assert planned.code == 1, planned.out + planned.err
    saved = json.loads(plan_file.read_text(encoding="utf-8"))
    assert settings_of(saved, "broken")["cookie_law"]["status"] == "failed"

    applied = cli("apply", *fleet_args, str(plan_file))
    assert applied.code == 1, applied.out + applied.err
    assert "cookie_law: compliant" not in applied.out
    assert_failed_in_plan_reported(newest_report(tmp_path), broken_server)


class _Terminal(io.StringIO):
    """Standard input as a person at a terminal who answers 'yes'."""

    def isatty(self) -> bool:
        return True


def test_interactive_apply_reports_a_setting_that_failed_in_the_plan_as_failed(
        cli: CliRunner, broken_server: MockServer, fleet_args: list[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", _Terminal("yes\n"))
    applied = cli("apply", *fleet_args)
    assert applied.code == 1, applied.out + applied.err
    assert_failed_in_plan_reported(newest_report(tmp_path), broken_server)
