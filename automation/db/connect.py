"""Open the database and bring its schema up to date with the shipped Alembic migrations."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase

from automation.db.revisions import head_revisions
from automation.db.url import DB_ENV, SUPPORTED_SCHEMES, default_db_url, redact_db_url
from ecom_privacy.errors import EcomPrivacyError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")


class Base(DeclarativeBase):
    """Every table of the tool's database is declared on this base (one metadata, one schema)."""


class DatabaseError(EcomPrivacyError):
    """The database cannot be opened or migrated; the message names it with its password hidden."""


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config  # Alembic is loaded only when a schema must change (see open_database)

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Percent signs in a URL would be read as interpolation by configparser; the engine is passed instead.
    config.attributes["engine"] = engine
    return config


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    # WAL lets `status` read while a run writes; foreign keys are off by default in SQLite.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def create_db_engine(url: str) -> Engine:
    shown = redact_db_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"database URL {shown!r} is not valid: {exc}. Use sqlite:///PATH or "
                            "postgresql://USER@HOST/DB (password in the URL or in $PGPASSWORD).") from None
    if parsed.get_backend_name() not in SUPPORTED_SCHEMES:
        raise DatabaseError(f"database {shown}: {parsed.get_backend_name()!r} databases are not supported; use "
                            f"sqlite:///PATH or postgresql://USER@HOST/DB (--db or ${DB_ENV})")
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        _sqlite_folder(Path(parsed.database).expanduser(), url)
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("", "psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver we ship
    try:
        engine = create_engine(parsed, pool_pre_ping=True)
    except (NoSuchModuleError, ArgumentError) as exc:
        raise DatabaseError(f"database {shown}: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_folder(path: Path, url: str) -> None:
    """The folder of a SQLite file: the tool's own data folder is made with its parents; a folder given with
    --db is made only when its parent exists (a typo such as /nonexistent/dir/x.db is an error, not a tree of
    new folders)."""
    folder = path.parent
    if folder.is_dir():
        return
    if url != default_db_url() and not folder.parent.is_dir():
        raise DatabaseError(f"database {redact_db_url(url)}: the folder {folder} does not exist; create it first, "
                            f"or check --db / ${DB_ENV}")
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise DatabaseError(f"database {redact_db_url(url)}: cannot create the folder {folder}: "
                            f"{exc.strerror or exc}") from None


def stamped_revisions(connection: Connection) -> frozenset[str] | None:
    """The revisions the database is at (`alembic_version`), or None when it has none yet (a new database)."""
    try:
        return frozenset(row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version")))
    except DBAPIError:  # no such table: never migrated; the upgrade creates it
        connection.rollback()  # PostgreSQL refuses further statements in a failed transaction
        return None


def upgrade(engine: Engine) -> None:
    """Bring the schema to every branch head with the shipped migrations."""
    from alembic import command  # loads Alembic and every migration script: only when something is to do

    command.upgrade(alembic_config(engine), "heads")


def open_database(url: str, *, migrate: bool = True) -> Engine:
    """An engine on `url` whose schema is at the newest version (every branch head).

    A database already at the heads is checked with one query and Alembic is not loaded at all: opening
    is on the path of every `status`, `history` and run.
    """
    engine = create_db_engine(url)
    if not migrate:
        return engine
    try:
        with engine.connect() as connection:  # unreachable: OperationalError, reported below as before
            current = stamped_revisions(connection) == head_revisions()
        if not current:
            upgrade(engine)
    except OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseError(f"cannot open database {redact_db_url(url)}: {reason}") from None
    except SQLAlchemyError as exc:
        engine.dispose()
        raise DatabaseError(f"cannot migrate database {redact_db_url(url)}: {exc}") from None
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        os.chmod(Path(parsed.database).expanduser(), 0o600)  # it holds store and incident data
    return engine
