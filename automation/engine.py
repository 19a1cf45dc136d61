"""The fleet runner: one browser, one context per store, bounded parallelism, failures isolated per store.

For each store: log in, read every managed setting, plan; in apply mode carry the changes out through the
UI, read back and verify. A store's failure is recorded in its result and never stops the others.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, async_playwright

from automation.artifacts import RunArtifacts
from automation.browser import BrowserChoice, find_browser, launch, new_store_context
from automation.errors import (
    AuthenticationError,
    ConfigError,
    EcomPrivacyError,
    SessionExpiredError,
    StalePlanError,
    UiMismatchError,
)
from automation.fleet import Fleet, StoreConfig
from automation.logs import get_logger
from automation.models import (
    Change,
    LoginSecrets,
    RunDocument,
    RunKind,
    SettingResult,
    SettingStatus,
    StoreResult,
    StoreStatus,
)
from automation.retry import as_typed_error, retry_transient
from automation.secrets import Redactor, resolve_secrets
from flows.base import PlanInput, Setting, StoreSession
from flows.labels import labels_for
from flows.registry import all_settings, login

IRREVERSIBLE_HINT = ("irreversible: not applied without an explicit opt-in "
                     "(pass --allow-archive, or set allow_irreversible: true for this store)")


@dataclass
class RunOptions:
    kind: RunKind = RunKind.PLAN
    parallelism: int = 4
    browser_path: str | None = None
    headed: bool = False
    timeout_ms: int = 15_000
    attempts: int = 4
    allow_irreversible: bool = False
    saved_plan: RunDocument | None = None
    env_file: Path | None = None
    #: called after each store finishes (progress display)
    on_store_done: Callable[[StoreResult], None] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def plan_input_for(fleet: Fleet, store: StoreConfig, allow_irreversible: bool = False) -> PlanInput:
    """What a setting's pure plan (and its offline check) may know about a store."""
    return PlanInput(
        store_id=store.id, locale=store.locale, vars=store.vars, base_dir=fleet.base_dir,
        allow_irreversible=allow_irreversible, storefront_url=store.storefront_url,
    )


