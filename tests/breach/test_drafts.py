"""Drafts: every element the law requires, in nl and en, autoescaped, from templates the user can override;
a missing fact is an error naming it; a late notification needs the reasons for the delay."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ecom_privacy.clock import FixedClock
from tests.breach.conftest import INCIDENT_YAML, BreachCli
from tests.support import write_fleet

pytestmark = pytest.mark.clock


def _fleet(tmp_path: Path) -> list[str]:
    return ["-c", str(write_fleet(tmp_path, "http://127.0.0.1:9", {}, ["shop-nl", "shop-en"]))]


def test_authority_draft_has_every_required_field_per_store(breach: BreachCli, sqlite_url: str, incident_file: Path,
                                                            tmp_path: Path, breach_clock: FixedClock) -> None:
    discovered = (breach_clock.now() - timedelta(hours=2)).replace(second=0, microsecond=0)
    breach("new", "--file", str(incident_file), "--discovered-at", discovered.isoformat(), db=sqlite_url)
    out = tmp_path / "drafts"
    result = breach("draft", "1", "--authority", "--out", str(out), *_fleet(tmp_path), db=sqlite_url)
    assert result.code == 0, result.err
    english = (out / "incident-1" / "authority-shop-en-en.txt").read_text(encoding="utf-8")
    assert "Reasons for the delay" not in english
    local = discovered.astimezone(ZoneInfo("Europe/Amsterdam")).strftime("%Y-%m-%d %H:%M %Z")
    for expected in ("Subject: Personal data breach notification (Art. 33 GDPR): Shop EN", f"Discovered: {local}",
                     "misconfigured export", "customers, newsletter subscribers; approximate number: 300",
                     "names, email addresses; approximate number: 600", "Phishing emails",
                     "every session was revoked", "Two-step login", "Anna de Vries (Data protection officer)"):
        assert expected in english, expected
    dutch = (out / "incident-1" / "authority-shop-nl-nl.txt").read_text(encoding="utf-8")
    assert "Melding datalek (art. 33 AVG): Winkel NL" in dutch and "geschat aantal: 400" in dutch
    for element in ("verkeerd ingestelde export", "klanten, nieuwsbriefabonnees", "Functionaris gegevensbescherming"):
        assert element in dutch, element  # the Dutch letter states the facts in Dutch
    assert "misconfigured export" not in dutch
    shown = breach("show", "1", "--format", "json", db=sqlite_url).out
    assert shown.count('"draft_rendered"') == 2  # the register keeps what was drafted


def test_a_late_authority_draft_needs_and_shows_the_reasons_for_delay(breach: BreachCli, sqlite_url: str,
                                                                       incident_file: Path, tmp_path: Path,
                                                                       breach_clock: FixedClock) -> None:
    discovered = breach_clock.now() - timedelta(hours=80)
    breach("new", "--file", str(incident_file), "--discovered-at", discovered.isoformat(), db=sqlite_url)
    out = tmp_path / "drafts"
    refused = breach("draft", "1", "--authority", "--out", str(out), *_fleet(tmp_path), db=sqlite_url)
    assert refused.code == 1 and "'delay_reasons'" in refused.err and "--delay-reasons" in refused.err
    assert breach("update", "1", "--delay-reasons", "the platform's notice came late", "--facts-language", "en",
                  db=sqlite_url).code == 0
    assert breach("draft", "1", "--authority", "--store", "shop-en", "--out", str(out), *_fleet(tmp_path),
                  db=sqlite_url).code == 0
    text = (out / "incident-1" / "authority-shop-en-en.txt").read_text(encoding="utf-8")
    assert "Reasons for the delay" in text and "the platform's notice came late" in text


def test_customer_message_in_both_languages_with_the_four_elements(breach: BreachCli, sqlite_url: str,
                                                                  incident_file: Path, tmp_path: Path) -> None:
    breach("new", "--file", str(incident_file), db=sqlite_url)
    out = tmp_path / "drafts"
    result = breach("draft", "1", "--customers", "--store", "shop-en", "--language", "en", "--language", "nl",
                    "--out", str(out), *_fleet(tmp_path), db=sqlite_url)
    assert result.code == 0, result.err
    elements = {"en": ("misconfigured export", "Contact Anna de Vries", "Phishing emails", "every session was revoked"),
                "nl": ("verkeerd ingestelde export", "Neem contact op met Anna de Vries", "Phishingmails",
                       "elke sessie is ingetrokken")}
    for language, expected in elements.items():
        text = (out / "incident-1" / f"customers-shop-en-{language}.txt").read_text(encoding="utf-8")
        # nature, contact, likely consequences, measures taken (Art. 34(2)), each in the letter's language
        for element in expected:
            assert element in text, (language, element)


def test_a_missing_fact_is_named_not_left_blank(breach: BreachCli, sqlite_url: str, tmp_path: Path) -> None:
    breach("new", "--title", "t", "--store", "shop-nl", "--discovered-at", "now", "--discovered-by", "own",
           "--nature", "A lost laptop.", "--contact-name", "Piet", "--contact-email", "piet@x.test", db=sqlite_url)
    result = breach("draft", "1", "--customers", "--out", str(tmp_path / "d"), *_fleet(tmp_path), db=sqlite_url)
    assert result.code == 1
    assert "needs the fact 'consequences'" in result.err and "breach update 1 --consequences" in result.err
    assert "also missing: measures_taken" in result.err
    assert not (tmp_path / "d").exists()  # nothing half-written


def test_facts_are_escaped_and_user_templates_win(breach: BreachCli, sqlite_url: str, incident_file: Path,
                                                 tmp_path: Path) -> None:
    english = "An unauthorised party read customer names and email addresses through a misconfigured export."
    incident_file.write_text(INCIDENT_YAML.replace(english, '"<script>alert(1)</script> & more"'), encoding="utf-8")
    breach("new", "--file", str(incident_file), db=sqlite_url)
    mine = tmp_path / "my-templates"
    mine.mkdir()
    (mine / "customers.en.html.j2").write_text(
        '{% set subject = "Our own subject" %}<p>{{ facts.nature }}</p><p>{{ facts.contact_name }}</p>'
        "<p>{{ facts.consequences }}</p><p>{{ facts.measures_taken }}</p>", encoding="utf-8")
    out = tmp_path / "drafts"
    result = breach("draft", "1", "--customers", "--store", "shop-en", "--templates", str(mine), "--out", str(out),
                    *_fleet(tmp_path), db=sqlite_url)
    assert result.code == 0, result.err
    html = (out / "incident-1" / "customers-shop-en-en.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html and "<script>" not in html
    assert "Our own subject" in result.out
    # The Dutch one is not overridden: the shipped template is used.
    nl = breach("draft", "1", "--customers", "--store", "shop-nl", "--templates", str(mine), "--out", str(out),
                *_fleet(tmp_path), db=sqlite_url)
    assert nl.code == 0 and "Belangrijk" in nl.out
    (mine / "customers.en.html.j2").write_text("{{ facts.nature }}{{ no_such_thing }}", encoding="utf-8")
    broken = breach("draft", "1", "--customers", "--store", "shop-en", "--templates", str(mine), "--out", str(out),
                    *_fleet(tmp_path), db=sqlite_url)
    assert broken.code == 1 and "customers.en.html.j2" in broken.err and "no_such_thing" in broken.err


def test_the_authority_draft_turns_late_when_the_clock_passes_the_deadline(
        breach: BreachCli, sqlite_url: str, incident_file: Path, tmp_path: Path, breach_clock: FixedClock) -> None:
    """The deadline is driven by the CLI's clock: moved past the 72 hours, the same draft needs the reasons."""
    breach("new", "--file", str(incident_file), db=sqlite_url)  # discovered two hours before the clock's now
    args = ["draft", "1", "--authority", "--store", "shop-en", "--out", str(tmp_path / "drafts"), *_fleet(tmp_path)]
    assert breach(*args, db=sqlite_url).code == 0
    breach_clock.advance(timedelta(hours=70, minutes=1))  # a minute past the deadline, without waiting for it
    late = breach(*args, db=sqlite_url)
    assert late.code == 1 and "'delay_reasons'" in late.err
