"""`breach_deadline` alerts: the breach register's deadline problems through the run alerts' machinery, to real
local receivers (Apprise json:// to an HTTP server on 127.0.0.1), on SQLite and a real PostgreSQL.

Every time is counted from NOW, and the CLI runs on a clock standing at NOW: a deadline is as far away on any
day the suite runs (issue #25)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from automation.alerts.dispatch import alert_after_run
from automation.breach.alerts import breach_findings, breach_findings_after_run
from automation.breach.facts import build_facts
from automation.breach.register import AUTHORITY_NOT_REQUIRED, CLOSED, Register
from automation.cli import main
from automation.db import open_database
from automation.fleet.notify import NotifyConfig
from automation.redaction.redactor import Redactor
from ecom_privacy.clock import FixedClock
from ecom_privacy.models import RunKind
from mock_backoffice import MockServer
from tests.alerts.receivers import free_port, json_receiver
from tests.cli.conftest import CliRunner
from tests.history.documents import compliant, document
from tests.support import write_fleet

TZ = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
CONFIG = NotifyConfig(urls_env=["EP_ALERT_URL"], on=["failed", "drift", "breach_deadline"], digest_hour=None)
TITLE = "Platform incident LS-2026-11, first seen by owner@shop.example"

pytestmark = pytest.mark.clock


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'tool.sqlite3'}"


def _incident(engine: Engine, stores: list[str], discovered: datetime) -> int:
    facts = build_facts({"title": TITLE, "stores": stores, "discovered_at": discovered.isoformat(),
                         "discovered_by": "platform"}, TZ, "test", now=discovered)
    return Register(engine, actor="tester").new(facts, now=discovered)


def _night(engine: Engine, night: int, url: str) -> bool:
    """A nightly plan of a compliant store, `night` hours after NOW, with the register's deadlines."""
    now = NOW + timedelta(hours=night)
    doc = document(RunKind.PLAN, night, [compliant("shop-nl")])
    return alert_after_run(engine, doc, f"/runs/{night}", CONFIG, {"EP_ALERT_URL": url}, Redactor(),
                           now.replace(tzinfo=None), also=breach_findings(engine, now, TZ))


def test_a_deadline_alerts_once_across_runs_and_clears_once_per_decision(engine: Engine) -> None:
    incident = _incident(engine, ["shop-nl", "shop-en"], NOW - timedelta(hours=66))  # deadline in 6 hours
    register = Register(engine, actor="tester")
    with json_receiver() as receiver:
        url = receiver.url()
        assert _night(engine, 0, url)
        assert len(receiver.messages) == 1
        first = receiver.messages[0]
        assert first["title"] == "ecom-privacy plan: 2 new problem(s)"
        text = first["message"]
        assert f"- shop-nl incident {incident}: breach deadline: 06h00m left: " in text
        assert f"- shop-en incident {incident}: breach deadline: 06h00m left: " in text
        # Which deadline, when in the user's zone with the zone named, and what to do.
        assert "authority deadline (72 h after discovery) 2026-11-26 17:00 CET (Europe/Amsterdam)" in text
        assert f"ecom-privacy breach update {incident} --store shop-nl --authority-notified WHEN" in text
        assert "owner@shop.example" not in text and "<address>" in text
        assert "Breach register: ecom-privacy breach list" in text

        assert not _night(engine, 1, url)  # the same deadline an hour later: silence
        assert len(receiver.messages) == 1

        register.append(incident, AUTHORITY_NOT_REQUIRED, {"reason": "encrypted, key not exposed"}, store="shop-nl")
        assert _night(engine, 2, url)
        cleared = receiver.messages[1]
        assert cleared["title"] == "ecom-privacy plan: 1 cleared"
        assert f"- shop-nl incident {incident}: breach deadline: authority decision recorded (was: " in \
            cleared["message"]
        assert "shop-en" not in cleared["message"]

        assert not _night(engine, 3, url)  # shop-en still open, already announced
        register.append(incident, CLOSED, {"reason": "handled by the platform"})
        assert _night(engine, 4, url)
        assert f"- shop-en incident {incident}: breach deadline: incident closed" in receiver.messages[2]["message"]
        assert not _night(engine, 5, url)
        assert len(receiver.messages) == 3


