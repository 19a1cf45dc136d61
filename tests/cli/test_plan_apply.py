"""The CLI's plan/apply contract end to end: real Chromium, the mock over HTTP, real files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mock_backoffice import MockServer
from tests.cli.conftest import CliRunner
from tests.cli.test_newsletter_cli import archived, passive_before_2018
from tests.cli.test_newsletter_cli import fleet_for as newsletter_fleet_for
from tests.support import all_secrets, http_json, http_text, write_fleet


def fleet_for(tmp_path: Path, server: MockServer, stores: list[str], **kwargs) -> list[str]:
    path = write_fleet(tmp_path, server.url, {"cookie_law": {"mode": "confirm"}}, stores, **kwargs)
    return ["-c", str(path), "--env-file", str(tmp_path / ".env")]


def run_dirs(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "runs").iterdir())


def test_plan_apply_plan_exit_codes_and_state(cli: CliRunner, mock_server: MockServer, mock_state,
                                              tmp_path: Path) -> None:
    args = fleet_for(tmp_path, mock_server, ["shop-nl", "shop-en", "shop-totp"])
    first = cli("plan", *args)
    assert first.code == 2, first.err
    assert "Store shop-nl: 1 change(s) planned" in first.out
    assert "  ~ cookie_law: mode none -> confirm" in first.out
    assert "Store shop-totp: compliant" in first.out
    assert mock_state()["shop-nl"]["cookie_law"]["mode"] == "none"  # plan changes nothing

    applied = cli("apply", *args, "--auto-approve")
    assert applied.code == 0, applied.out + applied.err
    assert {sid: s["cookie_law"]["mode"] for sid, s in mock_state().items()
            if sid != "shop-lock"} == {"shop-nl": "confirm", "shop-en": "confirm", "shop-totp": "confirm"}

    again = cli("plan", *args)
    assert again.code == 0, again.out + again.err

    # Each run wrote its own directory with the plan (and, for apply, the report).
    dirs = run_dirs(tmp_path)
    assert len(dirs) == 3
    assert (dirs[0] / "plan.json").is_file()
    report = json.loads((dirs[1] / "report.json").read_text())
    assert report["kind"] == "apply"
    assert {s["id"]: s["status"] for s in report["stores"]} == {"shop-nl": "ok", "shop-en": "ok", "shop-totp": "ok"}

    # The storefront shows the bar now.
    status, html = http_text(f"{mock_server.url}/shop-nl/")
    assert status == 200 and 'class="wsa-cookielaw"' in html and "Nee</a>" in html

    # No secret reached stdout, stderr or any artifact.
    texts = [first.out, first.err, applied.out, applied.err, again.out]
    texts += [p.read_text(errors="replace") for d in dirs for p in d.rglob("*") if p.is_file()]
    for secret in all_secrets():
        assert not any(secret in text for text in texts), secret


@pytest.mark.usefixtures("warm_sessions")  # not about logging in (tests/warm_sessions.py)
def test_plan_json_format_and_saved_plan_apply(cli: CliRunner, mock_server: MockServer, mock_state,
                                               tmp_path: Path) -> None:
    args = fleet_for(tmp_path, mock_server, ["shop-nl", "shop-en"])
    plan_file = tmp_path / "plan.json"
    result = cli("plan", *args, "--format", "json", "--out", str(plan_file))
    assert result.code == 2
    printed = json.loads(result.out)
    assert printed["format_version"] == 2
    stores = {s["id"]: s for s in printed["stores"]}
    assert stores["shop-nl"]["status"] == "ok" and stores["shop-nl"]["error"] is None
    [change] = stores["shop-nl"]["changes"]
    assert (change["setting"], change["action"], change["before"], change["after"]) == (
        "cookie_law", "update", {"mode": "none"}, {"mode": "confirm"})
    assert json.loads(plan_file.read_text())["stores"] == printed["stores"]

    applied = cli("apply", *args, str(plan_file))
    assert applied.code == 0, applied.out + applied.err
    assert mock_state()["shop-nl"]["cookie_law"]["mode"] == "confirm"


@pytest.mark.usefixtures("warm_sessions")  # not about logging in (tests/warm_sessions.py)
def test_changed_only_when_apply_changed_something(cli: CliRunner, mock_server: MockServer, mock_state,
                                                   tmp_path: Path) -> None:
    """Ansible's honest `changed`: a saved archive plan whose subscribers were all archived meanwhile (by hand,
    or by an apply that was interrupted after its last click) still applies, archives nobody, and the report
    says compliant, not changed."""
    args = newsletter_fleet_for(tmp_path, mock_server, ["shop-nl"])
    plan_file = tmp_path / "PLAN.json"
    assert cli("plan", *args, "--out", str(plan_file)).code == 2
    planned = passive_before_2018(mock_state)
    http_json(f"{mock_server.url}/__mock__/subscribers/archive", {"store": "shop-nl", "emails": sorted(planned)})

    applied = cli("apply", *args, str(plan_file), "--allow-archive")
    assert applied.code == 0, applied.out + applied.err
    assert "Apply: 1 store, 0 changed\n" in applied.out and "Stores: 1 ok\n" in applied.out
    assert ": already as desired, nothing saved" in applied.out
    report = json.loads((run_dirs(tmp_path)[-1] / "report.json").read_text())
    assert [(s["setting"], s["status"]) for s in report["stores"][0]["settings"]] == [
        ("newsletter_archive", "compliant")]
    assert archived(mock_state) == planned
    assert not (run_dirs(tmp_path)[-1] / "exports").exists()  # nobody left to archive, so no export either


@pytest.mark.usefixtures("warm_sessions")  # not about logging in (tests/warm_sessions.py)
def test_stale_plan_is_refused(cli: CliRunner, mock_server: MockServer, mock_state, tmp_path: Path) -> None:
    args = fleet_for(tmp_path, mock_server, ["shop-nl", "shop-en"])
    plan_file = tmp_path / "plan.json"
    assert cli("plan", *args, "--out", str(plan_file)).code == 2

    # Someone changes shop-nl in the backoffice after the plan was made (here: another fleet file).
    other = tmp_path / "other"
    other.mkdir()
    other_args = ["-c", str(write_fleet(other, mock_server.url, {"cookie_law": {"mode": "notify"}}, ["shop-nl"])),
                  "--env-file", str(other / ".env")]
    assert cli("apply", *other_args, "--auto-approve").code == 0

    result = cli("apply", *args, str(plan_file))
    assert result.code == 1
    assert "changed since the plan was made" in result.out
    state = mock_state()
    assert state["shop-nl"]["cookie_law"]["mode"] == "notify"  # the stale store was left alone
    assert state["shop-en"]["cookie_law"]["mode"] == "confirm"  # the other store was applied


def test_wrong_password_fails_only_that_store(cli: CliRunner, mock_server: MockServer, mock_state,
                                              tmp_path: Path) -> None:
    args = fleet_for(tmp_path, mock_server, ["shop-nl", "shop-en"])
    env = tmp_path / ".env"
    env.write_text(env.read_text().replace("En-Password-2018!", "not-the-password"))
    result = cli("apply", *args, "--auto-approve")
    assert result.code == 1
    assert "Store shop-en: FAILED (authentication)" in result.out
    state = mock_state()
    assert state["shop-en"]["login"]["attempts"] == 1  # refused once, never retried
    assert state["shop-nl"]["cookie_law"]["mode"] == "confirm"
    assert "not-the-password" not in result.out + result.err


def test_transient_errors_are_retried(cli: CliRunner, mock_server: MockServer, mock_state, tmp_path: Path) -> None:
    args = fleet_for(tmp_path, mock_server, ["shop-nl", "shop-en"])
    http_json(f"{mock_server.url}/__mock__/faults", {"error_rate": 0.2, "seed": 7})
    result = cli("apply", *args, "--auto-approve")
    http_json(f"{mock_server.url}/__mock__/faults", {})
    assert result.code == 0, result.out + result.err
    assert {mock_state()[s]["cookie_law"]["mode"] for s in ("shop-nl", "shop-en")} == {"confirm"}
