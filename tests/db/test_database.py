"""The tool's database: where it lives, migrations from empty on SQLite and a real PostgreSQL, no leaks."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from automation.db import DatabaseError, default_db_url, open_database, redact_db_url, resolve_db_url


def test_default_is_sqlite_in_the_xdg_data_dir(tmp_path: Path) -> None:
    url = default_db_url({"XDG_DATA_HOME": str(tmp_path)})
    assert url == f"sqlite:///{tmp_path}/ecom-privacy/ecom-privacy.sqlite3"


def test_option_beats_environment_beats_default(tmp_path: Path) -> None:
    env = {"ECOM_PRIVACY_DB": "postgresql://u@h/env", "XDG_DATA_HOME": str(tmp_path)}
    assert resolve_db_url("postgresql://u@h/opt", env) == "postgresql://u@h/opt"
    assert resolve_db_url(None, env) == "postgresql://u@h/env"
    assert resolve_db_url(None, {"XDG_DATA_HOME": str(tmp_path)}).startswith(f"sqlite:///{tmp_path}")


def test_a_bare_path_is_a_sqlite_file(tmp_path: Path) -> None:
    assert resolve_db_url(str(tmp_path / "r.sqlite3"), {}) == f"sqlite:///{tmp_path / 'r.sqlite3'}"


def test_redaction_hides_the_password() -> None:
    shown = redact_db_url("postgresql://agency:S3cr3t%21@db.example:5432/register")
    assert "S3cr3t" not in shown and "agency" in shown and "***" in shown


def test_sqlite_is_created_private_and_migrated(tmp_path: Path) -> None:
    path = tmp_path / "data" / "db.sqlite3"
    engine = open_database(f"sqlite:///{path}")
    try:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        with engine.connect() as connection:
            versions = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
        assert versions  # at least the base revision, or every feature branch's head
    finally:
        engine.dispose()
    # Opening again (an upgrade with nothing to do) keeps the same revisions.
    again = open_database(f"sqlite:///{path}")
    try:
        assert "alembic_version" in inspect(again).get_table_names()
    finally:
        again.dispose()


def test_unreachable_database_is_one_clear_error_without_the_password() -> None:
    with pytest.raises(DatabaseError) as caught:
        open_database("postgresql://agency:TopSecret99@127.0.0.1:1/register")
    assert "TopSecret99" not in str(caught.value)
    assert "127.0.0.1" in str(caught.value)


def test_postgresql_migrates_from_empty(postgres_url: str) -> None:
    engine = open_database(postgres_url)
    try:
        with engine.connect() as connection:
            versions = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
        assert versions
    finally:
        engine.dispose()
