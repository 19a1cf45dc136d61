"""The fleet runner: one browser, one context per store, bounded parallelism, failures isolated per store.

For each store: log in (or reuse its cached session), read every managed setting, plan; in apply mode carry
the changes out through the UI, read back and verify. A store's failure is recorded in its result and never
stops the others. An interrupt stops the run between steps, so what the report calls done was done.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page, async_playwright
from playwright.async_api import Error as PlaywrightError

from automation.artifacts import RunArtifacts
from automation.browser import new_store_context
from automation.browser_source import (
    STORE_CONNECTION_ATTEMPTS,
    BrowserSource,
    lost_connection_result,
    run_until_lost,
)
from automation.fleet import Fleet, StoreConfig
from automation.interrupt import Interruption, RunInterrupted
from automation.login_chain import ChainLogin, IdentitySessions, RecoveryCodeLedger
from automation.logs import get_logger
from automation.retry import as_typed_error, retry_transient
from automation.secrets import Redactor, resolve_secrets
from automation.session_cache import RefusedLogins, SessionCache, cookie_values, session_key
from automation.tracing import StoreTrace
from core.driver import Driver
from core.errors import (
    AuthenticationError,
    BotChallengeError,
    ConfigError,
    EcomPrivacyError,
    SessionExpiredError,
    StalePlanError,
    UiMismatchError,
)
from core.models import (
    Change,
    LoginSecrets,
    RunDocument,
    RunKind,
    SettingResult,
    SettingStatus,
    StoreResult,
    StoreStatus,
)
from core.setting import PlanInput, Setting, StoreSession, comparable

IRREVERSIBLE_HINT = ("irreversible: not applied without an explicit opt-in "
                     "(pass --allow-archive, or set allow_irreversible: true for this store)")
INTERRUPTED = "interrupted"
NOT_STARTED = "not started: the run was interrupted"
INTERRUPTED_MID_APPLY = ("interrupted while applying: the backoffice may or may not have saved this change; "
                         "run plan to see the store's state")


@dataclass
class RunOptions:
    kind: RunKind = RunKind.PLAN
    parallelism: int = 4
    browser_path: str | None = None
    headed: bool = False
    timeout_ms: int = 15_000
    #: tries of one step (read, apply, verify, login) on transient faults, with exponential backoff; a refused
    #: password or a changed page is never retried. How far six tries carry under HTTP 500s and short sessions
    #: is measured (`python -m benchmarks.fleet --convergence`, benchmarks/results.md), not assumed.
    attempts: int = 6
    allow_irreversible: bool = False
    saved_plan: RunDocument | None = None
    env_file: Path | None = None
    #: where logged-in sessions are cached between runs (None: log in every time)
    session_cache: SessionCache | None = None
    #: record a Playwright trace per store (after login) and keep it for stores that failed
    trace: bool = True
    #: called when a store starts and after it finishes (progress display)
    on_store_start: Callable[[str], None] | None = None
    on_store_done: Callable[[StoreResult], None] | None = None
    interruption: Interruption = field(default_factory=Interruption)
    extra: dict[str, Any] = field(default_factory=dict)
    #: connect to this running Chromium over CDP instead of launching one (--cdp-endpoint)
    cdp_endpoint: str | None = None


def plan_input_for(fleet: Fleet, store: StoreConfig, allow_irreversible: bool = False) -> PlanInput:
    """What a setting's pure plan (and its offline check) may know about a store."""
    return PlanInput(
        store_id=store.id, locale=store.locale, vars=store.vars, base_dir=fleet.base_dir,
        allow_irreversible=allow_irreversible, storefront_url=store.storefront_url,
        languages=store.shop_languages, desired=store.desired,
    )


