"""One store's way into its backoffice for one run: a browser context, a page, and a logged-in session.

It owns everything about being logged in: reusing the store's cached session (and discarding a cached file
the browser refuses), logging in through the injected `Driver`'s login flow, logging in again when the
backoffice ends the session mid-run, remembering refused credentials so no later run tries them again,
pausing the trace around every login (the password is never recorded), and feeding every session cookie
to the redactor. The engine sees only `open`, `step`, `screenshot` and `close`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from playwright.async_api import BrowserContext, Page
from playwright.async_api import Error as PlaywrightError

from automation.access.login_chain import ChainLogin
from automation.access.session_cache import RefusedLogins, SessionCache, cookie_values, session_key
from automation.browser.retry import retry_transient
from automation.browser.tracing import StoreTrace
from automation.redaction.redactor import Redactor
from ecom_privacy.driver import Driver
from ecom_privacy.errors import AuthenticationError, SessionExpiredError
from ecom_privacy.models import LoginCounts, LoginSecrets

T = TypeVar("T")

#: a fresh context for the store, with this storage state (a cached session) or none
ContextOpener = Callable[[dict[str, Any] | None], Awaitable[BrowserContext]]


class Backoffice(Protocol):
    """What the engine needs of a store's backoffice session (a fake one in unit tests)."""

    #: what logging in cost this store in this run (chains followed, passwords and codes submitted)
    logins: LoginCounts

    async def open(self) -> Page:
        """Logged in (or holding a cached session) and ready: the page the settings work in."""
        ...

    async def step(self, operation: Callable[[], Awaitable[T]]) -> T:
        """Run one step, retrying transient faults; log in again when the session expired."""
        ...

    async def screenshot(self, path_for: Callable[[], Path]) -> Path | None:
        """A full-page screenshot at `path_for()`, or None when there is no page (any more)."""
        ...

    async def close(self, failed: bool) -> list[Path]:
        """Close the context; the saved traces (kept only when `failed`)."""
        ...