def test_only_deadlines_that_breach_check_flags(engine: Engine) -> None:
    far = _incident(engine, ["shop-nl"], NOW - timedelta(hours=10))  # 62 hours left: not a problem yet
    late = _incident(engine, ["shop-en"], NOW - timedelta(hours=80))
    found = breach_findings(engine, NOW, TZ)
    assert list(found.problems) == [("breach_deadline", "shop-en", f"incident {late}")]
    assert found.problems[("breach_deadline", "shop-en", f"incident {late}")].startswith("overdue by 08h00m: ")
    assert ("breach_deadline", "shop-nl", f"incident {far}") not in found.problems
    # The warning window is breach check's: 62 hours left is flagged with --warn-hours 70.
    assert ("breach_deadline", "shop-nl", f"incident {far}") in breach_findings(engine, NOW, TZ, 70).problems


def test_a_run_reads_the_register_only_when_the_fleet_asks_for_breach_deadline(engine: Engine) -> None:
    _incident(engine, ["shop-nl"], NOW - timedelta(hours=80))
    assert breach_findings_after_run(engine, NotifyConfig(urls_env=["X"], on=["drift"]), NOW) is None
    assert breach_findings_after_run(None, CONFIG, NOW) is None
    found = breach_findings_after_run(engine, CONFIG, NOW)
    assert found is not None and len(found.problems) == 1


def test_many_stores_at_once_make_one_summary(engine: Engine) -> None:
    stores = [f"shop-{n:02d}" for n in range(14)]
    _incident(engine, stores, NOW - timedelta(hours=70))
    with json_receiver() as receiver:
        assert _night(engine, 0, receiver.url())
        assert len(receiver.messages) == 1
        assert "- breach deadline: 14 in 14 store(s): shop-00, shop-01" in receiver.messages[0]["message"]


# `ecom-privacy breach check -c FLEET`: the cron line that alerts on its own.

