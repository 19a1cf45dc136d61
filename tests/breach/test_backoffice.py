"""breach notify reading its recipients through the backoffice (Customers and Marketing > Newsletter), and
breach publish / --withdraw of the public notice: real Chromium, the real mock over HTTP, a real SMTP server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mock_backoffice import MockServer
from mock_backoffice.smtp_sink import SmtpSink
from tests.breach.conftest import BreachCli
from tests.support import all_secrets, http_text, write_fleet

# Not in the `clock` group (make test's second pass, two years ahead): the dates here (drafts, register) run on
# breach_clock exactly as in test_languages.py, which is in it, publish included; the rest is browser work
# without dates, and 40 s of it.
pytestmark = pytest.mark.browser
CUSTOMERS = ["anna@example.test", "sara@example.test", "tom@example.test"]  # the mock's Customers page


def _args(tmp_path: Path, server: MockServer, store: str) -> list[str]:
    fleet = write_fleet(tmp_path, server.url, {}, ["shop-nl", "shop-en"])
    return ["1", "--store", store, "-c", str(fleet), "--env-file", str(tmp_path / ".env"), "--artifacts-dir",
            str(tmp_path / "runs")]


def test_notify_reads_customers_and_subscribers_and_emails_each_once(
        tmp_path: Path, mock_server: MockServer, mock_state: Any, smtp: SmtpSink, breach: BreachCli,
        sqlite_url: str, incident_file: Path) -> None:
    args = _args(tmp_path, mock_server, "shop-nl")
    with (tmp_path / ".env").open("a", encoding="utf-8") as env:
        env.writelines(f"{k}={v}\n" for k, v in smtp.env().items())
    assert breach("new", "--file", str(incident_file), db=sqlite_url).code == 0
    subscribers = sorted(s["email"].casefold() for s in mock_state()["shop-nl"]["subscribers"] if not s["archived"])
    expected = sorted(set(subscribers) | set(CUSTOMERS))

    plan = breach("notify", *args, db=sqlite_url)
    assert plan.code == 2, plan.out + plan.err
    assert f"{len(expected)} recipient(s) from the backoffice" in plan.out
    assert f"to send: {len(expected)} (nl: {len(expected)})" in plan.out
    assert "+ anna@example.test [nl] (customers)" in plan.out
    assert smtp.received == []

    applied = breach("notify", *args, "--apply", "--rate", "6000", db=sqlite_url)
    assert applied.code == 0, applied.out + applied.err
    assert sorted(item.recipients[0].casefold() for item in smtp.received) == expected
    assert all(item.message["Subject"].startswith("Belangrijk:") for item in smtp.received)
    recipients = [e for e in json.loads(breach("show", "1", "--format", "json", db=sqlite_url).out)["events"]
                  if e["kind"] == "recipients_listed"]
    assert recipients[0]["data"]["count"] == len(expected)  # the list itself is kept in the register
    assert not any(secret in applied.out + plan.out for secret in [*all_secrets(), smtp.password])


@pytest.mark.usefixtures("warm_sessions")  # not about logging in (tests/warm_sessions.py)
def test_publish_plans_creates_verifies_and_withdraws_the_notice(
        tmp_path: Path, mock_server: MockServer, mock_state: Any, breach: BreachCli, sqlite_url: str,
        incident_file: Path) -> None:
    args = _args(tmp_path, mock_server, "shop-en")
    assert breach("new", "--file", str(incident_file), db=sqlite_url).code == 0
    title = "Notice of a data breach (incident 1)"

    plan = breach("publish", *args, db=sqlite_url)
    assert plan.code == 2, plan.out + plan.err
    assert f"store shop-en [en]: {title!r}: create the page, visible" in plan.out
    assert title not in json.dumps(mock_state()["shop-en"]["pages"])

    published = breach("publish", *args, "--apply", db=sqlite_url)
    assert published.code == 0, published.out + published.err
    page = next(p for p in mock_state()["shop-en"]["pages"] if p["title"] == title)
    assert page["visible"] and "misconfigured export" in page["content"]
    url = f"{mock_server.url}/shop-en/service/{page['slug']}/"
    assert f"the notice is public at {url}" in published.out
    status, body = http_text(url)
    assert status == 200 and "Anna de Vries" in body
    assert breach("publish", *args, db=sqlite_url).code == 0  # nothing left to do

    # New facts: the page's old content is backed up before it is replaced.
    updated = breach("update", "1", "--measures-taken", "All passwords were reset.", "--facts-language", "en",
                     db=sqlite_url)
    assert "note: measures_taken changed in en only; nl still says the earlier text" in updated.out
    assert "replace the content" in breach("publish", *args, db=sqlite_url).out
    assert breach("publish", *args, "--apply", db=sqlite_url).code == 0
    backups = list((tmp_path / "runs").glob("*/backups/shop-en/breach_notice-*.html"))
    assert backups and "every session was revoked" in backups[0].read_text(encoding="utf-8")

    withdrawn = breach("publish", *args, "--withdraw", "--apply", db=sqlite_url)
    assert withdrawn.code == 0, withdrawn.out + withdrawn.err
    page = next(p for p in mock_state()["shop-en"]["pages"] if p["title"] == title)
    assert page["visible"] is False and "All passwords were reset." in page["content"]  # hidden, not deleted
    shown = breach("show", "1", db=sqlite_url).out
    assert "public notice: withdrawn" in shown


@pytest.mark.usefixtures("warm_sessions")  # not about logging in (tests/warm_sessions.py)
def test_a_store_that_fails_does_not_stop_the_other(tmp_path: Path, mock_server: MockServer, breach: BreachCli,
                                                   sqlite_url: str, incident_file: Path) -> None:
    args = [*_args(tmp_path, mock_server, "shop-en"), "--store", "shop-nl"]
    env = (tmp_path / ".env").read_text(encoding="utf-8")
    (tmp_path / ".env").write_text("\n".join(line for line in env.splitlines() if "SHOP_NL_PASSWORD" not in line))
    assert breach("new", "--file", str(incident_file), db=sqlite_url).code == 0
    result = breach("publish", *args, "--apply", db=sqlite_url)
    assert result.code == 1
    assert "store shop-nl: error: store shop-nl: secret(s) EP_SHOP_NL_PASSWORD not set" in result.out
    assert "store shop-en: the notice is public" in result.out


@pytest.mark.usefixtures("warm_sessions")  # not about logging in (tests/warm_sessions.py)
def test_publish_reaches_its_browser_through_the_one_browser_source(
        tmp_path: Path, mock_server: MockServer, breach: BreachCli, sqlite_url: str, incident_file: Path,
        shared_chromium: Any) -> None:
    """The breach commands once launched a browser of their own: --cdp-endpoint (a browser farm) did not reach
    them. They now take their browser where every command does (automation/browser/source.py)."""
    args = _args(tmp_path, mock_server, "shop-en")
    assert breach("new", "--file", str(incident_file), db=sqlite_url).code == 0
    plan = breach("publish", *args, "--cdp-endpoint", shared_chromium.endpoint, db=sqlite_url)
    assert plan.code == 2, plan.out + plan.err
    assert "connected to a remote browser over CDP" in plan.err, plan.err