class StoreRun:
    """Everything that happens to one store in one run."""

    def __init__(self, runner: FleetRunner, store: StoreConfig) -> None:
        self.runner = runner
        self.store = store
        self.options = runner.options
        self.settings = all_settings()
        self.result = StoreResult(id=store.id)
        self.log = get_logger(store=store.id)
        self.secrets: LoginSecrets | None = None
        self.session: StoreSession | None = None

    # -- steps -----------------------------------------------------------------------------------------
    async def run(self, browser: Browser) -> StoreResult:
        started = time.monotonic()
        saved = self._saved_result()
        try:
            if saved is not None and not saved.changes:
                self.result.status = StoreStatus.OK if saved.status == StoreStatus.OK else StoreStatus.SKIPPED
                if saved.status != StoreStatus.OK:
                    self.result.error = "skipped: the saved plan recorded an error for this store; plan again"
                return self.result
            self.secrets = resolve_secrets(self.store, self.runner.env, self.options.env_file)
            self.runner.redactor.add_login(self.secrets)
            context = await new_store_context(browser, self.store.locale, self.options.timeout_ms)
            try:
                page = await context.new_page()
                self.session = self._session(page)
                await self._login()
                plans = await self._read_and_plan(saved)
                self.runner.planned[self.store.id] = self.result.model_copy(deep=True)
                if self.options.kind == RunKind.APPLY:
                    await self._apply(plans)
            except EcomPrivacyError as exc:
                await self._fail_store(exc)
            finally:
                await context.close()
        except EcomPrivacyError as exc:
            await self._fail_store(exc)
        except Exception as exc:  # a bug or an unforeseen browser error must still not stop the fleet
            await self._fail_store(as_typed_error(exc))
        finally:
            self.result.duration_s = round(time.monotonic() - started, 3)
        if any(s.status == SettingStatus.FAILED for s in self.result.settings):
            self.result.status = StoreStatus.ERROR
        return self.result

    def _session(self, page: Page) -> StoreSession:
        plan_input = plan_input_for(self.runner.fleet, self.store,
                                    self.options.allow_irreversible or self.store.allow_irreversible)
        return StoreSession(
            page=page, store_id=self.store.id, locale=self.store.locale,
            backoffice_url=self.store.backoffice_url, storefront_url=self.store.storefront_url,
            labels=labels_for(self.store.locale), artifacts=self.runner.artifacts, plan_input=plan_input,
        )

    async def _login(self) -> None:
        assert self.session is not None and self.secrets is not None
        session, secrets = self.session, self.secrets
        self.log.info("login")
        # Only transient faults are retried; a refused password raises AuthenticationError at once.
        await retry_transient(
            lambda: login(session.page, session.backoffice_url, session.labels, secrets),
            attempts=self.options.attempts,
        )

    async def _relogin_if_needed(self, exc: BaseException) -> None:
        if isinstance(exc, SessionExpiredError):
            self.log.info("session expired, logging in again")
            await self._login()

    async def _step(self, operation: Callable[[], Awaitable[Any]]) -> Any:
        return await retry_transient(operation, attempts=self.options.attempts,
                                     before_retry=self._relogin_if_needed)

    async def _read_and_plan(self, saved: StoreResult | None) -> list[tuple[Setting, SettingResult, list[Change]]]:
        assert self.session is not None
        session = self.session
        plans = []
        for name, desired in self.store.desired.items():
            setting = self.settings[name]
            outcome = SettingResult(setting=name, status=SettingStatus.COMPLIANT)
            self.result.settings.append(outcome)
            if saved is not None and not saved.changes_for(name):
                continue  # the saved plan has nothing for this setting: apply exactly the plan
            try:
                current = await self._step(lambda setting=setting: setting.read(session))
            except AuthenticationError:
                raise  # a re-login was refused: nothing else will work for this store
            except EcomPrivacyError as exc:
                await self._fail_setting(outcome, exc)
                continue
            # A setting decides what its plan records and when a fresh read no longer fits a saved plan.
            outcome.observed = setting.observe(current, desired, session.plan_input)
            if saved is not None:
                observed = (saved.setting(name) or SettingResult(setting=name, status=SettingStatus.DRIFT)).observed
                reason = setting.stale_reason(observed, current, desired, session.plan_input)
                if reason is not None:
                    raise StalePlanError(
                        f"{name}: the store changed since the plan was made ({reason}); nothing was applied "
                        f"to this store, run plan again"
                    )
                changes = saved.changes_for(name)
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
            plans.append((setting, outcome, changes))
        return plans

    async def _apply(self, plans: list[tuple[Setting, SettingResult, list[Change]]]) -> None:
        assert self.session is not None
        session = self.session
        for setting, outcome, changes in plans:
            actionable = [change for change in changes if not change.blocked]
            if not actionable:
                continue  # compliant, or only blocked changes: stays "drift" in the report
            desired = self.store.desired[setting.name]
            try:
                self.log.info("apply", setting=setting.name, changes=len(actionable))
                await self._step(lambda setting=setting, actionable=actionable: setting.apply(session, actionable))
                await self._step(lambda setting=setting, desired=desired: setting.verify(session, desired))
            except AuthenticationError:
                raise
            except EcomPrivacyError as exc:
                await self._fail_setting(outcome, exc)
                continue
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
                 artifacts: RunArtifacts, redactor: Redactor, options: RunOptions) -> None:
        self.fleet = fleet
        self.stores = stores
        self.env = env
        self.artifacts = artifacts
        self.redactor = redactor
        self.options = options
        self.log = get_logger()
        #: each store's result as it stood after reading and planning, before anything was applied
        self.planned: dict[str, StoreResult] = {}

    def planned_document(self, document: RunDocument) -> RunDocument:
        """The plan part of a run (what was observed and planned), for plan.json of an apply run."""
        stores = [self.planned.get(store.id, store) for store in document.stores]
        return document.model_copy(update={"kind": RunKind.PLAN, "stores": stores})

    async def run(self) -> RunDocument:
        document = RunDocument(
            kind=self.options.kind, created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            fleet_file=str(self.fleet.path), fleet_sha256=self.fleet.sha256,
        )
        async with async_playwright() as playwright:
            choice: BrowserChoice = find_browser(playwright, self.options.browser_path)
            self.log.debug("browser", source=choice.source, executable=choice.executable or "playwright")
            browser = await launch(playwright, choice, self.options.headed)
            try:
                semaphore = asyncio.Semaphore(max(1, self.options.parallelism))

                async def one(store: StoreConfig) -> StoreResult:
                    async with semaphore:
                        result = await StoreRun(self, store).run(browser)
                    if self.options.on_store_done:
                        self.options.on_store_done(result)
                    return result

                document.stores = list(await asyncio.gather(*(one(store) for store in self.stores)))
            finally:
                await browser.close()
        return document
