"""The pieces the login coordinator (automation.access.coordinator) puts together: accounts, their identity
sessions within a command, spent recovery codes, the advice after a bot challenge.

The backoffice hands its login over to an identity service (Lightspeed ID) on another origin, and one
identity account may hold many stores (an agency login). Within a command the identity service's cookies
are kept per account and given to the next store of that account, which then passes the chain without a
password or code.

Recovery codes are single use: the one submitted is remembered as a keyed hash (never in clear) in the
session folder, so the next login, in this command or a later one, takes the next code.
"""

from __future__ import annotations

import hashlib
import os
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext

from automation.access.account_memory import Fingerprints
from automation.access.session_cache import ensure_private_dir


def account_key(email: str) -> str:
    """One identity account per login email (an agency's stores share it)."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:24]


def bot_challenge_advice(store_id: str) -> str:
    return (f"this is not a refused password and was not counted as one. Log in once in a visible browser with "
            f"'ecom-privacy login --store {store_id}' (a person passes the challenge there); later runs reuse "
            f"that session")


class RecoveryCodeLedger:
    """The recovery codes already submitted, per account, as HMACs (the salt of the refused-login records,
    in the same private folder): a file that reveals no code, but tells the next login which to skip."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._hasher = Fingerprints(directory)

    def path_for(self, account: str) -> Path:
        return self.directory / f"recovery-{account}.used"

    def _hash(self, code: str) -> str:
        return self._hasher.of("recovery code", code)

    def _spent(self, account: str) -> set[str]:
        try:
            return set(self.path_for(account).read_text(encoding="utf-8").split())
        except FileNotFoundError:
            return set()

    def unused(self, account: str, codes: tuple[str, ...]) -> tuple[str, ...]:
        if not codes:
            return ()
        spent = self._spent(account)
        return tuple(code for code in codes if self._hash(code) not in spent)

    def spend(self, account: str, code: str) -> None:
        """Record `code` as used; called before it is submitted, so a crash never lets it be sent twice."""
        ensure_private_dir(self.directory)
        fd = os.open(self.path_for(account), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(self._hash(code) + "\n")


@dataclass
class IdentityCookies:
    #: the identity service's cookies after the last login of this account in this run
    cookies: list[dict[str, Any]] = field(default_factory=list)
    #: counts the changes of `cookies`
    version: int = 0


class IdentitySessions:
    """The identity sessions of one run, per account (in memory only; the stores' session cache keeps them
    between runs as part of each store's browser state)."""

    def __init__(self) -> None:
        self._accounts: dict[str, IdentityCookies] = {}
        #: the account cookies' version each browser context holds (kept or seeded last)
        self._seen: weakref.WeakKeyDictionary[BrowserContext, int] = weakref.WeakKeyDictionary()

    def account(self, key: str) -> IdentityCookies:
        return self._accounts.setdefault(key, IdentityCookies())

    async def seed(self, context: BrowserContext, account: IdentityCookies) -> None:
        """Give `context` the account's identity session, unless it already holds that one or a newer one
        (its own, from its last login): an older session would overwrite the browser's current identity
        cookie and make the form on screen belong to a session that is gone."""
        if account.cookies and self._seen.get(context, -1) < account.version:
            await context.add_cookies(account.cookies)  # type: ignore[arg-type]
            self._seen[context] = account.version

    async def keep(self, context: BrowserContext, account: IdentityCookies, identity_url: str | None,
                   backoffice_url: str) -> None:
        """The cookies the browser sends to the identity service, without the store's own session."""
        if identity_url is None:
            return
        admin = urlsplit(backoffice_url).path.rstrip("/")
        cookies = await context.cookies([identity_url])
        kept = [dict(cookie) for cookie in cookies
                if not (admin and str(cookie.get("path", "/")).startswith(admin))]
        if kept:
            account.cookies = kept
            account.version += 1
            self._seen[context] = account.version
