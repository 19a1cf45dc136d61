"""A `ui_overrides` file reaches every command (#23 item 4): the default page titles a plan takes from the label
tables, and the storefront checks of `verify`. Real Chromium, the mock over HTTP.

The mock's shop-en has its CCPA page under the title the platform newly gives it ("... Sell or Share ..."), at
the address that title makes: the tool finds it by its title only when the label table says that title, and
the shipped table says the old one. A correction in the fleet file's `ui_overrides` must make the plan find
the page (not create a second one) and `verify` find its footer link.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mock_backoffice import MockServer
from tests.cli.conftest import CliRunner
from tests.support import http_json, write_fleet

# Not about logging in: each store starts logged in (tests/warm_sessions.py).
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("warm_sessions")]

TEMPLATES = Path(__file__).resolve().parents[2] / "config" / "templates"
RENAMED = "Do Not Sell or Share My Personal Information"
CCPA = {"state": "present", "template": str(TEMPLATES / "ccpa.{locale}.html"),
        "vars": {"company": "Shop EN", "email": "privacy@shop-en.test"}}


def _fleet(tmp_path: Path, server: MockServer, *, override: bool) -> list[str]:
    extra: dict[str, Any] = {}
    if override:
        (tmp_path / "ui-overrides.yaml").write_text(f"en:\n  content_pages:\n    ccpa_title: {RENAMED}\n",
                                                    encoding="utf-8")
        extra["ui_overrides"] = "ui-overrides.yaml"  # relative to the fleet file
    fleet = write_fleet(tmp_path, server.url, {"ccpa_page": CCPA}, ["shop-en"], extra=extra)
    return ["-c", str(fleet), "--env-file", str(tmp_path / ".env")]


@pytest.fixture
def renamed_page(mock_server: MockServer) -> dict[str, Any]:
    page = http_json(f"{mock_server.url}/__mock__/pages", {"store": "shop-en", "title": RENAMED,
                                                           "content": "<p>Opt out here.</p>", "visible": True})
    assert page["slug"] != "do-not-sell-my-personal-information"  # found by its title, not by the default slug
    return page


def _ccpa_changes(out: str) -> list[dict[str, Any]]:
    [store] = json.loads(out)["stores"]
    return [change for change in store["changes"] if change["setting"] == "ccpa_page"]


def test_the_default_page_title_of_a_plan_comes_from_the_overrides(
        cli: CliRunner, mock_server: MockServer, renamed_page: dict[str, Any], tmp_path: Path) -> None:
    without = cli("plan", *_fleet(tmp_path, mock_server, override=False), "--format", "json")
    assert without.code == 2, without.out + without.err
    assert [change["action"] for change in _ccpa_changes(without.out)] == ["create"]  # a second page: wrong

    corrected = cli("plan", *_fleet(tmp_path, mock_server, override=True), "--format", "json")
    assert corrected.code == 2, corrected.out + corrected.err
    [change] = _ccpa_changes(corrected.out)
    assert change["action"] == "update" and change["after"]["title"] == RENAMED  # the page that is there


def test_the_storefront_checks_of_verify_use_the_overrides(
        cli: CliRunner, mock_server: MockServer, renamed_page: dict[str, Any], tmp_path: Path) -> None:
    def ccpa_check(override: bool) -> dict[str, Any]:
        verified = cli("verify", *_fleet(tmp_path, mock_server, override=override), "--format", "json")
        [store] = json.loads(verified.out)["stores"]
        return next(check for check in store["checks"] if check["name"] == "ccpa_page_public")

    missed = ccpa_check(override=False)
    assert missed["status"] == "fail" and "has no link" in missed["message"]
    found = ccpa_check(override=True)
    assert found["status"] == "pass", found
    assert f"/service/{renamed_page['slug']}/" in found["message"]
