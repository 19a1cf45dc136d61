"""Letters per store and language: each store's letter to the authority states its own numbers, each letter its
facts in its own language; a letter in a language (or of a store) the facts lack is refused, naming what to add
and the command that adds it, and nothing is written. The CLI in-process on SQLite and a real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from tests.breach.conftest import INCIDENT_YAML, BreachCli
from tests.support import write_fleet


def _new(breach: BreachCli, db: str, incident_file: Path) -> None:
    """The incident, discovered two hours ago: its letters to the authority are on time whenever the suite runs."""
    discovered = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    assert breach("new", "--file", str(incident_file), "--discovered-at", discovered, db=db).code == 0


def _fleet(tmp_path: Path) -> list[str]:
    return ["-c", str(write_fleet(tmp_path, "http://127.0.0.1:9", {}, ["shop-nl", "shop-en"]))]


def _draft(breach: BreachCli, db: str, tmp_path: Path, *args: str) -> tuple[int, str]:
    result = breach("draft", "1", *args, "--out", str(tmp_path / "drafts"), *_fleet(tmp_path), db=db)
    return result.code, result.out + result.err


def _text(tmp_path: Path, name: str) -> str:
    return (tmp_path / "drafts" / "incident-1" / f"{name}.txt").read_text(encoding="utf-8")


def test_each_letter_states_its_stores_numbers_and_its_languages_facts(
        breach: BreachCli, db_url: str, incident_file: Path, tmp_path: Path) -> None:
    _new(breach, db_url, incident_file)
    assert _draft(breach, db_url, tmp_path, "--authority")[0] == 0
    dutch, english = _text(tmp_path, "authority-shop-nl-nl"), _text(tmp_path, "authority-shop-en-en")
    assert "klanten, nieuwsbriefabonnees; geschat aantal: 400" in dutch
    assert "namen, e-mailadressen; geschat aantal registers: 800" in dutch
    assert "customers, newsletter subscribers; approximate number: 300" in english
    assert "names, email addresses; approximate number: 600" in english
    assert "misconfigured export" in english and "misconfigured export" not in dutch

    # A store's number given later keeps the other's; `show` names each.
    assert breach("update", "1", "--people-count", "shop-en=320", db=db_url).code == 0
    shown = breach("show", "1", db=db_url).out
    assert "people_count: shop-nl: 400; shop-en: 320" in shown
    assert "nature: en: An unauthorised party" in shown and "; nl: Via een verkeerd" in shown


def test_a_letter_in_a_language_the_facts_lack_is_refused_with_what_to_add(
        breach: BreachCli, db_url: str, incident_file: Path, tmp_path: Path) -> None:
    _new(breach, db_url, incident_file)
    code, said = _draft(breach, db_url, tmp_path, "--customers", "--store", "shop-en", "--language", "de")
    assert code == 1
    assert ("incident 1: the de customers message of store shop-en needs nature, consequences, measures_taken, "
            "measures_proposed, contact_role in de; the facts have them in en, nl only. Write the de texts in a "
            "facts file (nature: {de: ...}) and record them with 'ecom-privacy breach update 1 --file FACTS.yaml'"
            ) in said
    assert not (tmp_path / "drafts").exists()  # nothing half-written

    german = tmp_path / "de.yaml"
    german.write_text(yaml.safe_dump({
        "nature": {"de": "Ein Unbefugter las Namen und E-Mail-Adressen."},
        "consequences": {"de": "Phishing-E-Mails."}, "measures_taken": {"de": "Der Export wurde geschlossen."},
        "measures_proposed": {"de": "Anmeldung in zwei Schritten."}, "contact_role": {"de": "Datenschutz"}}),
        encoding="utf-8")
    assert breach("update", "1", "--file", str(german), db=db_url).code == 0
    assert _draft(breach, db_url, tmp_path, "--customers", "--store", "shop-en", "--language", "de")[0] == 0
    letter = _text(tmp_path, "customers-shop-en-de")
    assert "Ein Unbefugter las Namen" in letter and "An unauthorised party" not in letter
    # The German texts were added: the English and Dutch ones are still there.
    assert _draft(breach, db_url, tmp_path, "--customers", "--store", "shop-en", "--language", "nl")[0] == 0
    assert "Via een verkeerd ingestelde export" in _text(tmp_path, "customers-shop-en-nl")


def test_texts_of_no_stated_language_are_never_pasted_into_a_letter(
        breach: BreachCli, db_url: str, tmp_path: Path) -> None:
    """Plain-text facts (flags) in no stated language: every letter is refused until their language is said,
    then only letters in that language are written."""
    assert breach("new", "--title", "Lost laptop", "--store", "shop-nl", "--discovered-at", "now",
                  "--discovered-by", "own", "--nature", "Een laptop is gestolen.", "--consequences", "Geen.",
                  "--measures-taken", "Wachtwoorden gewijzigd.", "--contact-name", "Piet",
                  "--contact-email", "piet@x.test", db=db_url).code == 0
    code, said = _draft(breach, db_url, tmp_path, "--customers")
    assert code == 1 and "the facts do not say which language they are written in: if in nl, record that with " \
                          "'ecom-privacy breach update 1 --facts-language nl'" in said
    assert breach("update", "1", "--facts-language", "nl", db=db_url).code == 0
    assert _draft(breach, db_url, tmp_path, "--customers")[0] == 0
    assert "Een laptop is gestolen." in _text(tmp_path, "customers-shop-nl-nl")
    code, said = _draft(breach, db_url, tmp_path, "--customers", "--language", "en")
    assert code == 1 and "needs nature, consequences, measures_taken in en; the facts have them in nl only" in said


def test_one_number_for_several_stores_is_refused_in_their_letters(
        breach: BreachCli, db_url: str, incident_file: Path, tmp_path: Path) -> None:
    shared = yaml.safe_load(INCIDENT_YAML)
    shared.update(people_count=700, records_count=1400)
    incident_file.write_text(yaml.safe_dump(shared, allow_unicode=True), encoding="utf-8")
    _new(breach, db_url, incident_file)
    code, said = _draft(breach, db_url, tmp_path, "--authority", "--store", "shop-nl")
    assert code == 1
    assert ("incident 1: the authority letter of store shop-nl needs people_count, records_count of store shop-nl, "
            "and the incident touches 2 stores (shop-nl, shop-en) with one number for all (people_count: 700, "
            "records_count: 1400); give each store's: 'ecom-privacy breach update 1 --people-count shop-nl=N "
            "--people-count shop-en=N --records-count shop-nl=N --records-count shop-en=N'") in said
    assert breach("update", "1", "--people-count", "shop-nl=400", "--people-count", "shop-en=300",
                  "--records-count", "shop-nl=800", db=db_url).code == 0
    code, said = _draft(breach, db_url, tmp_path, "--authority", "--store", "shop-en")
    assert code == 1 and "needs records_count of store shop-en; the facts give it for other stores only; add it: " \
                          "'ecom-privacy breach update 1 --records-count shop-en=N'" in said
    # The customers' message quotes no number: it is written.
    assert _draft(breach, db_url, tmp_path, "--customers", "--store", "shop-en")[0] == 0


def test_your_template_using_a_fact_the_letter_lacks_is_refused_with_the_reason(
        breach: BreachCli, db_url: str, incident_file: Path, tmp_path: Path) -> None:
    facts = yaml.safe_load(INCIDENT_YAML)
    facts["delay_reasons"] = {"en": "The platform's notice came late."}
    incident_file.write_text(yaml.safe_dump(facts), encoding="utf-8")
    _new(breach, db_url, incident_file)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "customers.nl.html.j2").write_text(
        '{% set subject = "Datalek" %}<p>{{ facts.nature }}</p><p>{{ facts.delay_reasons }}</p>', encoding="utf-8")
    code, said = _draft(breach, db_url, tmp_path, "--customers", "--store", "shop-nl", "--templates", str(mine))
    assert code == 1
    assert "template customers.nl.html.j2: incident 1: the nl customers message of store shop-nl needs " \
           "delay_reasons in nl; the facts have it in en only" in said


def test_bad_per_store_or_per_language_facts_are_one_line_errors(breach: BreachCli, db_url: str,
                                                                 tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    base = "title: x\nstores: [shop-nl]\ndiscovered_at: 2026-01-01T10:00\ndiscovered_by: own\n"
    for extra, expected in (("people_count: {shop-xx: 4}\n", "people_count: 'shop-xx' is not one of the incident's "
                                                             "stores (shop-nl)"),
                            ("nature: {dutch: x}\n", "key 'nature' (the nature of the breach (what happened)): "
                                                     "'dutch' is not a two-letter language code"),
                            ("facts_language: Dutch\n", "'Dutch' is not a two-letter language code")):
        bad.write_text(base + extra, encoding="utf-8")
        result = breach("new", "--file", str(bad), db=db_url)
        assert result.code == 1 and expected in result.err and len(result.err.strip().splitlines()) == 1, result.err
    mixed = breach("new", "--title", "x", "--store", "shop-nl", "--discovered-at", "now", "--discovered-by", "own",
                   "--people-count", "4", "--people-count", "shop-nl=4", db=db_url)
    assert mixed.code == 1 and "--people-count: give one number (an incident of one store) or STORE=NUMBER" in mixed.err