class StoreRun:
    """Everything that happens to one store in one run."""

    def __init__(self, runner: FleetRunner, store: StoreConfig) -> None:
        self.runner = runner
        self.store = store
        self.options = runner.options
        self.settings = runner.driver.settings
        self.result = StoreResult(id=store.id)
        self.log = get_logger(store=store.id)
        self.secrets: LoginSecrets | None = None
        self.session: StoreSession | None = None
        self.interruption = self.options.interruption
        self.cache = self.options.session_cache or SessionCache(Path("."), enabled=False)
        self.refused = RefusedLogins(self.cache.directory, enabled=self.cache.enabled)
        self.fingerprint = ""
        self.cache_key = ""
        self.context: BrowserContext | None = None
        self.trace: StoreTrace | None = None
        self.reused_session = False
        self._interrupted = False
        #: settings whose step is under way, by id(): "read", "planned" (read, not applied yet) or "apply"
        self._in_flight: dict[int, tuple[SettingResult, str]] = {}

    # -- steps -----------------------------------------------------------------------------------------
    async def run(self, browser: Browser) -> StoreResult:
        started = time.monotonic()
        saved = self._saved_result()
        context: BrowserContext | None = None
        try:
            self.interruption.checkpoint()
            if saved is not None and not saved.changes:
                self._take_over_saved(saved)
                return self.result
            self.secrets = resolve_secrets(self.store, self.runner.env, self.options.env_file)
            self.runner.redactor.add_login(self.secrets)
            self.cache_key = session_key(self.store.id, self.store.backoffice_url, self.secrets.email)
            cached = self.cache.load(self.cache_key, log=self.log)
            if cached is not None:
                for value in cookie_values(cached):
                    self.runner.redactor.add(value)
            context, cached = await self._open_context(browser, cached)
            self.context = context
            self.trace = StoreTrace(context, lambda: self.runner.artifacts.path("stores", self.store.id, "_").parent,
                                    enabled=self.options.trace)
            page = await context.new_page()
            self.session = self._session(page)
            if cached is None:
                await self._login()
            else:
                # No login form: the first page read proves the session, and a refused one is logged in
                # again by the retry of that step (SessionExpiredError).
                self.reused_session = True
                self.log.info("reusing cached session")
            await self.trace.start()
            plans = await self._read_and_plan(saved)
            self.runner.planned[self.store.id] = self.result.model_copy(deep=True)
            if self.options.kind == RunKind.APPLY:
                await self._apply(plans)
        except RunInterrupted:
            self._mark_interrupted()
        except asyncio.CancelledError:
            if not self.interruption.forced:
                raise
            self._mark_interrupted()
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()  # the store's result must still be recorded and its context closed
        except EcomPrivacyError as exc:
            await self._fail_store(exc)
        except Exception as exc:  # a bug or an unforeseen browser error must still not stop the fleet
            await self._fail_store(as_typed_error(exc))
        finally:
            if context is not None:
                await self._close(context)
            self._finalise_settings()
            self.result.duration_s = round(time.monotonic() - started, 3)
        return self.result

    async def _open_context(self, browser: Browser,
                            cached: dict[str, Any] | None) -> tuple[BrowserContext, dict[str, Any] | None]:
        """The store's context, with its cached session when the browser accepts it; a cached session the
        browser refuses is discarded (naming the file) and the store logs in as if there was none."""
        try:
            context = await new_store_context(browser, self.store.locale, self.options.timeout_ms,
                                              storage_state=cached)  # type: ignore[arg-type]
        except PlaywrightError as exc:
            if cached is None:
                raise
            reason = self.runner.redactor(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            self.cache.discard(self.cache_key, f"refused by the browser: {reason}", self.log)
            return await new_store_context(browser, self.store.locale, self.options.timeout_ms), None
        return context, cached

    async def _close(self, context: BrowserContext) -> None:
        failed = self.result.status == StoreStatus.ERROR or any(
            s.status == SettingStatus.FAILED for s in self.result.settings)
        try:
            if self.trace is not None:
                # Cookies the backoffice set during the run (a new session after a re-login) are secrets too.
                for cookie in await context.cookies() if failed else []:
                    self.runner.redactor.add(cookie.get("value"))
                for path in await self.trace.finish(keep=failed, redact=self.runner.redactor):
                    self.result.artifacts.append(str(path.relative_to(self.runner.artifacts.root)))
        except Exception as exc:  # a trace that cannot be saved must not hide the store's real outcome
            self.log.warning("trace not saved", error=self.runner.redactor(str(exc)))
        finally:
            try:
                await context.close()
            except Exception:  # the browser may already be gone (interrupt, crash)
                self.log.debug("context already closed")

    def _take_over_saved(self, saved: StoreResult) -> None:
        """A saved plan with nothing to do for this store: report what it observed, touch nothing."""
        if saved.status == StoreStatus.OK:
            self.result.settings = [s.model_copy(deep=True) for s in saved.settings]
            return
        self.result.status = StoreStatus.SKIPPED
        self.result.error = "skipped: the saved plan recorded an error for this store; plan again"
        self.result.settings = [SettingResult(setting=s.setting, status=SettingStatus.SKIPPED,
                                              error="the saved plan recorded an error")
                                for s in saved.settings]

    def _mark_interrupted(self) -> None:
        """What was done stays done; the setting caught mid-apply is failed, never changed; the rest skipped."""
        for outcome, phase in self._in_flight.values():
            if phase == "apply":
                outcome.status = SettingStatus.FAILED
                outcome.error, outcome.error_kind = INTERRUPTED_MID_APPLY, INTERRUPTED
            elif phase == "read":
                outcome.status = SettingStatus.SKIPPED
                outcome.error, outcome.error_kind = NOT_STARTED, INTERRUPTED
            elif phase == "planned" and outcome.status == SettingStatus.DRIFT:
                outcome.status = SettingStatus.SKIPPED
                outcome.error, outcome.error_kind = "not applied: the run was interrupted", INTERRUPTED
        self._in_flight.clear()
        self._interrupted = True
        self.log.warning("store interrupted")

    def _finalise_settings(self) -> None:
        """Every managed setting gets a row in the report, also when the store stopped before reading it."""
        seen = {s.setting for s in self.result.settings}
        for name in self.store.desired:
            if name in seen:
                continue
            if self._interrupted:
                self.result.settings.append(SettingResult(setting=name, status=SettingStatus.SKIPPED,
                                                          error=NOT_STARTED, error_kind=INTERRUPTED))
            elif self.result.status == StoreStatus.ERROR:
                self.result.settings.append(SettingResult(
                    setting=name, status=SettingStatus.FAILED, error_kind=self.result.error_kind,
                    error=f"not read: the store failed ({self.result.error_kind}), see the store's error"))
        if any(s.status == SettingStatus.FAILED for s in self.result.settings):
            self.result.status = StoreStatus.ERROR
        elif self._interrupted and all(s.status == SettingStatus.SKIPPED for s in self.result.settings):
            self.result.status = StoreStatus.SKIPPED
            self.result.error, self.result.error_kind = NOT_STARTED, INTERRUPTED

    def _session(self, page: Page) -> StoreSession:
        plan_input = plan_input_for(self.runner.fleet, self.store,
                                    self.options.allow_irreversible or self.store.allow_irreversible)
        return StoreSession(
            page=page, store_id=self.store.id, locale=self.store.locale,
            backoffice_url=self.store.backoffice_url, storefront_url=self.store.storefront_url,
            labels=self.runner.driver.labels_for(self.store.locale), artifacts=self.runner.artifacts,
            plan_input=plan_input,
        )

    async def _login(self, reason: str = "login") -> None:
        assert self.session is not None and self.secrets is not None and self.context is not None
        session, secrets = self.session, self.secrets
        # The trace pauses while the password and the one-time code are typed.
        was_recording = self.trace is not None and self.trace.recording
        if self.trace is not None:
            await self.trace.pause()
        self.cache.forget(self.cache_key)  # a session that needed a new login is worth nothing any more
        self.fingerprint = self.fingerprint or self.refused.fingerprint(secrets.email, secrets.password,
                                                                        secrets.totp_secret, *secrets.recovery_codes)
        refusal = self.refused.refusal(self.cache_key, self.fingerprint)
        if refusal is not None:
            raise AuthenticationError(
                f"not logging in: the backoffice refused these same credentials at {refusal.get('at')} "
                f"({refusal.get('message')}); another try would bring the account closer to a lockout. Correct "
                f"the credentials (any change allows a new try) or delete {self.refused.path_for(self.cache_key)}")
        self.log.info(reason)
        # Only transient faults are retried (a bot challenge once); a refused password raises at once.
        try:
            await self.runner.chain_login.log_in(
                store_id=self.store.id, context=self.context, backoffice_url=session.backoffice_url,
                secrets=secrets, counts=self.result.logins,
                login=lambda secrets, tally: self.runner.driver.login(
                    session.page, session.backoffice_url, session.labels, secrets, tally),
                warn=lambda message: self.log.warning("bot challenge, trying once more",
                                                      error=self.runner.redactor(message)))
        except AuthenticationError as exc:
            self.refused.record(self.cache_key, self.fingerprint, self.runner.redactor(str(exc)))
            raise
        self.refused.clear(self.cache_key)
        state = await self.context.storage_state()
        for value in cookie_values(state):  # type: ignore[arg-type]
            self.runner.redactor.add(value)
        self.cache.save(self.cache_key, state)  # type: ignore[arg-type]
        if was_recording and self.trace is not None:
            await self.trace.start()

    async def _relogin_if_needed(self, exc: BaseException) -> None:
        if isinstance(exc, SessionExpiredError):
            reason = ("cached session no longer valid, logging in" if self.reused_session
                      else "session expired, logging in again")
            self.reused_session = False
            await self._login(reason)

    async def _step(self, operation: Callable[[], Awaitable[Any]]) -> Any:
        return await retry_transient(operation, attempts=self.options.attempts,
                                     before_retry=self._relogin_if_needed)

    async def _read_and_plan(self, saved: StoreResult | None) -> list[tuple[Setting, SettingResult, list[Change]]]:
        assert self.session is not None
        session = self.session
        plans = []
        for name, desired in self.store.desired.items():
            setting = self.settings[name]
            self.interruption.checkpoint()
            outcome = SettingResult(setting=name, status=SettingStatus.COMPLIANT)
            self.result.settings.append(outcome)
            if saved is not None and not saved.changes_for(name):
                continue  # the saved plan has nothing for this setting: apply exactly the plan
            self._in_flight[id(outcome)] = (outcome, "read")
            try:
                current = await self._step(lambda setting=setting: setting.read(session))
            except (AuthenticationError, BotChallengeError):
                raise  # a re-login was refused or challenged: nothing else will work for this store
            except EcomPrivacyError as exc:
                self._in_flight.pop(id(outcome), None)
                await self._fail_setting(outcome, exc)
                continue
            self._in_flight.pop(id(outcome), None)
            # A setting decides what its plan records and when a fresh read no longer fits a saved plan.
            outcome.observed = setting.observe(current, desired, session.plan_input)
            outcome.diagnostics = setting.diagnose(current, desired, session.plan_input)
            if saved is not None:
                observed = (saved.setting(name) or SettingResult(setting=name, status=SettingStatus.DRIFT)).observed
                reason = setting.stale_reason(observed, current, desired, session.plan_input)
                if reason is not None:
                    raise StalePlanError(
                        f"{name}: the store changed since the plan was made ({reason}); nothing was applied "
                        f"to this store, run plan again"
                    )
                changes = self._checked_saved_changes(setting, saved, current, desired, observed)
            else:
                try:
                    changes = setting.plan(current, desired, session.plan_input)
                except EcomPrivacyError as exc:  # e.g. a template variable the store lacks: this setting only
                    await self._fail_setting(outcome, exc)
                    continue
            for change in changes:
                if change.irreversible and not session.plan_input.allow_irreversible:
                    change.blocked = IRREVERSIBLE_HINT
                elif change.irreversible and change.blocked == IRREVERSIBLE_HINT:
                    change.blocked = None
            self.result.changes.extend(changes)
            outcome.status = SettingStatus.DRIFT if changes else SettingStatus.COMPLIANT
            if changes:
                self._in_flight[id(outcome)] = (outcome, "planned")
            plans.append((setting, outcome, changes))
        return plans

    def _checked_saved_changes(self, setting: Setting, saved: StoreResult, current: dict[str, Any],
                               desired: Any, observed: Any) -> list[Change]:
        """The saved plan's changes for `setting`, re-derived from the fleet file and the state just read: any
        difference (an edited `after`, `irreversible`, an extra subscriber, ...) refuses the store, naming the
        field. The opt-in's `blocked` reason is never taken from the file: this run's opt-in decides it."""
        assert self.session is not None
        changes = [change.model_copy(deep=True) for change in saved.changes_for(setting.name)]
        for change in changes:
            if change.blocked == IRREVERSIBLE_HINT:
                change.blocked = None
        written = [comparable(change) for change in changes]
        mismatch = setting.saved_plan_mismatch(written, observed, current, desired, self.session.plan_input)
        if mismatch is not None:
            raise StalePlanError(
                f"{setting.name}: the saved plan does not match what the fleet file and the store's current state "
                f"give: {mismatch}; was the plan file edited? Nothing was applied to this store; make a new plan "
                f"with 'ecom-privacy plan --out'")
        return changes

    async def _apply(self, plans: list[tuple[Setting, SettingResult, list[Change]]]) -> None:
        assert self.session is not None
        session = self.session
        for setting, outcome, changes in plans:
            actionable = [change for change in changes if not change.blocked]
            if not actionable:
                continue  # compliant, or only blocked changes: stays "drift" in the report
            desired = self.store.desired[setting.name]
            self.interruption.checkpoint()
            self._in_flight[id(outcome)] = (outcome, "apply")
            try:
                self.log.info("apply", setting=setting.name, changes=len(actionable))
                await self._step(lambda setting=setting, actionable=actionable: setting.apply(session, actionable))
                await self._step(lambda setting=setting, desired=desired: setting.verify(session, desired))
            except (AuthenticationError, BotChallengeError):
                raise  # a re-login was refused or challenged: nothing else will work for this store
            except EcomPrivacyError as exc:
                self._in_flight.pop(id(outcome), None)
                await self._fail_setting(outcome, exc)
                continue
            self._in_flight.pop(id(outcome), None)
            outcome.status = SettingStatus.CHANGED if len(actionable) == len(changes) else SettingStatus.DRIFT

    # -- failure recording -------------------------------------------------------------------------------
    async def _screenshot(self, label: str) -> str | None:
        if self.session is None:
            return None
        try:
            path = self.runner.artifacts.path("stores", self.store.id, f"failure-{label}.png")
            await self.session.page.screenshot(path=str(path), full_page=True)
        except Exception:  # the page may be gone; the error itself matters more than its picture
            return None
        relative = str(path.relative_to(self.runner.artifacts.root))
        self.result.artifacts.append(relative)
        return relative

    async def _fail_setting(self, outcome: SettingResult, exc: BaseException) -> None:
        shot = await self._screenshot(outcome.setting)
        if isinstance(exc, UiMismatchError):
            exc.screenshot = shot
        outcome.status = SettingStatus.FAILED
        outcome.error = self.runner.redactor(str(exc)) + (f" (screenshot: {shot})" if shot else "")
        outcome.error_kind = getattr(exc, "kind", type(exc).__name__)
        self.log.error("setting failed", setting=outcome.setting, kind=outcome.error_kind, error=outcome.error,
                       screenshot=shot)

    async def _fail_store(self, exc: BaseException) -> None:
        self.result.status = StoreStatus.ERROR
        self.result.error = self.runner.redactor(str(exc)) or type(exc).__name__
        self.result.error_kind = getattr(exc, "kind", type(exc).__name__)
        for outcome, phase in self._in_flight.values():
            if phase in ("read", "apply"):  # the step this error interrupted did not complete
                outcome.status = SettingStatus.FAILED
                outcome.error, outcome.error_kind = self.result.error, self.result.error_kind
        self._in_flight.clear()
        if isinstance(exc, AuthenticationError) and self.cache_key:
            self.cache.forget(self.cache_key)
        if not isinstance(exc, ConfigError | AuthenticationError):
            await self._screenshot("store")
        self.log.error("store failed", kind=self.result.error_kind, error=self.result.error)

    def _saved_result(self) -> StoreResult | None:
        plan = self.options.saved_plan
        if plan is None:
            return None
        return next((s for s in plan.stores if s.id == self.store.id), None)


class FleetRunner:
    def __init__(self, fleet: Fleet, stores: list[StoreConfig], env: Mapping[str, str],
                 artifacts: RunArtifacts, redactor: Redactor, options: RunOptions, driver: Driver) -> None:
        self.fleet = fleet
        #: the settings and the login flow, handed down by the CLI (flows.registry.lightspeed_ecom())
        self.driver = driver
        self.stores = stores
        self.env = env
        self.artifacts = artifacts
        self.redactor = redactor
        self.options = options
        self.log = get_logger()
        #: each store's result as it stood after reading and planning, before anything was applied
        self.planned: dict[str, StoreResult] = {}
        cache = options.session_cache
        #: identity sessions per account, spent recovery codes: what the stores' logins share
        self.chain_login = ChainLogin(IdentitySessions(), RecoveryCodeLedger(cache.directory) if cache else None,
                                      redactor, options.attempts)

    def planned_document(self, document: RunDocument) -> RunDocument:
        """The plan part of a run (what was observed and planned), for plan.json of an apply run."""
        stores = [self.planned.get(store.id, store) for store in document.stores]
        return document.model_copy(update={"kind": RunKind.PLAN, "stores": stores})

    async def run(self) -> RunDocument:
        document = RunDocument(
            kind=self.options.kind, created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            fleet_file=str(self.fleet.path), fleet_sha256=self.fleet.sha256,
        )
        interruption = self.options.interruption
        loop = asyncio.get_running_loop()
        interruption.install(loop)
        try:
            async with async_playwright() as playwright:
                source = BrowserSource(playwright, self.options.browser_path, self.options.headed,
                                       self.options.cdp_endpoint, self.options.timeout_ms)
                try:
                    document.stores = await self._run_stores(source)
                finally:
                    await source.close()
        finally:
            interruption.uninstall(loop)
        document.interrupted = interruption.requested
        return document

    async def _run_store(self, source: BrowserSource, store: StoreConfig) -> StoreResult:
        """One store; run again from the start on a new connection when the browser was lost under it."""
        for attempt in range(1, STORE_CONNECTION_ATTEMPTS + 1):
            browser = await source.get()
            result = await run_until_lost(StoreRun(self, store).run(browser), browser, self.options.interruption,
                                          lambda: lost_connection_result(store))
            if not source.lost(browser) or self.options.interruption.requested or attempt == STORE_CONNECTION_ATTEMPTS:
                return result
            # A lost connection is a transient fault of the whole store: every step it did is read again.
            self.log.warning("browser connection lost under this store; running it again on a new connection",
                             store=store.id, attempt=attempt, error=result.error)
        raise AssertionError("unreachable")

    async def _run_stores(self, source: BrowserSource) -> list[StoreResult]:
        semaphore = asyncio.Semaphore(max(1, self.options.parallelism))
        interruption = self.options.interruption

        async def one(store: StoreConfig) -> StoreResult:
            try:
                async with semaphore:
                    if self.options.on_store_start and not interruption.requested:
                        self.options.on_store_start(store.id)
                    result = await self._run_store(source, store)
            except asyncio.CancelledError:
                if not interruption.forced:
                    raise
                result = StoreResult(id=store.id, status=StoreStatus.SKIPPED, error=NOT_STARTED,
                                     error_kind=INTERRUPTED)
                result.settings = [SettingResult(setting=name, status=SettingStatus.SKIPPED, error=NOT_STARTED,
                                                 error_kind=INTERRUPTED) for name in store.desired]
            if self.options.on_store_done:  # first: the progress record of a shard, before anyone hears of it
                self.options.on_store_done(result)
            self.log.info("store done", store=store.id, status=result.status.value,
                          settings={s.setting: s.status.value for s in result.settings},
                          duration_s=result.duration_s)
            return result

        tasks = [asyncio.create_task(one(store)) for store in self.stores]
        for task in tasks:
            interruption.track(task)  # type: ignore[arg-type]
        return list(await asyncio.gather(*tasks))
