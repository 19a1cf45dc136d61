"""Breach tests: the register on SQLite and on a real PostgreSQL, the CLI in-process, a real SMTP server.

Every command runs on `breach_clock`, which stands at NOW: two hours after the incident of INCIDENT_YAML was
discovered. A test's other times are counted from that clock (never from the real one), so a deadline is
exactly as far away on any day the suite runs (issue #25)."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from automation.cli import main
from ecom_privacy.clock import FixedClock
from mock_backoffice.smtp_sink import SmtpSink


@dataclass
class Result:
    code: int
    out: str
    err: str


BreachCli = Callable[..., Result]

#: `discovered_at: 2026-11-25 09:30` of INCIDENT_YAML (Europe/Amsterdam, CET)
DISCOVERED = datetime(2026, 11, 25, 8, 30, tzinfo=UTC)
#: the tests' now: two hours after the discovery, the authority deadline 70 hours away
NOW = DISCOVERED + timedelta(hours=2)

INCIDENT_YAML = """\
title: Platform incident LS-2026-11
stores: [shop-nl, shop-en]
discovered_at: 2026-11-25 09:30
discovered_by: platform
reported_by: Lightspeed security notice SN-2026-11
nature:
  en: An unauthorised party read customer names and email addresses through a misconfigured export.
  nl: Via een verkeerd ingestelde export las een onbevoegde partij namen en e-mailadressen van klanten.
people_categories:
  en: [customers, newsletter subscribers]
  nl: [klanten, nieuwsbriefabonnees]
people_count: {shop-nl: 400, shop-en: 300}
record_categories: {en: [names, email addresses], nl: [namen, e-mailadressen]}
records_count: {shop-nl: 800, shop-en: 600}
consequences:
  en: Phishing emails that appear to come from the shop.
  nl: Phishingmails die van de winkel lijken te komen.
measures_taken:
  en: The export was closed and every session was revoked.
  nl: De export is gesloten en elke sessie is ingetrokken.
measures_proposed:
  en: Two-step login for all staff accounts.
  nl: Inloggen in twee stappen voor alle medewerkers.
contact_name: Anna de Vries
contact_role: {en: Data protection officer, nl: Functionaris gegevensbescherming}
contact_email: privacy@agency.test
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty register database: a SQLite file, or a fresh database on the session's real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'register.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'register.sqlite3'}"


@pytest.fixture
def breach_clock() -> FixedClock:
    """The clock every breach command of the test runs on (move it with `advance`)."""
    return FixedClock(NOW)


@pytest.fixture
def breach(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, breach_clock: FixedClock) -> BreachCli:
    """`ecom-privacy breach ...` in-process on `breach_clock`, as actor 'tester'; the register is given with db=..."""
    monkeypatch.setenv("ECOM_PRIVACY_ACTOR", "tester")

    def run(*args: str, db: str, tz: str = "Europe/Amsterdam") -> Result:
        out = io.StringIO()
        code = main(["breach", *args, "--db", db, "--tz", tz], out=out, clock=breach_clock)
        return Result(code, out.getvalue(), capsys.readouterr().err)

    return run


@pytest.fixture
def incident_file(tmp_path: Path) -> Path:
    path = tmp_path / "incident.yaml"
    path.write_text(INCIDENT_YAML, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def smtp_cert_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("openssl") is None:
        pytest.skip("SMTP tests skipped: no openssl command to make the test server's certificate "
                    "(apt-get install openssl)")
    return tmp_path_factory.mktemp("smtp-cert")  # one certificate for the session: RSA keys take a while


@pytest.fixture
def smtp(smtp_cert_dir: Path) -> Iterator[SmtpSink]:
    """A fresh local SMTP server (STARTTLS, AUTH) on a free port."""
    with SmtpSink(cert_dir=smtp_cert_dir) as sink:
        yield sink
