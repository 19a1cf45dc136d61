"""The register through the CLI on SQLite and a real PostgreSQL: migrations from empty, new/list/show/update/
assess/check/export, append-only events, one-line errors, and no database password in any output."""

from __future__ import annotations

import csv
import json
import os
import pty
import select as io_select
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from automation.breach.register import Register
from automation.breach.tables import DeliveryRow, EventRow
from automation.db import open_database
from ecom_privacy.clock import FixedClock
from tests.breach.conftest import NOW, BreachCli
from tests.cli_process import CLI, cli_env

pytestmark = pytest.mark.clock

HIGH_RISK = ["--answer", "personal_data=yes", "--answer", "unintelligible=no", "--answer", "identifiable=yes",
             "--answer", "sensitive=no", "--answer", "severe_consequences=yes", "--answer", "large_scale=no",
             "--answer", "malicious=yes", "--answer", "contained=no"]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M+00:00")


def test_migrations_from_empty_create_the_breach_branch(db_url: str) -> None:
    engine = open_database(db_url)
    try:
        with engine.connect() as connection:
            heads = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
            assert "breach_0001_register" in heads
            assert connection.execute(select(func.count()).select_from(EventRow)).scalar() == 0
    finally:
        engine.dispose()
    open_database(db_url).dispose()  # opening again is an upgrade with nothing to do


def test_new_show_update_assess_and_export(breach: BreachCli, db_url: str, incident_file: Path,
                                           tmp_path: Path) -> None:
    created = breach("new", "--file", str(incident_file), db=db_url)
    assert created.code == 0, created.err
    assert "incident 1 registered" in created.out
    assert "discovered 2026-11-25 09:30 CET (Europe/Amsterdam)" in created.out
    assert "authority deadline 2026-11-28 09:30 CET (Europe/Amsterdam)" in created.out

    assert breach("assess", "1", *HIGH_RISK, db=db_url).code == 0
    # Phased notification: an initial report in time, more information later; both recorded with their phase.
    first = breach("update", "1", "--store", "shop-en", "--authority-notified", "2026-11-26 10:00",
                   "--authority-reference", "AP-2026-0042", db=db_url)
    assert first.code == 0, first.err
    later = breach("update", "1", "--store", "shop-en", "--authority-notified", "2026-11-30 10:00",
                   "--records-count", "1500", db=db_url)
    assert later.code == 0, later.err
    assert breach("update", "1", "--store", "shop-nl", "--subjects", "public", "--reason",
                  "no email addresses for most buyers", db=db_url).code == 0

    shown = breach("show", "1", db=db_url, tz="UTC")
    assert shown.code == 0
    assert "risk: high" in shown.out and "records_count: 1500" in shown.out
    assert "notified (initial)" in shown.out and "notified (additional)" in shown.out
    assert "  store shop-nl:\n    authority: no decision" in shown.out
    assert "notified (initial) at 2026-11-26 09:00 UTC (UTC)" in shown.out
    assert "times in UTC" in shown.out and "tester  assessed" in shown.out

    document = json.loads(breach("show", "1", "--format", "json", db=db_url).out)
    kinds = [event["kind"] for event in document["events"]]
    assert kinds == ["reported", "assessed", "authority_notified", "facts_updated", "authority_notified",
                     "subjects_decision"]
    assert all(event["actor"] == "tester" for event in document["events"])

    exported = breach("export", "--out", str(tmp_path / "export"), db=db_url)
    assert exported.code == 0
    rows = list(csv.DictReader((tmp_path / "export" / "breach-register.csv").open(encoding="utf-8")))
    assert [(row["store"], row["risk"]) for row in rows] == [("shop-nl", "high"), ("shop-en", "high")]
    assert rows[0]["authority"] == "no decision" and "AP-2026-0042" in rows[1]["authority"]
    html = (tmp_path / "export" / "breach-register.html").read_text(encoding="utf-8")
    assert "Incident 1: Platform incident LS-2026-11" in html and "Europe/Amsterdam" in html
    data = json.loads((tmp_path / "export" / "breach-register.json").read_text(encoding="utf-8"))
    assert data["incidents"][0]["facts"]["records_count"] == 1500


