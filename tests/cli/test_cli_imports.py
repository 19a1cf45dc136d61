"""`status` and `history` start fast: neither building the parser nor reading the history loads the browser
side (Playwright, the engine, the flows, Jinja2, Apprise) or Alembic. Each checked in a new interpreter
with `python -X importtime`, which names every module a process imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from automation.db import open_database
from automation.history.recorder import record_run
from ecom_privacy.models import RunKind
from tests.history.documents import START, compliant, document, drifted

ROOT = Path(__file__).resolve().parents[2]
#: what a read-only command must not pay for; `flows` (the settings) and the fleet loader bring Playwright
HEAVY = ("playwright", "jinja2", "apprise", "alembic", "flows", "automation.run.engine", "automation.fleet.model",
         "automation.browser.source", "automation.run.verify")


def _imported(argv: list[str], env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    done = subprocess.run([sys.executable, "-X", "importtime", *argv], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, check=False)
    names = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    return done, names


def _heavy(names: set[str]) -> list[str]:
    return sorted(name for name in names if any(name == root or name.startswith(root + ".") for root in HEAVY))


@pytest.fixture
def history_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    engine = open_database(url)
    try:
        record_run(engine, document(RunKind.APPLY, 0, [compliant("shop-nl"), drifted("shop-en")]), tmp_path / "r1",
                   recorded_at=START)
    finally:
        engine.dispose()
    return url


def test_the_probe_sees_the_browser_side_when_it_is_loaded() -> None:
    # The check below must be able to fail: importing the engine is seen.
    _, names = _imported(["-c", "import automation.run.engine"])
    assert "playwright" in _heavy(names)


def test_building_the_parser_loads_no_browser_side() -> None:
    done, names = _imported(["-c", "from automation.cli import build_parser; build_parser()"])
    assert done.returncode == 0, done.stderr[-2000:]
    assert _heavy(names) == []


def test_status_reads_the_history_without_the_browser_side_or_alembic(history_db: str) -> None:
    done, names = _imported(["-m", "automation", "status", "--format", "json"], {"ECOM_PRIVACY_DB": history_db})
    assert done.returncode in (0, 1), done.stderr[-2000:]  # 1: the generated results are old, flagged stale
    stores = {store["id"] for store in json.loads(done.stdout)["stores"]}
    assert stores == {"shop-nl", "shop-en"}
    assert _heavy(names) == []


def test_history_reads_the_timeline_without_the_browser_side_or_alembic(history_db: str) -> None:
    done, names = _imported(["-m", "automation", "history", "--db", history_db, "--format", "json"])
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["drift"]
    assert _heavy(names) == []
