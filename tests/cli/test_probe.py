"""`ecom-privacy probe` and `ui_overrides` end to end: real Chromium, the mock over HTTP, real files.

One mock for the module with three stores: a healthy one (two-step login, two shop languages, subscribers),
one whose Web extras page lost its COOKIE LAW section, and one where that section's heading was renamed.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from mock_backoffice import MockServer, write_fleet
from tests.cli.conftest import CliRunner
from tests.secret_scan import artifact_files, describe, scan_files
from tests.support import http_json, http_text

TEMPLATES = Path(__file__).resolve().parents[2] / "config" / "templates"
SEED: dict[str, Any] = {"stores": [
    {"id": "probe-ok", "locale": "nl", "languages": ["nl", "en"], "email": "eigenaar@probe-ok.test",
     "two_step": True, "newsletter_source_column": True,
     "subscribers": {"generate": {"count": 30, "passive_before_2018": 5, "seed": 3}}},
    {"id": "probe-gone", "locale": "en", "email": "owner@probe-gone.test", "break_ui": ["cookie_law_section"]},
    {"id": "probe-renamed", "locale": "en", "email": "owner@probe-renamed.test", "break_ui": ["cookie_law_renamed"]},
]}
#: every setting the tool manages, so the probe visits every page
DEFAULTS: dict[str, Any] = {
    "cookie_law": {"mode": "confirm"},
    "analytics": {"measurement_id": None},
    "privacy_policy": {"mode": "require", "profile": "gdpr",
                       "template": str(TEMPLATES / "privacy-policy.{locale}.html"),
                       "vars": {"company": "Probe BV", "address": "Dorpsstraat 1, Utrecht",
                                "email": "privacy@probe.test", "updated": "1 March 2025"}},
    "ccpa_page": {"state": "present", "template": str(TEMPLATES / "ccpa.{locale}.html"),
                  "vars": {"company": "Probe BV", "email": "privacy@probe.test"}},
    "newsletter_archive": {"enabled": True, "subscribed_before": "2018-05-25", "sources": ["manual", "import"]},
}
PAGES = ["Settings > Web extras", "Settings > Web statistics", "Content > Pages", "Content > Pages > page editor",
         "Marketing > Newsletter"]


@pytest.fixture(scope="module")
def probe_server() -> Iterator[MockServer]:
    with MockServer(SEED) as server:
        yield server


@pytest.fixture
def server(probe_server: MockServer) -> MockServer:
    http_json(f"{probe_server.url}/__mock__/reset", {})
    return probe_server


def fleet_args(server: MockServer, tmp_path: Path, **extra: Any) -> list[str]:
    fleet_path, env_path = write_fleet(server.world, server.url, tmp_path / "fleet.yaml")
    fleet = yaml.safe_load(fleet_path.read_text())
    fleet["defaults"] = DEFAULTS
    fleet.update(extra)
    fleet_path.write_text(yaml.safe_dump(fleet, sort_keys=False, allow_unicode=True))
    return ["-c", str(fleet_path), "--env-file", str(env_path)]


def probe(cli: CliRunner, tmp_path: Path, args: list[str], *more: str) -> tuple[int, str, str, Path]:
    result = cli("probe", *args, *more, "--artifacts-dir", str(tmp_path / "runs"), "--log-format", "json")
    run_dir = max((tmp_path / "runs").iterdir())
    return result.code, result.out, result.err, run_dir


def rows(run_dir: Path, store: str) -> list[dict[str, Any]]:
    document = json.loads((run_dir / "probe.json").read_text())
    return next(s for s in document["stores"] if s["id"] == store)["rows"]


def without_logins(state: dict[str, Any]) -> dict[str, Any]:
    return {sid: {k: v for k, v in store.items() if k not in ("login", "active_sessions")}
            for sid, store in state["stores"].items()}


def test_probe_on_a_healthy_store_finds_every_element_and_changes_nothing(
        cli: CliRunner, server: MockServer, tmp_path: Path) -> None:
    args = fleet_args(server, tmp_path)
    before = http_json(f"{server.url}/__mock__/state")
    code, out, err, run_dir = probe(cli, tmp_path, args, "--store", "probe-ok")
    assert code == 0, out + err
    assert "Store probe-ok (backoffice locale nl): " in out and "0 missing" in out
    assert "Probed 1 store(s): every element found" in out
    found = rows(run_dir, "probe-ok")
    assert {row["page"] for row in found} == set(PAGES)
    assert all(row["status"] == "found" for row in found), [r for r in found if r["status"] != "found"]
    elements = {(row["page"], row["element"]): row for row in found}
    section = elements[("Settings > Web extras", "section COOKIEWET")]
    assert (section["label"], section["key"], section["locale"]) == ("COOKIEWET", "cookie_law.section", "nl")
    assert section["source"].endswith("flows/labels/nl.yaml")
    assert ("Content > Pages > page editor", "language tab 'English' (en)") in elements  # two shop languages
    assert ("Marketing > Newsletter", "menu item archive selected") in elements  # looked at, never clicked
    line = next(line for line in out.splitlines() if "section COOKIEWET" in line)
    assert "Settings > Web extras" in line and "found" in line and "'COOKIEWET' (cookie_law.section, nl)" in line

    # The bundle: every visited page's ARIA snapshot and HTML, private like every run.
    bundle = run_dir / "probe" / "probe-ok"
    names = sorted(path.name for path in bundle.iterdir())
    assert "01-web_extras.aria.yaml" in names and "01-web_extras.html" in names and "probe.json" in names
    assert len([n for n in names if n.endswith(".aria.yaml")]) == 6  # two page editors: policy and CCPA
    assert 'heading "COOKIEWET"' in (bundle / "01-web_extras.aria.yaml").read_text()
    assert stat.S_IMODE(bundle.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in bundle.iterdir())
    newsletter = next(bundle.glob("*newsletter.html")).read_text()
    assert "@probe-ok.test" not in newsletter  # the subscribers' addresses, names and dates are masked...
    assert "<td>Formulier</td>" in newsletter or "<td>Handmatig</td>" in newsletter  # ...their sources are labels
    # Each page's JSON twin too, with its field names and choices, without the store's data: the first real
    # store's bundle tells the true names.
    twins = sorted(name for name in names if name.endswith(".json") and name != "probe.json")
    assert twins == ["01-settings-web_extras.json", "02-web_statistics.json", "03-pages.json", "04-pages-2.json",
                     "05-pages-1.json", "06-newsletter_subscriptions.json"]  # the CCPA page's editor: any page
    web_extras = json.loads((bundle / "01-settings-web_extras.json").read_text())
    assert web_extras["settings"]["cookie_law"]["mode"] == "none" and "google_search_console" in web_extras["settings"]
    listed = json.loads(next(bundle.glob("*newsletter_subscriptions.json")).read_text())
    assert listed["links"]["pages"] == 1 and listed["newsletter_subscriptions"][0]["email"] == "***"
    assert listed["newsletter_subscriptions"][0]["source"] in ("form", "checkout", "manual", "import")
    texts = "".join(path.read_text() for path in bundle.iterdir())
    for subscriber in before["stores"]["probe-ok"]["subscribers"]:
        assert subscriber["name"] not in texts and subscriber["email"] not in texts

    # Nothing changed but the login: the same pages, settings and subscribers.
    after_first = http_json(f"{server.url}/__mock__/state")
    assert without_logins(after_first) == without_logins(before)
    # With the cached session, not even a login: the mock's whole state is byte for byte the same.
    _, raw_before = http_text(f"{server.url}/__mock__/state")
    code, out, err, _ = probe(cli, tmp_path, args, "--store", "probe-ok")
    assert code == 0, out + err
    _, raw_after = http_text(f"{server.url}/__mock__/state")
    assert raw_after == raw_before
    assert json.loads(raw_after)["stores"]["probe-ok"]["login"]["successful_logins"] == 1


def test_probe_names_exactly_the_broken_element(cli: CliRunner, server: MockServer, tmp_path: Path) -> None:
    args = fleet_args(server, tmp_path)
    code, out, err, run_dir = probe(cli, tmp_path, args, "--store", "probe-gone", "--format", "json")
    assert code == 1, out + err
    printed = json.loads(out)
    [store] = printed["stores"]
    assert store["status"] == "missing" and store["error"] is None
    missing = [(row["page"], row["element"], row["label"], row["key"], row["locale"])
               for row in store["rows"] if row["status"] == "missing"]
    assert missing == [("Settings > Web extras", "section COOKIE LAW", "COOKIE LAW", "cookie_law.section", "en")]
    # What sits inside the section is not called missing as well: it could not be looked for.
    unchecked = {row["element"] for row in store["rows"] if row["status"] == "not checked"}
    assert "cookie law mode dropdown" in unchecked and "mode option confirm" in unchecked
    # The rest of the store was probed as usual.
    assert {row["page"] for row in store["rows"]} == set(PAGES)
    assert json.loads((run_dir / "probe.json").read_text())["stores"] == printed["stores"]


def test_an_override_fixes_a_renamed_label_for_probe_and_plan(cli: CliRunner, server: MockServer,
                                                              tmp_path: Path) -> None:
    args = fleet_args(server, tmp_path)
    code, out, _, _ = probe(cli, tmp_path, args, "--store", "probe-renamed")
    assert code == 1
    assert "section COOKIE LAW" in out and "MISSING" in out and "'COOKIE LAW' (cookie_law.section, en)" in out

    overrides = tmp_path / "ui-overrides.yaml"
    overrides.write_text("en:\n  cookie_law:\n    section: COOKIE LAW (GDPR)\n", encoding="utf-8")
    args = fleet_args(server, tmp_path, ui_overrides="ui-overrides.yaml")  # relative to the fleet file
    assert cli("validate", *args).code == 0
    code, out, err, run_dir = probe(cli, tmp_path, args, "--store", "probe-renamed")
    assert code == 0, out + err
    [row] = [r for r in rows(run_dir, "probe-renamed") if r["key"] == "cookie_law.section"]
    assert (row["status"], row["label"], row["source"]) == ("found", "COOKIE LAW (GDPR)", str(overrides))

    # A run reads and plans the cookie law through the corrected label.
    planned = cli("plan", *args, "--store", "probe-renamed", "--format", "json")
    assert planned.code == 2, planned.out + planned.err
    [store] = json.loads(planned.out)["stores"]
    cookie = next(s for s in store["settings"] if s["setting"] == "cookie_law")
    assert (cookie["status"], cookie["error"]) == ("drift", None)
    assert [c["summary"] for c in store["changes"] if c["setting"] == "cookie_law"] == ["mode none -> confirm"]


def test_a_moved_page_is_named_by_its_path_and_bad_overrides_are_refused(
        cli: CliRunner, server: MockServer, tmp_path: Path) -> None:
    moved = tmp_path / "moved.yaml"
    moved.write_text("paths:\n  web_statistics: settings/web-statistics\n", encoding="utf-8")
    args = fleet_args(server, tmp_path)
    code, _, _, run_dir = probe(cli, tmp_path, args, "--store", "probe-gone", "--ui-overrides", str(moved),
                                    "--format", "json")
    assert code == 1
    statistics = [row for row in rows(run_dir, "probe-gone") if row["page"] == "Settings > Web statistics"]
    assert [(r["element"], r["status"], r["label"], r["key"]) for r in statistics] == [
        ("page address", "missing", "settings/web-statistics", "paths.web_statistics")]
    assert "HTTP 404" in statistics[0]["detail"] and statistics[0]["source"] == str(moved)

    bad = tmp_path / "bad.yaml"
    bad.write_text("en:\n  cookie_law:\n    sectoin: COOKIES\n", encoding="utf-8")
    checked = cli("validate", *args, "--ui-overrides", str(bad))
    assert checked.code == 1
    assert f"{bad}: en.cookie_law.sectoin: unknown label; did you mean 'en.cookie_law.section'?" in checked.err
    runs = tmp_path / "bad-runs"
    planned = cli("plan", *args, "--ui-overrides", str(bad), "--artifacts-dir", str(runs), artifacts=False)
    assert planned.code == 1 and "did you mean 'en.cookie_law.section'?" in planned.err
    assert len(planned.err.strip().splitlines()) == 1
    assert not runs.exists() or not any(runs.iterdir())  # refused before any login or run directory


def test_no_secret_in_any_probe_bundle(cli: CliRunner, server: MockServer, tmp_path: Path) -> None:
    """Two-step login, then a session lost mid-probe and a second login: no password, TOTP secret, session
    cookie or CSRF token of any of them in the bundle, the report or the output, in any encoding."""
    world = server.world
    made: list[tuple[str, str]] = []
    original = world.new_session

    def noting(store_id: str) -> Any:
        session = original(store_id)
        made.append((session.id, session.csrf_token))
        return session

    world.new_session = noting  # type: ignore[method-assign]
    try:
        args = fleet_args(server, tmp_path)
        code, out, err, _ = probe(cli, tmp_path, args, "--store", "probe-ok", "--no-session-cache")
        assert code == 0, out + err
        first = len(made)
        # Probe again with the cached session revoked: the first page sends the probe to the login page.
        code, out2, err2, _ = probe(cli, tmp_path, args, "--store", "probe-ok")
        assert code == 0, out2 + err2
        http_json(f"{server.url}/__mock__/sessions/revoke", {"store": "probe-ok"})
        code, out3, err3, _ = probe(cli, tmp_path, args, "--store", "probe-ok")
        assert code == 0, out3 + err3
        assert len(made) > first
        assert "cached session no longer valid, logging in" in err3  # the opener every command shares
    finally:
        del world.new_session
    account = world.identity.account_of_store("probe-ok")
    assert account is not None
    secrets = {"password": account.password, "TOTP secret": account.totp_secret or "",
               **{f"recovery code {n}": code for n, code in enumerate(account.recovery_codes)}}
    for number, (session_id, csrf) in enumerate(made):
        secrets[f"session cookie {number}"] = session_id
        secrets[f"CSRF token {number}"] = csrf
    files = artifact_files(tmp_path / "runs")
    assert any(name.endswith(".html") for name in files) and any(name.endswith(".aria.yaml") for name in files)
    for name, text in (("out", out + out2 + out3), ("err", err + err2 + err3)):
        files[name] = text.encode()
    leaks = scan_files(files, secrets)
    assert not leaks, describe(leaks)


def test_a_refused_login_fails_that_store_alone_and_is_not_tried_again(
        cli: CliRunner, server: MockServer, tmp_path: Path) -> None:
    args = fleet_args(server, tmp_path)
    env = tmp_path / ".env"
    wrong = "EP_PROBE_GONE_PASSWORD=wrong-one"
    env.write_text("\n".join(wrong if line.startswith("EP_PROBE_GONE_PASSWORD=") else line
                             for line in env.read_text().splitlines()) + "\n")
    selection = ["--store", "probe-gone", "--store", "probe-renamed", "--format", "json"]
    code, out, err, _ = probe(cli, tmp_path, args, *selection)
    assert code == 1, out + err
    stores = {store["id"]: store for store in json.loads(out)["stores"]}
    assert (stores["probe-gone"]["status"], stores["probe-gone"]["error_kind"]) == ("error", "authentication")
    assert stores["probe-renamed"]["status"] == "missing" and stores["probe-renamed"]["rows"]  # probed all the same
    code, out, err, _ = probe(cli, tmp_path, args, *selection)
    again = {store["id"]: store for store in json.loads(out)["stores"]}["probe-gone"]
    assert code == 1 and "not logging in: the backoffice refused these same credentials" in again["error"]
    assert http_json(f"{server.url}/__mock__/state")["stores"]["probe-gone"]["login"]["attempts"] == 1