def test_events_are_appended_never_rewritten(db_url: str, breach: BreachCli, incident_file: Path) -> None:
    breach("new", "--file", str(incident_file), db=db_url)
    engine = open_database(db_url)
    try:
        with engine.connect() as connection:
            before = connection.execute(select(EventRow.id, EventRow.data)).all()
        breach("update", "1", "--nature", "Changed after review.", "--facts-language", "en", db=db_url)
        with engine.connect() as connection:
            after = connection.execute(select(EventRow.id, EventRow.data).order_by(EventRow.id)).all()
        assert after[: len(before)] == before  # the first report is untouched
        assert after[-1].data["nature"]["en"] == "Changed after review."
        nature = Register(engine).incident(1).facts.nature
        assert isinstance(nature, dict) and nature["en"] == "Changed after review." and nature["nl"].startswith("Via")
    finally:
        engine.dispose()


def test_list_puts_overdue_first_and_check_exits_1_near_a_deadline(breach: BreachCli, db_url: str) -> None:
    now = NOW  # the commands' clock
    common = ["--discovered-by", "own", "--store", "shop-nl"]
    breach("new", "--title", "far", "--discovered-at", _iso(now - timedelta(hours=1)), *common, db=db_url)
    breach("new", "--title", "late", "--discovered-at", _iso(now - timedelta(hours=80)), *common, db=db_url)
    breach("new", "--title", "soon", "--discovered-at", _iso(now - timedelta(hours=65)), *common, db=db_url)

    listing = breach("list", db=db_url)
    assert [line.split("'")[1] for line in listing.out.splitlines() if line.startswith("#")] == ["late", "soon", "far"]
    assert "overdue by" in listing.out

    check = breach("check", db=db_url)
    assert check.code == 1
    assert "incident 2 store shop-nl: overdue" in check.out and "incident 3 store shop-nl: due soon" in check.out
    assert "incident 1" not in check.out

    # Decisions silence the check: one notified (late, so the reasons for the delay are required), one judged
    # not to need notification, and a closed incident no longer counts.
    refused = breach("update", "2", "--authority-notified", "now", db=db_url)
    assert refused.code == 1 and "--delay-reasons" in refused.err and "Art. 33(1)" in refused.err
    assert breach("update", "2", "--authority-notified", "now", "--delay-reasons", "platform notice came late",
                  db=db_url).code == 0
    assert breach("update", "3", "--authority-not-required", "only test accounts", db=db_url).code == 0
    assert breach("check", db=db_url).code == 0
    assert breach("update", "1", "--close", "handled", db=db_url).code == 0
    assert "#1" not in breach("list", db=db_url).out and "#1" in breach("list", "--all", db=db_url).out


def test_bad_input_is_one_line_naming_the_problem(breach: BreachCli, sqlite_url: str, tmp_path: Path) -> None:
    missing = breach("new", "--title", "x", "--store", "shop-nl", "--discovered-by", "own", db=sqlite_url)
    assert missing.code == 1 and "'discovered_at'" in missing.err and "--discovered-at" in missing.err
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\nstores: [a]\ndiscovered_at: 2026-01-01T10:00\ndiscovered_by: own\ncolour: red\n")
    unknown = breach("new", "--file", str(bad), db=sqlite_url)
    assert unknown.code == 1 and f"{bad}: unknown key 'colour'" in unknown.err
    bad.write_text("title: x\nstores: [a]\ndiscovered_at: 2026-01-01T10:00\ndiscovered_by: neighbour\n")
    wrong = breach("new", "--file", str(bad), db=sqlite_url)
    assert wrong.code == 1 and "'discovered_by'" in wrong.err and len(wrong.err.strip().splitlines()) == 1
    assert breach("show", "7", db=sqlite_url).err.startswith("error: no incident 7 in the register")
    gone = breach("new", "--file", str(tmp_path / "none.yaml"), db=sqlite_url)
    assert gone.code == 1 and "none.yaml: the facts file not found" in gone.err
    breach("new", "--title", "t", "--store", "s", "--discovered-at", "now", "--discovered-by", "own", db=sqlite_url)
    nothing = breach("update", "1", "--title", "t", db=sqlite_url)  # the same title: nothing to record
    assert nothing.code == 1 and "nothing to record" in nothing.err
    unknown_store = breach("update", "1", "--store", "elsewhere", "--authority-not-required", "x", db=sqlite_url)
    assert unknown_store.code == 1 and "does not affect store 'elsewhere'" in unknown_store.err


