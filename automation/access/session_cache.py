"""A private cache of each store's logged-in browser state (Playwright storage_state), reused by the next run.

Logging in is the slowest part of a no-op run and every login is one more chance for a lockout, so a run
that finds a still-valid session skips the login form. The files hold live session cookies: the folder is
0700 (an existing folder that is not is refused) and every file 0600, written atomically. The key covers
the store id, the backoffice URL and a hash of the login email, so a changed login (or a moved store) never
picks up someone else's session.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import stat
from pathlib import Path
from typing import Any

from ecom_privacy.clock import SYSTEM_CLOCK, Clock
from ecom_privacy.errors import ConfigError

SESSIONS_ENV = "ECOM_PRIVACY_SESSION_DIR"


def default_session_dir() -> Path:
    """$ECOM_PRIVACY_SESSION_DIR, else $XDG_CACHE_HOME/ecom-privacy/sessions, else ~/.cache/ecom-privacy/sessions."""
    override = os.environ.get(SESSIONS_ENV)
    if override:
        return Path(override)
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache_home) / "ecom-privacy" / "sessions"


def check_private_dir(directory: Path) -> None:
    """Refuse an existing folder that is not ours alone: others could read the cached logins in it, or have
    planted files and links (a lock file pointing elsewhere) that a later chmod would not undo."""
    try:
        info = directory.stat()
    except FileNotFoundError:
        return
    problems = []
    if info.st_uid != os.geteuid():
        problems.append(f"it belongs to uid {info.st_uid}, not to this user (uid {os.geteuid()})")
    if info.st_mode & 0o077:
        problems.append(f"its mode is {stat.S_IMODE(info.st_mode):04o}, not 0700")
    if problems:
        raise ConfigError(f"session folder {directory} is not private: {' and '.join(problems)}; it holds live "
                          f"logins and run locks. Check what is in it, then 'chmod 700 {directory}' (as its "
                          f"owner), or pass another --session-dir")


def ensure_private_dir(directory: Path) -> Path:
    """Create `directory` (mode 0700); an existing one must already be private (check_private_dir)."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    check_private_dir(directory)
    return directory


def session_key(store_id: str, backoffice_url: str, email: str) -> str:
    email_hash = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    material = "\n".join((store_id, backoffice_url.rstrip("/"), email_hash))
    return hashlib.sha256(material.encode()).hexdigest()[:40]


def cookie_values(state: dict[str, Any]) -> list[str]:
    """Every cookie value of a storage state: fed to the redactor so none reaches a log or an artifact."""
    return [str(cookie.get("value", "")) for cookie in state.get("cookies", []) if cookie.get("value")]


_SAME_SITE = ("Strict", "Lax", "None")


def _cookie_problem(cookie: Any) -> str | None:
    if not isinstance(cookie, dict):
        return "is not an object"
    for name in ("name", "value"):
        if not isinstance(cookie.get(name), str):
            return f"{name}: expected a string, got {type(cookie.get(name)).__name__}"
    for name in ("domain", "path", "url"):
        if name in cookie and not isinstance(cookie[name], str):
            return f"{name}: expected a string, got {type(cookie[name]).__name__}"
    expires = cookie.get("expires", -1)
    if isinstance(expires, bool) or not isinstance(expires, int | float):
        return f"expires: expected a number, got {expires!r}"
    for name in ("httpOnly", "secure"):
        if name in cookie and not isinstance(cookie[name], bool):
            return f"{name}: expected true or false, got {cookie[name]!r}"
    if "sameSite" in cookie and cookie["sameSite"] not in _SAME_SITE:
        return f"sameSite: expected one of {', '.join(_SAME_SITE)}, got {cookie['sameSite']!r}"
    return None


