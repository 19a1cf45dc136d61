"""`verify`: storefront checks with evidence, each check passing on a good store and failing, named, on a
store seeded to break it. Its own mock, because the seeds differ from the shared test seed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from flows.content.templates import load_template, template_variables
from mock_backoffice import MockServer
from tests.cli.conftest import CliRunner
from tests.support import http_json

GA = "G-TEST1234"


def seed_store(store_id: str, locale: str = "en", mode: str = "confirm", **extra: Any) -> dict[str, Any]:
    return {
        "id": store_id,
        "locale": locale,
        "email": f"o@{store_id}.test",
        "password": f"pw-{store_id}-123",
        "cookie_law": {"mode": mode, "message": "Cookies only with your consent."},
        "analytics": {"measurement_id": GA},
        **extra,
    }


ROOT = Path(__file__).resolve().parents[2]
CCPA = "Do not sell my personal information"


def full_policy() -> str:
    """The shipped English policy, rendered: it holds every element of the gdpr profile."""
    template = load_template("templates/privacy-policy.{locale}.html", ROOT / "config", "en", "complete")
    variables = template_variables(
        "http://shop.test/",
        {"company": "Complete Ltd", "address": "1 Road", "email": "privacy@complete.test", "updated": "2025-01-01"},
    )
    return template.render(variables)


SEED = {
    "stores": [
        seed_store(
            "complete",
            pages=[
                {"title": "Privacy policy", "content": full_policy()},
                {"title": CCPA, "content": "<p>We do not sell data.</p>", "visible": True},
            ],
        ),
        seed_store("ccpa-hidden", pages=[{"title": CCPA, "content": "<p>We do not sell data.</p>", "visible": False}]),
        seed_store("good-en"),
        seed_store("good-nl", locale="nl"),
        seed_store("early", theme_loads_analytics_early=True),
        seed_store("no-bar", mode="none"),
        seed_store("custom-bar", mode="custom"),
        seed_store("no-privacy", pages=[{"title": "Privacy policy", "visible": False}]),
        seed_store("custom-two", locale="nl", mode="custom", languages=["nl", "en"],
                   cookie_law={"mode": "custom", "message": {"nl": "Alleen met jouw toestemming.",
                                                             "en": "Only with your consent."}}),
        seed_store("notice", mode="notify"),
    ]
}


@pytest.fixture(scope="module")
def verify_mock() -> Iterator[MockServer]:
    with MockServer(SEED) as server:
        yield server


def fleet(
    tmp_path: Path, server: MockServer, store_ids: list[str], defaults: dict[str, Any] | None = None,
    languages: dict[str, list[str]] | None = None,
) -> list[str]:
    stores = []
    for store in SEED["stores"]:
        if store["id"] not in store_ids:
            continue
        stores.append(
            {
                "id": store["id"],
                "locale": store["locale"],
                "backoffice_url": f"{server.url}/{store['id']}/admin",
                "storefront_url": f"{server.url}/{store['id']}/",
                "credentials": {"email_env": "UNUSED_EMAIL", "password_env": "UNUSED_PASSWORD"},
                **({"backoffice_locale": store["locale"], "languages": languages[store["id"]]}
                   if languages and store["id"] in languages else {}),
            }
        )
    desired = defaults or {"cookie_law": {"mode": "confirm"}, "analytics": {"measurement_id": GA}}
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump({"defaults": desired, "stores": stores}))
    return ["-c", str(path)]


def checks_of(report: dict[str, Any], store_id: str) -> dict[str, dict[str, Any]]:
    store = next(s for s in report["stores"] if s["id"] == store_id)
    return {check["name"]: check for check in store["checks"]}


def test_custom_message_per_language_and_analytics_waiting_after_a_notice(
        cli: CliRunner, verify_mock: MockServer, tmp_path: Path) -> None:
    """Issue #20: the custom message shows in each shop language with its Manage cookies control, and a bar that
    only notifies is no consent: after its OK analytics still waits. The shop's own languages are compared with
    the fleet file's."""
    custom = {"mode": "custom", "message": {"nl": "Alleen met jouw toestemming.", "en": "Only with your consent."}}
    result, report = run_verify(cli, tmp_path, verify_mock, ["custom-two"],
                                defaults={"cookie_law": custom, "analytics": {"measurement_id": GA}},
                                languages={"custom-two": ["nl", "en"]})
    checks = checks_of(report, "custom-two")
    for language in ("nl", "en"):
        assert checks[f"custom_message_shown[{language}]"]["status"] == "pass", checks
        assert checks[f"manage_cookies_control[{language}]"]["status"] == "pass"
    assert checks["shop_languages"]["status"] == "pass" and "nl, en" in checks["shop_languages"]["message"]
    assert result.code == 0, result.out

    # The backoffice's English message drifted: verify names the language.
    http_json(f"{verify_mock.url}/__mock__/cookie-law", {"store": "custom-two", "mode": "custom",
                                                        "message": {"en": "Something else."}})
    try:
        result, report = run_verify(cli, tmp_path, verify_mock, ["custom-two"],
                                    defaults={"cookie_law": {**custom, "manage_cookies": False},
                                              "analytics": {"measurement_id": GA}},
                                    languages={"custom-two": ["nl"]})
    finally:
        http_json(f"{verify_mock.url}/__mock__/reset", {})
    checks = checks_of(report, "custom-two")
    assert result.code == 1
    assert checks["custom_message_shown"]["status"] == "pass"  # one language in this fleet file: plain names
    assert checks["manage_cookies_control"]["status"] == "fail"  # shown, although the fleet file says false
    assert checks["shop_languages"]["status"] == "warn" and "not managed: en" in checks["shop_languages"]["message"]

    result, report = run_verify(cli, tmp_path, verify_mock, ["notice"],
                                defaults={"cookie_law": {"mode": "notify"}, "analytics": {"measurement_id": GA}})
    notice = checks_of(report, "notice")["analytics_waits_after_notice"]
    assert notice["status"] == "pass" and "acknowledged" in notice["message"], notice


