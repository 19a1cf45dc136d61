"""Shops with several languages, backoffices in German and French, and the storefront's real cookie bar, end to
end: the CLI against the mock over HTTP in a real Chromium. Its own mock: the seeds differ from the shared one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from mock_backoffice import MockServer
from tests.cli.conftest import CliRunner
from tests.support import http_json

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "config" / "templates"
GA = "G-LANG1234"
VARS = {"company": "Multi B.V.", "address": "Stationsweg 1, 3811 AB Amersfoort", "email": "privacy@multi.test",
        "updated": "2025-03-01"}


def seed_store(store_id: str, locale: str, **extra: Any) -> dict[str, Any]:
    return {"id": store_id, "locale": locale, "email": f"owner@{store_id}.test", "password": f"pw-{store_id}-2025",
            "cookie_law": {"mode": "confirm"}, "analytics": {"measurement_id": GA}, **extra}


SEED = {"stores": [
    # The agency's user works in English; the shop speaks Dutch (default), English and German, and its policy
    # page is titled "Privacyverklaring", not the label table's "Privacybeleid".
    seed_store("multi", "en", languages=["nl", "en", "de"], pages=[
        {"slug": "privacy-policy", "title": "Privacyverklaring", "content": "<p>Wij respecteren je privacy.</p>",
         "translations": {"en": {"title": "Privacy statement", "content": "<p>We respect your privacy.</p>"},
                          "de": {"title": "Datenschutz", "content": "<p>Wir achten Ihre Privatsphäre.</p>"}}}]),
    seed_store("buero-de", "de", cookie_law={"mode": "none"}),
    seed_store("bureau-fr", "fr", cookie_law={"mode": "none"}),
    seed_store("theme-bar", "en", theme_cookie_bar=True),
]}


@pytest.fixture(scope="module")
def lang_mock() -> Iterator[MockServer]:
    with MockServer(SEED) as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh_world(lang_mock: MockServer) -> None:
    http_json(f"{lang_mock.url}/__mock__/reset", {})


def write_fleet(tmp_path: Path, server: MockServer, stores: dict[str, dict[str, Any]],
                defaults: dict[str, Any], templates: Path = TEMPLATES) -> list[str]:
    entries, env = [], []
    for seed in SEED["stores"]:
        if seed["id"] not in stores:
            continue
        name = seed["id"].upper().replace("-", "_")
        env += [f"{name}_EMAIL={seed['email']}", f"{name}_PASSWORD={seed['password']}"]
        entries.append({"id": seed["id"], "backoffice_url": f"{server.url}/{seed['id']}/admin",
                        "storefront_url": f"{server.url}/{seed['id']}/",
                        "credentials": {"email_env": f"{name}_EMAIL", "password_env": f"{name}_PASSWORD"},
                        "vars": VARS, **stores[seed["id"]]})
    defaults = json.loads(json.dumps(defaults).replace("TEMPLATES", str(templates)))
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump({"defaults": defaults, "stores": entries}, sort_keys=False), encoding="utf-8")
    (tmp_path / ".env").write_text("\n".join(env) + "\n", encoding="utf-8")
    return ["-c", str(path), "--env-file", str(tmp_path / ".env")]


POLICY = {"privacy_policy": {"mode": "replace", "profile": "gdpr",
                             "template": "TEMPLATES/privacy-policy.{locale}.html"}}


def state(server: MockServer, store_id: str) -> dict[str, Any]:
    return http_json(f"{server.url}/__mock__/state")["stores"][store_id]


def test_three_languages_plan_per_language_apply_in_place_plan_clean_and_verify(
        cli: CliRunner, lang_mock: MockServer, tmp_path: Path) -> None:
    args = write_fleet(tmp_path, lang_mock, {"multi": {"backoffice_locale": "en", "languages": ["nl", "en", "de"]}},
                       {"cookie_law": {"mode": "confirm"}, "analytics": {"measurement_id": GA}, **POLICY})
    plan = cli("plan", *args, "--format", "json")
    assert plan.code == 2, plan.err
    [store] = json.loads(plan.out)["stores"]
    [change] = [c for c in store["changes"] if c["setting"] == "privacy_policy"]
    assert change["action"] == "update" and change["detail"]["found_by"] == "slug"
    assert set(change["detail"]["languages"]) == {"nl", "en", "de"}
    for language in ("nl", "en", "de"):
        assert f"[{language}] replace the content with privacy-policy.{language}.html" in change["summary"]
        assert f"+++ desired ({language})" in change["diff"]
    assert "not checked" not in change["summary"]  # German has its wording in the element table
    assert change["detail"]["languages"]["de"]["checked"] is True
    pages_before = len(state(lang_mock, "multi")["pages"])

    applied = cli("apply", *args, "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    after = state(lang_mock, "multi")
    assert len(after["pages"]) == pages_before  # updated in place, never duplicated
    policy = next(page for page in after["pages"] if page["slug"] == "privacy-policy")
    assert policy["title"] == "Privacyverklaring"  # the owner's title is a store fact: kept
    assert "Fietsen" not in policy["content"] and "Multi B.V." in policy["content"]
    assert "Datenschutz-Grundverordnung" in policy["translations"]["de"]["content"]
    assert policy["translations"]["en"]["title"] == "Privacy statement"
    backups = sorted(p.name for p in (tmp_path / "runs").glob("*/backups/multi/*.html"))
    assert [name.rsplit(".", 2)[-2] for name in backups] == ["de", "en", "nl"]  # every language kept
    assert cli("plan", *args).code == 0

    verified = cli("verify", *args, "--format", "json")
    assert verified.code == 0, verified.out
    checks = {c["name"]: c for c in json.loads(verified.out)["stores"][0]["checks"]}
    assert "platform's markup" in checks["cookie_bar_shown"]["message"]
    for language in ("nl", "en", "de"):
        assert checks[f"privacy_policy_public[{language}]"]["status"] == "pass"
    assert "/multi/de/service/privacy-policy/" in checks["privacy_policy_public[de]"]["message"]
    assert checks["privacy_policy_content[nl]"]["status"] == "pass"
    assert checks["privacy_policy_content[en]"]["status"] == "pass"
    assert checks["privacy_policy_content[de]"]["status"] == "pass"
    assert "every required element is present (de)" in checks["privacy_policy_content[de]"]["message"]
    assert checks["no_tracking_after_reject"]["status"] == "pass"
    assert checks["analytics_after_accept"]["status"] == "pass"


def test_a_configured_title_renames_the_page_and_a_missing_template_fails_only_that_setting(
        cli: CliRunner, lang_mock: MockServer, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    for language in ("nl", "en"):  # no German template
        (templates / f"privacy-policy.{language}.html").write_text(
            (TEMPLATES / f"privacy-policy.{language}.html").read_text(encoding="utf-8"), encoding="utf-8")
    args = write_fleet(tmp_path, lang_mock, {"multi": {"languages": ["nl", "en", "de"], "backoffice_locale": "en"}},
                       {"cookie_law": {"mode": "confirm"}, **POLICY}, templates=templates)
    validated = cli("validate", *args)
    assert validated.code == 1
    assert "multi" in validated.err + validated.out and "shop language de" in validated.err + validated.out
    assert "privacy-policy.de.html" in validated.err + validated.out
    plan = cli("plan", *args, "--format", "json")
    [store] = json.loads(plan.out)["stores"]
    settings = {s["setting"]: s for s in store["settings"]}
    assert settings["privacy_policy"]["status"] == "failed"
    assert "shop language de" in settings["privacy_policy"]["error"]
    assert settings["cookie_law"]["status"] != "failed"

    args = write_fleet(tmp_path, lang_mock, {"multi": {"languages": ["nl", "en"], "backoffice_locale": "en"}},
                       {"privacy_policy": {**POLICY["privacy_policy"], "title": {"en": "Privacy policy"}}},
                       templates=templates)
    assert cli("apply", *args, "--auto-approve").code == 0
    policy = next(p for p in state(lang_mock, "multi")["pages"] if p["slug"] == "privacy-policy")
    assert policy["title"] == "Privacyverklaring" and policy["translations"]["en"]["title"] == "Privacy policy"


@pytest.mark.parametrize(("store_id", "title"), [("buero-de", "Datenschutzerklärung"),
                                                 ("bureau-fr", "Politique de confidentialité")])
def test_german_and_french_backoffices_end_to_end(cli: CliRunner, lang_mock: MockServer, tmp_path: Path,
                                                  store_id: str, title: str) -> None:
    locale = store_id[-2:]
    args = write_fleet(tmp_path, lang_mock, {store_id: {"backoffice_locale": locale}},
                       {"cookie_law": {"mode": "confirm"}, **POLICY,
                        "ccpa_page": {"state": "present", "template": "TEMPLATES/ccpa.{locale}.html"}})
    assert cli("validate", *args).code == 0
    plan = cli("plan", *args)
    assert plan.code == 2, plan.out + plan.err
    assert cli("apply", *args, "--auto-approve").code == 0
    assert cli("plan", *args).code == 0
    after = state(lang_mock, store_id)
    assert after["cookie_law"]["mode"] == "confirm"
    titles = [page["title"] for page in after["pages"] if page["visible"]]
    assert title in titles and len([t for t in titles if t == title]) == 1


def test_a_theme_banner_is_found_by_the_label_table_and_says_so(cli: CliRunner, lang_mock: MockServer,
                                                                 tmp_path: Path) -> None:
    args = write_fleet(tmp_path, lang_mock, {"theme-bar": {"backoffice_locale": "en"}},
                       {"cookie_law": {"mode": "confirm"}, "analytics": {"measurement_id": GA}})
    verified = cli("verify", *args, "--format", "json")
    checks = {c["name"]: c for c in json.loads(verified.out)["stores"][0]["checks"]}
    assert checks["cookie_bar_shown"]["status"] == "pass" and "label table" in checks["cookie_bar_shown"]["message"]
    assert checks["no_tracking_after_reject"]["status"] == "pass"
    assert checks["analytics_after_accept"]["status"] == "pass"
