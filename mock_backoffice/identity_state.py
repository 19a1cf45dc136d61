"""The identity service's state (the mock's Lightspeed ID): login accounts, identity sessions and the
one-time tokens that carry a login back to a store.

One account can hold several stores (an agency login). Lockout, failures and recovery codes belong to the
account, not to a store. Everything here is changed under `World.lock`.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any

import pyotp

from .seed import StoreSpec, normalise_recovery_code

LOCK_AFTER_FAILURES = 5
#: how long a `/admin/auth/sso?token=` link works, in seconds of the world clock
SSO_TOKEN_TTL_S = 60.0


@dataclass
class Account:
    """One Lightspeed ID: an email with a password, an optional TOTP secret and its recovery codes."""

    email: str
    password: str
    totp_secret: str | None = None
    recovery_codes: tuple[str, ...] = ()
    store_ids: list[str] = field(default_factory=list)
    failed_attempts: int = 0
    locked: bool = False
    #: every credential submission (password or code) for this account, refused ones included
    attempts: int = 0
    #: logins completed with the password (and the code when two-step is on)
    successful_logins: int = 0
    #: positions (1-based) in `recovery_codes` of the codes already used; each works once
    recovery_codes_used: list[int] = field(default_factory=list)

    @property
    def two_step(self) -> bool:
        return bool(self.totp_secret)

    def password_matches(self, password: str) -> bool:
        return hmac.compare_digest(password.encode(), self.password.encode())

    def use_code(self, typed: str, now: float) -> bool:
        """A TOTP code of `now` (the world clock, give or take one 30-second step), or an unused recovery code
        (which is then used up). The world clock, as for sessions and tokens: a test that moves it moves the
        server's idea of the current code too."""
        digits = "".join(typed.split())
        if self.totp_secret and digits.isdigit() and pyotp.TOTP(self.totp_secret).verify(
                digits, for_time=int(now), valid_window=1):
            return True
        wanted = normalise_recovery_code(typed)
        for position, code in enumerate(self.recovery_codes, start=1):
            if position not in self.recovery_codes_used and hmac.compare_digest(
                    normalise_recovery_code(code).encode(), wanted.encode()):
                self.recovery_codes_used.append(position)
                return True
        return False

    def record_failure(self) -> None:
        self.failed_attempts += 1
        if self.failed_attempts >= LOCK_AFTER_FAILURES:
            self.locked = True

    def record_success(self) -> None:
        self.failed_attempts = 0
        self.successful_logins += 1

    def to_json(self) -> dict[str, Any]:
        """What tests may see: counters and which recovery codes were used, never a secret."""
        return {
            "email": self.email,
            "stores": list(self.store_ids),
            "two_step": self.two_step,
            "failed_attempts": self.failed_attempts,
            "locked": self.locked,
            "attempts": self.attempts,
            "successful_logins": self.successful_logins,
            "recovery_codes": len(self.recovery_codes),
            "recovery_codes_used": sorted(self.recovery_codes_used),
        }


@dataclass
class IdentitySession:
    """A browser's session on the identity origin: anonymous (carries the form's CSRF token), waiting for
    the code step, or signed in to an account."""

    id: str
    csrf_token: str
    created_at: float
    #: the account whose password was right, while the code step is pending
    pending_email: str | None = None
    #: the signed-in account
    email: str | None = None


@dataclass(frozen=True)
class SsoToken:
    """What `/<store>/admin/auth/sso?token=` redeems: a login of `email` for `store_id`."""

    store_id: str
    email: str
    #: the `state` of the store's login request, to find where the user was going
    state: str
    expires_at: float


def accounts_of(stores: tuple[StoreSpec, ...]) -> dict[str, Account]:
    """One account per email (case-insensitive); the seed already made the stores of one email agree."""
    accounts: dict[str, Account] = {}
    for spec in stores:
        key = spec.email.casefold()
        if key not in accounts:
            accounts[key] = Account(email=spec.email, password=spec.password, totp_secret=spec.totp_secret,
                                    recovery_codes=spec.recovery_codes)
        accounts[key].store_ids.append(spec.id)
    return accounts


class IdentityBook:
    """Accounts, identity sessions and SSO tokens. Callers hold `World.lock`."""

    def __init__(self, stores: tuple[StoreSpec, ...]) -> None:
        self.accounts = accounts_of(stores)
        self.sessions: dict[str, IdentitySession] = {}
        self.tokens: dict[str, SsoToken] = {}

    def account(self, email: str) -> Account | None:
        return self.accounts.get(email.strip().casefold())

    def account_of_store(self, store_id: str) -> Account | None:
        return next((a for a in self.accounts.values() if store_id in a.store_ids), None)

    def new_session(self, now: float) -> IdentitySession:
        session = IdentitySession(id=secrets.token_urlsafe(32), csrf_token=secrets.token_urlsafe(32), created_at=now)
        self.sessions[session.id] = session
        return session

    def drop_session(self, session_id: str) -> None:
        self.sessions.pop(session_id, None)

    def drop_sessions(self, email: str | None = None) -> int:
        """Sign browsers out of the identity service (all, or those signed in to one account)."""
        doomed = [sid for sid, s in self.sessions.items()
                  if s.email is not None and (email is None or s.email.casefold() == email.casefold())]
        for sid in doomed:
            del self.sessions[sid]
        return len(doomed)

    def signed_in_sessions(self, email: str) -> int:
        return sum(1 for s in self.sessions.values() if s.email is not None and s.email.casefold() == email.casefold())

    def issue_token(self, store_id: str, email: str, state: str, now: float) -> str:
        # Expired tokens are dropped as new ones are made, so the table cannot grow without bound.
        self.tokens = {value: t for value, t in self.tokens.items() if t.expires_at > now}
        value = secrets.token_urlsafe(32)
        self.tokens[value] = SsoToken(store_id=store_id, email=email, state=state, expires_at=now + SSO_TOKEN_TTL_S)
        return value

    def redeem_token(self, value: str, store_id: str, now: float) -> SsoToken | None:
        """The token's login if it is known, unexpired and for this store; a token works once."""
        token = self.tokens.get(value)
        if token is None or token.store_id != store_id:
            return None
        del self.tokens[value]
        return token if token.expires_at >= now else None
