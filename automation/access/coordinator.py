"""One login coordinator per command: every login of every store goes through it, account by account.

One identity account (one login email) may hold many stores, and each store's environment holds its own
copy of the credentials. Whatever the command (plan, apply, probe, export-subscribers, login, the breach
commands), the coordinator:

- logs the stores of one account in one after the other (never two into the password form at once), and
  gives each the account's identity session from the last login, so an agency's stores need one password;
- stops every further attempt for an account once the identity service refused one of its logins in this
  command, whatever credentials the other stores hold (a half-done password rotation must not lock the
  account: each store's own wrong password would be one more failure);
- remembers refusals per account in the session folder (`AccountMemory`): refused credentials are never
  submitted again, and the account gets at most one more failed attempt a day unless a store's credentials
  change or a person passes the login in `ecom-privacy login`;
- spends recovery codes once (`RecoveryCodeLedger`), and tries a bot challenge once more at most (it is no
  refused login: never recorded as one).

What the flow reports (password and code submissions, one-time tokens) is counted into the store's result
and fed to the redactor.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from playwright.async_api import BrowserContext

from automation.access.account_memory import AccountMemory
from automation.access.login_chain import IdentitySessions, RecoveryCodeLedger, account_key, bot_challenge_advice
from automation.browser.retry import retry_transient
from automation.redaction.redactor import Redactor
from ecom_privacy.clock import SYSTEM_CLOCK, Clock
from ecom_privacy.errors import AuthenticationError, BotChallengeError, CodeUnavailableError, LoginWithheldError
from ecom_privacy.models import LoginCounts, LoginSecrets, LoginTally

#: a bot challenge is tried this often in all (once more after the first): it can be a passing mood of the
#: bot protection, and never worth more (each try looks more like a bot)
BOT_CHALLENGE_TRIES = 2

#: the login flow of one store: submit what `LoginSecrets` holds, report into the tally
LoginFlow = Callable[[LoginSecrets, LoginTally], Awaitable[None]]


@dataclass
class _AccountInCommand:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    #: the store whose login the identity service refused in this command, and what it said
    refused_at_store: str | None = None
    refused_message: str = ""
    #: credential fingerprints a login of this command proved, with the store that proved them
    proven: dict[str, str] = field(default_factory=dict)


class LoginCoordinator:
    """Shared by every store of one command. `directory` is the session folder (None: remember nothing
    beyond the command)."""

    def __init__(self, directory: Path | None, redactor: Redactor, attempts: int,
                 clock: Clock = SYSTEM_CLOCK) -> None:
        self.directory = directory
        self.redactor = redactor
        self.attempts = attempts
        self.memory = AccountMemory(directory, clock)
        self.ledger = RecoveryCodeLedger(directory) if directory is not None else None
        self.identities = IdentitySessions()
        self._accounts: dict[str, _AccountInCommand] = {}

    def _account(self, key: str) -> _AccountInCommand:
        return self._accounts.setdefault(key, _AccountInCommand())

    def fingerprint(self, secrets: LoginSecrets) -> str:
        return self.memory.fingerprints.of_login(secrets)

    def _withheld(self, store_id: str, secrets: LoginSecrets, session_key: str = "") -> str | None:
        """Why no login may be tried for this store now (in this command or from the memory), or None."""
        key = account_key(secrets.email)
        state = self._account(key)
        fingerprint = self.fingerprint(secrets)
        if state.refused_at_store is not None:
            self.memory.note_held(key, store_id, fingerprint)
            return (f"the identity service refused a login of this account for store {state.refused_at_store} in "
                    f"this run ({state.refused_message}); no further attempt for any store of the account in this "
                    f"run, whatever credentials it holds")
        held = self.memory.withheld(key, store_id, fingerprint, session_key)
        if held is None:
            return None
        self.memory.note_held(key, store_id, fingerprint)
        where = f" or delete {held.path}" if held.path is not None else ""
        return (f"{held.reason}. Another try would bring the account closer to a lockout: correct the credentials "
                f"(a change allows one new try), or log in once with 'ecom-privacy login --store {store_id}'{where}")

    async def log_in(self, *, store_id: str, session_key: str, context: BrowserContext, backoffice_url: str,
                     secrets: LoginSecrets, counts: LoginCounts, login: LoginFlow, warn: Callable[[str], None],
                     prove_credentials: bool = False) -> None:
        """Log one store in through its account, or raise without trying (`LoginWithheldError`).

        `prove_credentials`: the store's own credentials must be submitted (a credentials check): the
        account's identity session is given only when these very credentials were proven in this command."""
        key = account_key(secrets.email)
        state = self._account(key)
        fingerprint = self.fingerprint(secrets)
        async with state.lock:
            reason = self._withheld(store_id, secrets, session_key)
            if reason is not None:
                counts.failed += 1
                raise LoginWithheldError(f"not logging in: {reason}")
            if not prove_credentials or fingerprint in state.proven:
                await self.identities.seed(context, self.identities.account(key))
            ledger = self.ledger
            tally = LoginTally(counts=counts,
                               on_recovery_code=(lambda code: ledger.spend(key, code)) if ledger else None)
            before = counts.password + counts.code

            def unspent() -> LoginSecrets:
                # Asked again before every try: a try that failed after submitting a code has spent it.
                if not secrets.recovery_codes or ledger is None:
                    return secrets
                return replace(secrets, recovery_codes=ledger.unused(key, secrets.recovery_codes))

            try:
                await self._with_one_more_challenge(store_id, lambda: retry_transient(
                    lambda: login(unspent(), tally), attempts=self.attempts), warn)
            except CodeUnavailableError:
                counts.failed += 1
                raise  # nothing was refused: neither the account nor these credentials are barred
            except AuthenticationError as exc:
                counts.failed += 1
                message = self.redactor(str(exc))
                state.refused_at_store, state.refused_message = store_id, message
                self.memory.record_refusal(key, store_id, fingerprint, message)
                raise
            except BotChallengeError:
                counts.failed += 1
                raise
            finally:
                for value in tally.one_time_values:
                    self.redactor.add(value)
            if counts.password + counts.code > before:
                # These credentials were submitted and accepted: the account's wait after a refusal ends. (A
                # chain passed on an identity session alone proves nothing about them.)
                state.proven[fingerprint] = store_id
                self.memory.succeeded(key, session_key)
            await self.identities.keep(context, self.identities.account(key), tally.identity_url, backoffice_url)

    # -- what `ecom-privacy login` (a person at the screen) needs of the coordinator ----------------------
    def refused_before(self, secrets: LoginSecrets, session_key: str = "") -> str | None:
        """When these very credentials were refused (by this command or an earlier one): `login` does not fill
        them in. A refusal in this command bars every credential of the account."""
        key = account_key(secrets.email)
        state = self._account(key)
        if state.refused_at_store is not None:
            return f"a login of this account was refused for store {state.refused_at_store} in this run"
        record = self.memory.is_refused(key, self.fingerprint(secrets), session_key)
        if record is None:
            return None
        at = record.get("at") if isinstance(record, dict) else record.at
        message = record.get("message") if isinstance(record, dict) else record.message
        return f"these credentials were refused at {at or 'an earlier run'} ({message})"

    def record_refusal(self, store_id: str, secrets: LoginSecrets, message: str) -> None:
        key = account_key(secrets.email)
        state = self._account(key)
        state.refused_at_store, state.refused_message = store_id, self.redactor(message)
        self.memory.record_refusal(key, store_id, self.fingerprint(secrets), state.refused_message)

    def person_logged_in(self, email: str, session_key: str = "", credentials_worked: bool = False) -> None:
        """A person passed the account's login in `ecom-privacy login`: the wait after a refusal ends; when the
        configured credentials were the ones that worked, this store's old per-store record goes too."""
        self.memory.person_logged_in(account_key(email))
        if credentials_worked and self.directory is not None and session_key:
            (self.directory / f"{session_key}.refused").unlink(missing_ok=True)

    async def seed(self, context: BrowserContext, email: str) -> None:
        await self.identities.seed(context, self.identities.account(account_key(email)))

    async def keep(self, context: BrowserContext, email: str, identity_url: str | None, backoffice_url: str) -> None:
        await self.identities.keep(context, self.identities.account(account_key(email)), identity_url,
                                   backoffice_url)

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
