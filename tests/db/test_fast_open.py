"""Opening a database already at the heads costs one query and never loads Alembic; any other is migrated."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, event, inspect, text

from automation.db import open_database
from automation.db.connect import alembic_config, create_db_engine
from automation.db.revisions import head_revisions

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.sqlite3'}"
    return request.getfixturevalue("postgres_url")


def _stamped(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}


def _statements_of(action: object) -> list[str]:
    """Every SQL statement any engine sends while `action` runs."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        seen.append(" ".join(statement.split()))

    event.listen(Engine, "before_cursor_execute", record)
    try:
        action()  # type: ignore[operator]
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    return seen


@pytest.fixture
def opened(db_url: str) -> Iterator[Engine]:
    engine = open_database(db_url)
    yield engine
    engine.dispose()


def test_heads_read_from_the_files_are_alembics_own() -> None:
    engine = create_db_engine("sqlite://")
    try:
        assert head_revisions() == frozenset(ScriptDirectory.from_config(alembic_config(engine)).get_heads())
    finally:
        engine.dispose()


def test_heads_follow_branches_merges_and_annotated_constants(tmp_path: Path) -> None:
    files = {
        "base.py": 'revision = "base"\ndown_revision = None\n',
        "a1.py": 'revision = "a1"\ndown_revision = "base"\nbranch_labels = ("a",)\n',
        "b1.py": 'revision: str = "b1"\ndown_revision: str | None = "base"\n',
        "b2.py": 'revision = "b2"\ndown_revision = "b1"\n',
        "c1.py": 'revision = "c1"\ndown_revision = "base"\n',
        "merge.py": 'revision = "m"\ndown_revision = (\n    "a1",\n    "c1",\n)\n',
        "__init__.py": "",
    }
    for name, body in files.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    assert head_revisions(tmp_path) == {"b2", "m"}


def test_a_new_database_is_created_at_the_heads(db_url: str, opened: Engine) -> None:
    assert _stamped(opened) == head_revisions()
    tables = set(inspect(opened).get_table_names())
    assert {"history_runs", "alert_problems", "breach_incidents"} <= tables


def test_a_database_at_the_heads_is_checked_with_one_query(db_url: str, opened: Engine) -> None:
    again: list[Engine] = []
    statements = _statements_of(lambda: again.append(open_database(db_url)))
    again[0].dispose()
    assert statements == ["SELECT version_num FROM alembic_version"]


def test_an_out_of_date_database_is_upgraded(db_url: str) -> None:
    engine = create_db_engine(db_url)
    try:
        command.upgrade(alembic_config(engine), "0001_base")  # as made by a version before any feature
        assert _stamped(engine) == {"0001_base"}
    finally:
        engine.dispose()
    upgraded = open_database(db_url)
    try:
        assert _stamped(upgraded) == head_revisions()
        assert {"history_runs", "alert_problems", "breach_incidents"} <= set(inspect(upgraded).get_table_names())
    finally:
        upgraded.dispose()


def test_a_database_one_migration_behind_on_one_branch_is_upgraded(db_url: str, opened: Engine) -> None:
    command.downgrade(alembic_config(opened), "history@-1")  # drops the newest history migration only
    behind = _stamped(opened)
    assert behind != head_revisions() and len(behind) == len(head_revisions())
    opened.dispose()
    upgraded = open_database(db_url)
    try:
        assert _stamped(upgraded) == head_revisions()
        assert "alert_problems" in inspect(upgraded).get_table_names()
    finally:
        upgraded.dispose()


def test_opening_a_current_database_does_not_load_alembic(db_url: str, opened: Engine) -> None:
    probe = ("import sys\nfrom automation.db import open_database\n"
             f"open_database({db_url!r}).dispose()\n"
             "print(sorted(name for name in sys.modules if name.split('.')[0] == 'alembic'))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
