"""One HTTP 500 on a backoffice page's own script is a transient fault: the page is loaded again and the
apply converges; it is never a stale save, a failed verification or a "UI changed" (ui_mismatch) verdict.

The faults are aimed at exactly one static file through the mock's `path` fault and heal after
`max_errors`, so each test knows how many times the script failed.
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
pytestmark = pytest.mark.usefixtures("warm_sessions")

TEMPLATES = Path(__file__).resolve().parents[2] / "config" / "templates"
POLICY = {"mode": "replace", "template": str(TEMPLATES / "privacy-policy.{locale}.html"),
          "vars": {"address": "Dorpsstraat 1, Utrecht", "email": "privacy@script-fault.test", "updated": "2025-03-01"}}
ARCHIVE = {"enabled": True, "subscribed_before": "2018-05-25", "sources": ["manual", "import"]}


def error_kinds(run_dir: Path) -> list[str]:
    report = json.loads((run_dir / "report.json").read_text())
    return [kind for store in report["stores"]
            for kind in [store["error_kind"], *(s["error_kind"] for s in store["settings"])] if kind]


# shop-nl lists its 60 subscribers on 3 pages, read twice (plan, then apply) before the first archive click:
# 7 failures reach the page the archiving happens on (the editor is opened once, to be saved). The pages are
# read as pages (no JSON twins), in each markup: classic loads one application.js in the head on every page
# (Turbolinks keeps it), aria the page's own script at its end.
@pytest.mark.parametrize("markup", ["classic", "aria"])
@pytest.mark.parametrize(("setting", "desired", "script", "failures"), [
    ("privacy_policy", POLICY, "editor.js", 2),
    ("newsletter_archive", ARCHIVE, "newsletter.js", 7),
], ids=["page editor", "newsletter"])
def test_a_failed_page_script_is_retried_and_the_apply_converges(
        setting: str, desired: dict[str, Any], script: str, failures: int, markup: str, cli: CliRunner,
        mock_server: MockServer, mock_state, tmp_path: Path) -> None:
    http_json(f"{mock_server.url}/__mock__/store-options", {"markup": markup, "json_twins": False})
    script = "static/classic/application.js" if markup == "classic" else f"static/{script}"
    fleet = write_fleet(tmp_path, mock_server.url, {setting: desired}, ["shop-nl"])
    args = ["-c", str(fleet), "--env-file", str(tmp_path / ".env")]
    http_json(f"{mock_server.url}/__mock__/faults",
              {"store": "shop-nl", "error_rate": 1.0, "path": script, "max_errors": failures})

    applied = cli("apply", *args, "--auto-approve", "--allow-archive")

    faults = http_json(f"{mock_server.url}/__mock__/faults")["stores"]["shop-nl"]
    assert faults["errors_injected"] == failures  # the script really failed
    assert applied.code == 0, applied.out + applied.err
    run_dir = max((tmp_path / "runs").iterdir())
    assert error_kinds(run_dir) == []
    state = mock_state()["shop-nl"]
    if setting == "privacy_policy":
        policy = next(page for page in state["pages"] if page["title"] == "Privacybeleid")
        assert "privacy@script-fault.test" in policy["content"]  # the new text was saved, not the old one
    else:
        passive = [s for s in state["subscribers"]
                   if s["source"] in ("manual", "import") and s["subscribed_at"] < "2018-05-25"]
        assert passive and all(s["archived"] for s in passive)
    http_json(f"{mock_server.url}/__mock__/faults", {"store": "shop-nl"})
    assert cli("plan", *args).code == 0  # converged: nothing left to change
