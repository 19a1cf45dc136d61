"""Typed errors, each with one meaning and one kind; the engine decides on retries by type, never by message.

Part of the shared vocabulary (`ecom_privacy/`): a setting raises these, the engine handles them. What a
report says went wrong is the error's `kind`, an `ErrorKind` carried by its class (httpx's shape: one tree of
classes, one translation of the layer below, Playwright's errors, in automation/browser/retry.py).
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar


class ErrorKind(StrEnum):
    """Why a store or a setting did not end as desired, as plans, reports, history and alerts record it (the
    values are the JSON of report.json and saved plans: never renamed)."""

    # -- carried by the error classes below (and two of automation/: `locked`, `output`) --
    ERROR = "error"
    CONFIG = "config"
    AUTHENTICATION = "authentication"
    ACCOUNT_LOCKED = "account_locked"
    BOT_CHALLENGE = "bot_challenge"
    UI_MISMATCH = "ui_mismatch"
    TRANSIENT = "transient"
    SESSION_EXPIRED = "session_expired"
    STALE_PLAN = "stale_plan"
    VERIFICATION = "verification"
    SETTING = "setting"
    #: another run holds the store's lock (automation/run/lock.py)
    LOCKED = "locked"
    #: a result of the run could not be written (automation/outputs/run_outputs.py)
    OUTPUT = "output"
    #: a file could not be written or read for a reason of the machine (permissions, a failing disk)
    IO = "io"
    #: no space left (or over quota) while writing a file
    DISK_FULL = "disk_full"
    #: content about to be written or sent holds a secret of the run
    SECRET_IN_CONTENT = "secret_in_content"
    #: not one of ours: a bug or a browser error with no translation; its message names its type
    UNEXPECTED = "unexpected"
    # -- recorded without an error raised --
    #: the run was interrupted before this store or setting was done
    INTERRUPTED = "interrupted"
    #: a shard of a merged run did not finish this store (`report merge --allow-partial`)
    NOT_FINISHED = "not_finished"

    @classmethod
    def read(cls, value: object) -> object:
        """A kind as a saved plan or report holds it: reports written before this enum recorded the Python class
        name of an error that was not ours (`KeyError`, Playwright's `Error`); those read as `unexpected`."""
        if isinstance(value, str) and value not in cls._value2member_map_:
            return cls.UNEXPECTED
        return value


class EcomPrivacyError(Exception):
    """Base of every error this tool raises on purpose."""

    #: what reports call it (a subclass names its own)
    kind: ClassVar[ErrorKind] = ErrorKind.ERROR


class ConfigError(EcomPrivacyError):
    """The fleet file, a referenced file or a secret is wrong; nothing was sent to any store."""

    kind = ErrorKind.CONFIG


class AuthenticationError(EcomPrivacyError):
    """The backoffice refused the credentials or the one-time code. Never retried: accounts lock."""

    kind = ErrorKind.AUTHENTICATION


class AccountLockedError(AuthenticationError):
    """The backoffice says the account is locked after too many failed attempts."""

    kind = ErrorKind.ACCOUNT_LOCKED


class LoginWithheldError(AuthenticationError):
    """No login was tried: the identity service refused this account before (in this run, these very
    credentials in an earlier one, or another of its credentials today), and one more refusal would bring
    the account closer to a lockout. Nothing was submitted."""


class CodeUnavailableError(AuthenticationError):
    """The login chain asks for a one-time code and there is none to give (no TOTP secret, no unused recovery
    code, or a credentials check that spends none): nothing was refused, so it is never remembered as a refusal."""


class BotChallengeError(EcomPrivacyError):
    """The login chain answered with a bot challenge (Cloudflare's "Just a moment..." page) that did not clear.

    Not a refused login: never recorded as one, never counted towards a lockout. Tried at most once more
    (a challenge can be a passing mood of the bot protection); a person must pass it in a visible browser.
    """

    kind = ErrorKind.BOT_CHALLENGE


class UiMismatchError(EcomPrivacyError):
    """An element the page object expects is not on the page: the UI changed (or the locale is wrong).

    Not retried: it will not match next time either. Names the page, the element and the locale.
    """

    kind = ErrorKind.UI_MISMATCH

    def __init__(self, page: str, element: str, locale: str, detail: str = "") -> None:
        self.page = page
        self.element = element
        self.locale = locale
        self.screenshot: str | None = None
        message = f"UI did not match on page {page!r}: element {element!r} not found (locale {locale})"
        if detail:
            message += f": {detail}"
        super().__init__(message)


class TransientError(EcomPrivacyError):
    """A timeout, an HTTP 5xx or a lost connection: worth retrying with backoff."""

    kind = ErrorKind.TRANSIENT


class SessionExpiredError(TransientError):
    """The backoffice sent us back to the login page in the middle of work: log in again and carry on."""

    kind = ErrorKind.SESSION_EXPIRED


class StalePlanError(EcomPrivacyError):
    """The store changed since the saved plan observed it; applying the plan would be a guess."""

    kind = ErrorKind.STALE_PLAN


class VerificationError(EcomPrivacyError):
    """After applying, the state read back does not match the desired state."""

    kind = ErrorKind.VERIFICATION


class SettingError(EcomPrivacyError):
    """A setting cannot be brought to the desired state for a reason the owner must resolve."""

    kind = ErrorKind.SETTING


class UnexpectedError(EcomPrivacyError):
    """An error that is not one of ours (a bug, a browser error Playwright gives no type for): recorded with its
    Python type in the message, so one store's surprise is reported like any failure and never stops the others."""

    kind = ErrorKind.UNEXPECTED

    def __init__(self, cause: BaseException) -> None:
        self.cause = cause
        super().__init__(f"{type(cause).__name__}: {cause}" if str(cause) else type(cause).__name__)


class StorageError(EcomPrivacyError, OSError):
    """A file could not be written (or read) for a reason of the machine: permissions, a failing disk. Also an
    OSError (errno, strerror and filename kept), so callers that handle OSError still do; its message is one
    line naming the file and what to do."""

    kind = ErrorKind.IO

    def __init__(self, cause: OSError, message: str) -> None:
        OSError.__init__(self, cause.errno, cause.strerror, cause.filename)
        self.message = message

    def __str__(self) -> str:
        return self.message


class DiskFullError(StorageError):
    """No space left (or over quota) while writing a file."""

    kind = ErrorKind.DISK_FULL


class SecretInContentError(ConfigError):
    """Content about to be written to a store or sent by email holds a secret of the run (a password, a TOTP
    secret, a recovery code, a token). Nothing is written or sent; the message names where the content comes
    from (the template), never the secret."""

    kind = ErrorKind.SECRET_IN_CONTENT