def run_verify(cli: CliRunner, tmp_path: Path, server: MockServer, store_ids: list[str], **kw: Any):
    result = cli("verify", *fleet(tmp_path, server, store_ids, **kw), "--format", "json")
    return result, json.loads(result.out)


def test_good_stores_pass_with_evidence(cli: CliRunner, verify_mock: MockServer, tmp_path: Path) -> None:
    result, report = run_verify(cli, tmp_path, verify_mock, ["good-en", "good-nl"])
    assert result.code == 0, result.out
    for store_id in ("good-en", "good-nl"):
        checks = checks_of(report, store_id)
        for name in (
            "cookie_bar_shown",
            "reject_on_first_layer",
            "no_tracking_before_consent",
            "no_tracking_after_reject",
            "analytics_after_accept",
            "cookie_bar_on_privacy_page",
            "privacy_policy_public",
            "gpc_no_advertising",
        ):
            assert checks[name]["status"] in ("pass", "warn"), (store_id, name, checks[name])
        assert checks["analytics_after_accept"]["status"] == "pass"
        assert "_ga" in checks["analytics_after_accept"]["seen"]
        evidence = next(tmp_path.glob("runs/*/evidence")) / store_id
        for name in ("first-view.png", "after-reject.png", "after-accept.png", "evidence.json"):
            assert (evidence / name).stat().st_size > 0, name
        phases = json.loads((evidence / "evidence.json").read_text())["phases"]
        assert {"first_view", "after_reject", "after_accept"} <= set(phases)
    run_dir = next(tmp_path.glob("runs/*"))
    junit = (run_dir / "junit.xml").read_text()
    assert 'classname="good-en.storefront" name="no_tracking_before_consent"' in junit
    html = (run_dir / "report.html").read_text()
    assert "Storefront checks of good-nl" in html and "analytics_after_accept" in html
    assert "evidence/good-en/after-accept.png" in html


def test_analytics_loaded_early_is_caught_and_named(cli: CliRunner, verify_mock: MockServer, tmp_path: Path) -> None:
    result, report = run_verify(cli, tmp_path, verify_mock, ["good-en", "early"])
    assert result.code == 1
    checks = checks_of(report, "early")
    before = checks["no_tracking_before_consent"]
    assert before["status"] == "fail"
    assert "_ga" in before["seen"]
    assert any("/early/g/collect" in seen for seen in before["seen"])
    assert checks["no_tracking_after_reject"]["status"] == "fail"
    assert all(c["status"] != "fail" for c in checks_of(report, "good-en").values())
    junit = (next(tmp_path.glob("runs/*")) / "junit.xml").read_text()
    fails = sum(c["status"] == "fail" for store in report["stores"] for c in store["checks"])
    assert f'failures="{fails}"' in junit and "/early/g/collect" in junit
    text = cli("verify", *fleet(tmp_path, verify_mock, ["early"])).out
    assert "FAIL no_tracking_before_consent" in text and "_ga" in text


