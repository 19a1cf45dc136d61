"""Where the database is, and how to name it without leaking its password."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DB_ENV = "ECOM_PRIVACY_DB"
DB_FILE_NAME = "ecom-privacy.sqlite3"


def default_db_path(env: Mapping[str, str] | None = None) -> Path:
    """`$XDG_DATA_HOME/ecom-privacy/…`, else `~/.local/share/ecom-privacy/…` (the XDG default)."""
    env = os.environ if env is None else env
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "ecom-privacy" / DB_FILE_NAME


def default_db_url(env: Mapping[str, str] | None = None) -> str:
    return f"sqlite:///{default_db_path(env)}"


def resolve_db_url(option: str | None, env: Mapping[str, str] | None = None) -> str:
    """`--db` wins, then `$ECOM_PRIVACY_DB`, then the SQLite file in the data directory.

    A bare path (no `://`) is taken as a SQLite file, so `--db ./register.sqlite3` works as people expect.
    """
    env = os.environ if env is None else env
    value = option or env.get(DB_ENV) or default_db_url(env)
    if "://" not in value:
        value = f"sqlite:///{Path(value).expanduser().resolve()}"
    return value


#: query parameters of a database URL that hold a secret (PostgreSQL's sslpassword, password, a token, ...)
SECRET_PARAMETER = re.compile(r"pass(?!file)|secret|token|credential|api_?key", re.IGNORECASE)
SUPPORTED_SCHEMES = ("sqlite", "postgresql")


def redact_db_url(url: str) -> str:
    """The URL with its password and every password-like query parameter (`sslpassword=`) replaced by `***`:
    safe for logs, errors and reports."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return "<unparseable database URL>"
    query = {key: ("***" if SECRET_PARAMETER.search(key) else value) for key, value in parsed.query.items()}
    shown = parsed.set(query={}).render_as_string(hide_password=True)
    if query:
        shown += "?" + "&".join(f"{key}={value}" if isinstance(value, str) else
                                "&".join(f"{key}={item}" for item in value) for key, value in query.items())
    return shown


def db_url_secrets(url: str) -> list[str]:
    """The password and the values of password-like query parameters: for the redactor."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return []
    values = [parsed.password] if parsed.password else []
    for key, value in parsed.query.items():
        if SECRET_PARAMETER.search(key):
            values += [value] if isinstance(value, str) else list(value)
    return [str(value) for value in values if value]
