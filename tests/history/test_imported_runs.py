"""Runs imported from run directories (`history import`) are data from files: a message with terminal controls
is shown with them replaced, and a run whose store id is no store id is refused, never recorded."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from automation.cli import main
from ecom_privacy.models import RunKind
from tests.history.documents import compliant, document, failed, write_run

FORGED = "the backoffice said \x1b[2J\x1b[1;1H\x1b]0;owned\x07\rall fine"


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    out = io.StringIO()
    code = main(list(args), out=out)
    return code, out.getvalue(), capsys.readouterr().err


def test_history_and_status_print_no_control_of_an_imported_run(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'history.sqlite3'}"]
    for night in range(3):
        write_run(tmp_path / "runs", document(RunKind.PLAN, night, [failed("shop-1", kind="ui_mismatch",
                                                                           error=FORGED), compliant("shop-2")]))
    code, out, _ = cli(capsys, "history", "import", str(tmp_path / "runs"), *db)
    assert code == 0 and "3 run(s) recorded" in out
    for command in (["history"], ["status"], ["status", "--format", "json"], ["history", "--format", "json"]):
        _, out, _ = cli(capsys, *command, *db)
        assert "\x1b" not in out and "\r" not in out and "\x07" not in out, (command, out)
    _, out, _ = cli(capsys, "history", *db)
    assert "the backoffice said \ufffd" in out and "all fine" in out


def test_an_imported_run_with_a_path_for_a_store_id_is_not_recorded(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'history.sqlite3'}"]
    run = write_run(tmp_path / "runs", document(RunKind.PLAN, 0, [compliant("shop-1")]))
    plan = json.loads((run / "plan.json").read_text())
    plan["stores"][0]["id"] = "../../../etc"
    (run / "plan.json").write_text(json.dumps(plan))
    code, out, _ = cli(capsys, "history", "import", str(tmp_path / "runs"), *db)
    assert code == 1 and "'../../../etc' is not a store id" in out and "0 run(s) recorded" in out