def test_missing_bar_custom_bar_and_hidden_privacy_page(
    cli: CliRunner, verify_mock: MockServer, tmp_path: Path
) -> None:
    result, report = run_verify(cli, tmp_path, verify_mock, ["no-bar", "custom-bar", "no-privacy"])
    assert result.code == 1
    assert checks_of(report, "no-bar")["cookie_bar_shown"]["status"] == "fail"
    custom = checks_of(report, "custom-bar")
    assert custom["reject_on_first_layer"]["status"] == "warn"
    assert "more clicks" in custom["reject_on_first_layer"]["message"]
    assert checks_of(report, "no-privacy")["privacy_policy_public"]["status"] == "fail"


def test_no_traffic_leaves_the_machine(cli: CliRunner, verify_mock: MockServer, tmp_path: Path) -> None:
    result, _ = run_verify(cli, tmp_path, verify_mock, ["good-en"])
    assert result.code == 0
    assert not list(tmp_path.glob("runs/*/evidence/good-en/blocked-requests.json"))
    hits = http_json(f"{verify_mock.url}/__mock__/state")["stores"]["good-en"]["analytics"]["hits"]
    assert hits and all(hit["tid"] == GA for hit in hits)  # the beacons went to the local collect endpoint


@pytest.mark.usefixtures("warm_sessions")  # not about logging in (tests/warm_sessions.py)
def test_apply_then_verify(cli: CliRunner, mock_server: MockServer, mock_state, tmp_path: Path) -> None:
    from tests.support import write_fleet

    path = write_fleet(
        tmp_path, mock_server.url, {"cookie_law": {"mode": "confirm"}, "analytics": {"measurement_id": GA}}, ["shop-nl"]
    )
    result = cli("apply", "-c", str(path), "--env-file", str(tmp_path / ".env"), "--auto-approve", "--verify")
    assert result.code == 0, result.out + result.err
    assert "Storefront shop-nl: passed" in result.out
    assert "PASS analytics_after_accept" in result.out
    assert mock_state()["shop-nl"]["analytics"]["measurement_id"] == GA
    report = json.loads(next(tmp_path.glob("runs/*/report.json")).read_text())
    assert report["kind"] == "apply" and checks_of(report, "shop-nl")["analytics_after_accept"]["status"] == "pass"


def test_privacy_content_and_ccpa_page(cli: CliRunner, verify_mock: MockServer, tmp_path: Path) -> None:
    desired = {
        "cookie_law": {"mode": "confirm"},
        "analytics": {"measurement_id": GA},
        "privacy_policy": {"mode": "require", "profile": "gdpr", "template": "unused.html"},
        "ccpa_page": {"state": "present", "template": "unused.html"},
    }
    result, report = run_verify(cli, tmp_path, verify_mock, ["complete", "ccpa-hidden"], defaults=desired)
    assert result.code == 1
    complete = checks_of(report, "complete")
    assert complete["privacy_policy_content"]["status"] == "pass", complete["privacy_policy_content"]
    # the check's details quote, per required element, the sentence of the live page that satisfied it
    evidence = complete["privacy_policy_content"]["seen"]
    assert len(evidence) == 11 and all(": present (under '" in line for line in evidence), evidence
    assert complete["ccpa_page_public"]["status"] == "pass"
    hidden = checks_of(report, "ccpa-hidden")
    assert hidden["ccpa_page_public"]["status"] == "fail"
    assert CCPA in hidden["ccpa_page_public"]["message"]
    missing = hidden["privacy_policy_content"]
    assert missing["status"] == "fail"
    assert any(item.startswith("cookie_withdrawal: MISSING") for item in missing["seen"])
    assert any(item.startswith("complaint: MISSING") for item in missing["seen"])


def test_analytics_without_required_consent_is_a_warning_not_a_failure(
    cli: CliRunner, verify_mock: MockServer, tmp_path: Path
) -> None:
    """`analytics.require_consent: false`: the fleet file lets analytics run before any choice (bug 4 of #10)."""
    desired = {"cookie_law": {"mode": "confirm"}, "analytics": {"measurement_id": GA, "require_consent": False}}
    result, report = run_verify(cli, tmp_path, verify_mock, ["early"], defaults=desired)
    assert result.code == 0, result.out
    checks = checks_of(report, "early")
    before = checks["no_tracking_before_consent"]
    assert before["status"] == "warn", before
    assert "_ga" in before["seen"] and "require_consent: false" in before["message"]
    assert checks["no_tracking_after_reject"]["status"] == "warn", checks["no_tracking_after_reject"]
    assert checks["analytics_after_accept"]["status"] == "pass"