def _check(db: str, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(["breach", "check", "--db", db, "--tz", "Europe/Amsterdam", *args], out=out, clock=FixedClock(NOW))
    return code, out.getvalue(), capsys.readouterr().err


def _fleet(tmp_path: Path, alert_url: str | None, **notify: object) -> list[str]:
    extra = {} if alert_url is None else {"notify": {"urls_env": ["EP_ALERTS"], "events": ["breach_deadline"],
                                                     "digest_hour": None, **notify}}
    path = write_fleet(tmp_path, "http://127.0.0.1:9", {"cookie_law": {"mode": "confirm"}}, ["shop-nl"], extra=extra)
    env_file = tmp_path / ".env"
    if alert_url is not None:
        env_file.write_text(env_file.read_text(encoding="utf-8") + f"EP_ALERTS={alert_url}\n", encoding="utf-8")
    return ["-c", str(path), "--env-file", str(env_file)]


def test_breach_check_with_a_fleet_file_sends_once_and_clears_once(
        db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    engine = open_database(db_url)
    try:
        incident = _incident(engine, ["shop-nl"], NOW - timedelta(hours=75, minutes=30))
    finally:
        engine.dispose()
    with json_receiver() as receiver:
        fleet = _fleet(tmp_path, receiver.url())
        code, out, _ = _check(db_url, *fleet, capsys=capsys)
        assert code == 1 and f"incident {incident} store shop-nl: overdue" in out
        assert [m["title"] for m in receiver.messages] == ["ecom-privacy breach check: 1 new problem(s)"]
        text = receiver.messages[0]["message"]
        assert f"- shop-nl incident {incident}: breach deadline: overdue by 03h" in text
        assert "(Europe/Amsterdam)" in text and "Run:" not in text

        assert _check(db_url, *fleet, capsys=capsys)[0] == 1  # still overdue: no second alert
        assert len(receiver.messages) == 1

        out_update = io.StringIO()
        assert main(["breach", "update", str(incident), "--db", db_url, "--authority-notified", "now",
                     "--delay-reasons", "the platform's notice came late"], out=out_update,
                    clock=FixedClock(NOW)) == 0
        assert _check(db_url, *fleet, capsys=capsys)[0] == 0
        assert receiver.messages[1]["title"] == "ecom-privacy breach check: 1 cleared"
        assert "authority decision recorded" in receiver.messages[1]["message"]
        assert _check(db_url, *fleet, capsys=capsys)[0] == 0
        assert len(receiver.messages) == 2


def test_an_unreachable_alert_target_never_fails_the_check(
        sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    engine = open_database(sqlite_url)
    try:
        _incident(engine, ["shop-nl"], NOW - timedelta(hours=10))  # not due: exit 0
        _incident(engine, ["shop-en"], NOW - timedelta(hours=75, minutes=30))  # overdue: exit 1
    finally:
        engine.dispose()
    token = "Alert-Token-7731"
    down = f"json://127.0.0.1:{free_port()}/hook?token={token}"
    fleet = _fleet(tmp_path, down)
    code, out, err = _check(sqlite_url, *fleet, capsys=capsys)
    assert code == 1 and "store shop-en: overdue" in out  # the check's own result, as without alerts
    assert "alert not sent" in err and token not in err + out
    with json_receiver() as receiver:  # the owed alert goes out with the next check
        (tmp_path / ".env").write_text((tmp_path / ".env").read_text(encoding="utf-8").replace(down, receiver.url()),
                                       encoding="utf-8")
        assert _check(sqlite_url, *fleet, capsys=capsys)[0] == 1
        assert [m["title"] for m in receiver.messages] == ["ecom-privacy breach check: 1 new problem(s)"]


def test_without_notify_breach_check_behaves_as_before(
        sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    engine = open_database(sqlite_url)
    try:
        _incident(engine, ["shop-en"], NOW - timedelta(hours=75, minutes=30))
    finally:
        engine.dispose()
    assert _check(sqlite_url, capsys=capsys)[0] == 1
    code, out, err = _check(sqlite_url, *_fleet(tmp_path, None), capsys=capsys)
    assert code == 1 and "store shop-en: overdue" in out
    assert "has no notify key with breach_deadline" in err


def test_a_scheduled_plan_alerts_on_the_register_in_its_database(
        cli: CliRunner, mock_server: MockServer, tmp_path: Path) -> None:
    """A real plan (Chromium, the mock over HTTP) whose fleet asks for breach_deadline: the register is read
    from the run's own database (here the default SQLite in $XDG_DATA_HOME), once per problem."""
    db = f"sqlite:///{tmp_path / 'tool.sqlite3'}"
    engine = open_database(db)
    try:
        incident = _incident(engine, ["shop-nl"], NOW - timedelta(hours=75, minutes=30))
    finally:
        engine.dispose()
    path = write_fleet(tmp_path, mock_server.url, {"cookie_law": {"mode": "confirm"}}, ["shop-nl"],
                       extra={"notify": {"urls_env": ["EP_ALERTS"], "events": ["breach_deadline"],
                                         "timezone": "Europe/Amsterdam", "digest_hour": None}})
    env_file = tmp_path / ".env"
    with json_receiver() as receiver:
        env_file.write_text(env_file.read_text(encoding="utf-8") + f"EP_ALERTS={receiver.url()}\n", encoding="utf-8")
        args = ["-c", str(path), "--env-file", str(env_file), "--db", db]
        # A real run on a clock standing at NOW (the mock keeps the real time: nothing of it is compared).
        assert cli("plan", *args, clock=FixedClock(NOW)).code == 2  # its own result (drift) is untouched by the alert
        [run_dir] = (tmp_path / "runs").iterdir()
        assert run_dir.name == "20261126T100000Z"  # the run's stamps are the clock's too
        assert json.loads((run_dir / "plan.json").read_text(encoding="utf-8"))["created_at"] == NOW.isoformat()
        assert [m["title"] for m in receiver.messages] == ["ecom-privacy plan: 1 new problem(s)"]
        assert f"- shop-nl incident {incident}: breach deadline: overdue by 03h" in receiver.messages[0]["message"]
        assert "(Europe/Amsterdam)" in receiver.messages[0]["message"]
        assert cli("plan", *args, clock=FixedClock(NOW)).code == 2
        assert len(receiver.messages) == 1


def test_the_fleet_sets_one_warning_window_for_runs_and_checks(
        sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    engine = open_database(sqlite_url)
    try:
        _incident(engine, ["shop-nl"], NOW - timedelta(hours=52, minutes=1))  # 19h59m left
    finally:
        engine.dispose()
    assert _check(sqlite_url, capsys=capsys)[0] == 0  # the default window is 12 hours
    with json_receiver() as receiver:
        fleet = _fleet(tmp_path, receiver.url(), breach_warn_hours=24)
        code, out, _ = _check(sqlite_url, *fleet, capsys=capsys)
        assert code == 1 and "store shop-nl: due soon" in out
        assert "19h59m left" in receiver.messages[0]["message"], receiver.messages[0]  # the clock stands still
        # --warn-hours still wins for the check and its alerts.
        assert _check(sqlite_url, *fleet, "--warn-hours", "12", capsys=capsys)[0] == 0
        assert receiver.messages[1]["title"] == "ecom-privacy breach check: 1 cleared"
