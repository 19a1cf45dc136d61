from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from automation.db import open_database
from tests.cli.conftest import cli  # noqa: F401 (the CLI runner of the end-to-end tests)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The history database on SQLite and on a real PostgreSQL (skipped, with the reason, where none starts)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = open_database(db_url)
    try:
        yield engine
    finally:
        engine.dispose()
