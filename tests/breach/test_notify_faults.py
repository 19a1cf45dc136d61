"""breach notify stays honest under faults (issue #24, findings 5, 6, 10 and the low ones): a value that would
break a mail header is refused when it is recorded, a message is "uncertain" only when it may have reached
the server, notify exits 1 while anyone is uncertain, the CSVs cannot run formulas, the facts and answers
files are read strictly, and what the register prints cannot drive the terminal. A real SMTP server
(aiosmtpd, STARTTLS, AUTH) and the register on SQLite."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

import yaml

from automation.breach.register import Register
from automation.db import open_database
from mock_backoffice.smtp_sink import SmtpSink
from tests.breach.conftest import INCIDENT_YAML, BreachCli
from tests.support import write_fleet

PEOPLE = [f"person{n}@example.test" for n in range(1, 5)]


def _notify_args(tmp_path: Path, smtp: SmtpSink, people: list[str] | str, company: str = "Shop EN") -> list[str]:
    fleet = write_fleet(tmp_path, "http://127.0.0.1:9", {}, ["shop-en"])
    data = yaml.safe_load(fleet.read_text())
    data["stores"][0]["vars"]["company"] = company
    fleet.write_text(yaml.safe_dump(data, sort_keys=False))
    with (tmp_path / ".env").open("a", encoding="utf-8") as env:
        env.writelines(f"{k}={v}\n" for k, v in smtp.env().items())
    csv_file = tmp_path / "people.csv"
    csv_file.write_text(people if isinstance(people, str) else "email\n" + "\n".join(people) + "\n",
                        encoding="utf-8")
    return ["1", "--store", "shop-en", "--recipients", str(csv_file), "-c", str(fleet), "--env-file",
            str(tmp_path / ".env"), "--artifacts-dir", str(tmp_path / "runs"), "--rate", "6000"]


def _deliveries(url: str) -> list[tuple[str, str]]:
    register = Register(open_database(url))
    try:
        return [(d.email, d.state) for _, d in register.all_deliveries(1)]
    finally:
        register.engine.dispose()


def test_a_line_break_in_the_store_name_is_refused_before_anything_is_recorded(
        tmp_path: Path, smtp: SmtpSink, breach: BreachCli, sqlite_url: str, incident_file: Path) -> None:
    """Finding 5: `vars.company` with CR/LF forms the subject. It is refused as one line naming the key when the
    fleet file is read: nobody is marked `sending`, so no re-run turns anyone "uncertain"."""
    assert breach("new", "--file", str(incident_file), db=sqlite_url).code == 0
    args = _notify_args(tmp_path, smtp, PEOPLE, company="Shop EN\r\nBcc: everyone@evil.test")
    for _ in range(2):
        result = breach("notify", *args, "--apply", db=sqlite_url)
        assert result.code == 1, result.out + result.err
        [line] = result.err.strip().splitlines()
        assert "stores[0].vars" in line and "must be one line" in line and "Traceback" not in result.err
    assert _deliveries(sqlite_url) == [] and smtp.received == []


def test_a_line_break_in_a_fact_is_refused_when_it_is_recorded(tmp_path: Path, breach: BreachCli,
                                                               sqlite_url: str) -> None:
    facts = tmp_path / "facts.yaml"
    facts.write_text(INCIDENT_YAML.replace("contact_name: Anna de Vries", 'contact_name: "Anna\\r\\nBcc: x@evil.test"'),
                     encoding="utf-8")
    result = breach("new", "--file", str(facts), db=sqlite_url)
    assert result.code == 1
    assert "key 'contact_name'" in result.err and "must be one line" in result.err
    assert breach("new", "--file", str(facts.with_name("none.yaml")), "--title", "x", db=sqlite_url).code == 1
    assert breach("new", "--title", "Leak\nSubject: other", "--store", "shop-en", "--discovered-at",
                  "2026-11-25 09:30", "--discovered-by", "own", db=sqlite_url).code == 1
    assert breach("list", "--all", db=sqlite_url).out.strip() == "the register is empty"


class DropsAtRecipient(SmtpSink):
    """Closes the connection when a given address is named in RCPT TO: the message was never handed over."""

    drop: str = ""

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address == self.drop:
            server.transport.close()
            return "421 closing"
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


def test_a_connection_lost_before_the_message_is_failed_not_uncertain(
        tmp_path: Path, smtp_cert_dir: Path, breach: BreachCli, sqlite_url: str, incident_file: Path) -> None:
    """Low finding: a recipient is "uncertain" only when the message may have reached the server. A connection
    lost at RCPT TO delivered nothing: `failed`, tried again by the next run, which then sends it."""
    with DropsAtRecipient(cert_dir=smtp_cert_dir) as server:
        server.drop = PEOPLE[1]
        assert breach("new", "--file", str(incident_file), db=sqlite_url).code == 0
        args = _notify_args(tmp_path, server, PEOPLE)
        first = breach("notify", *args, "--apply", db=sqlite_url)
        assert first.code == 1, first.out + first.err
        assert "uncertain 0" in first.out and "lost before the message was handed over" in first.out
        assert dict(_deliveries(sqlite_url))[PEOPLE[1]] == "failed"
        assert [item.recipients[0] for item in server.received] == PEOPLE[:1]
        server.drop = ""
        plan = breach("notify", *args, db=sqlite_url)
        assert "failed before, to retry: 1" in plan.out and "uncertain" not in plan.out
        second = breach("notify", *args, "--apply", db=sqlite_url)
        assert second.code == 0, second.out + second.err
        assert sorted(item.recipients[0] for item in server.received) == sorted(PEOPLE)


def test_notify_exits_1_while_a_recipient_is_uncertain(tmp_path: Path, smtp: SmtpSink, breach: BreachCli,
                                                        sqlite_url: str, incident_file: Path) -> None:
    """Everyone else sent, one left `sending` by a killed run: plan and apply both exit 1 (a person must check the
    mail server's log), not 0 as if nothing were left to do."""
    assert breach("new", "--file", str(incident_file), db=sqlite_url).code == 0
    args = _notify_args(tmp_path, smtp, PEOPLE)
    register = Register(open_database(sqlite_url), actor="killed-run")
    for email in PEOPLE[:3]:
        register.record_delivery(1, "shop-en", email, "en", 1, "sending")
        register.record_delivery(1, "shop-en", email, "en", 1, "sent", "<id@agency.test>")
    register.record_delivery(1, "shop-en", PEOPLE[3], "en", 1, "sending")
    register.engine.dispose()
    plan = breach("notify", *args, db=sqlite_url)
    assert plan.code == 1 and "to send: 0" in plan.out and PEOPLE[3] in plan.out
    applied = breach("notify", *args, "--apply", db=sqlite_url)
    assert applied.code == 1 and "uncertain 1" in applied.out and smtp.received == []


def test_the_breach_csvs_cannot_run_formulas(tmp_path: Path, smtp: SmtpSink, breach: BreachCli, sqlite_url: str,
                                            incident_file: Path) -> None:
    """Finding 6: a title typed by a person and names from a public signup form start with = + - @: every CSV the
    breach commands write (the register, recipients.csv, notified.csv) guards them with an apostrophe."""
    facts = tmp_path / "facts.yaml"
    facts.write_text(INCIDENT_YAML.replace("title: Platform incident LS-2026-11",
                                           "title: \"=HYPERLINK(\\\"http://evil.test\\\",\\\"click\\\")\""),
                     encoding="utf-8")
    assert breach("new", "--file", str(facts), db=sqlite_url).code == 0
    people = "email,name\nann@example.test,=cmd|' /C calc'!A0\nbob@example.test,@SUM(1+1)\n"
    args = _notify_args(tmp_path, smtp, people)
    assert breach("notify", *args, "--apply", db=sqlite_url).code == 0
    assert breach("export", "--out", str(tmp_path / "export"), db=sqlite_url).code == 0
    files = [tmp_path / "export" / "breach-register.csv",
             *(tmp_path / "runs").glob("*/breach/incident-1/shop-en/recipients.csv"),
             *(tmp_path / "runs").glob("*/breach/incident-1/shop-en/notified.csv")]
    assert len(files) == 3
    cells = [cell for path in files for row in csv.reader(path.open(encoding="utf-8", newline=""))
             for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")], cells
    assert "'=HYPERLINK(\"http://evil.test\",\"click\")" in cells and "'=cmd|' /C calc'!A0" in cells


def test_duplicate_keys_and_broken_bytes_in_breach_files_are_one_line(tmp_path: Path, breach: BreachCli,
                                                                       sqlite_url: str,
                                                                       incident_file: Path) -> None:
    """Finding 10: a second `sensitive:` in the answers (flipping a risk answer) or a second `people_count:` in the
    facts is an error naming the line, not the last value kept; non-UTF-8 and deeply nested files are one line."""
    assert breach("new", "--file", str(incident_file), db=sqlite_url).code == 0
    answers = tmp_path / "answers.yaml"
    answers.write_text("personal_data: yes\nunintelligible: no\nidentifiable: yes\nsensitive: yes\n"
                       "severe_consequences: no\nlarge_scale: no\nmalicious: no\nsensitive: no\n", encoding="utf-8")
    result = breach("assess", "1", "--answers", str(answers), db=sqlite_url)
    assert result.code == 1 and f"{answers}, line 8: duplicate key 'sensitive' (first at line 4)" in result.err
    facts = tmp_path / "update.yaml"
    facts.write_text("people_count: 700\nrecords_count: 10\npeople_count: 7\n", encoding="utf-8")
    result = breach("update", "1", "--file", str(facts), db=sqlite_url)
    assert result.code == 1 and f"{facts}, line 3: duplicate key 'people_count'" in result.err
    for name, content in (("latin1.yaml", "title: Caf\xe9 lek\n".encode("latin-1")),
                          ("deep.yaml", ("nature: " + "[" * 5000 + "]" * 5000 + "\n").encode())):
        path = tmp_path / name
        path.write_bytes(content)
        for command in (["new", "--file", str(path)], ["update", "1", "--file", str(path)],
                        ["assess", "1", "--answers", str(path)]):
            result = breach(*command, db=sqlite_url)
            assert result.code == 1 and "Traceback" not in result.err, result.err
            [line] = result.err.strip().splitlines()
            assert str(path) in line and ("not UTF-8" in line or "nested deeper" in line), line
    shown = json.loads(breach("show", "1", "--format", "json", db=sqlite_url).out)
    assert shown["facts"]["people_count"] == yaml.safe_load(INCIDENT_YAML)["people_count"]
    assert shown["assessment"] is None


def test_show_and_history_print_no_terminal_controls(breach: BreachCli, sqlite_url: str, tmp_path: Path) -> None:
    """Low finding: facts with ESC and CR (recorded before titles had to be one line, or in a long text) are
    shown with the controls replaced (U+FFFD), never raw."""
    facts = tmp_path / "facts.yaml"
    facts.write_text(INCIDENT_YAML.replace("  en: Two-step login for all staff accounts.",
                                           '  en: "Two-step \\e[2J\\e[31mRED\\rforged"'), encoding="utf-8")
    assert breach("new", "--file", str(facts), db=sqlite_url).code == 0
    register = Register(open_database(sqlite_url))  # a title recorded by an older version, controls and all
    register.append(1, "facts_updated", {"title": "Leak \x1b]0;owned\x07 \x1b[1A\rforged"})
    register.engine.dispose()
    for command in (["show", "1"], ["list"], ["show", "1", "--format", "json"]):
        out = breach(*command, db=sqlite_url).out
        assert "\x1b" not in out and "\r" not in out, (command, out)
    shown = breach("show", "1", db=sqlite_url).out
    assert "Leak \ufffd" in shown and "Two-step \ufffd\ufffdRED\ufffdforged" in shown


def test_export_does_not_write_through_a_planted_symlink(tmp_path: Path, breach: BreachCli, sqlite_url: str,
                                                         incident_file: Path) -> None:
    """Low finding: `breach export --out DIR` with a link planted at breach-register.csv replaces the link with
    the register; the file it pointed to is untouched."""
    assert breach("new", "--file", str(incident_file), db=sqlite_url).code == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("do not touch\n", encoding="utf-8")
    out = tmp_path / "export"
    out.mkdir()
    (out / "breach-register.csv").symlink_to(victim)
    assert breach("export", "--out", str(out), db=sqlite_url).code == 0
    assert victim.read_text(encoding="utf-8") == "do not touch\n"
    csv_file = out / "breach-register.csv"
    assert not csv_file.is_symlink() and "Platform incident" in csv_file.read_text(encoding="utf-8")
    assert {oct(os.stat(p).st_mode & 0o777) for p in out.iterdir()} == {"0o600"}


def _templates(tmp_path: Path, name: str, body: str) -> Path:
    mine = tmp_path / "my-templates"
    mine.mkdir(exist_ok=True)
    (mine / name).write_text(body, encoding="utf-8")
    return mine


def test_a_letter_template_cannot_include_a_dotfile_or_a_link_out_of_its_folder(
        tmp_path: Path, breach: BreachCli, sqlite_url: str, incident_file: Path) -> None:
    """Finding 4 for the letters: the user's templates folder is all a template may load (and the shipped one)."""
    assert breach("new", "--file", str(incident_file), db=sqlite_url).code == 0
    fleet = write_fleet(tmp_path, "http://127.0.0.1:9", {}, ["shop-en"])
    (tmp_path / "host.txt").write_text("a host file\n", encoding="utf-8")
    for body in ("{% include '.env' %}", "{% include 'host.html' %}", "{% include '../host.txt' %}"):
        mine = _templates(tmp_path, "customers.en.html.j2", '{% set subject = "S" %}' + body)
        (mine / ".env").write_text("SECRET=Smtp-Secret-2026!\n", encoding="utf-8")
        if not (mine / "host.html").is_symlink():
            (mine / "host.html").symlink_to(tmp_path / "host.txt")
        result = breach("draft", "1", "--customers", "--store", "shop-en", "--templates", str(mine), "--out",
                        str(tmp_path / "drafts"), "-c", str(fleet), db=sqlite_url)
        assert result.code == 1, (body, result.out)
        [line] = result.err.strip().splitlines()
        assert "refused by the template sandbox" in line and "Smtp-Secret" not in line and "host file" not in line
    assert not list((tmp_path / "drafts").rglob("*.html")) if (tmp_path / "drafts").exists() else True


def test_a_secret_in_a_message_fails_the_plan_and_nothing_is_sent(tmp_path: Path, smtp: SmtpSink, breach: BreachCli,
                                                                   sqlite_url: str, incident_file: Path) -> None:
    """Defence in depth: a message that would carry a secret of the run (here the SMTP password, pasted into a
    template) fails the store as secret_in_content, naming the template; nobody is recorded or written to."""
    assert breach("new", "--file", str(incident_file), db=sqlite_url).code == 0
    args = _notify_args(tmp_path, smtp, PEOPLE)
    mine = _templates(tmp_path, "customers.en.html.j2",
                      '{% set subject = "Incident" %}<p>{{ facts.nature }} {{ facts.contact_name }} '
                      '{{ facts.consequences }} {{ facts.measures_taken }}</p><p>debug: ' + smtp.password + "</p>")
    for mode in ([], ["--apply"]):
        result = breach("notify", *args, "--templates", str(mine), *mode, db=sqlite_url)
        assert result.code == 1, result.out + result.err
        assert f"the en message to the people affected ({mine / 'customers.en.html.j2'}): the content holds a " \
               f"secret of this run" in result.out
        assert smtp.password not in result.out + result.err
    assert _deliveries(sqlite_url) == [] and smtp.received == []


def test_a_secret_in_a_notice_fails_before_the_backoffice(tmp_path: Path, breach: BreachCli, sqlite_url: str,
                                                          incident_file: Path) -> None:
    """The notice page of `breach publish` is checked before any login: a store password in it is refused."""
    from tests.support import PASSWORDS

    assert breach("new", "--file", str(incident_file), db=sqlite_url).code == 0
    fleet = write_fleet(tmp_path, "http://127.0.0.1:9", {}, ["shop-en", "shop-nl"])
    mine = _templates(tmp_path, "notice.en.html.j2",
                      '{% set subject = "Notice" %}<p>{{ facts.nature }} {{ facts.contact_name }} '
                      '{{ facts.consequences }} {{ facts.measures_taken }}</p><p>' + PASSWORDS["shop-nl"] + "</p>")
    result = breach("publish", "1", "--store", "shop-en", "--templates", str(mine), "-c", str(fleet), "--env-file",
                    str(tmp_path / ".env"), "--artifacts-dir", str(tmp_path / "runs"), "--apply", db=sqlite_url)
    assert result.code == 1
    assert f"store shop-en: error: store shop-en: the en notice ({mine / 'notice.en.html.j2'}): the content holds a " \
           f"secret" in result.out
    assert PASSWORDS["shop-nl"] not in result.out + result.err
