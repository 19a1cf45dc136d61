"""The fleet runner: one browser, one context per store, bounded parallelism, failures isolated per store.

For each store: log in (or reuse its cached session), read every managed setting, plan; in apply mode carry
the changes out through the UI and read them back (`Setting.read_back`). A store's failure is recorded in its
result and never stops the others. An interrupt stops the run between steps, so what the report calls done was done.

The pieces: `automation.access.backoffice` (being logged in), `automation.run.walker` (the loop over stores:
parallelism, interrupts, a lost browser), `automation.run.store_plan` (pure planning, the opt-in gate, saved
plans), `automation.run.setting_phase` (where each setting stands when a run is cut off).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from playwright.async_api import Browser

from automation.access.backoffice import Backoffice, StoreAccess
from automation.access.secrets import fleet_secrets
from automation.browser.retry import as_typed_error
from automation.fleet.defaults import STORE_DEADLINE_S
from automation.fleet.model import Fleet, StoreConfig, plan_input_for
from automation.outputs.artifacts import RunArtifacts
from automation.outputs.logs import get_logger
from automation.redaction.redactor import Redactor
from automation.run.interrupt import Interruption, RunInterrupted
from automation.run.lock import LockBusyError
from automation.run.setting_phase import INTERRUPTED_MID_APPLY, NOT_STARTED, SettingPhase, SettingPhases
from automation.run.store_plan import (
    SettingPlan,
    applied_status,
    finalise_settings,
    left_to_apply,
    plan_from_saved,
    plan_setting,
    saved_needs_reading,
    saved_store_is_done,
    saved_without_changes,
    take_over_saved,
)
from automation.run.walker import BrowserChoice, FleetWalker, StoreWork, lost_connection_result, not_started_result
from ecom_privacy.clock import SYSTEM_CLOCK, Clock
from ecom_privacy.driver import Driver
from ecom_privacy.errors import (
    AuthenticationError,
    BotChallengeError,
    ConfigError,
    EcomPrivacyError,
    SecretInContentError,
    UiMismatchError,
)
from ecom_privacy.models import (
    Change,
    RunDocument,
    RunKind,
    SettingResult,
    SettingStatus,
    StoreResult,
    StoreStatus,
    new_run_id,
)
from ecom_privacy.setting import PlanInput, Setting, StoreSession

# Re-exported: the CLI, the breach desk and tests import them from here.
__all__ = ["INTERRUPTED_MID_APPLY", "NOT_STARTED", "FleetRunner", "RunOptions",
           "StoreRun", "plan_input_for"]


@dataclass
class RunOptions:
    kind: RunKind = RunKind.PLAN
    parallelism: int = 4
    browser_path: str | None = None
    headed: bool = False
    timeout_ms: int = 15_000
    #: tries of one step (read, apply, read-back, login) on transient faults, with exponential backoff; a refused
    #: password or a changed page is never retried. How far six tries carry under HTTP 500s and short sessions
    #: is measured (`python -m benchmarks.fleet --convergence`, benchmarks/results.md), not assumed.
    attempts: int = 6
    #: seconds one store may take (login, reads, applies, read-backs); past it no retry and no new step begins,
    #: so a store that is truly down ends by time, not after a fixed number of tries (--store-deadline)
    store_deadline_s: float | None = STORE_DEADLINE_S
    allow_irreversible: bool = False
    saved_plan: RunDocument | None = None
    env_file: Path | None = None
    #: the session folder: cached sessions, the memory of refused logins, spent recovery codes (None: nothing
    #: is remembered beyond the run; only tests run so)
    session_dir: Path | None = None
    #: reuse and save cached sessions (--no-session-cache: log in every time; refusals are remembered anyway)
    use_session_cache: bool = True
    #: the fleet's check_credentials: log in with the credentials when they were last proven longer ago
    check_every: timedelta | None = None
    #: stores another run holds (their locks), with who holds them: failed as `locked`, never opened
    locked: dict[str, str] = field(default_factory=dict)
    #: the run's time (stamps, durations, TOTP codes, backup names); the CLI passes its own (ecom_privacy/clock.py)
    clock: Clock = SYSTEM_CLOCK
    #: record a Playwright trace per store (after login) and keep it for stores that failed
    trace: bool = True
    #: called when a store starts and after it finishes (progress display)
    on_store_start: Callable[[str], None] | None = None
    on_store_done: Callable[[StoreResult], None] | None = None
    interruption: Interruption = field(default_factory=Interruption)
    #: connect to this running Chromium over CDP instead of launching one (--cdp-endpoint)
    cdp_endpoint: str | None = None


class StoreRun:
    """One store in one run: read and plan every managed setting; in apply mode apply and read back.

    The store's backoffice (login, re-login, cached sessions, traces) is handed in, and the planning is pure
    (automation.run.store_plan): this class only puts the steps in order and records what each one did.
    """

    def __init__(self, store: StoreConfig, driver: Driver, options: RunOptions, backoffice: Backoffice,
                 plan_input: PlanInput, artifacts: RunArtifacts, redactor: Redactor) -> None:
        self.store = store
        self.driver = driver
        self.options = options
        self.backoffice = backoffice
        self.plan_input = plan_input
        self.artifacts = artifacts
        self.redactor = redactor
        self.interruption = options.interruption
        self.result = StoreResult(id=store.id)
        #: the store's result after reading and planning, before anything was applied (plan.json of an apply)
        self.planned: StoreResult | None = None
        self.log = get_logger(store=store.id)
        self.session: StoreSession | None = None
        self.phases = SettingPhases()
        self._interrupted = False

    async def run(self) -> StoreResult:
        started = self.options.clock.monotonic()
        saved = self._saved_result()
        try:
            self.interruption.checkpoint()
            if saved is not None and saved_store_is_done(saved):
                self.result = take_over_saved(saved)
                return self.result
            holder = self.options.locked.get(self.store.id)
            if holder is not None:
                raise LockBusyError(holder)
            self.session = await self.backoffice.open(self.artifacts, self.plan_input)
            plans = await self._read_and_plan(self.session, saved)
            self.planned = self.result.model_copy(deep=True)
            if self.options.kind == RunKind.APPLY:
                await self._apply(self.session, plans)
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
            await self._close()
            self.result.logins = self.backoffice.logins.model_copy()
            finalise_settings(self.result, list(self.store.desired), self._interrupted)
            self.result.duration_s = round(self.options.clock.monotonic() - started, 3)
        return self.result

    async def _read_and_plan(self, session: StoreSession,
                             saved: StoreResult | None) -> list[tuple[Setting, SettingResult, SettingPlan]]:
        plans = []
        for name, desired in self.store.desired.items():
            setting = self.driver.settings[name]
            self.interruption.checkpoint()
            if saved is not None and not saved_needs_reading(saved, name):
                # A setting that failed (or was not reached) in the plan is not applied: reported as such.
                self.result.settings.append(saved_without_changes(saved, name))
                continue
            outcome = SettingResult(setting=name, status=SettingStatus.COMPLIANT)
            self.result.settings.append(outcome)
            self.phases.enter(outcome, SettingPhase.READING)
            try:
                current = await self.backoffice.step(lambda setting=setting: setting.read(session))
            except (AuthenticationError, BotChallengeError):
                raise  # a re-login was refused or challenged: nothing else will work for this store
            except EcomPrivacyError as exc:
                await self._fail_setting(outcome, exc)
                continue
            # A stale saved plan raises here and refuses the whole store, this setting failed with it.
            plan = (plan_setting(setting, current, desired, self.plan_input) if saved is None
                    else plan_from_saved(setting, saved, current, desired, self.plan_input))
            outcome.observed, outcome.diagnostics = plan.observed, plan.diagnostics
            if plan.error is not None:  # e.g. a template variable the store lacks: this setting only
                await self._fail_setting(outcome, plan.error)
                continue
            # A secret in what would be published fails the store now, at plan time: the plan's diff would
            # show it redacted (***), so a reviewer could not see it there.
            await self._refuse_secrets(setting, outcome, plan.changes, desired)
            self.result.changes.extend(plan.changes)
            outcome.status = plan.status
            self.phases.enter(outcome, SettingPhase.PLANNED if plan.changes else SettingPhase.DONE)
            plans.append((setting, outcome, plan))
        return plans

    async def _apply(self, session: StoreSession, plans: list[tuple[Setting, SettingResult, SettingPlan]]) -> None:
        for setting, outcome, plan in plans:
            actionable = plan.actionable
            if not actionable:
                continue  # compliant, or only blocked changes: stays "drift" in the report
            desired = self.store.desired[setting.name]
            self.interruption.checkpoint()
            self.phases.enter(outcome, SettingPhase.APPLYING)
            tries: list[bool | None] = []  # what each try of apply returned; None also for a try cut short

            async def apply_once(setting: Setting = setting, actionable: list[Change] = actionable,
                                 tries: list[bool | None] = tries, desired: Any = desired) -> None:
                if tries and not await self._still_to_apply(session, setting, desired):
                    return  # the failed try's write was carried out after all: nothing is written twice
                tries.append(None)
                tries[-1] = await setting.apply(session, actionable)

            await self._refuse_secrets(setting, outcome, actionable, desired)  # again, right before writing
            try:
                self.log.info("apply", setting=setting.name, changes=len(actionable))
                await self.backoffice.step(apply_once)
                await self.backoffice.step(lambda setting=setting, desired=desired: setting.read_back(session, desired))
            except (AuthenticationError, BotChallengeError):
                raise  # a re-login was refused or challenged: nothing else will work for this store
            except EcomPrivacyError as exc:
                await self._fail_setting(outcome, exc)
                continue
            outcome.status = applied_status(plan, tries)
            self.phases.enter(outcome, SettingPhase.DONE)

    async def _still_to_apply(self, session: StoreSession, setting: Setting, desired: Any) -> bool:
        """Read before writing again: after a 5xx or a lost answer the write may have been carried out."""
        left = left_to_apply(setting, await setting.read(session), desired, self.plan_input)
        if not left:
            self.log.info("apply: already done by the try that failed, not written again", setting=setting.name)
        return bool(left)

    async def _refuse_secrets(self, setting: Setting, outcome: SettingResult, changes: list[Change],
                              desired: Any) -> None:
        """SecretInContentError (failing the setting, then the store) when what `changes` would write to the
        store holds any secret of the run; the message names the template, never the secret."""
        try:
            for change in changes:
                for source, text in setting.published(change, desired, self.plan_input):
                    self.redactor.check_content(f"store {self.store.id}: {source}", text)
        except SecretInContentError as exc:
            await self._fail_setting(outcome, exc)
            raise

    # -- endings -----------------------------------------------------------------------------------------
    def _mark_interrupted(self) -> None:
        self.phases.interrupted()
        self._interrupted = True
        self.log.warning("store interrupted")

    async def _close(self) -> None:
        failed = self.result.status == StoreStatus.ERROR or any(
            s.status == SettingStatus.FAILED for s in self.result.settings)
        for path in await self.backoffice.close(failed):
            self.result.artifacts.append(str(path.relative_to(self.artifacts.root)))

    async def _screenshot(self, label: str) -> str | None:
        path = await self.backoffice.screenshot(
            lambda: self.artifacts.path("stores", self.store.id, f"failure-{label}.png"))
        if path is None:
            return None
        relative = str(path.relative_to(self.artifacts.root))
        self.result.artifacts.append(relative)
        return relative

    async def _fail_setting(self, outcome: SettingResult, exc: EcomPrivacyError) -> None:
        shot = await self._screenshot(outcome.setting)
        if isinstance(exc, UiMismatchError):
            exc.screenshot = shot
        outcome.status = SettingStatus.FAILED
        outcome.error = self.redactor(str(exc)) + (f" (screenshot: {shot})" if shot else "")
        outcome.error_kind = exc.kind
        self.phases.enter(outcome, SettingPhase.DONE)
        self.log.error("setting failed", setting=outcome.setting, kind=outcome.error_kind, error=outcome.error,
                       screenshot=shot)

    async def _fail_store(self, exc: EcomPrivacyError) -> None:
        self.result.status = StoreStatus.ERROR
        self.result.error = self.redactor(str(exc)) or type(exc).__name__
        self.result.error_kind = exc.kind
        self.phases.store_failed(self.result.error, self.result.error_kind)
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
        for secret in fleet_secrets(fleet.stores if fleet is not None else stores, env):  # before any content
            redactor.add(secret)
        #: each store's result as it stood after reading and planning, before anything was applied
        self.planned: dict[str, StoreResult] = {}
        #: how every store of the run is opened: one login coordinator for all of them
        self.access = StoreAccess.create(
            driver=driver, env=env, env_file=options.env_file, session_dir=options.session_dir,
            use_cache=options.use_session_cache, redactor=redactor, attempts=options.attempts,
            timeout_ms=options.timeout_ms, check_every=options.check_every, clock=options.clock,
            deadline_s=options.store_deadline_s, reads_only=options.kind == RunKind.PLAN)

    def store_run(self, store: StoreConfig, browser: Browser) -> StoreRun:
        """One store's run in `browser`: its own context, logged in through the run's coordinator."""
        options = self.options
        trace_dir = (lambda: self.artifacts.path("stores", store.id, "_").parent) if options.trace else None
        backoffice = self.access.backoffice(store, browser, trace_dir)
        plan_input = plan_input_for(self.fleet, store, self.driver.shop_labels,
                                    options.allow_irreversible or store.allow_irreversible)
        return StoreRun(store, self.driver, options, backoffice, plan_input, self.artifacts, self.redactor)

    def planned_document(self, document: RunDocument) -> RunDocument:
        """The plan part of a run (what was observed and planned), for plan.json of an apply run."""
        stores = [self.planned.get(store.id, store) for store in document.stores]
        return document.model_copy(update={"kind": RunKind.PLAN, "stores": stores})

    async def _run_store(self, store: StoreConfig, browser: Browser) -> StoreResult:
        store_run = self.store_run(store, browser)
        result = await store_run.run()
        if store_run.planned is not None:
            self.planned[store.id] = store_run.planned
        return result

    async def run(self) -> RunDocument:
        document = RunDocument(
            kind=self.options.kind, created_at=self.options.clock.now().isoformat(timespec="seconds"),
            run_id=new_run_id(),
            fleet_file=str(self.fleet.path), fleet_sha256=self.fleet.sha256,
        )
        options = self.options
        walker = FleetWalker(BrowserChoice(options.browser_path, options.headed, options.cdp_endpoint,
                                           options.timeout_ms, options.clock),
                             options.parallelism, options.interruption, options.on_store_start, options.on_store_done)
        document.stores = await walker.walk(self.stores, StoreWork(
            run=self._run_store, lost=lost_connection_result, not_started=not_started_result,
            describe=lambda result: {"status": result.status.value, "duration_s": result.duration_s,
                                     "settings": {s.setting: s.status.value for s in result.settings}}))
        document.interrupted = options.interruption.requested
        return document
