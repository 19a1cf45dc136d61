"""One home for a site's state, and every path the tool keeps state in, each with where it came from.

The history and breach database, the cached sessions, the memory of refused logins, the spent recovery codes
and the store locks belong to one site (an agency's fleet). When the nightly service, an operator's shell and
the DPO's shell each find them somewhere else, `status` shows no runs, breach deadlines never reach the
alerts and two runs lock different files while changing the same store. So they live under one folder, the
home: `--home DIR` on every command, else `$ECOM_PRIVACY_HOME`.

Each path is decided the same way, the command line before the environment and, within each, the
specific before the general:

    database   --db, --home, $ECOM_PRIVACY_DB, $ECOM_PRIVACY_HOME, else the XDG data folder
    sessions   --session-dir, --home, $ECOM_PRIVACY_SESSION_DIR, $ECOM_PRIVACY_HOME, else the XDG cache
    locks      the home's locks/ folder; without a home, the session folder

A flag wins over every variable, so `make demo --home demo/home` never writes into the database a shell's
`$ECOM_PRIVACY_DB` names. Without any home each path keeps the place it had before there was one, so an
existing installation finds its history and sessions where it left them.

The session folder holds the cached sessions, the refused-login memory and the spent recovery codes
together: they are what a login needs, and the memory moves with `--session-dir`.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from automation.db.url import DB_ENV, DB_FILE_NAME, default_db_path, redact_db_url, resolve_db_url

HOME_ENV = "ECOM_PRIVACY_HOME"
SESSIONS_ENV = "ECOM_PRIVACY_SESSION_DIR"
#: the home's folders and files
SESSIONS_FOLDER, LOCKS_FOLDER = "sessions", "locks"


@dataclass(frozen=True)
class Place:
    """A path (or a database URL) and where it came from: `--home`, `$ECOM_PRIVACY_HOME`, `default`, ..."""

    value: str
    source: str


def default_session_dir(env: Mapping[str, str] | None = None) -> Path:
    """Without any home: $XDG_CACHE_HOME/ecom-privacy/sessions, else ~/.cache/ecom-privacy/sessions."""
    env = os.environ if env is None else env
    cache_home = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache_home) / "ecom-privacy" / "sessions"


@dataclass(frozen=True)
class SitePaths:
    """Every place a command keeps state in. `home` is None when none is set (each path at its old default)."""

    home: Place | None
    database: Place
    sessions: Place
    locks: Place

    @property
    def db_url(self) -> str:
        return self.database.value

    @property
    def session_dir(self) -> Path:
        return Path(self.sessions.value)

    @property
    def lock_dir(self) -> Path:
        return Path(self.locks.value)


def _pick(flag: str | Path | None, flag_name: str, variable: str, in_home: str, flag_home: Path | None,
          env_home: Path | None, env: Mapping[str, str]) -> Place | None:
    """The first that is set: the flag, the home of `--home`, the variable, the home of the variable."""
    candidates: list[tuple[str | Path | None, str]] = [
        (flag, flag_name),
        (flag_home / in_home if flag_home else None, "the home (--home)"),
        (env.get(variable), f"${variable}"),
        (env_home / in_home if env_home else None, f"the home (${HOME_ENV})"),
    ]
    for value, source in candidates:
        if value:
            return Place(str(value), source)
    return None


def site_paths(home: Path | None = None, session_dir: Path | None = None, db: str | None = None,
               env: Mapping[str, str] | None = None) -> SitePaths:
    """The paths of one command: its flags (`--home`, `--session-dir`, `--db`) over the environment."""
    env = os.environ if env is None else env
    flag_home = Path(home).expanduser() if home else None
    env_home = Path(env[HOME_ENV]).expanduser() if env.get(HOME_ENV) else None
    database = _pick(db, "--db", DB_ENV, DB_FILE_NAME, flag_home, env_home, env) or Place(
        str(default_db_path(env)), "default: $XDG_DATA_HOME/ecom-privacy, else ~/.local/share/ecom-privacy")
    sessions = _pick(session_dir, "--session-dir", SESSIONS_ENV, SESSIONS_FOLDER, flag_home, env_home, env) or Place(
        str(default_session_dir(env)), "default: $XDG_CACHE_HOME/ecom-privacy, else ~/.cache/ecom-privacy")
    the_home = Place(str(flag_home), "--home") if flag_home else (
        Place(str(env_home), f"${HOME_ENV}") if env_home else None)
    locks = (Place(str(Path(the_home.value) / LOCKS_FOLDER), f"the home ({the_home.source})") if the_home
             else Place(sessions.value, "the session folder: no home set"))
    return SitePaths(home=the_home, database=Place(resolve_db_url(database.value, {}), database.source),
                     sessions=sessions, locks=locks)


def paths_of(args: argparse.Namespace, env: Mapping[str, str] | None = None) -> SitePaths:
    """The paths of a parsed command line (commands without one of the flags have it unset)."""
    return site_paths(getattr(args, "home", None), getattr(args, "session_dir", None), getattr(args, "db", None),
                      env)


def render_where(paths: SitePaths, extra: list[tuple[str, Place]] | None = None) -> str:
    """`ecom-privacy where`: each path in use and where it came from."""
    sessions = paths.session_dir
    rows: list[tuple[str, Place]] = [
        ("home", paths.home or Place("(none set: each path at its own default)", f"neither --home nor ${HOME_ENV}")),
        ("database", Place(redact_db_url(paths.db_url), paths.database.source)),
        ("sessions", paths.sessions),
        ("refused logins", Place(str(sessions / "account-*.refused"), "the session folder")),
        ("recovery codes", Place(str(sessions / "recovery-*.used"), "the session folder")),
        ("credentials checks", Place(str(sessions / "checked-*"), "the session folder")),
        ("locks", paths.locks),
        *(extra or []),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name.ljust(width)}  {place.value}  ({place.source})" for name, place in rows)


def where_json(paths: SitePaths, extra: list[tuple[str, Place]] | None = None) -> dict[str, dict[str, str] | None]:
    document: dict[str, dict[str, str] | None] = {
        "home": vars(paths.home) if paths.home else None,
        "database": {"value": redact_db_url(paths.db_url), "source": paths.database.source},
        "sessions": vars(paths.sessions),
        "locks": vars(paths.locks),
    }
    for name, place in extra or []:
        document[name.replace(" ", "_")] = vars(place)
    return document
