"""newsletter_archive end to end through the CLI: opt-in, saved plans, stale plans, resuming, the export."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from mock_backoffice import MockServer
from tests.cli.conftest import CliRunner
from tests.support import http_json, write_fleet

# Not about logging in: each store starts logged in (tests/warm_sessions.py).
pytestmark = pytest.mark.usefixtures("warm_sessions")

RULE = {"enabled": True, "subscribed_before": "2018-05-25", "sources": ["manual", "import"]}
OPT_IN_MARK = "[irreversible; blocked: needs --allow-archive]"


def fleet_for(tmp_path: Path, server: MockServer, stores: list[str], rule: dict[str, Any] | bool = True,
              allow_irreversible: tuple[str, ...] = (), overrides: dict[str, Any] | None = None) -> list[str]:
    """A fleet file with `rule` as the default newsletter_archive (True: RULE; False: not managed at all)."""
    if rule is False:
        defaults: dict[str, Any] = {"cookie_law": {"mode": "confirm"}}
    else:
        defaults = {"newsletter_archive": RULE if rule is True else rule}
    path = write_fleet(tmp_path, server.url, defaults, stores, overrides=overrides)
    if allow_irreversible:
        fleet = yaml.safe_load(path.read_text())
        for store in fleet["stores"]:
            store["allow_irreversible"] = store["id"] in allow_irreversible
        path.write_text(yaml.safe_dump(fleet, sort_keys=False))
    return ["-c", str(path), "--env-file", str(tmp_path / ".env")]


def subscribers(mock_state, store_id: str = "shop-nl") -> list[dict[str, Any]]:
    return mock_state()[store_id]["subscribers"]


def passive_before_2018(mock_state, store_id: str = "shop-nl") -> set[str]:
    return {s["email"] for s in subscribers(mock_state, store_id) if not s["archived"]
            and s["source"] in ("manual", "import") and s["subscribed_at"] < "2018-05-25"}


def archived(mock_state, store_id: str = "shop-nl") -> set[str]:
    return {s["email"] for s in subscribers(mock_state, store_id) if s["archived"]}


def run_dirs(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "runs").iterdir())


def export_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_blocked_without_opt_in_then_archived_with_it(cli: CliRunner, mock_server: MockServer, mock_state,
                                                      tmp_path: Path) -> None:
    args = fleet_for(tmp_path, mock_server, ["shop-nl", "shop-totp"])
    expected = passive_before_2018(mock_state)
    plan = cli("plan", *args)
    assert plan.code == 2, plan.out + plan.err
    assert (f"! newsletter_archive: {len(expected)} of 60 active subscriber(s): source import or manual, "
            f"subscribed before 2018-05-25 {OPT_IN_MARK}") in plan.out
    assert "Store shop-totp: compliant" in plan.out  # no subscribers at all

    blocked = cli("apply", *args, "--auto-approve")
    assert blocked.code == 0, blocked.out + blocked.err  # awaiting the opt-in, by design: not a failure
    assert f"{OPT_IN_MARK}: awaits an opt-in" in blocked.out and "1 change(s) await an opt-in" in blocked.out
    assert archived(mock_state) == set()
    report = json.loads((run_dirs(tmp_path)[-1] / "report.json").read_text())
    assert {s["id"]: [x["status"] for x in s["settings"]] for s in report["stores"]} == {
        "shop-nl": ["drift"], "shop-totp": ["compliant"]}

    applied = cli("apply", *args, "--auto-approve", "--allow-archive")
    assert applied.code == 0, applied.out + applied.err
    assert archived(mock_state) == expected
    [export] = (run_dirs(tmp_path)[-1] / "exports" / "shop-nl").glob("newsletter-archive-*.csv")
    by_email = {s["email"]: s for s in subscribers(mock_state)}
    assert sorted(tuple(row.values()) for row in export_rows(export)) == sorted(
        (e, by_email[e]["name"], by_email[e]["subscribed_at"], by_email[e]["source"]) for e in expected)
    first_archive = min(datetime.fromisoformat(s["archived_at"]).timestamp() for s in by_email.values()
                        if s["archived"])
    assert export.stat().st_mtime <= first_archive  # the export exists before the first archive click

    again = cli("plan", *args)
    assert again.code == 0, again.out + again.err


def test_store_opt_in_and_keep_file(cli: CliRunner, mock_server: MockServer, mock_state, tmp_path: Path) -> None:
    expected = sorted(passive_before_2018(mock_state))
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "resubscribed.csv").write_text(f"Naam;E-mailadres\nA;{expected[0].upper()}\n")
    rule = {**RULE, "keep": [expected[1]], "keep_file": "lists/resubscribed.csv"}
    args = fleet_for(tmp_path, mock_server, ["shop-nl"], rule=rule, allow_irreversible=("shop-nl",))
    applied = cli("apply", *args, "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert "2 more kept by keep lists" in applied.out
    assert archived(mock_state) == set(expected[2:])


def test_saved_plan_ignores_signups_and_archives_only_the_plan(cli: CliRunner, mock_server: MockServer, mock_state,
                                                               tmp_path: Path) -> None:
    args = fleet_for(tmp_path, mock_server, ["shop-nl"])
    plan_file = tmp_path / "PLAN.json"
    assert cli("plan", *args, "--out", str(plan_file)).code == 2
    [change] = json.loads(plan_file.read_text())["stores"][0]["changes"]
    planned = {s["email"] for s in change["selection"]["subscribers"]}
    assert planned == passive_before_2018(mock_state) and change["blocked"] and change["irreversible"]
    assert all(s["reason"] for s in change["selection"]["subscribers"])

    for email in ("fresh@x.test", "another@x.test"):  # signups push the planned rows across pages
        http_json(f"{mock_server.url}/__mock__/subscribers", {"store": "shop-nl", "email": email})
    http_json(f"{mock_server.url}/__mock__/subscribers", {"store": "shop-nl", "email": "recent.import@x.test",
                                                          "source": "import", "subscribed_at": "2021-01-01"})
    applied = cli("apply", *args, str(plan_file), "--allow-archive")
    assert applied.code == 0, applied.out + applied.err
    assert archived(mock_state) == planned


def test_saved_plan_is_stale_when_the_rule_would_now_select_someone_else(cli: CliRunner, mock_server: MockServer,
                                                                       mock_state, tmp_path: Path) -> None:
    args = fleet_for(tmp_path, mock_server, ["shop-nl"])
    plan_file = tmp_path / "PLAN.json"
    assert cli("plan", *args, "--out", str(plan_file)).code == 2
    http_json(f"{mock_server.url}/__mock__/subscribers", {"store": "shop-nl", "email": "late.import@x.test",
                                                          "source": "import", "subscribed_at": "2016-02-02"})
    refused = cli("apply", *args, str(plan_file), "--allow-archive")
    assert refused.code == 1
    assert "Store shop-nl: FAILED (stale_plan)" in refused.out
    assert "now match the rule that the plan does not name: late.import@x.test" in refused.out
    assert archived(mock_state) == set()


def test_saved_plan_finishes_an_interrupted_archive(cli: CliRunner, mock_server: MockServer, mock_state,
                                                    tmp_path: Path) -> None:
    args = fleet_for(tmp_path, mock_server, ["shop-nl"])
    plan_file = tmp_path / "PLAN.json"
    assert cli("plan", *args, "--out", str(plan_file)).code == 2
    planned = passive_before_2018(mock_state)
    done_by_hand = sorted(planned)[:5]
    http_json(f"{mock_server.url}/__mock__/subscribers/archive", {"store": "shop-nl", "emails": done_by_hand})

    applied = cli("apply", *args, str(plan_file), "--allow-archive")
    assert applied.code == 0, applied.out + applied.err
    assert archived(mock_state) == planned
    [export] = (run_dirs(tmp_path)[-1] / "exports" / "shop-nl").glob("newsletter-archive-*.csv")
    assert {row["email"] for row in export_rows(export)} == planned - set(done_by_hand)


def test_export_subscribers_writes_one_csv_per_store_and_archives_nothing(cli: CliRunner, mock_server: MockServer,
                                                                          mock_state, tmp_path: Path) -> None:
    args = fleet_for(tmp_path, mock_server, ["shop-nl", "shop-totp"], rule=False)  # not managed: default rule
    out = tmp_path / "exports"
    result = cli("export-subscribers", *args, "--out", str(out), "--artifacts-dir", str(tmp_path / "runs"),
                 "--log-format", "json")
    assert result.code == 0, result.out + result.err
    expected = passive_before_2018(mock_state)
    nl_csv = out / "shop-nl-newsletter-archive.csv"
    assert f"shop-nl: {len(expected)} subscriber(s) the rule would archive -> {nl_csv}" in result.out
    assert {row["email"] for row in export_rows(nl_csv)} == expected
    assert (out / "shop-totp-newsletter-archive.csv").read_text() == "email,name,date,source\n"
    assert archived(mock_state) == set()


def test_missing_keep_file_fails_only_that_store(cli: CliRunner, mock_server: MockServer, mock_state,
                                                 tmp_path: Path) -> None:
    args = fleet_for(tmp_path, mock_server, ["shop-nl", "shop-totp"],
                     overrides={"shop-nl": {"newsletter_archive": {"keep_file": "missing.csv"}}})
    result = cli("plan", *args)
    assert result.code == 1
    assert (f"Store shop-nl: FAILED (config): store shop-nl: newsletter_archive.keep_file: {tmp_path / 'missing.csv'}: "
            f"file not found") in result.out
    assert "Store shop-totp: compliant" in result.out
