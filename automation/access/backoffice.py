"""The one way into a store's backoffice, for every command (runs, probe, export-subscribers, the breach
commands, `login --check`).

`StoreAccess` is what every store of one command is opened with: the injected `Driver` (the login flow,
the label tables), where credentials come from, the command's one `LoginCoordinator`, the session cache, the
redactor. `Backoffice` is one store's backoffice, opened: a browser context and a logged-in `StoreSession`.

A `Backoffice` owns everything about being logged in: reusing the store's cached session (a cached file
the browser refuses is discarded), logging in through the coordinator (one account after the other,
refusals remembered per account, recovery codes spent once), logging in again when the backoffice ends the
session mid-command, pausing the trace around every login, and feeding every session cookie to the
redactor.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from playwright.async_api import Browser, BrowserContext, Page
from playwright.async_api import Error as PlaywrightError

from automation.access.account_memory import CredentialChecks
from automation.access.coordinator import LoginCoordinator
from automation.access.secrets import resolve_secrets
from automation.access.session_cache import SessionCache, cookie_values, session_key
from automation.browser.launch import RequestPolicy, new_store_context, route_pages
from automation.browser.retry import Deadline, DeadlinePassedError, retry_transient
from automation.browser.session_state import session_state
from automation.browser.tracing import StoreTrace
from automation.fleet.model import StoreConfig
from automation.outputs.logs import get_logger
from automation.redaction.redactor import Redactor
from ecom_privacy.clock import SYSTEM_CLOCK, Clock
from ecom_privacy.driver import Driver
from ecom_privacy.errors import AuthenticationError, SessionExpiredError
from ecom_privacy.models import LoginCounts, LoginSecrets
from ecom_privacy.setting import ArtifactSink, PlanInput, StoreSession

T = TypeVar("T")

#: expired sessions one step renews for free (issue #21: a 20 s session must not cost a retry of the step)
RENEWALS_PER_STEP = 3

#: a fresh context for the store, with this storage state (a cached session) or none
ContextOpener = Callable[[dict[str, Any] | None], Awaitable[BrowserContext]]


class PageNeeded(BaseException):
    """A step asked the store's page for more than its context: it runs again once the store has a page.
    A BaseException, so that no `except Exception` on the way makes a failure of it."""


class PagePending:
    """Stands in for the store's page in a plan until a step renders something.

    Reading JSON twins needs only the context (`page.context.request`); a page costs a renderer process
    (about 100 MiB, 0.1 s) per store. Anything else asked of it raises PageNeeded before the step has done
    anything (a page object asks for it when made), and `Backoffice.step` opens the page and runs the step
    again."""

    url = "about:blank"

    def __init__(self, context: BrowserContext) -> None:
        self.context = context

    def __getattr__(self, name: str) -> Any:
        raise PageNeeded(name)


@dataclass
class StoreAccess:
    """How one command opens its stores; shared by all of them (one coordinator: one login per account)."""

    driver: Driver
    env: Mapping[str, str]
    env_file: Path | None
    coordinator: LoginCoordinator
    #: cached sessions (a disabled cache is neither read nor written)
    cache: SessionCache
    redactor: Redactor
    #: tries of one step (and of a login) on transient faults
    attempts: int = 6
    #: sessions a step may renew without spending a try: an expired session is renewed through the identity
    #: session and the step resumes; past this, an expiry counts as a failed try (a backoffice that logs us out
    #: forever still ends)
    renewals: int = RENEWALS_PER_STEP
    #: seconds one store may take in one command (login included); past it, no retry and no new step begins
    #: (None: no deadline, the tries of each step bound the work)
    deadline_s: float | None = None
    timeout_ms: int = 15_000
    #: the fleet's `check_credentials`: when the store's own credentials were last submitted longer ago than
    #: this, its cached session is not used and it logs in with them (None: never)
    check_every: timedelta | None = None
    #: `login --check`: log in with the store's own credentials, leaving the cached session alone
    checking: bool = False
    #: the command's clock (TOTP codes through the driver, refusal records, check dates, the settings' session)
    clock: Clock = SYSTEM_CLOCK
    #: the command only reads (a plan): its pages fetch nothing from other hosts (RequestPolicy)
    reads_only: bool = False

    @classmethod
    def create(cls, *, driver: Driver, env: Mapping[str, str], env_file: Path | None, session_dir: Path | None,
               use_cache: bool, redactor: Redactor, attempts: int = 6, timeout_ms: int = 15_000,
               check_every: timedelta | None = None, checking: bool = False,
               clock: Clock = SYSTEM_CLOCK, deadline_s: float | None = None,
               reads_only: bool = False) -> StoreAccess:
        """`session_dir`: the session folder (cached sessions, refusals, spent recovery codes); None only for
        tests and commands that remember nothing."""
        return cls(driver=driver, env=env, env_file=env_file,
                   coordinator=LoginCoordinator(session_dir, redactor, attempts, clock),
                   cache=SessionCache(session_dir or Path("."), enabled=use_cache and session_dir is not None),
                   redactor=redactor, attempts=attempts, timeout_ms=timeout_ms, check_every=check_every,
                   checking=checking, clock=clock, deadline_s=deadline_s, reads_only=reads_only)

    @property
    def checks(self) -> CredentialChecks:
        return CredentialChecks(self.coordinator.directory, self.clock)

    def backoffice(self, store: StoreConfig, browser: Browser,
                   trace_dir: Callable[[], Path] | None = None) -> Backoffice:
        """The store's backoffice in `browser` (not yet opened); traced into `trace_dir()` when given."""
        policy = RequestPolicy(store.backoffice_url, store.storefront_url or "", first_party_only=self.reads_only)
        return Backoffice(
            store, self,
            open_context=lambda cached: new_store_context(browser, store.locale, self.timeout_ms,
                                                          storage_state=cached,  # type: ignore[arg-type]
                                                          policy=policy, pages_routed=False),
            trace_for=(lambda context: StoreTrace(context, trace_dir)) if trace_dir is not None else None,
            policy=policy)

    @asynccontextmanager
    async def opened(self, store: StoreConfig, browser: Browser, artifacts: ArtifactSink,
                     plan_input: PlanInput) -> AsyncIterator[Backoffice]:
        """The store's backoffice, logged in, closed afterwards (commands that keep no trace)."""
        backoffice = self.backoffice(store, browser)
        try:
            await backoffice.open(artifacts, plan_input)
            yield backoffice
        finally:
            await backoffice.close(failed=False)


