"""Open the database and bring its schema up to date with the shipped Alembic migrations."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase

from automation.db.url import redact_db_url
from automation.errors import EcomPrivacyError

MIGRATIONS = Path(__file__).with_name("migrations")


class Base(DeclarativeBase):
    """Every table of the tool's database is declared on this base (one metadata, one schema)."""


class DatabaseError(EcomPrivacyError):
    """The database cannot be opened or migrated; the message names it with its password hidden."""


def alembic_config(engine: Engine) -> Config:
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
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        folder = Path(parsed.database).expanduser().parent
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("", "psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3 is the driver we ship
    try:
        engine = create_engine(parsed, pool_pre_ping=True)
    except (NoSuchModuleError, ArgumentError) as exc:
        raise DatabaseError(f"database {shown}: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def open_database(url: str, *, migrate: bool = True) -> Engine:
    """An engine on `url` whose schema is at the newest version (every branch head)."""
    engine = create_db_engine(url)
    if not migrate:
        return engine
    try:
        command.upgrade(alembic_config(engine), "heads")
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
