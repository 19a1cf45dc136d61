"""An operator's five stores, as the week in issue #22 set them up: the plan of all five reads in seconds (tens
of lines, not hundreds), `--diff` has the whole story, and the archive nobody allowed yet is `blocked`
everywhere without failing the nightly apply (a plan still exits 2)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cli.conftest import CliRunner
from tests.docs.markdown import ROOT
from tests.support import env_name

STORES = ["fietsen", "thee", "laarzen", "boeken", "grens"]
PASSWORD = "Five-Stores-2026!"


def seed() -> dict[str, Any]:
    return {"stores": [
        {"id": store, "name": store.title(), "locale": "nl" if index % 2 == 0 else "en",
         "email": f"owner@{store}.test", "password": PASSWORD, "cookie_law": {"mode": "none"},
         "subscribers": {"generate": {"count": 40, "passive_before_2018": 6, "seed": index + 1}}}
        for index, store in enumerate(STORES)]}


def fleet(folder: Path, base_url: str) -> list[str]:
    (folder / "templates").symlink_to(ROOT / "config" / "templates")
    stores = [{"id": store, "backoffice_url": f"{base_url}/{store}/admin", "storefront_url": f"{base_url}/{store}/",
               "backoffice_locale": "nl" if index % 2 == 0 else "en",
               "credentials": {"email_env": env_name(store, "EMAIL"), "password_env": env_name(store, "PASSWORD")},
               "vars": {"company": f"{store.title()} B.V.", "address": "Voorbeeldstraat 1, Utrecht",
                        "email": f"privacy@{store}.test"}} for index, store in enumerate(STORES)]
    stores[2]["groups"] = ["us"]
    document = {
        "defaults": {"cookie_law": {"mode": "confirm"},
                     "privacy_policy": {"template": "templates/privacy-policy.{locale}.html",
                                        "vars": {"updated": "2026-03-01"}},
                     "newsletter_archive": {"enabled": True}},
        "groups": {"us": {"ccpa_page": {"template": "templates/ccpa.{locale}.html"}}},
        "stores": stores}
    (folder / "fleet.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    (folder / ".env").write_text("".join(f"{env_name(s, 'EMAIL')}=owner@{s}.test\n{env_name(s, 'PASSWORD')}="
                                         f"{PASSWORD}\n" for s in STORES), encoding="utf-8")
    return ["-c", str(folder / "fleet.yaml"), "--env-file", str(folder / ".env")]


@pytest.fixture
def five_stores(tmp_path: Path) -> Any:
    from mock_backoffice import MockServer

    with MockServer(seed()) as server:
        (tmp_path / "fleet").mkdir()
        yield fleet(tmp_path / "fleet", server.url)


def test_the_plan_of_five_stores_reads_in_seconds_and_a_blocked_archive_does_not_fail_the_apply(
        cli: CliRunner, five_stores: list[str], tmp_path: Path) -> None:
    plan = cli("plan", *five_stores)
    assert plan.code == 2, plan.out + plan.err
    lines = plan.out.splitlines()
    assert len(lines) <= 40, plan.out  # it was 641 lines for five stores
    assert ("Plan: 5 stores, 16 to change (10 update, 5 archive, 1 create), 5 irreversible (blocked: needs "
            "--allow-archive)") in lines
    assert sum(line.startswith("Store ") for line in lines) == 5
    assert sum(line.startswith("  ! newsletter_archive: ") for line in lines) == 5
    assert not [line for line in lines if "MISSING" in line or line.startswith(("      +", "      -"))]
    assert lines[-1].startswith("Legend: + create  ~ update")

    whole = cli("plan", *five_stores, "--diff")
    assert len(whole.out.splitlines()) > 10 * len(lines)  # the diffs, the evidence, the subscribers
    assert "MISSING: nothing close" in whole.out and "      +\u2022 " in whole.out and "      +- " not in whole.out

    applied = cli("apply", *five_stores, "--auto-approve")
    assert applied.code == 0, applied.out + applied.err  # only the archive nobody allowed is left: by design
    assert "5 change(s) await an opt-in: apply again with --allow-archive" in applied.out
    assert "Apply: 5 stores, 11 changed, 5 await an opt-in (blocked: needs --allow-archive)" in applied.out
    assert "= cookie_law: changed" not in applied.out and "  ~ cookie_law: mode none -> confirm: applied" in applied.out
    run_dir = sorted((tmp_path / "runs").iterdir())[-1]
    report = json.loads((run_dir / "report.json").read_text())
    assert {store["id"]: {s["setting"]: s["status"] for s in store["settings"]}["newsletter_archive"]
            for store in report["stores"]} == dict.fromkeys(STORES, "drift")
    html = (run_dir / "report.html").read_text()
    assert html.count('<td class="status blocked"') == 5
    suite = ET.fromstring((run_dir / "junit.xml").read_text()).find("testsuite")
    assert suite is not None and suite.get("failures") == "0" and suite.get("skipped") == "5"

    status = cli("status", "-c", five_stores[1])
    assert status.code == 1  # the fleet is not all compliant: the archives wait
    assert status.out.count("BLOCKED") >= 5
