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


# -- the low findings of issue #24 on --db ----------------------------------------------------------------------

def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    import io

    from automation.cli import main

    out = io.StringIO()
    code = main(list(args), out=out)
    return code, out.getvalue(), capsys.readouterr().err


def test_a_sqlite_path_in_a_folder_that_does_not_exist_is_an_error_not_new_folders(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nonexistent" / "dir"
    code, _, err = _cli(capsys, "status", "--db", f"sqlite:///{missing / 'x.db'}")
    assert code == 1 and "Traceback" not in err
    [line] = err.strip().splitlines()
    assert f"the folder {missing} does not exist; create it first" in line
    assert not (tmp_path / "nonexistent").exists()
    # One new folder under an existing one is still made (as before), private.
    _, out, err = _cli(capsys, "status", "--db", f"sqlite:///{tmp_path / 'data' / 'x.db'}")
    assert "No runs recorded yet" in out and not err, err
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700


@pytest.mark.parametrize("url", ["mysql://agency:Pw-7@db.example/register", "mssql+pyodbc://h/db", "oracle://h/db"])
def test_an_unsupported_database_is_one_line_naming_the_supported_ones(
        url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _cli(capsys, "status", "--db", url)
    assert code == 1 and "Traceback" not in err
    [line] = err.strip().splitlines()
    assert "databases are not supported; use sqlite:///PATH or postgresql://USER@HOST/DB" in line
    assert "Pw-7" not in line


def test_password_like_query_parameters_are_hidden() -> None:
    shown = redact_db_url("postgresql://agency:Pw-1@db.example/register?sslmode=require&sslpassword=Key-Secret-77"
                          "&sslkey=/etc/client.key&access_token=Tok-88")
    assert "Key-Secret-77" not in shown and "Tok-88" not in shown and "Pw-1" not in shown
    assert "sslmode=require" in shown and "sslkey=/etc/client.key" in shown and "sslpassword=***" in shown


def test_sslpassword_is_never_printed_by_a_command(postgres_url: str, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    url = f"{postgres_url}{'&' if '?' in postgres_url else '?'}sslpassword=Key-Secret-77"
    (tmp_path / "runs").mkdir()
    code, out, err = _cli(capsys, "history", "import", str(tmp_path / "runs"), "--db", url)
    assert code == 0, err
    assert "database " in out and "sslpassword=***" in out and "Key-Secret-77" not in out + err
