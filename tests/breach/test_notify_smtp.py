"""breach notify with recipients from a CSV and a real SMTP server (STARTTLS, AUTH): the plan sends nothing,
--apply sends each person one message in their language with the four required elements, records every
recipient, resumes without second messages, records refusals to retry, and never shows the SMTP password."""

from __future__ import annotations

import json
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from automation.breach.mailer import Pacer, SmtpSettings
from ecom_privacy.clock import FixedClock
from ecom_privacy.errors import ConfigError
from mock_backoffice.smtp_sink import SmtpSink
from tests.breach.conftest import NOW, BreachCli
from tests.support import write_fleet

pytestmark = pytest.mark.clock

RECIPIENTS = [("ann@example.test", "Ann", "en"), ("bram@example.test", "Bram", "nl"),
              ("cleo@example.test", "", "en"), ("dirk@example.test", "Dirk", "")]


def setup_notify(tmp_path: Path, smtp: SmtpSink, breach: BreachCli, db: str, incident_file: Path) -> list[str]:
    fleet = write_fleet(tmp_path, "http://127.0.0.1:9", {}, ["shop-nl", "shop-en"])
    with (tmp_path / ".env").open("a", encoding="utf-8") as env:
        env.writelines(f"{k}={v}\n" for k, v in smtp.env().items())
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("email,name,language\n" + "".join(f"{e},{n},{lang}\n" for e, n, lang in RECIPIENTS),
                        encoding="utf-8")
    assert breach("new", "--file", str(incident_file), db=db).code == 0
    return ["1", "--store", "shop-nl", "--recipients", str(csv_file), "-c", str(fleet), "--env-file",
            str(tmp_path / ".env"), "--artifacts-dir", str(tmp_path / "runs"), "--rate", "6000"]


def test_plan_then_apply_then_nothing_left(tmp_path: Path, smtp: SmtpSink, breach: BreachCli, db_url: str,
                                           incident_file: Path) -> None:
    args = setup_notify(tmp_path, smtp, breach, db_url, incident_file)
    plan = breach("notify", *args, db=db_url)
    assert plan.code == 2, plan.err
    assert "to send: 4 (en: 2, nl: 2)" in plan.out  # dirk has no language: the store's (nl)
    assert smtp.received == []

    applied = breach("notify", *args, "--apply", db=db_url)
    assert applied.code == 0, applied.out + applied.err
    assert len(smtp.received) == 4 and all(ok for _, ok in smtp.logins)
    by_address = {item.recipients[0]: item.message for item in smtp.received}
    assert sorted(by_address) == sorted(e for e, _, _ in RECIPIENTS)
    english, dutch = by_address["ann@example.test"], by_address["dirk@example.test"]
    assert english["Subject"].startswith("Important: a security incident at Winkel NL")
    assert dutch["Subject"].startswith("Belangrijk: een beveiligingsincident bij Winkel NL")
    assert english["X-Ecom-Privacy-Incident"] == "incident-1/shop-nl"
    assert parsedate_to_datetime(english["Date"]) == NOW  # the command's clock, as the register records it
    body = english.get_body(preferencelist=("plain",)).get_content()
    for element in ("Dear Ann", "misconfigured export", "Contact Anna de Vries", "Phishing emails",
                    "every session was revoked"):
        assert element in body, element
    assert "Beste klant" in by_address["bram@example.test"].get_body(("plain",)).get_content() or \
        "Beste Bram" in by_address["bram@example.test"].get_body(("plain",)).get_content()

    again = breach("notify", *args, db=db_url)
    assert again.code == 0 and "to send: 0 (none); already sent: 4" in again.out
    assert breach("notify", *args, "--apply", db=db_url).code == 0
    assert len(smtp.received) == 4  # nobody got a second message

    document = json.loads(breach("show", "1", "--format", "json", db=db_url).out)
    notified = [e for e in document["events"] if e["kind"] == "customers_notified"]
    assert notified[0]["data"]["sent_total"] == 4 and "ann@example.test" in notified[0]["data"]["csv"]
    assert {d["state"] for d in document["deliveries"]} == {"sending", "sent"}
    csv_files = list((tmp_path / "runs").glob("*/breach/incident-1/shop-nl/notified.csv"))
    assert csv_files and "bram@example.test,nl,sent,1," in csv_files[0].read_text(encoding="utf-8")
    everything = plan.out + applied.out + applied.err + json.dumps(document)
    everything += "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "runs").rglob("*.csv"))
    assert smtp.password not in everything


