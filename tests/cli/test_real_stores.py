"""Issue #20 end to end: real paths, both markup dialects, state read as data, a list without a Source column.

Real Chromium, the mock over HTTP, the CLI in-process. The mock's access log (`GET /__mock__/requests`) shows
which addresses a run asked for."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from mock_backoffice import MockServer
from tests.cli.conftest import CliRunner
from tests.support import http_json, write_fleet

# Not about logging in: each store starts logged in (tests/warm_sessions.py).
pytestmark = pytest.mark.usefixtures("warm_sessions")

TEMPLATES = Path(__file__).resolve().parents[2] / "config" / "templates"
#: every setting the tool manages; the newsletter as most real stores need it (no Source column)
EVERY_SETTING: dict[str, Any] = {
    "cookie_law": {"mode": "custom", "message": "Wij gebruiken alleen cookies met jouw toestemming.",
                   "manage_cookies": True},
    "analytics": {"measurement_id": "G-REAL2020"},
    "privacy_policy": {"mode": "require", "template": str(TEMPLATES / "privacy-policy.{locale}.html"),
                       "vars": {"address": "Dorpsstraat 1, Utrecht", "email": "privacy@shop-nl.test",
                                "updated": "2025-03-01"}},
    "ccpa_page": {"state": "present", "template": str(TEMPLATES / "ccpa.{locale}.html"),
                  "vars": {"email": "privacy@shop-nl.test"}},
    "newsletter_archive": {"enabled": True, "sources": "any", "keep": ["kept@example.test"]},
}
#: the backoffice addresses the real sidebar menu shows (docs/backoffice.md), their JSON twins, and the login
REAL = re.compile(r"^admin/(|auth/.*|settings/web_extras(\.json)?|web_statistics(\.json)?|pages(\.json)?|pages/new|"
                  r"pages/\d+(\.json)?|newsletter_subscriptions(\.json|/archive)?)$")
OLD = ("admin/settings/extras", "admin/settings/statistics", "admin/content/pages", "admin/marketing/newsletter",
       "admin/settings/account")


def asked(server: MockServer, store: str) -> list[str]:
    return [record["path"] for record in http_json(f"{server.url}/__mock__/requests?store={store}")["requests"]]


def fleet(tmp_path: Path, server: MockServer, defaults: dict[str, Any] | None = None) -> list[str]:
    path = write_fleet(tmp_path, server.url, defaults or EVERY_SETTING, ["shop-nl"])
    return ["-c", str(path), "--env-file", str(tmp_path / ".env")]


def real_like(server: MockServer, markup: str, twins: bool) -> None:
    """shop-nl as most real stores are: no Source column; in this markup, with or without JSON twins."""
    http_json(f"{server.url}/__mock__/store-options", {"store": "shop-nl", "markup": markup, "json_twins": twins,
                                                       "newsletter_source_column": False})
    # One subscriber on the keep list, from before the cutoff: kept, whatever the rule says.
    http_json(f"{server.url}/__mock__/subscribers", {"store": "shop-nl", "email": "kept@example.test",
                                                     "subscribed_at": "2015-01-01", "source": "import"})


@pytest.mark.parametrize(("markup", "twins"), [("classic", True), ("aria", True), ("classic", False),
                                               ("aria", False)], ids=["classic", "aria", "classic-no-twins",
                                                                      "aria-no-twins"])
def test_plan_apply_plan_with_every_setting(markup: str, twins: bool, cli: CliRunner, mock_server: MockServer,
                                            mock_state, tmp_path: Path) -> None:
    real_like(mock_server, markup, twins)
    args = fleet(tmp_path, mock_server)
    before = {s["email"]: s for s in mock_state()["shop-nl"]["subscribers"]}
    pre_cutoff = {email for email, s in before.items() if s["subscribed_at"] < "2018-05-25"} - {"kept@example.test"}

    planned = cli("plan", *args)
    assert planned.code == 2, planned.out + planned.err
    # every setting has a change (the archive is blocked in a plan: irreversible, it needs --allow-archive)
    assert all(re.search(rf"^  [~+!] {name}: ", planned.out, re.MULTILINE) for name in EVERY_SETTING), planned.out

    applied = cli("apply", *args, "--auto-approve", "--allow-archive")
    assert applied.code == 0, applied.out + applied.err
    state = mock_state()["shop-nl"]
    assert state["cookie_law"]["mode"] == "custom" and state["analytics"]["measurement_id"] == "G-REAL2020"
    assert {s["email"] for s in state["subscribers"] if s["archived"]} == pre_cutoff
    assert not next(s for s in state["subscribers"] if s["email"] == "kept@example.test")["archived"]
    # The export was written before the first archive click, with exactly those subscribers.
    [run_dir] = [d for d in sorted((tmp_path / "runs").iterdir()) if (d / "report.json").is_file()
                 and json.loads((d / "report.json").read_text())["kind"] == "apply"]
    [export] = (run_dir / "exports" / "shop-nl").glob("newsletter-archive-*.csv")
    assert {row["email"] for row in csv.DictReader(io.StringIO(export.read_text()))} == pre_cutoff

    again = cli("plan", *args)
    assert again.code == 0, again.out + again.err
    if not twins:  # read from the pages, and said so in the report, once per twin
        report = json.loads((max((tmp_path / "runs").iterdir()) / "plan.json").read_text())
        notes = [d["summary"] for s in report["stores"][0]["settings"] for d in s["diagnostics"]]
        assert sorted(notes) == sorted(["read from the page: web_extras.json answered HTTP 404",
                                        "read from the page: web_statistics.json answered HTTP 404",
                                        "read from the page: pages.json answered HTTP 404",
                                        "read from the page: newsletter_subscriptions.json answered HTTP 404"])


def test_a_no_op_plan_asks_only_for_the_real_addresses_and_reads_the_cookie_law_as_data(
        cli: CliRunner, mock_server: MockServer, tmp_path: Path) -> None:
    real_like(mock_server, "classic", True)
    args = fleet(tmp_path, mock_server)
    assert cli("apply", *args, "--auto-approve", "--allow-archive").code == 0
    http_json(f"{mock_server.url}/__mock__/requests/clear", {})

    noop = cli("plan", *args)
    assert noop.code == 0, noop.out + noop.err
    paths = [path for path in asked(mock_server, "shop-nl") if path.startswith("admin")]
    assert paths and all(REAL.match(path) for path in paths), [p for p in paths if not REAL.match(p)]
    assert not any(path.startswith(OLD) for path in paths)
    # The cookie law was read from settings/web_extras.json, and no page was rendered to read anything.
    assert "admin/settings/web_extras.json" in paths and "admin/settings/web_extras" not in paths
    assert {"admin/web_statistics.json", "admin/pages.json", "admin/newsletter_subscriptions.json"} <= set(paths)
    assert [path for path in paths if not path.endswith(".json") and not path.startswith("admin/auth")] in (
        [], ["admin/"])  # at most the landing page of a login


def test_without_a_source_column_the_default_rule_fails_that_store_in_one_line(
        cli: CliRunner, mock_server: MockServer, tmp_path: Path) -> None:
    http_json(f"{mock_server.url}/__mock__/store-options", {"newsletter_source_column": False})
    path = write_fleet(tmp_path, mock_server.url, {"newsletter_archive": {"enabled": True}}, ["shop-nl", "shop-totp"])
    result = cli("plan", "-c", str(path), "--env-file", str(tmp_path / ".env"))
    assert result.code == 1, result.out + result.err
    [line] = [line for line in result.out.splitlines() if "newsletter_archive: FAILED" in line]
    assert line.strip().startswith("x newsletter_archive: FAILED (config): store shop-nl: newsletter_archive: the "
                                   "newsletter list shows no Source column")
    assert "sources: any" in line and "emails_file" in line
    assert "Store shop-totp: compliant" in result.out  # the other store goes on (it has no subscribers)


def test_a_saved_plan_without_sources_archives_exactly_the_plan(cli: CliRunner, mock_server: MockServer, mock_state,
                                                                 tmp_path: Path) -> None:
    """`sources: any` with a saved plan: rows are known by email and date. A signup after the plan (even one that
    matches the rule's date) is not archived, and the plan is not stale for it; a planned subscriber whose date
    changed (archived and signed up again) makes it stale."""
    http_json(f"{mock_server.url}/__mock__/store-options", {"store": "shop-nl", "newsletter_source_column": False})
    args = fleet(tmp_path, mock_server, {"newsletter_archive": {"enabled": True, "sources": "any"}})
    plan_file = tmp_path / "PLAN.json"
    assert cli("plan", *args, "--out", str(plan_file)).code == 2
    planned = json.loads(plan_file.read_text())["stores"][0]["changes"][0]["after"]["archived"]
    # A new subscriber after the plan: not in the plan, not archived.
    http_json(f"{mock_server.url}/__mock__/subscribers", {"store": "shop-nl", "email": "late@example.test"})
    applied = cli("apply", str(plan_file), *args, "--auto-approve", "--allow-archive")
    assert applied.code == 0, applied.out + applied.err
    assert {s["email"] for s in mock_state()["shop-nl"]["subscribers"] if s["archived"]} == set(planned)

    # Another plan; then one planned subscriber is archived by someone and signs up again (a new date): stale.
    http_json(f"{mock_server.url}/__mock__/subscribers", {"store": "shop-nl", "email": "old@example.test",
                                                         "subscribed_at": "2015-05-05"})
    assert cli("plan", *args, "--out", str(plan_file)).code == 2
    http_json(f"{mock_server.url}/__mock__/subscribers/archive", {"store": "shop-nl", "emails": ["old@example.test"]})
    http_json(f"{mock_server.url}/__mock__/subscribers", {"store": "shop-nl", "email": "old@example.test"})
    stale = cli("apply", str(plan_file), *args, "--auto-approve", "--allow-archive")
    assert stale.code == 1 and "changed or are now kept: old@example.test" in stale.out, stale.out