class BackofficeSession:
    def __init__(self, *, store_id: str, backoffice_url: str, locale: str, driver: Driver,
                 secrets: Callable[[], LoginSecrets], open_context: ContextOpener, cache: SessionCache,
                 refused: RefusedLogins, redactor: Redactor, trace_for: Callable[[BrowserContext], StoreTrace],
                 attempts: int, log: Any, chain_login: ChainLogin | None = None) -> None:
        self.store_id = store_id
        self.backoffice_url = backoffice_url
        self.locale = locale
        self.driver = driver
        self._secrets = secrets
        self._open_context = open_context
        self.cache = cache
        self.refused = refused
        self.redactor = redactor
        self._trace_for = trace_for
        self.attempts = attempts
        self.log = log
        self.secrets: LoginSecrets | None = None
        self.cache_key = ""
        self.context: BrowserContext | None = None
        self.page: Page | None = None
        self.trace: StoreTrace | None = None
        #: the page runs on a cached session that has not been proven yet
        self.reused_session = False
        self._fingerprint = ""
        #: what the stores of one account share in a run (identity session, spent recovery codes); None: the
        #: driver's login flow is called on its own
        self.chain_login = chain_login
        self.logins = LoginCounts()

    async def open(self) -> Page:
        self.secrets = self._secrets()  # resolved at the last moment; a missing one fails this store only
        self.redactor.add_login(self.secrets)
        self.cache_key = session_key(self.store_id, self.backoffice_url, self.secrets.email)
        cached = self.cache.load(self.cache_key, log=self.log)
        for value in cookie_values(cached or {}):
            self.redactor.add(value)
        self.context, cached = await self._context_with(cached)
        self.trace = self._trace_for(self.context)
        self.page = await self.context.new_page()
        if cached is None:
            await self.login()
        else:
            # No login form: the first page read proves the session, and a refused one is logged in again
            # by the retry of that step (SessionExpiredError).
            self.reused_session = True
            self.log.info("reusing cached session")
        await self.trace.start()
        return self.page

    async def _context_with(self, cached: dict[str, Any] | None) -> tuple[BrowserContext, dict[str, Any] | None]:
        """The store's context, with its cached session when the browser accepts it; a cached session the
        browser refuses is discarded (naming the file) and the store logs in as if there was none."""
        try:
            return await self._open_context(cached), cached
        except PlaywrightError as exc:
            if cached is None:
                raise
            reason = self.redactor(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            self.cache.discard(self.cache_key, f"refused by the browser: {reason}", self.log)
            return await self._open_context(None), None

    async def login(self, reason: str = "login") -> None:
        """Log in through the driver's login flow, with the trace stopped, unless these very credentials were
        refused before (by this run or an earlier one): another try would bring the account closer to a lockout."""
        assert self.page is not None and self.secrets is not None and self.context is not None
        page, secrets = self.page, self.secrets
        was_recording = self.trace is not None and self.trace.recording
        if self.trace is not None:
            await self.trace.pause()  # the password and the one-time code are never typed while it records
        self.cache.forget(self.cache_key)  # a session that needed a new login is worth nothing any more
        self._fingerprint = self._fingerprint or self.refused.fingerprint(
            secrets.email, secrets.password, secrets.totp_secret, *secrets.recovery_codes)
        refusal = self.refused.refusal(self.cache_key, self._fingerprint)
        if refusal is not None:
            raise AuthenticationError(
                f"not logging in: the backoffice refused these same credentials at {refusal.get('at')} "
                f"({refusal.get('message')}); another try would bring the account closer to a lockout. Correct "
                f"the credentials (any change allows a new try) or delete {self.refused.path_for(self.cache_key)}")
        self.log.info(reason)
        labels = self.driver.labels_for(self.locale)
        # Only transient faults are retried (a bot challenge once); a refused password raises at once.
        try:
            if self.chain_login is None:
                await retry_transient(lambda: self.driver.login(page, self.backoffice_url, labels, secrets),
                                      attempts=self.attempts)
            else:
                await self.chain_login.log_in(
                    store_id=self.store_id, context=self.context, backoffice_url=self.backoffice_url,
                    secrets=secrets, counts=self.logins,
                    login=lambda secrets, tally: self.driver.login(page, self.backoffice_url, labels, secrets, tally),
                    warn=lambda message: self.log.warning("bot challenge, trying once more",
                                                          error=self.redactor(message)))
        except AuthenticationError as exc:
            self.refused.record(self.cache_key, self._fingerprint, self.redactor(str(exc)))
            raise
        self.refused.clear(self.cache_key)
        state: dict[str, Any] = await self.context.storage_state()  # type: ignore[assignment]
        for value in cookie_values(state):
            self.redactor.add(value)
        self.cache.save(self.cache_key, state)
        if was_recording and self.trace is not None:
            await self.trace.start()

    async def _relogin_if_needed(self, exc: BaseException) -> None:
        if isinstance(exc, SessionExpiredError):
            reason = ("cached session no longer valid, logging in" if self.reused_session
                      else "session expired, logging in again")
            self.reused_session = False
            await self.login(reason)

    async def step(self, operation: Callable[[], Awaitable[T]]) -> T:
        try:
            return await retry_transient(operation, attempts=self.attempts, before_retry=self._relogin_if_needed)
        except AuthenticationError:
            self.cache.forget(self.cache_key)  # a login refused mid-run: the cached session is no good either
            raise

    async def screenshot(self, path_for: Callable[[], Path]) -> Path | None:
        if self.page is None:
            return None
        try:
            path = path_for()
            await self.page.screenshot(path=str(path), full_page=True)
        except Exception:  # the page may be gone; the error itself matters more than its picture
            return None
        return path

    async def close(self, failed: bool) -> list[Path]:
        if self.context is None:
            return []
        saved: list[Path] = []
        try:
            if self.trace is not None:
                # Cookies the backoffice set during the run (a new session after a re-login) are secrets too.
                for cookie in await self.context.cookies() if failed else []:
                    self.redactor.add(cookie.get("value"))
                saved = await self.trace.finish(keep=failed, redact=self.redactor)
        except Exception as exc:  # a trace that cannot be saved must not hide the store's real outcome
            self.log.warning("trace not saved", error=self.redactor(str(exc)))
        finally:
            try:
                await self.context.close()
            except Exception:  # the browser may already be gone (interrupt, crash)
                self.log.debug("context already closed")
        return saved