def test_the_database_password_never_appears(breach: BreachCli, postgres_url: str) -> None:
    secret_url = postgres_url  # has the test server's password in it
    password = secret_url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
    result = breach("new", "--title", "t", "--store", "s", "--discovered-at", "now", "--discovered-by", "own",
                    db=secret_url)
    assert result.code == 0
    wrong = breach("list", db=secret_url.replace(password, password + "-wrong"))
    assert wrong.code == 1 and password not in wrong.err and "***" in wrong.err
    assert password not in result.out + result.err


def test_delivery_steps_are_unique_per_attempt(db_url: str, breach: BreachCli) -> None:
    breach("new", "--title", "t", "--store", "s", "--discovered-at", "now", "--discovered-by", "own", db=db_url)
    engine = open_database(db_url)
    try:
        register = Register(engine, actor="tester")
        assert register.record_delivery(1, "s", "a@x.test", "en", 1, "sending")
        assert not register.record_delivery(1, "s", "a@x.test", "en", 1, "sending")  # a second run got here too
        assert register.record_delivery(1, "s", "a@x.test", "en", 1, "sent", "<id@x>")
        with engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(DeliveryRow)).scalar() == 2
    finally:
        engine.dispose()


def test_the_printable_register_escapes_what_people_typed(breach: BreachCli, sqlite_url: str, tmp_path: Path) -> None:
    breach("new", "--title", "<img src=x onerror=alert(1)>", "--store", "s", "--discovered-at", "now",
           "--discovered-by", "own", "--nature", "a & b", db=sqlite_url)
    assert breach("export", "--out", str(tmp_path / "e"), db=sqlite_url).code == 0
    html = (tmp_path / "e" / "breach-register.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html and "a &amp; b" in html
    assert "not assessed" in html and "no decision" in html  # never assessed, never notified: still registered


def test_assess_asks_on_a_terminal_and_records_the_answers(sqlite_url: str, breach: BreachCli,
                                                          breach_clock: FixedClock) -> None:
    breach("new", "--title", "t", "--store", "s", "--discovered-at", "now", "--discovered-by", "own", db=sqlite_url)
    master, slave = pty.openpty()
    process = subprocess.Popen([*CLI, "breach", "assess", "1", "--db", sqlite_url, "--answer", "personal_data=yes"],
                               stdin=slave, stdout=slave, stderr=slave, env=cli_env(breach_clock))
    os.close(slave)
    # unintelligible, identifiable, sensitive, severe_consequences, large_scale, malicious, contained;
    # "perhaps" is asked again
    os.write(master, b"no\nyes\nperhaps\nyes\nno\nno\nno\nno\n")
    output = b""
    while True:
        ready, _, _ = io_select.select([master], [], [], 60)  # a question nobody answers must not hang the suite
        if not ready:
            process.kill()
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        output += chunk
    assert process.wait(timeout=60) == 0, output.decode()
    os.close(master)
    text_out = output.decode()
    assert "Was all affected data unintelligible" in text_out and "please answer yes or no" in text_out
    assert "high risk" in text_out
    document = json.loads(breach("show", "1", "--format", "json", db=sqlite_url).out)
    answers = {a["key"]: a["answer"] for a in document["events"][-1]["data"]["answers"]}
    assert answers == {"personal_data": "yes", "unintelligible": "no", "identifiable": "yes", "sensitive": "yes",
                       "severe_consequences": "no", "large_scale": "no", "malicious": "no", "contained": "no"}


def test_a_cli_process_runs_on_the_test_sessions_clock(sqlite_url: str) -> None:
    """tests/cli_process.py: a CLI process is on the test's clock: the session's (moved along with it under
    --clock-shift-days, as `make test` runs this file a second time), or a FixedClock the test hands it."""
    args = ["breach", "new", "--title", "t", "--store", "s", "--discovered-at", "now", "--discovered-by", "own",
            "--db", sqlite_url]
    before = datetime.now(UTC).replace(microsecond=0)
    assert subprocess.run([*CLI, *args], env=cli_env(), capture_output=True, timeout=120).returncode == 0
    after = datetime.now(UTC)
    assert subprocess.run([*CLI, *args], env=cli_env(FixedClock(NOW)), capture_output=True,
                          timeout=120).returncode == 0
    engine = open_database(sqlite_url)
    try:
        first, second = Register(engine).incidents()
    finally:
        engine.dispose()
    assert before <= first.created_at <= after
    assert second.created_at == second.facts.discovered_at == NOW
