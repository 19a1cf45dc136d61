"""Typed errors, each with one meaning; the engine decides on retries by type, never by message.

Part of the shared vocabulary (`ecom_privacy/`): a setting raises these, the engine handles them.
"""

from __future__ import annotations


class EcomPrivacyError(Exception):
    """Base of every error this tool raises on purpose."""

    #: short machine-readable kind, written into plans and reports
    kind = "error"


class ConfigError(EcomPrivacyError):
    """The fleet file, a referenced file or a secret is wrong; nothing was sent to any store."""

    kind = "config"


class AuthenticationError(EcomPrivacyError):
    """The backoffice refused the credentials or the one-time code. Never retried: accounts lock."""

    kind = "authentication"


class AccountLockedError(AuthenticationError):
    """The backoffice says the account is locked after too many failed attempts."""

    kind = "account_locked"


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

    kind = "bot_challenge"


class UiMismatchError(EcomPrivacyError):
    """An element the page object expects is not on the page: the UI changed (or the locale is wrong).

    Not retried: it will not match next time either. Names the page, the element and the locale.
    """

    kind = "ui_mismatch"

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

    kind = "transient"


class SessionExpiredError(TransientError):
    """The backoffice sent us back to the login page in the middle of work: log in again and carry on."""

    kind = "session_expired"


class StalePlanError(EcomPrivacyError):
    """The store changed since the saved plan observed it; applying the plan would be a guess."""

    kind = "stale_plan"


class VerificationError(EcomPrivacyError):
    """After applying, the state read back does not match the desired state."""

    kind = "verification"


class SettingError(EcomPrivacyError):
    """A setting cannot be brought to the desired state for a reason the owner must resolve."""

    kind = "setting"


class StorageError(EcomPrivacyError, OSError):
    """A file could not be written (or read) for a reason of the machine: permissions, a failing disk. Also an
    OSError (errno, strerror and filename kept), so callers that handle OSError still do; its message is one
    line naming the file and what to do."""

    kind = "io"

    def __init__(self, cause: OSError, message: str) -> None:
        OSError.__init__(self, cause.errno, cause.strerror, cause.filename)
        self.message = message

    def __str__(self) -> str:
        return self.message


class DiskFullError(StorageError):
    """No space left (or over quota) while writing a file."""

    kind = "disk_full"


class SecretInContentError(ConfigError):
    """Content about to be written to a store or sent by email holds a secret of the run (a password, a TOTP
    secret, a recovery code, a token). Nothing is written or sent; the message names where the content comes
    from (the template), never the secret."""

    kind = "secret_in_content"