class Backoffice:
    """One store's backoffice for one command: `open`, then `step`s; `close` at the end."""

    def __init__(self, store: StoreConfig, access: StoreAccess, open_context: ContextOpener,
                 trace_for: Callable[[BrowserContext], StoreTrace] | None = None,
                 policy: RequestPolicy | None = None) -> None:
        self.store = store
        #: what the store's pages may fetch; its landing rule is on while the login chain runs
        self.policy = policy or RequestPolicy()
        self.access = access
        self._open_context = open_context
        self._trace_for = trace_for
        self.log = get_logger(store=store.id)
        self.secrets: LoginSecrets | None = None
        self.cache_key = ""
        self.context: BrowserContext | None = None
        self.page: Page | None = None
        #: the context's pages are routed (RequestPolicy): done before its first page opens
        self._pages_routed = False
        #: the store is open: its trace records from now on, once it has a page (see `open`)
        self._tracing_wanted = False
        self.trace: StoreTrace | None = None
        self.session: StoreSession | None = None
        #: what logging in cost this store in this command (chains followed, passwords and codes submitted)
        self.logins = LoginCounts()
        #: the page runs on a cached session that has not been proven yet
        self.reused_session = False
        #: this command logs in with the store's own credentials (a credentials check)
        self._proving = access.checking
        #: the store's time budget in this command, from `open` on
        self.deadline = Deadline(access.clock, None)

    @property
    def redactor(self) -> Redactor:
        return self.access.redactor

    async def open(self, artifacts: ArtifactSink, plan_input: PlanInput) -> StoreSession:
        """Logged in (or holding a cached session) and ready: the session the settings work in."""
        access, store = self.access, self.store
        self.deadline = Deadline(access.clock, access.deadline_s)
        self.secrets = resolve_secrets(store, access.env, access.env_file)  # at the last moment; fails this store
        self.redactor.add_login(self.secrets)
        self.cache_key = session_key(store.id, store.backoffice_url, self.secrets.email)
        cached = None if access.checking else access.cache.load(self.cache_key, log=self.log)
        if cached is not None and access.check_every is not None and access.checks.due(self.cache_key,
                                                                                      access.check_every):
            self.log.info("credentials check due (check_credentials): logging in with them, not the cached session")
            cached, self._proving = None, True
        for value in cookie_values(cached or {}):
            self.redactor.add(value)
        self.context, cached = await self._context_with(cached)
        if self._trace_for is not None:
            self.trace = self._trace_for(self.context)
        # A plan may read everything as data: its page is opened when a step needs one (the login chain's
        # page is closed once logged in: its renderer process is memory no read needs).
        lazy = access.reads_only and cached is not None
        if not lazy:
            await self.open_page()
        if cached is None:
            await self.login()
            if access.reads_only and self.page is not None:
                await self.page.close()
                self.page = None
        else:
            # No login form: the first page read proves the session, and a refused one is logged in again
            # by the retry of that step (SessionExpiredError).
            self.reused_session = True
            self.logins.cached_session = 1
            self.log.info("reusing cached session")
        # A trace records from here, but only once the store has a page: until then (a plan reading JSON
        # twins) there is nothing to replay but requests whose address and answer its errors name, and starting
        # and stopping a trace costs each store two round trips to the browser (issue #21).
        self._tracing_wanted = True
        await self._record_when_rendering()
        self.session = StoreSession(
            page=self.page or PagePending(self.context),  # type: ignore[arg-type]
            store_id=store.id, locale=store.locale, backoffice_url=store.backoffice_url,
            storefront_url=store.storefront_url, labels=access.driver.labels_for(store.locale),
            artifacts=artifacts, plan_input=plan_input, clock=access.clock, step=self.step)
        return self.session

    async def _context_with(self, cached: dict[str, Any] | None) -> tuple[BrowserContext, dict[str, Any] | None]:
        """The store's context, with its cached session when the browser accepts it; a cached session the
        browser refuses is discarded (naming the file) and the store logs in as if there was none."""
        try:
            return await self._open_context(cached), cached
        except PlaywrightError as exc:
            if cached is None:
                raise
            reason = self.redactor(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            self.access.cache.discard(self.cache_key, f"refused by the browser: {reason}", self.log)
            return await self._open_context(None), None

    async def login(self, reason: str = "login") -> None:
        """Log in through the coordinator, with the trace stopped (the password and the code are never typed
        while it records)."""
        assert self.secrets is not None and self.context is not None
        page = await self.open_page()
        access, store = self.access, self.store
        was_recording = self.trace is not None and self.trace.recording
        if self.trace is not None:
            await self.trace.pause()
        if not access.checking:
            access.cache.forget(self.cache_key)  # a session that needed a new login is worth nothing any more
        self.log.info(reason)
        labels = access.driver.labels_for(store.locale)
        secrets = self.secrets
        if access.checking and not secrets.totp_secret:
            secrets = replace(secrets, recovery_codes=())  # a check spends no single-use recovery code
        typed = self.logins.password
        # The chain's last page is the backoffice's landing page: only arrived at, never used (RequestPolicy).
        # Its scripts would still be asked for after the chain returns (it returns once the address is the
        # backoffice's), so the rule holds until the next step begins (`_with_page`).
        self.policy.landing = True
        await access.coordinator.log_in(
            store_id=store.id, session_key=self.cache_key, context=self.context,
            backoffice_url=store.backoffice_url, secrets=secrets, counts=self.logins,
            login=lambda secrets, tally: access.driver.login(page, store.backoffice_url, labels, secrets, tally),
            warn=lambda message: self.log.warning("bot challenge, trying once more", error=self.redactor(message)),
            prove_credentials=self._proving)
        state = await session_state(self.context)
        for value in cookie_values(state):
            self.redactor.add(value)
        if not access.checking:
            access.cache.save(self.cache_key, state)
        if self.logins.password > typed:
            access.checks.record(self.cache_key)  # the store's own password was just accepted
        if was_recording and self.trace is not None:
            await self.trace.start()
        else:  # a login in the middle of the store's work opened its first page: the trace starts with it
            await self._record_when_rendering()

    async def open_page(self) -> Page:
        """The store's page, opened now if it was not yet (a plan that read only data so far)."""
        assert self.context is not None
        if self.page is None:
            if not self._pages_routed:
                await route_pages(self.context, self.policy)
                self._pages_routed = True
            self.page = await self.context.new_page()
            if self.session is not None:
                self.session.page = self.page
        return self.page

    async def _record_when_rendering(self) -> None:
        """Start the trace when the store is open and has a page (a login pauses it on its own)."""
        if self.trace is not None and self._tracing_wanted and self.page is not None:
            await self.trace.start()

    def _with_page(self, operation: Callable[[], Awaitable[T]]) -> Callable[[], Awaitable[T]]:
        async def run() -> T:
            self.policy.landing = False  # a step's pages load what they need (a login before it landed only)
            said = set(self.session.notes_said) if self.session is not None else set()
            try:
                return await operation()
            except PageNeeded:
                if self.session is not None:  # what the first go said once per store, the second says again
                    self.session.notes_said.intersection_update(said)
                await self.open_page()
                await self._record_when_rendering()
                return await operation()

        return run

    async def _relogin_if_needed(self, exc: BaseException) -> None:
        if isinstance(exc, SessionExpiredError):
            reason = ("cached session no longer valid, logging in" if self.reused_session
                      else "session expired, logging in again")
            self.reused_session = False
            await self.login(reason)

    async def step(self, operation: Callable[[], Awaitable[T]]) -> T:
        """Run one step, retrying transient faults; when the session expired, log in again and resume without
        spending a try (up to `renewals` times per step). Past the store's deadline, no step begins and a
        failing one is not tried again."""
        if self.deadline.passed():
            raise DeadlinePassedError(f"not started: the store's deadline of {self.deadline.seconds:g} s passed "
                                      "(a store that is down or very slow; the next run tries again)")
        operation = self._with_page(operation)  # a plan's page is opened by the first step that renders
        renewed = 0

        async def renew(exc: SessionExpiredError) -> bool:
            nonlocal renewed
            if renewed >= self.access.renewals:
                return False
            renewed += 1
            await self._relogin_if_needed(exc)
            return True

        try:
            return await retry_transient(operation, attempts=self.access.attempts,
                                         before_retry=self._relogin_if_needed, renew=renew, deadline=self.deadline)
        except AuthenticationError:
            self.access.cache.forget(self.cache_key)  # a login refused mid-run: the cached session is no good
            raise

    async def note_cookies(self) -> None:
        """Every cookie the context holds now, to the redactor (a session the browser renewed on its own)."""
        if self.context is not None:
            for cookie in await self.context.cookies():
                self.redactor.add(cookie.get("value"))

    async def screenshot(self, path_for: Callable[[], Path]) -> Path | None:
        """A full-page screenshot at `path_for()`, or None when there is no page (any more)."""
        if self.page is None:
            return None
        try:
            path = path_for()
            await self.page.screenshot(path=str(path), full_page=True)
        except Exception:  # the page may be gone; the error itself matters more than its picture
            return None
        return path

    async def close(self, failed: bool) -> list[Path]:
        """Close the context; the saved traces (kept only when `failed`)."""
        if self.context is None:
            return []
        saved: list[Path] = []
        try:
            if self.trace is not None:
                # Cookies the backoffice set during the run (a new session after a re-login) are secrets too.
                if failed:
                    await self.note_cookies()
                saved = await self.trace.finish(keep=failed, redact=self.redactor)
        except Exception as exc:  # a trace that cannot be saved must not hide the store's real outcome
            self.log.warning("trace not saved", error=self.redactor(str(exc)))
        finally:
            try:
                await self.context.close()
            except Exception:  # the browser may already be gone (interrupt, crash)
                self.log.debug("context already closed")
        return saved
