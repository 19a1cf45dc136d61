"""The daily "needs a human" digest: once a day at or after the fleet's hour (in its zone), every open problem no
run fixes by itself (failed, blocked, breach deadlines; not drift the next apply corrects), under the clients'
headings, each with its age and the newest report; kept until it is delivered. Real local receivers (Apprise
json:// to an HTTP server), SQLite and a real PostgreSQL; `breach check -c` through the CLI."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import Engine

from automation.alerts.dispatch import alert_after_run
from automation.alerts.layout import AlertContext
from automation.breach.facts import build_facts
from automation.breach.register import Register
from automation.cli import main
from automation.db import open_database
from automation.fleet.notify import NotifyConfig
from automation.redaction.redactor import Redactor
from ecom_privacy.clock import FixedClock
from ecom_privacy.models import RunKind
from tests.alerts.receivers import free_port, json_receiver
from tests.history.documents import document, drifted, failed

TZ = ZoneInfo("Europe/Amsterdam")
CONFIG = NotifyConfig(urls_env=["EP_ALERT_URL"], timezone="Europe/Amsterdam",
                      report_url="https://reports.agency.example/runs/{run}/", digest_hour=8)
CONTEXT = AlertContext({"a": "acme", "b": "acme", "c": "bolt"}, TZ)
NIGHT = [failed("a"), drifted("b", blocked=True), drifted("c")]


def _run(engine: Engine, utc: datetime, url: str, config: NotifyConfig = CONFIG) -> None:
    alert_after_run(engine, document(RunKind.PLAN, 0, NIGHT), f"/runs/{utc:%Y%m%dT%H%M%SZ}", config,
                    {"EP_ALERT_URL": url}, Redactor(), utc.replace(tzinfo=None), context=CONTEXT)


def _titles(messages: list[dict[str, str]]) -> list[str]:
    return [message["title"] for message in messages]


def test_once_a_day_at_the_hour_what_needs_a_human(engine: Engine) -> None:
    with json_receiver() as receiver:
        url = receiver.url()
        # 07:00 in Amsterdam: the problems are new (one message); the digest's hour has not come.
        _run(engine, datetime(2026, 11, 26, 6, 0), url)
        assert _titles(receiver.messages) == ["ecom-privacy plan: 3 new problem(s)"]

        _run(engine, datetime(2026, 11, 26, 7, 30), url)  # 08:30: nothing new, the digest
        assert _titles(receiver.messages)[1:] == ["ecom-privacy digest 2026-11-26: 2 problem(s) need a human"]
        digest = receiver.messages[1]
        assert digest["type"] == "failure"
        assert digest["message"] == (
            "Open problems that no run will fix by itself, as of 2026-11-26 08:30 CET.\n"
            "\n"
            "Needs a human:\n"
            "[acme]\n"
            "- a: failed: cookie_law: authentication: the backoffice refused the login of <address> "
            "(open since 2026-11-26 07:00 CET)\n"
            "  https://reports.agency.example/runs/20261126T073000Z/\n"
            "- b cookie_law: blocked (awaits an opt-in): mode none -> confirm (blocked: needs an opt-in) "
            "(open since 2026-11-26 07:00 CET)\n"
            "  https://reports.agency.example/runs/20261126T073000Z/\n"
            "\n"
            "Every store's state: ecom-privacy status")  # c's drift is for the next apply, not for a person

        _run(engine, datetime(2026, 11, 26, 12, 0), url)  # later that day
        _run(engine, datetime(2026, 11, 27, 1, 0), url)  # the next night, before the hour
        assert len(receiver.messages) == 2
    down = f"json://127.0.0.1:{free_port()}/hook"
    _run(engine, datetime(2026, 11, 27, 7, 5), down)  # the next day's: the target is down, it is kept
    with json_receiver() as receiver:
        _run(engine, datetime(2026, 11, 27, 9, 0), receiver.url())
        assert _titles(receiver.messages) == ["ecom-privacy digest 2026-11-27: 2 problem(s) need a human"]
        _run(engine, datetime(2026, 11, 27, 10, 0), receiver.url())
        assert len(receiver.messages) == 1


def test_a_nightly_run_before_the_hour_sends_the_previous_days_digest(engine: Engine) -> None:
    """A fleet whose only run is at 02:00 still gets one digest a day (at 02:00), not none."""
    with json_receiver() as receiver:
        for night in (26, 27, 28):
            _run(engine, datetime(2026, 11, night, 1, 0), receiver.url())
        assert _titles(receiver.messages) == ["ecom-privacy plan: 3 new problem(s)",
                                              "ecom-privacy digest 2026-11-26: 2 problem(s) need a human",
                                              "ecom-privacy digest 2026-11-27: 2 problem(s) need a human"]


def test_no_digest_when_off(engine: Engine) -> None:
    off = CONFIG.model_copy(update={"digest_hour": None})
    with json_receiver() as receiver:
        _run(engine, datetime(2026, 11, 26, 9, 0), receiver.url(), off)
        _run(engine, datetime(2026, 11, 27, 9, 0), receiver.url(), off)
        assert _titles(receiver.messages) == ["ecom-privacy plan: 3 new problem(s)"]


def test_no_digest_when_nothing_needs_a_human(engine: Engine) -> None:
    with json_receiver() as receiver:
        for day in (26, 27):
            alert_after_run(engine, document(RunKind.PLAN, 0, [drifted("c")]), "/runs/x", CONFIG,
                            {"EP_ALERT_URL": receiver.url()}, Redactor(), datetime(2026, 11, day, 9, 0),
                            context=CONTEXT)
        assert _titles(receiver.messages) == ["ecom-privacy plan: 1 new problem(s)"]


@pytest.mark.parametrize(("value", "expected"), [("off", None), (False, None), (None, None), (0, 0), (23, 23)])
def test_digest_hour_is_an_hour_or_off(value: object, expected: int | None) -> None:
    assert NotifyConfig.model_validate({"urls_env": ["X"], "digest_hour": value}).digest_hour == expected


@pytest.mark.parametrize("value", [24, -1, True, "8am"])
def test_a_digest_hour_that_is_not_an_hour_is_refused(value: object) -> None:
    with pytest.raises(ValueError, match="digest_hour"):
        NotifyConfig.model_validate({"urls_env": ["X"], "digest_hour": value})


def test_breach_check_sends_the_digest_with_deadlines_under_the_clients(
        db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`breach check -c FLEET` from cron: the deadline's alert, then (past the digest's hour) the digest."""
    clock = FixedClock(datetime.now(UTC))  # one "now" for the register and every command of the test
    engine = open_database(db_url)
    try:
        discovered = (clock.now() - timedelta(hours=75, minutes=30)).isoformat()
        facts = build_facts({"title": "Platform incident", "stores": ["acme-nl"], "discovered_by": "platform",
                             "discovered_at": discovered}, TZ, "test", clock.now())
        incident = Register(engine, actor="tester", clock=clock).new(facts)
    finally:
        engine.dispose()
    store = {"id": "acme-nl", "backoffice_url": "http://127.0.0.1:9/a/admin", "storefront_url": "http://127.0.0.1:9/a/",
             "locale": "nl", "credentials": {"email_env": "E", "password_env": "P"}, "groups": ["acme"]}
    with json_receiver() as receiver:
        fleet = {"groups": {"acme": {}}, "stores": [store],
                 "notify": {"urls_env": ["EP_ALERTS"], "digest_hour": 0,
                            "group_by": ["acme"], "timezone": "Europe/Amsterdam"}}
        (tmp_path / "fleet.yaml").write_text(yaml.safe_dump(fleet), encoding="utf-8")
        (tmp_path / ".env").write_text(f"EP_ALERTS={receiver.url()}\n", encoding="utf-8")
        args = ["breach", "check", "--db", db_url, "-c", str(tmp_path / "fleet.yaml"), "--env-file",
                str(tmp_path / ".env")]
        assert main(args, out=io.StringIO(), clock=clock) == 1
        # The first evaluation, past midnight (the digest's hour): the new problem, and today's digest.
        assert _titles(receiver.messages)[0] == "ecom-privacy breach check: 1 new problem(s)"
        assert _titles(receiver.messages)[1].endswith(": 1 problem(s) need a human")
        digest = receiver.messages[1]["message"]
        assert (f"Needs a human:\n[acme]\n- acme-nl incident {incident}: breach deadline: overdue by 03h") in digest
        assert "Breach register: ecom-privacy breach list" in digest
        assert main(args, out=io.StringIO(), clock=clock) == 1
        assert len(receiver.messages) == 2
    capsys.readouterr()
