"""Logging in across a fleet: one identity session per account, spent recovery codes, bot challenges.

The backoffice hands its login over to an identity service (Lightspeed ID) on another origin, and one
identity account may hold many stores (an agency login). Within a run the identity service's cookies are
kept per account and given to the next store of that account, which then passes the chain without a
password or code; the stores of one account log in one after the other (an account lock), so they do not
all race into the password form at once. What the flow reports (password and code submissions, one-time
tokens) is counted into the store's result and fed to the redactor.

Recovery codes are single use: the one submitted is remembered as a keyed hash (never in clear) in the
session folder, so the next login, in this run or a later one, takes the next code.

A bot challenge is no refused login: it is never recorded as one and is tried at most once more.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext

from automation.access.session_cache import RefusedLogins, ensure_private_dir
from automation.browser.retry import retry_transient
from automation.redaction.redactor import Redactor
from ecom_privacy.errors import AuthenticationError, BotChallengeError
from ecom_privacy.models import LoginCounts, LoginSecrets, LoginTally

#: a bot challenge is tried this often in all (once more after the first): it can be a passing mood of the
#: bot protection, and never worth more (each try looks more like a bot)
BOT_CHALLENGE_TRIES = 2


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
        self._hasher = RefusedLogins(directory, enabled=True)

    def path_for(self, account: str) -> Path:
        return self.directory / f"recovery-{account}.used"

    def _hash(self, code: str) -> str:
        return self._hasher.fingerprint("recovery code", code)

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


def _credentials_fingerprint(secrets: LoginSecrets) -> str:
    """In memory only, for this run: which credentials of an account were refused."""
    material = "\0".join((secrets.password, secrets.totp_secret or "", *secrets.recovery_codes))
    return hashlib.sha256(material.encode()).hexdigest()


@dataclass
class _Account:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    #: the identity service's cookies after the last login of this account in this run
    cookies: list[dict[str, Any]] = field(default_factory=list)
    #: counts the changes of `cookies`
    version: int = 0
    #: credential fingerprints the identity service refused in this run, with the store that met it
    refused: dict[str, str] = field(default_factory=dict)


class IdentitySessions:
    """The identity sessions of one run, per account (in memory only; the stores' session cache keeps them
    between runs as part of each store's browser state)."""

    def __init__(self) -> None:
        self._accounts: dict[str, _Account] = {}
        #: the account cookies' version each browser context holds (kept or seeded last)
        self._seen: weakref.WeakKeyDictionary[BrowserContext, int] = weakref.WeakKeyDictionary()

    def account(self, key: str) -> _Account:
        return self._accounts.setdefault(key, _Account())

    async def seed(self, context: BrowserContext, account: _Account) -> None:
        """Give `context` the account's identity session, unless it already holds that one or a newer one
        (its own, from its last login): an older session would overwrite the browser's current identity
        cookie and make the form on screen belong to a session that is gone."""
        if account.cookies and self._seen.get(context, -1) < account.version:
            await context.add_cookies(account.cookies)  # type: ignore[arg-type]
            self._seen[context] = account.version

    async def keep(self, context: BrowserContext, account: _Account, identity_url: str | None,
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


@dataclass
class ChainLogin:
    """Everything one store's login needs besides the page: shared by all stores of a run."""

    identities: IdentitySessions
    ledger: RecoveryCodeLedger | None
    redactor: Redactor
    attempts: int

    async def log_in(self, *, store_id: str, context: BrowserContext, backoffice_url: str, secrets: LoginSecrets,
                     counts: LoginCounts,
                     login: Callable[[LoginSecrets, LoginTally], Awaitable[None]],
                     warn: Callable[[str], None]) -> None:
        """Log one store in through its account: after any earlier store of the account, with its identity
        session; a bot challenge once more at most; a refusal of these credentials in this run is final for
        every store of the account."""
        key = account_key(secrets.email)
        account = self.identities.account(key)
        fingerprint = _credentials_fingerprint(secrets)
        async with account.lock:
            earlier = account.refused.get(fingerprint)
            if earlier is not None:
                raise AuthenticationError(
                    f"not logging in: the identity service refused these same credentials for store {earlier} in "
                    f"this run (one account); another try would bring it closer to a lockout")
            await self.identities.seed(context, account)
            ledger = self.ledger
            tally = LoginTally(counts=counts,
                               on_recovery_code=(lambda code: ledger.spend(key, code)) if ledger else None)

            def unspent() -> LoginSecrets:
                # Asked again before every try: a try that failed after submitting a code has spent it.
                if not secrets.recovery_codes or ledger is None:
                    return secrets
                return replace(secrets, recovery_codes=ledger.unused(key, secrets.recovery_codes))

            try:
                await self._with_one_more_challenge(store_id, lambda: retry_transient(
                    lambda: login(unspent(), tally), attempts=self.attempts), warn)
            except AuthenticationError:
                account.refused[fingerprint] = store_id
                raise
            finally:
                for value in tally.one_time_values:
                    self.redactor.add(value)
            await self.identities.keep(context, account, tally.identity_url, backoffice_url)

    @staticmethod
    async def _with_one_more_challenge(store_id: str, attempt: Callable[[], Awaitable[None]],
                                       warn: Callable[[str], None]) -> None:
        for number in range(1, BOT_CHALLENGE_TRIES + 1):
            try:
                await attempt()
                return
            except BotChallengeError as exc:
                if number == BOT_CHALLENGE_TRIES:
                    raise BotChallengeError(f"{exc}, {BOT_CHALLENGE_TRIES} times; "
                                            f"{bot_challenge_advice(store_id)}") from exc
                warn(str(exc))
