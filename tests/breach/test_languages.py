"""Breach messages and the public notice in a shop with several languages (nl default, en, de): each person gets
the message in their own language, the notice page gets a title and content in every language and is public on
every language's storefront; a shop language without a template fails before anyone is written to.

Real parts: the CLI in-process, a real SMTP server, the real mock over HTTP and a real Chromium (publish)."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from mock_backoffice import MockServer
from mock_backoffice.smtp_sink import SmtpSink
from tests.breach.conftest import INCIDENT_YAML, BreachCli
from tests.support import http_json, http_text

pytestmark = pytest.mark.clock

SEED = {"stores": [
    {"id": "multi", "locale": "en", "languages": ["nl", "en", "de"], "email": "owner@multi.test",
     "password": "pw-multi-2025", "cookie_law": {"mode": "confirm"},
     "subscribers": [{"email": "jan@example.test", "name": "Jan", "subscribed_at": "2020-03-01", "source": "form"}]},
]}
SUBJECTS = {"nl": "Belangrijk: een beveiligingsincident bij Multi B.V.",
            "en": "Important: a security incident at Multi B.V.",
            "de": "Wichtig: Sicherheitsvorfall bei Multi B.V."}
#: a sentence of each language's notice template (not of the facts, which are shown as typed)
NOTICE_HEADINGS = {"nl": "Wat is er gebeurd", "en": "What happened", "de": "Was ist passiert?"}
NOTICE_TITLES = {"nl": "Melding van een datalek (incident 1)", "en": "Notice of a data breach (incident 1)",
                 "de": "Hinweis auf eine Datenschutzverletzung (Vorfall 1)"}


GERMAN_FACTS = {
    "nature": "Über einen falsch eingestellten Export las ein Unbefugter Namen und E-Mail-Adressen von Kunden.",
    "people_categories": ["Kunden", "Newsletter-Abonnenten"], "record_categories": ["Namen", "E-Mail-Adressen"],
    "consequences": "Phishing-E-Mails, die scheinbar vom Shop kommen.",
    "measures_taken": "Der Export wurde geschlossen und jede Sitzung beendet.",
    "measures_proposed": "Anmeldung in zwei Schritten für alle Mitarbeiter.", "contact_role": "Datenschutzbeauftragte",
}
#: the new measures, one text per language (`breach update --file`)
NEW_MEASURES = {"nl": "Alle wachtwoorden zijn opnieuw ingesteld.", "en": "All passwords were reset.",
                "de": "Alle Passwörter wurden zurückgesetzt."}
OLD_MEASURES = {"nl": "elke sessie is ingetrokken", "en": "every session was revoked", "de": "jede Sitzung beendet"}


@pytest.fixture(scope="module")
def lang_mock() -> Iterator[MockServer]:
    with MockServer(SEED) as server:
        yield server


@pytest.fixture
def multi(lang_mock: MockServer) -> MockServer:
    http_json(f"{lang_mock.url}/__mock__/reset", {})
    return lang_mock


def _setup(tmp_path: Path, server: MockServer, breach: BreachCli, db: str, languages: list[str],
           smtp: SmtpSink | None = None) -> list[str]:
    """A fleet file with the store `multi` speaking `languages`, its .env, and incident 1 touching it."""
    fleet = {"stores": [{"id": "multi", "backoffice_url": f"{server.url}/multi/admin",
                         "storefront_url": f"{server.url}/multi/", "backoffice_locale": "en", "languages": languages,
                         "credentials": {"email_env": "MULTI_EMAIL", "password_env": "MULTI_PASSWORD"},
                         "vars": {"company": "Multi B.V."}}]}
    (tmp_path / "fleet.yaml").write_text(yaml.safe_dump(fleet, sort_keys=False), encoding="utf-8")
    env = ["MULTI_EMAIL=owner@multi.test", "MULTI_PASSWORD=pw-multi-2025"]
    env += [f"{k}={v}" for k, v in (smtp.env() if smtp else {}).items()]
    (tmp_path / ".env").write_text("\n".join(env) + "\n", encoding="utf-8")
    incident = tmp_path / "incident.yaml"
    # Discovered two hours ago: the authority letter is on time whatever day the suite runs (a fixed date turned
    # every draft late three days after it was written).
    discovered = (datetime.now(UTC) - timedelta(hours=2)).astimezone(ZoneInfo("Europe/Amsterdam"))
    facts = yaml.safe_load(INCIDENT_YAML)
    facts.update(stores=["multi"], discovered_at=f"{discovered:%Y-%m-%d %H:%M}", people_count=700, records_count=1400)
    for name, german in GERMAN_FACTS.items():  # each language's letter states the facts in its language
        facts[name]["de"] = german
    incident.write_text(yaml.safe_dump(facts, allow_unicode=True), encoding="utf-8")
    assert breach("new", "--file", str(incident), db=db).code == 0
    return ["1", "--store", "multi", "-c", str(tmp_path / "fleet.yaml"), "--env-file", str(tmp_path / ".env"),
            "--artifacts-dir", str(tmp_path / "runs")]


def test_each_person_gets_the_message_in_their_own_language(
        tmp_path: Path, multi: MockServer, smtp: SmtpSink, breach: BreachCli, sqlite_url: str) -> None:
    args = _setup(tmp_path, multi, breach, sqlite_url, ["nl", "en", "de"], smtp)
    people = tmp_path / "people.csv"
    people.write_text("email,name,language\nann@x.test,Ann,de\nbo@x.test,Bo,en-GB\ncor@x.test,Cor,\n"
                      "dirk@x.test,Dirk,NL\n", encoding="utf-8")
    plan = breach("notify", *args, "--recipients", str(people), db=sqlite_url)
    assert plan.code == 2, plan.out + plan.err
    assert "to send: 4 (de: 1, en: 1, nl: 2)" in plan.out
    for language in ("nl", "en", "de"):  # every shop language's message is rendered in the plan
        assert f"message {language}: '{SUBJECTS[language]}" in plan.out
    assert "+ ann@x.test [de]" in plan.out and "+ cor@x.test [nl]" in plan.out
    assert smtp.received == []

    applied = breach("notify", *args, "--recipients", str(people), "--apply", "--rate", "6000", db=sqlite_url)
    assert applied.code == 0, applied.out + applied.err
    by_address = {item.recipients[0]: item.message for item in smtp.received}
    assert sorted(by_address) == ["ann@x.test", "bo@x.test", "cor@x.test", "dirk@x.test"]
    expected = {"ann@x.test": "de", "bo@x.test": "en", "cor@x.test": "nl", "dirk@x.test": "nl"}
    for address, language in expected.items():
        message = by_address[address]
        assert str(message["Subject"]).startswith(SUBJECTS[language]), (address, message["Subject"])
    german = by_address["ann@x.test"].get_body(("plain",)).get_content()
    for element in ("Was ist passiert?", "Welche Folgen kann das für Sie haben?", "Was wir unternommen haben",
                    "Anna de Vries", "Guten Tag Ann"):
        assert element in german
    notified = next((tmp_path / "runs").glob("*/breach/incident-1/multi/notified.csv")).read_text(encoding="utf-8")
    assert "ann@x.test,de,sent" in notified and "bo@x.test,en,sent" in notified


def test_the_backoffice_lists_are_written_to_in_the_default_shop_language(
        tmp_path: Path, multi: MockServer, breach: BreachCli, sqlite_url: str) -> None:
    args = _setup(tmp_path, multi, breach, sqlite_url, ["nl", "en", "de"])
    plan = breach("notify", *args, db=sqlite_url)
    assert plan.code == 2, plan.out + plan.err
    listed = [line for line in plan.out.splitlines() if line.startswith("  + ")]
    assert "  + jan@example.test [nl] (newsletter)" in listed
    assert len(listed) > 1 and all("[nl]" in line for line in listed), listed


def test_a_shop_language_without_a_template_fails_before_anything_is_sent(
        tmp_path: Path, multi: MockServer, smtp: SmtpSink, breach: BreachCli, sqlite_url: str) -> None:
    args = _setup(tmp_path, multi, breach, sqlite_url, ["nl", "es"], smtp)
    people = tmp_path / "people.csv"
    people.write_text("email,language\nann@x.test,nl\n", encoding="utf-8")  # nobody even speaks Spanish
    for extra in ([], ["--apply"]):
        result = breach("notify", *args, "--recipients", str(people), *extra, db=sqlite_url)
        assert result.code == 1, result.out + result.err
        assert ("store multi: error: store multi: shop language 'es' has no customers template: no "
                "customers.es.html.j2 in ") in result.out
        assert "automation/breach/templates" in result.out
    assert smtp.received == []
    shown = json.loads(breach("show", "1", "--format", "json", db=sqlite_url).out)
    assert not [e for e in shown["events"] if e["kind"] in ("recipients_listed", "customers_notified")]

    published = breach("publish", *args, "--apply", db=sqlite_url)
    assert published.code == 1
    assert "shop language 'es' has no notice template: no notice.es.html.j2 in " in published.out
    assert not any("Spanish" in p["title"] or "incident 1" in p["title"]
                   for p in http_json(f"{multi.url}/__mock__/state")["stores"]["multi"]["pages"])


def _notice_page(server: MockServer) -> dict[str, Any]:
    pages = http_json(f"{server.url}/__mock__/state")["stores"]["multi"]["pages"]
    [page] = [p for p in pages if p["title"] == NOTICE_TITLES["nl"]]
    return page


def _address(server: MockServer, language: str, slug: str) -> str:
    prefix = "" if language == "nl" else f"{language}/"
    return f"{server.url}/multi/{prefix}service/{slug}/"


@pytest.mark.browser
def test_the_notice_is_published_in_every_language_backed_up_and_withdrawn(
        tmp_path: Path, multi: MockServer, breach: BreachCli, sqlite_url: str) -> None:
    args = _setup(tmp_path, multi, breach, sqlite_url, ["nl", "en", "de"])
    plan = breach("publish", *args, db=sqlite_url)
    assert plan.code == 2, plan.out + plan.err
    for language, title in NOTICE_TITLES.items():
        assert f"store multi [{language}]: {title!r}: create the page, visible" in plan.out

    published = breach("publish", *args, "--apply", db=sqlite_url)
    assert published.code == 0, published.out + published.err
    page = _notice_page(multi)
    assert page["visible"]
    assert {language: text["title"] for language, text in page["translations"].items()} == {
        "en": NOTICE_TITLES["en"], "de": NOTICE_TITLES["de"]}
    for language in NOTICE_TITLES:
        url = _address(multi, language, page["slug"])
        assert f"store multi [{language}]: the notice is public at {url}" in published.out
        status, body = http_text(url)
        assert status == 200 and NOTICE_HEADINGS[language] in body and "Anna de Vries" in body, language
    assert breach("publish", *args, db=sqlite_url).code == 0  # every language as wanted: nothing to do
    shown = breach("show", "1", db=sqlite_url).out
    assert f"de {_address(multi, 'de', page['slug'])}" in shown

    # New facts: every language's old content is saved before the page is overwritten.
    measures = tmp_path / "measures.yaml"
    measures.write_text(yaml.safe_dump({"measures_taken": NEW_MEASURES}, allow_unicode=True), encoding="utf-8")
    assert breach("update", "1", "--file", str(measures), db=sqlite_url).code == 0
    replan = breach("publish", *args, db=sqlite_url)
    assert replan.code == 2 and replan.out.count("replace the content (backup first)") == 3, replan.out
    assert breach("publish", *args, "--apply", db=sqlite_url).code == 0
    for language in NOTICE_TITLES:
        [backup] = (tmp_path / "runs").glob(f"*/backups/multi/breach_notice-*.{language}.html")
        old = backup.read_text(encoding="utf-8")
        assert OLD_MEASURES[language] in old and NOTICE_HEADINGS[language] in old, language
        assert NEW_MEASURES[language] in html.unescape(http_text(_address(multi, language, page["slug"]))[1])

    withdrawn = breach("publish", *args, "--withdraw", "--apply", db=sqlite_url)
    assert withdrawn.code == 0, withdrawn.out + withdrawn.err
    assert "the notice is hidden in every language (nl, en, de)" in withdrawn.out
    page = _notice_page(multi)
    assert page["visible"] is False and page["translations"]["de"]["content"]  # hidden, kept in every language
    for language in NOTICE_TITLES:
        assert http_text(_address(multi, language, page["slug"]))[0] == 404, language


def test_drafts_render_every_shop_language_and_the_authority_letter_once(
        tmp_path: Path, multi: MockServer, breach: BreachCli, sqlite_url: str) -> None:
    args = _setup(tmp_path, multi, breach, sqlite_url, ["nl", "en", "de"])
    config = args[args.index("-c"):args.index("-c") + 2]
    out = tmp_path / "drafts"
    assert breach("draft", "1", "--customers", *config, "--out", str(out), db=sqlite_url).code == 0
    assert breach("draft", "1", "--authority", *config, "--out", str(out), db=sqlite_url).code == 0
    assert sorted(path.name for path in (out / "incident-1").glob("*.txt")) == [
        "authority-multi-nl.txt", "customers-multi-de.txt", "customers-multi-en.txt", "customers-multi-nl.txt"]
    german = (out / "incident-1" / "customers-multi-de.txt").read_text(encoding="utf-8")
    assert german.startswith(f"Subject: {SUBJECTS['de']}") and "Anna de Vries" in german
    refused = breach("draft", "1", "--notice", *config, "--language", "es", "--out", str(out), db=sqlite_url)
    assert refused.code == 1 and "shop language 'es' has no notice template: no notice.es.html.j2 in" in refused.err
