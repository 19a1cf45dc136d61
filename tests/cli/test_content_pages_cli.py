"""privacy_policy and ccpa_page through the CLI: readable diffs in the plan, apply, a clean second plan,
backups in the run directory, a saved plan applied later, and template problems found by validate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from mock_backoffice import MockServer
from tests.cli.conftest import CliRunner
from tests.support import http_text, write_fleet

# Not about logging in: each store starts logged in (tests/warm_sessions.py).
pytestmark = pytest.mark.usefixtures("warm_sessions")

TEMPLATES = Path(__file__).resolve().parents[2] / "config" / "templates"
POLICY_VARS = {"address": "Dorpsstraat 1, Utrecht", "email": "privacy@example.test", "updated": "1 March 2025"}
CCPA_TITLE = "Do not sell my personal information"


def content_fleet(tmp_path: Path, server: MockServer, policy_vars: dict[str, Any] | None = None) -> list[str]:
    """shop-nl and shop-en with a privacy policy (require, gdpr); shop-en in a `us` group with the CCPA page."""
    defaults = {"privacy_policy": {"mode": "require", "profile": "gdpr",
                                   "template": str(TEMPLATES / "privacy-policy.{locale}.html"),
                                   "vars": POLICY_VARS if policy_vars is None else policy_vars}}
    groups = {"us": {"ccpa_page": {"state": "present", "template": str(TEMPLATES / "ccpa.{locale}.html"),
                                   "vars": {"email": "privacy@example.test"}}}}
    path = write_fleet(tmp_path, server.url, defaults, ["shop-nl", "shop-en"], extra={"groups": groups})
    fleet = yaml.safe_load(path.read_text())
    next(store for store in fleet["stores"] if store["id"] == "shop-en")["groups"] = ["us"]
    path.write_text(yaml.safe_dump(fleet, sort_keys=False))
    return ["-c", str(path), "--env-file", str(tmp_path / ".env")]


def pages(state: dict[str, Any], store_id: str) -> dict[str, dict[str, Any]]:
    return {page["title"]: page for page in state[store_id]["pages"]}


def test_plan_shows_diffs_apply_makes_it_so_and_the_next_plan_is_clean(cli: CliRunner, mock_server: MockServer,
                                                                      mock_state, tmp_path: Path) -> None:
    args = content_fleet(tmp_path, mock_server)
    first = cli("plan", *args)
    assert first.code == 2, first.out + first.err
    out = first.out
    assert "Store shop-nl: 1 change(s) planned" in out and "Store shop-en: 2 change(s) planned" in out
    assert "~ privacy_policy: append 11 missing section(s) from privacy-policy.nl.html (+" in out
    assert "+## Wie zijn wij" not in out  # one line per changed setting; the text diff with --diff
    whole = cli("plan", *args, "--diff")
    assert "      +## Wie zijn wij" in whole.out and "      +## Who we are" in whole.out  # the text diff, not HTML
    assert "<h2>" not in out
    assert f"+ ccpa_page: create the page '{CCPA_TITLE}' from ccpa.en.html, visible" in out
    assert "ccpa_page" not in out.split("Store shop-en")[0]  # shop-nl is not in the us group
    assert "Do not sell" not in json.dumps(pages(mock_state(), "shop-en"))  # plan changed nothing

    applied = cli("apply", *args, "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    state = mock_state()
    ccpa = pages(state, "shop-en")[CCPA_TITLE]
    assert ccpa["visible"] is True and f"{mock_server.url}/shop-en/service/contact/" in ccpa["content"]
    assert "Autoriteit Persoonsgegevens" in pages(state, "shop-nl")["Privacybeleid"]["content"]
    assert "Wij respecteren je privacy." in pages(state, "shop-nl")["Privacybeleid"]["content"]  # owner's text kept

    again = cli("plan", *args)
    assert again.code == 0, again.out + again.err
    assert "Store shop-nl: compliant, no changes" in again.out and "Store shop-en: compliant, no changes" in again.out

    apply_run = sorted((tmp_path / "runs").iterdir())[2]  # plan, plan --diff, apply
    [backup] = (apply_run / "backups" / "shop-nl").glob("privacy_policy-*.html")
    assert backup.read_text() == "<p>Wij respecteren je privacy.</p>"
    status, home = http_text(f"{mock_server.url}/shop-en/")
    assert status == 200 and f'<a href="/shop-en/service/{ccpa["slug"]}/">{CCPA_TITLE}</a>' in home


def test_a_saved_plan_carries_the_content_to_apply_later(cli: CliRunner, mock_server: MockServer, mock_state,
                                                         tmp_path: Path) -> None:
    args = content_fleet(tmp_path, mock_server)
    plan_file = tmp_path / "plan.json"
    assert cli("plan", *args, "--out", str(plan_file)).code == 2
    saved = json.loads(plan_file.read_text())
    [ccpa] = [c for s in saved["stores"] for c in s["changes"] if c["setting"] == "ccpa_page"]
    assert "privacy policy" in ccpa["after"]["html"] and ccpa["diff"].startswith("--- current")

    applied = cli("apply", *args, str(plan_file))
    assert applied.code == 0, applied.out + applied.err
    assert pages(mock_state(), "shop-en")[CCPA_TITLE]["visible"] is True
    assert cli("plan", *args).code == 0


def test_a_missing_template_variable_is_found_by_validate_and_fails_only_that_setting(
        cli: CliRunner, mock_server: MockServer, mock_state, tmp_path: Path) -> None:
    args = content_fleet(tmp_path, mock_server, policy_vars={"address": "Dorpsstraat 1", "updated": "2025"})
    checked = cli("validate", *args)
    assert checked.code == 1
    assert "privacy_policy: template" in checked.err and "privacy-policy.nl.html" in checked.err
    assert "(store shop-nl)" in checked.err  # one line per cause (here per template file), naming its stores
    assert "variable 'email' is not set" in checked.err

    fleet = yaml.safe_load(Path(args[1]).read_text())
    fleet["defaults"]["cookie_law"] = {"mode": "confirm"}
    Path(args[1]).write_text(yaml.safe_dump(fleet, sort_keys=False))
    applied = cli("apply", *args, "--auto-approve")
    assert applied.code == 1
    assert "x privacy_policy: FAILED (config): store shop-nl: template" in applied.out
    state = mock_state()
    assert state["shop-nl"]["cookie_law"]["mode"] == "confirm"  # the other settings still ran
    assert pages(state, "shop-en")[CCPA_TITLE]["visible"] is True
