"""Defence in depth behind the template sandbox (issue #24, finding 4): whatever puts a secret of the run into
content (a pasted line, a variable, a template of another store), the store fails as `secret_in_content` at
plan time, naming the template and never the secret, and nothing is written. The plan's diff would only have
shown `***`, so the reviewer is told by the failure instead. Real Chromium, the mock over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mock_backoffice import MockServer
from tests.cli.conftest import CliRunner
from tests.cli.test_content_pages_cli import CCPA_TITLE, pages
from tests.support import PASSWORDS, write_fleet


def ccpa_with(tmp_path: Path, server: MockServer, text: str, stores: list[str]) -> list[str]:
    (tmp_path / "templates").mkdir(exist_ok=True)
    (tmp_path / "templates" / "ccpa.en.html").write_text(
        f'<h2>Do not sell</h2>\n<p>{text}</p>\n<p><a href="{{{{ contact_url }}}}">Contact us</a></p>\n',
        encoding="utf-8")
    path = write_fleet(tmp_path, server.url, {"ccpa_page": {"state": "present",
                                                            "template": "templates/ccpa.{locale}.html"}}, stores)
    return ["-c", str(path), "--env-file", str(tmp_path / ".env")]


@pytest.mark.parametrize("text", [PASSWORDS["shop-en"], "P&amp;ss: " + PASSWORDS["shop-en"].replace("!", "&#33;"),
                                  PASSWORDS["shop-lock"]],
                         ids=["its own password", "html-escaped", "another store's password"])
def test_a_secret_in_a_page_fails_the_store_at_plan_and_nothing_is_written(
        cli: CliRunner, mock_server: MockServer, mock_state, tmp_path: Path, text: str) -> None:
    args = ccpa_with(tmp_path, mock_server, text, ["shop-en", "shop-lock"] if "Lock" in text else ["shop-en"])
    if "Lock" in text:
        args += ["--store", "shop-en"]  # shop-lock is not in the run: its password is still a secret of the fleet
    plan = cli("plan", *args, "--format", "json", "--out", str(tmp_path / "PLAN.json"))
    assert plan.code == 1, plan.out + plan.err
    [store] = json.loads(plan.out)["stores"]
    assert store["status"] == "error" and store["error_kind"] == "secret_in_content"
    assert f"ccpa_page [en]: template {tmp_path / 'templates' / 'ccpa.en.html'}: the content holds a secret" \
        in store["error"]
    assert store["changes"] == []  # the page's change is not in the plan: nothing to apply
    [setting] = store["settings"]
    assert setting["status"] == "failed" and setting["error_kind"] == "secret_in_content"

    applied = cli("apply", *args, "--auto-approve")
    assert applied.code == 1
    assert CCPA_TITLE not in pages(mock_state(), "shop-en")  # never created
    written = plan.out + plan.err + applied.out + applied.err + (tmp_path / "PLAN.json").read_text()
    written += "".join(p.read_text(errors="replace") for p in (tmp_path / "runs").rglob("*") if p.is_file())
    for secret in PASSWORDS.values():
        assert secret not in written


def test_a_page_without_secrets_is_planned_and_applied_as_before(cli: CliRunner, mock_server: MockServer,
                                                                 mock_state, tmp_path: Path) -> None:
    """The control: the same page with ordinary text (and the store's login email, which is not a secret)."""
    args = ccpa_with(tmp_path, mock_server, "Ask owner@shop-en.test", ["shop-en"])
    assert cli("plan", *args).code == 2
    assert cli("apply", *args, "--auto-approve").code == 0
    assert "owner@shop-en.test" in pages(mock_state(), "shop-en")[CCPA_TITLE]["content"]