def test_a_refused_address_is_failed_and_retried_later(tmp_path: Path, smtp: SmtpSink, breach: BreachCli,
                                                       sqlite_url: str, incident_file: Path) -> None:
    args = setup_notify(tmp_path, smtp, breach, sqlite_url, incident_file)
    smtp.refuse.add("cleo@example.test")
    first = breach("notify", *args, "--apply", db=sqlite_url)
    assert first.code == 1
    assert "failed cleo@example.test" in first.out and "550" in first.out
    assert len(smtp.received) == 3
    plan = breach("notify", *args, db=sqlite_url)
    assert plan.code == 2 and "failed before, to retry: 1" in plan.out and "+ cleo@example.test" in plan.out
    smtp.refuse.clear()
    assert breach("notify", *args, "--apply", db=sqlite_url).code == 0
    assert sorted(item.recipients[0] for item in smtp.received).count("cleo@example.test") == 1
    assert len(smtp.received) == 4


def test_smtp_settings_are_checked_before_anything_is_read(tmp_path: Path, breach: BreachCli, sqlite_url: str,
                                                           incident_file: Path, smtp: SmtpSink) -> None:
    args = setup_notify(tmp_path, smtp, breach, sqlite_url, incident_file)
    (tmp_path / ".env").write_text("", encoding="utf-8")
    result = breach("notify", *args, "--apply", db=sqlite_url)
    assert result.code == 1 and "ECOM_PRIVACY_SMTP_HOST, ECOM_PRIVACY_SMTP_FROM not set" in result.err
    with pytest.raises(ConfigError, match="STARTTLS=no is allowed only for a server on this machine"):
        SmtpSettings.from_env({"ECOM_PRIVACY_SMTP_HOST": "mail.example", "ECOM_PRIVACY_SMTP_FROM": "a@b.test",
                               "ECOM_PRIVACY_SMTP_STARTTLS": "no"})


def test_a_wrong_smtp_password_is_a_clear_error_without_the_password(tmp_path: Path, smtp: SmtpSink,
                                                                     breach: BreachCli, sqlite_url: str,
                                                                     incident_file: Path) -> None:
    args = setup_notify(tmp_path, smtp, breach, sqlite_url, incident_file)
    env = (tmp_path / ".env").read_text(encoding="utf-8").replace(smtp.password, "Wrong-Password-123")
    (tmp_path / ".env").write_text(env, encoding="utf-8")
    result = breach("notify", *args, "--apply", db=sqlite_url)
    assert result.code == 1 and "login refused" in result.err and "ECOM_PRIVACY_SMTP_PASSWORD" in result.err
    assert "Wrong-Password-123" not in result.out + result.err
    assert smtp.received == []
    assert "uncertain" not in breach("notify", *args, db=sqlite_url).out  # nothing was handed over


def test_the_pacer_spaces_messages_evenly() -> None:
    clock = FixedClock(NOW, monotonic=100.0)
    pauses: list[float] = []

    def pause(seconds: float) -> None:  # no real waiting: the pause moves the clock
        pauses.append(seconds)
        clock.advance(seconds)

    pacer = Pacer(per_minute=30, clock=clock, pause=pause)
    for _ in range(3):
        pacer.wait()
    assert pauses == [2.0, 2.0]
    clock.advance(10)  # a slow recipient: no pause needed after it
    pacer.wait()
    assert pauses == [2.0, 2.0]
    with pytest.raises(ConfigError):
        Pacer(per_minute=0)
