"""What the identity service refused, per account, remembered across runs in the session folder.

Every refused password or code brings an account closer to a lockout, and one identity account may hold
many stores (an agency login), each with its own copy of the credentials in the environment. So refusals
are remembered per account, not per store:

- credentials the identity service refused are never submitted again, by any command, until they change
  (any change of email, password, TOTP secret or recovery codes is new credentials);
- after a refusal, the account gets at most one more failed attempt a day: a store may try the same day
  only when its own credentials changed since the refusal; every other store of the account (one still
  holding credentials it held then, or one not seen since) waits until a day has passed. A successful login
  ends the wait (the identity service took the account's credentials), and so does a person passing the
  login in `ecom-privacy login`.

Credentials are kept as keyed hashes (HMAC with a random salt kept in the same private folder): the files
reveal nothing about the secrets, and a copy of the folder on another machine matches nothing. Without a
session folder (`directory` None) the memory lasts for the command only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from automation.access.session_cache import ensure_private_dir
from ecom_privacy.clock import SYSTEM_CLOCK, Clock
from ecom_privacy.models import LoginSecrets

#: after a refusal, how long the other credentials of the account wait before one more try
WAIT_AFTER_REFUSAL = timedelta(days=1)
SALT_FILE = "refused.salt"


class Fingerprints:
    """Keyed hashes of credentials (and single recovery codes), salted per session folder."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._salt: bytes | None = None if directory is not None else secrets.token_bytes(32)

    def _salt_bytes(self) -> bytes:
        if self._salt is not None:
            return self._salt
        assert self.directory is not None
        ensure_private_dir(self.directory)
        path = self.directory / SALT_FILE
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            self._salt = path.read_bytes()
            return self._salt
        with os.fdopen(fd, "wb") as handle:
            salt = secrets.token_bytes(32)
            handle.write(salt)
        self._salt = salt
        return salt

    def of(self, *values: str | None) -> str:
        material = "\0".join(value or "" for value in values).encode()
        return hmac.new(self._salt_bytes(), material, hashlib.sha256).hexdigest()

    def of_login(self, login: LoginSecrets) -> str:
        """The credentials of one store's login, as one hash (the material of the earlier per-store records,
        so a refusal recorded before this memory existed still matches)."""
        return self.of(login.email, login.password, login.totp_secret, *login.recovery_codes)


@dataclass
class Refusal:
    """The account's refusal record: when the identity service last refused it, and what."""

    #: when the identity service last refused a login of the account (ISO, UTC); "" once a login succeeded
    at: str
    #: the store whose login was refused last, and what the service said
    store: str
    message: str
    #: fingerprints of credentials the service refused: never submitted again
    refused: list[str] = field(default_factory=list)
    #: store id -> the fingerprint of the credentials the store held when last seen under this record
    stores: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Withheld:
    """Why a login is not tried now."""

    reason: str
    #: the record's file, for the message (a person may delete it after checking the account)
    path: Path | None


def _parse(text: str) -> Refusal | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    try:
        record = Refusal(at=str(data.get("at", "")), store=str(data.get("store", "")),
                         message=str(data.get("message", "")), refused=[str(f) for f in data.get("refused", [])],
                         stores={str(k): str(v) for k, v in dict(data.get("stores", {})).items()})
    except (TypeError, ValueError):
        return None
    return record


