"""A notify run killed (SIGKILL, a real subprocess) in the worst moment: the SMTP server has the message but
the sender never heard "250". The register says exactly who was sent what; the next run resumes, sends nobody
a second message, and names the one recipient whose delivery is uncertain (at most once)."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from ecom_privacy.clock import FixedClock
from mock_backoffice.smtp_sink import SmtpSink
from tests.breach.conftest import BreachCli
from tests.cli_process import CLI, cli_env
from tests.support import write_fleet

pytestmark = pytest.mark.clock

PEOPLE = [f"person{n:02d}@example.test" for n in range(1, 13)]


def test_resume_after_a_kill_between_handing_over_and_recording(tmp_path: Path, smtp: SmtpSink, breach: BreachCli,
                                                                sqlite_url: str, incident_file: Path,
                                                                breach_clock: FixedClock) -> None:
    fleet = write_fleet(tmp_path, "http://127.0.0.1:9", {}, ["shop-en"])
    with (tmp_path / ".env").open("a", encoding="utf-8") as env:
        env.writelines(f"{k}={v}\n" for k, v in smtp.env().items())
    people = tmp_path / "people.csv"
    people.write_text("email\n" + "\n".join(PEOPLE) + "\n", encoding="utf-8")
    assert breach("new", "--file", str(incident_file), db=sqlite_url).code == 0
    args = ["1", "--store", "shop-en", "--recipients", str(people), "-c", str(fleet), "--env-file",
            str(tmp_path / ".env"), "--artifacts-dir", str(tmp_path / "runs"), "--rate", "600"]

    smtp.hold_at = 3  # the third message arrives, its "250" is held back
    process = subprocess.Popen([*CLI, "breach", "notify", *args, "--apply", "--db", sqlite_url],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=cli_env(breach_clock, {**os.environ, "ECOM_PRIVACY_ACTOR": "killed-run"}))
    try:
        assert smtp.wait_for(3, timeout=60), process.stderr.read().decode() if process.poll() is not None else ""
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        smtp.release.set()
        if process.poll() is None:
            process.kill()
        process.communicate()
    assert process.returncode == -signal.SIGKILL
    delivered = [item.recipients[0] for item in smtp.received]
    assert delivered == PEOPLE[:3]

    # What the register says after the kill: two sent, the third uncertain, nobody else touched.
    plan = breach("notify", *args, db=sqlite_url)
    assert plan.code == 1, plan.err  # an uncertain recipient needs a person: not "changes planned"
    assert "to send: 9" in plan.out and "already sent: 2" in plan.out
    assert f"uncertain (a run stopped while handing these over; NOT sent again without --resend-uncertain): " \
           f"{PEOPLE[2]}" in plan.out

    resumed = breach("notify", *args, "--apply", db=sqlite_url)
    assert resumed.code == 1, resumed.out + resumed.err  # every other one sent; one still uncertain
    delivered = [item.recipients[0] for item in smtp.received]
    assert sorted(delivered) == sorted(PEOPLE) and len(delivered) == len(set(delivered))  # each exactly once
    assert "uncertain 1" in resumed.out

    document = json.loads(breach("show", "1", "--format", "json", db=sqlite_url).out)
    states = {d["email"]: d["state"] for d in document["deliveries"] if d["state"] != "sending"}
    assert PEOPLE[2] not in states and len(states) == 11
    csv_text = [e for e in document["events"] if e["kind"] == "customers_notified"][-1]["data"]["csv"]
    assert f"{PEOPLE[2]},en,uncertain,1," in csv_text
    # Nothing left to send without --resend-uncertain, but not "done" either while one is uncertain.
    assert breach("notify", *args, db=sqlite_url).code == 1


def test_ctrl_c_finishes_the_recipient_in_hand_records_and_stops(tmp_path: Path, smtp: SmtpSink, breach: BreachCli,
                                                                 sqlite_url: str, incident_file: Path,
                                                                 breach_clock: FixedClock) -> None:
    fleet = write_fleet(tmp_path, "http://127.0.0.1:9", {}, ["shop-en"])
    with (tmp_path / ".env").open("a", encoding="utf-8") as env:
        env.writelines(f"{k}={v}\n" for k, v in smtp.env().items())
    people = tmp_path / "people.csv"
    people.write_text("email\n" + "\n".join(PEOPLE) + "\n", encoding="utf-8")
    assert breach("new", "--file", str(incident_file), db=sqlite_url).code == 0
    args = ["1", "--store", "shop-en", "--recipients", str(people), "-c", str(fleet), "--env-file",
            str(tmp_path / ".env"), "--artifacts-dir", str(tmp_path / "runs"), "--rate", "600"]
    smtp.hold_at = 3
    process = subprocess.Popen([*CLI, "breach", "notify", *args, "--apply", "--db", sqlite_url],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env(breach_clock))
    try:
        assert smtp.wait_for(3, timeout=60)
        process.send_signal(signal.SIGINT)  # while the third message waits for its "250"
        smtp.release.set()
        out, err = process.communicate(timeout=60)
    finally:
        smtp.release.set()
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err.decode()
    assert "stopping after the current recipient" in out.decode()
    assert len(smtp.received) == 3
    document = json.loads(breach("show", "1", "--format", "json", db=sqlite_url).out)
    summary = [e for e in document["events"] if e["kind"] == "customers_notified"][-1]["data"]
    assert summary["sent_total"] == 3 and summary["uncertain"] == []  # the third was finished and recorded
    assert "to send: 9" in breach("notify", *args, db=sqlite_url).out


def test_show_and_the_register_csv_count_what_a_killed_run_sent(tmp_path: Path, breach: BreachCli, sqlite_url: str,
                                                               incident_file: Path) -> None:
    """A run killed after 22 messages left 22 `sent` rows and one `sending` row, and never wrote its summary event:
    `breach show` and the register's CSV count the rows, not the summary."""
    from automation.breach.register import Register
    from automation.db import open_database

    assert breach("new", "--file", str(incident_file), db=sqlite_url).code == 0
    register = Register(open_database(sqlite_url), actor="killed-run")
    for number in range(22):
        email = f"person{number:02d}@example.test"
        register.record_delivery(1, "shop-en", email, "en", 1, "sending")
        register.record_delivery(1, "shop-en", email, "en", 1, "sent", f"<{number}@agency.test>")
    register.record_delivery(1, "shop-en", "person22@example.test", "en", 1, "sending")
    register.engine.dispose()

    shown = breach("show", "1", db=sqlite_url)
    assert shown.code == 0
    [line] = [line for line in shown.out.splitlines() if "people affected" in line][1:]  # shop-en, the second store
    assert "22 sent, the last at" in line and "1 uncertain" in line, shown.out
    exported = breach("export", "--out", str(tmp_path / "export"), db=sqlite_url)
    assert exported.code == 0, exported.err
    with (tmp_path / "export" / "breach-register.csv").open(encoding="utf-8", newline="") as handle:
        rows = {row["store"]: row for row in csv.DictReader(handle)}
    customers = rows["shop-en"]["customers"]
    assert customers.startswith("22 sent, the last at ") and "1 uncertain" in customers
    assert rows["shop-nl"]["customers"] == "none"