def storage_state_problem(state: Any) -> str | None:
    """What makes `state` unusable as a Playwright storage state (None when nothing does).

    The shape Playwright's own validator insists on; a state it refuses makes new_context fail, and with it
    the store, on every run until the file goes."""
    if not isinstance(state, dict) or not isinstance(state.get("cookies"), list):
        return "not a storage state (no cookies list)"
    for index, cookie in enumerate(state["cookies"]):
        problem = _cookie_problem(cookie)
        if problem is not None:
            return f"cookies[{index}].{problem}" if not problem.startswith("is ") else f"cookies[{index}] {problem}"
    origins = state.get("origins", [])
    if not isinstance(origins, list):
        return "origins: expected a list"
    for index, origin in enumerate(origins):
        if not isinstance(origin, dict) or not isinstance(origin.get("origin"), str):
            return f"origins[{index}].origin: expected a string"
        entries = origin.get("localStorage", [])
        if not isinstance(entries, list) or not all(
                isinstance(entry, dict) and isinstance(entry.get("name"), str) and isinstance(entry.get("value"), str)
                for entry in entries):
            return f"origins[{index}].localStorage: expected a list of name/value strings"
    return None


class SessionCache:
    """`load` / `save` / `forget` one store's storage state. A disabled cache does nothing."""

    def __init__(self, directory: Path, enabled: bool = True) -> None:
        self.directory = directory
        self.enabled = enabled

    def path_for(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def load(self, key: str, log: Any = None) -> dict[str, Any] | None:
        """The cached state, or None. A file that is torn, foreign or not a storage state Playwright would
        accept is deleted (with a log line naming it): the store logs in instead of failing on every run."""
        if not self.enabled:
            return None
        check_private_dir(self.directory)
        path = self.path_for(key)
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            self.discard(key, f"not readable as JSON ({exc.__class__.__name__})", log)
            return None
        problem = storage_state_problem(state)
        if problem is not None:
            self.discard(key, problem, log)
            return None
        return state

    def discard(self, key: str, reason: str, log: Any = None) -> None:
        """Delete a cached session that cannot be used, saying which file and why."""
        if log is not None:
            log.warning("cached session discarded, logging in instead", file=str(self.path_for(key)), reason=reason)
        self.forget(key)

    def save(self, key: str, state: dict[str, Any]) -> None:
        if not self.enabled:
            return
        ensure_private_dir(self.directory)
        target = self.path_for(key)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        # O_CREAT with 0600: the file is never readable by others, not even for an instant.
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(state, handle)
            os.replace(tmp, target)
        except OSError:
            tmp.unlink(missing_ok=True)  # a full disk leaves no torn temporary file behind
            raise

    def forget(self, key: str) -> None:
        if self.enabled:
            self.path_for(key).unlink(missing_ok=True)


class RefusedLogins:
    """Remembers credentials the backoffice refused, so the next run does not try them again.

    Every refused attempt brings an account closer to being locked, and a nightly cron job with a stale
    password would lock it within a week. A refusal is recorded under the store's key with a keyed hash of
    the credentials (HMAC with a random salt kept in the same private folder, so the file reveals nothing
    about the password); a run with the very same credentials fails at once without a login attempt, and
    any change of email, password or TOTP secret allows one new try. A successful login clears the record.
    """

    def __init__(self, directory: Path, enabled: bool = True, clock: Clock = SYSTEM_CLOCK) -> None:
        self.directory = directory
        self.enabled = enabled
        self.clock = clock  # when a refusal happened, for the person reading the record

    def path_for(self, key: str) -> Path:
        return self.directory / f"{key}.refused"

    def _salt(self) -> bytes:
        ensure_private_dir(self.directory)
        path = self.directory / "refused.salt"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_bytes()
        with os.fdopen(fd, "wb") as handle:
            salt = secrets.token_bytes(32)
            handle.write(salt)
        return salt

    def fingerprint(self, *credentials: str | None) -> str:
        if not self.enabled:
            return ""
        material = "\0".join(value or "" for value in credentials).encode()
        return hmac.new(self._salt(), material, hashlib.sha256).hexdigest()

    def refusal(self, key: str, fingerprint: str) -> dict[str, str] | None:
        """The recorded refusal of exactly these credentials, if any."""
        if not self.enabled:
            return None
        try:
            record = json.loads(self.path_for(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) and record.get("fingerprint") == fingerprint else None

    def record(self, key: str, fingerprint: str, message: str) -> None:
        if not self.enabled:
            return
        ensure_private_dir(self.directory)
        fd = os.open(self.path_for(key), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"fingerprint": fingerprint, "message": message,
                       "at": self.clock.now().isoformat(timespec="seconds")}, handle)

    def clear(self, key: str) -> None:
        if self.enabled:
            self.path_for(key).unlink(missing_ok=True)