class AccountMemory:
    """The refusal records of every account, one private file each (`account-<key>.refused`)."""

    def __init__(self, directory: Path | None, clock: Clock = SYSTEM_CLOCK) -> None:
        self.directory = directory
        self.fingerprints = Fingerprints(directory)
        self.clock = clock
        #: without a folder: the records of this command only
        self._memory: dict[str, Refusal] = {}

    def path_for(self, account: str) -> Path | None:
        return self.directory / f"account-{account}.refused" if self.directory is not None else None

    def load(self, account: str) -> Refusal | None:
        path = self.path_for(account)
        if path is None:
            return self._memory.get(account)
        try:
            return _parse(path.read_text(encoding="utf-8"))
        except OSError:
            return None

    def _save(self, account: str, record: Refusal | None) -> None:
        path = self.path_for(account)
        if path is None:
            if record is None:
                self._memory.pop(account, None)
            else:
                self._memory[account] = record
            return
        if record is None:
            path.unlink(missing_ok=True)
            return
        ensure_private_dir(path.parent)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(asdict(record), handle)
        os.replace(tmp, path)

    def _legacy_refusal(self, session_key: str, fingerprint: str) -> dict[str, str] | None:
        """A refusal recorded per store before refusals were kept per account (`<session key>.refused`)."""
        if self.directory is None or not session_key:
            return None
        try:
            record = json.loads((self.directory / f"{session_key}.refused").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) and record.get("fingerprint") == fingerprint else None

    def withheld(self, account: str, store_id: str, fingerprint: str, session_key: str = "") -> Withheld | None:
        """Why this store must not try these credentials now, or None when it may (once)."""
        legacy = self._legacy_refusal(session_key, fingerprint)
        if legacy is not None:
            return Withheld(f"the backoffice refused these same credentials at {legacy.get('at')} "
                            f"({legacy.get('message')})", self.directory / f"{session_key}.refused"
                            if self.directory else None)
        record = self.load(account)
        if record is None:
            return None
        path = self.path_for(account)
        if fingerprint in record.refused:
            return Withheld(f"the backoffice refused these same credentials at {record.at or 'an earlier run'} "
                            f"(store {record.store}: {record.message})", path)
        if not record.at:
            return None  # a login of the account succeeded since: only the refused credentials stay barred
        held = record.stores.get(store_id)
        if held is not None and held != fingerprint:
            return None  # this store's credentials changed since the refusal: one try
        since = datetime.fromisoformat(record.at)
        if self.clock.now() - since >= WAIT_AFTER_REFUSAL:
            return None
        after = (since + WAIT_AFTER_REFUSAL).isoformat(timespec="minutes")
        return Withheld(f"the identity service refused a login of this account at {record.at} (store {record.store}: "
                        f"{record.message}); one failed attempt per account a day at most, so no login before "
                        f"{after} unless this store's credentials change", path)

    def record_refusal(self, account: str, store_id: str, fingerprint: str, message: str) -> None:
        record = self.load(account) or Refusal(at="", store=store_id, message=message)
        record.at = self.clock.now().isoformat(timespec="seconds")
        record.store, record.message = store_id, message
        if fingerprint not in record.refused:
            record.refused.append(fingerprint)
        record.stores[store_id] = fingerprint
        self._save(account, record)

    def note_held(self, account: str, store_id: str, fingerprint: str) -> None:
        """A store of a refused account that was not let try: its credentials as they were, so that a
        change of them (a corrected password) allows it one try the same day."""
        record = self.load(account)
        if record is not None and record.stores.get(store_id) != fingerprint:
            record.stores[store_id] = fingerprint
            self._save(account, record)

    def succeeded(self, account: str, session_key: str = "") -> None:
        """A login of the account passed: the wait ends; credentials refused before stay barred."""
        if self.directory is not None and session_key:
            (self.directory / f"{session_key}.refused").unlink(missing_ok=True)  # this store's old record
        record = self.load(account)
        if record is None:
            return
        if not record.refused:
            self._save(account, None)
        elif record.at:
            record.at = ""
            self._save(account, record)

    def person_logged_in(self, account: str) -> None:
        """`ecom-privacy login`: a person passed the account's login; the wait ends as after any success."""
        self.succeeded(account)

    def is_refused(self, account: str, fingerprint: str, session_key: str = "") -> Refusal | dict[str, str] | None:
        """The record that bars exactly these credentials, if any (`login` does not fill them in)."""
        legacy = self._legacy_refusal(session_key, fingerprint)
        if legacy is not None:
            return legacy
        record = self.load(account)
        return record if record is not None and fingerprint in record.refused else None


class CredentialChecks:
    """When each store's own credentials were last submitted and accepted (`checked-<session key>`): the
    fleet's `check_credentials` logs a store in with them, instead of reusing its cached session, once that
    is longer ago than the period. A wrong (rotated) password must not hide behind a valid cached session
    until the session expires in the middle of a night."""

    def __init__(self, directory: Path | None, clock: Clock = SYSTEM_CLOCK) -> None:
        self.directory = directory
        self.clock = clock

    def path_for(self, session_key: str) -> Path | None:
        return self.directory / f"checked-{session_key}" if self.directory is not None else None

    def last(self, session_key: str) -> datetime | None:
        path = self.path_for(session_key)
        try:
            return datetime.fromisoformat(path.read_text(encoding="utf-8").strip()) if path else None
        except (OSError, ValueError):
            return None

    def due(self, session_key: str, every: timedelta) -> bool:
        last = self.last(session_key)
        return last is None or self.clock.now() - last >= every

    def record(self, session_key: str) -> None:
        path = self.path_for(session_key)
        if path is None:
            return
        ensure_private_dir(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(self.clock.now().isoformat(timespec="seconds"))
