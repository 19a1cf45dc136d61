"""History end to end: real runs (Chromium, the mock over HTTP) recorded, read back by status and history,
a database that is down, `history import`, and alerts from a fleet file's `notify` key.

The runs are real, on the system's clock; the windows (`status --max-age`, `history --since 30d`) are tried
by handing the reading commands a clock moved on from it, never by comparing with a calendar date."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ecom_privacy.clock import FixedClock
from mock_backoffice import MockServer
from tests.alerts.receivers import free_port, json_receiver
from tests.cli.conftest import CliRunner
from tests.support import http_json, write_fleet

# Not about logging in: each store starts logged in (tests/warm_sessions.py).
pytestmark = [pytest.mark.clock, pytest.mark.usefixtures("warm_sessions")]


def _fleet(tmp_path: Path, server: MockServer, stores: list[str], **kwargs: object) -> list[str]:
    path = write_fleet(tmp_path, server.url, {"cookie_law": {"mode": "confirm"}}, stores, **kwargs)  # type: ignore[arg-type]
    return ["-c", str(path), "--env-file", str(tmp_path / ".env")]


def _run_dirs(tmp_path: Path) -> list[str]:
    return [str(path.resolve()) for path in sorted((tmp_path / "runs").iterdir())]


def test_drift_between_two_runs_shows_as_drifted_and_corrected_with_both_runs(
        cli: CliRunner, mock_server: MockServer, tmp_path: Path) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'history.sqlite3'}"]
    args = [*_fleet(tmp_path, mock_server, ["shop-nl", "shop-en"]), *db]
    assert cli("apply", *args, "--auto-approve").code == 0  # both drifted and corrected in one apply
    assert cli("plan", *args).code == 0
    # Someone switches the cookie bar off in shop-nl's backoffice.
    http_json(f"{mock_server.url}/__mock__/cookie-law", {"store": "shop-nl", "mode": "none"})
    assert cli("plan", *args).code == 2
    assert cli("apply", *args, "--auto-approve").code == 0
    apply_1, _plan_1, plan_2, apply_2 = _run_dirs(tmp_path)

    shown = cli("history", *db, "--store", "shop-nl", "--format", "json")
    assert shown.code == 0, shown.err
    episodes = json.loads(shown.out)["drift"]
    assert [(e["found"]["run_dir"], e["corrected_by"]["run_dir"]) for e in episodes] == [
        (apply_1, apply_1), (plan_2, apply_2)]
    assert '"mode": "none"' in episodes[1]["before"] and '"mode": "confirm"' in episodes[1]["after"]
    assert episodes[1]["summary"] == "mode none -> confirm"
    text = cli("history", *db, "--store", "shop-nl", "--html", str(tmp_path / "history.html"))
    assert "drifted:   found " in text.out and f"plan {plan_2}" in text.out and f"apply {apply_2}" in text.out
    page = (tmp_path / "history.html").read_text(encoding="utf-8")
    assert "shop-nl" in page and plan_2 in page and apply_2 in page

    status = cli("status", *db, "--format", "json", "--html", str(tmp_path / "status.html"))
    assert status.code == 0, status.out  # every store as declared, every result fresh
    stores = {store["id"]: store for store in json.loads(status.out)["stores"]}
    nl = stores["shop-nl"]["settings"]["cookie_law"]
    assert nl["category"] == "corrected" and nl["run_kind"] == "apply" and nl["run_dir"] == apply_2
    assert stores["shop-en"]["settings"]["cookie_law"]["category"] == "compliant"
    assert "corrected" in (tmp_path / "status.html").read_text(encoding="utf-8")
    # With a maximum age of one second, the results are old news: flagged, and the exit code says so.
    stale = cli("status", *db, "--max-age", "0s")
    assert stale.code == 1 and "STALE" in stale.out
    # The same results read 37 hours later: older than the default 36 hours.
    later = cli("status", *db, clock=FixedClock(datetime.now(UTC) + timedelta(hours=37)))
    assert later.code == 1 and "STALE" in later.out
    # `--since 30d` counts back from the command's clock: today's drift, and none of it 40 days on.
    since = ["history", *db, "--since", "30d", "--format", "json"]
    assert len(json.loads(cli(*since).out)["drift"]) == 3
    assert json.loads(cli(*since, clock=FixedClock(datetime.now(UTC) + timedelta(days=40))).out)["drift"] == []


def test_runs_started_in_the_same_second_are_each_recorded(
        cli: CliRunner, mock_server: MockServer, tmp_path: Path) -> None:
    """A plan that found drift in the same second as the plan before it was taken for that plan (the history
    knew a run by its kind, fleet file, stores and a time counted in seconds) and never recorded; a faster
    machine made it happen in the test above. Here every run shares one second, on a fixed clock."""
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
    db = ["--db", f"sqlite:///{tmp_path / 'history.sqlite3'}"]
    args = [*_fleet(tmp_path, mock_server, ["shop-nl"]), *db]
    assert cli("apply", *args, "--auto-approve", clock=clock).code == 0
    assert cli("plan", *args, clock=clock).code == 0
    http_json(f"{mock_server.url}/__mock__/cookie-law", {"store": "shop-nl", "mode": "none"})
    assert cli("plan", *args, clock=clock).code == 2
    assert cli("apply", *args, "--auto-approve", clock=clock).code == 0
    apply_1, _plan_1, plan_2, apply_2 = sorted(_run_dirs(tmp_path), key=lambda path: (len(path), path))
    shown = cli("history", *db, "--store", "shop-nl", "--format", "json", clock=clock)
    episodes = json.loads(shown.out)["drift"]
    assert [(e["found"]["run_dir"], e["corrected_by"]["run_dir"]) for e in episodes] == [
        (apply_1, apply_1), (plan_2, apply_2)]
    imported = cli("history", "import", str(tmp_path / "runs"), *db, clock=clock)  # recorded live already
    assert imported.code == 0 and "0 run(s) recorded, 4 already in the history" in imported.out, imported.out


def test_an_unreachable_database_never_fails_the_run_and_import_fills_the_gap(
        cli: CliRunner, mock_server: MockServer, tmp_path: Path) -> None:
    down = f"postgresql://agency:Db-Secret-77@127.0.0.1:{free_port()}/history"
    args = _fleet(tmp_path, mock_server, ["shop-nl"])
    planned = cli("plan", *args, "--db", down)
    assert planned.code == 2, planned.err  # the plan's own exit code, as without history
    assert planned.err.count("history not recorded") == 1
    assert "history import RUNS_DIR" in planned.err and "Db-Secret-77" not in planned.err + planned.out
    run_dir = _run_dirs(tmp_path)[0]

    db = ["--db", str(tmp_path / "history.sqlite3")]  # a bare path is a SQLite file
    imported = cli("history", "import", str(tmp_path / "runs"), *db)
    assert imported.code == 0 and "1 run(s) recorded, 0 already in the history" in imported.out
    again = cli("history", "import", str(tmp_path / "runs"), *db)
    assert "0 run(s) recorded, 1 already in the history" in again.out
    status = cli("status", *db, "--format", "json")
    cell = json.loads(status.out)["stores"][0]["settings"]["cookie_law"]
    assert (cell["category"], cell["run_dir"]) == ("drifted", run_dir)
    assert status.code == 1  # drift not corrected is a problem


def test_alerts_from_the_fleet_file_once_per_problem_and_never_failing_the_run(
        cli: CliRunner, mock_server: MockServer, tmp_path: Path) -> None:
    args = _fleet(tmp_path, mock_server, ["shop-nl"], extra={"notify": {"urls_env": ["EP_ALERTS"],
                                                                        "events": ["failed", "drift"]}})
    env_file = tmp_path / ".env"
    secrets = env_file.read_text(encoding="utf-8")
    token = "Alert-Token-4242"
    env_file.write_text(secrets + f"EP_ALERTS=json://127.0.0.1:{free_port()}/hook?token={token}\n", encoding="utf-8")
    down = cli("plan", *args)
    assert down.code == 2 and "alert not sent" in down.err and token not in down.err

    with json_receiver() as receiver:
        env_file.write_text(secrets + f"EP_ALERTS={receiver.url()}\n", encoding="utf-8")
        assert cli("plan", *args).code == 2  # same drift: the owed alert goes out now, once
        assert [m["title"] for m in receiver.messages] == ["ecom-privacy plan: 1 new problem(s)"]
        assert "- shop-nl cookie_law: drifted: mode none -> confirm" in receiver.messages[0]["message"]
        assert cli("plan", *args).code == 2
        assert len(receiver.messages) == 1
        assert cli("apply", *args, "--auto-approve").code == 0
        assert receiver.messages[1]["title"] == "ecom-privacy apply: 1 cleared"
        assert "corrected by this run" in receiver.messages[1]["message"]
