"""Planning one store from what was read: pure functions, no browser and no I/O.

What a setting's plan records (observed state, diagnostics, changes), the opt-in gate for irreversible
changes, a saved plan re-derived and checked against a fresh read, what a saved plan says about a setting
it holds no changes for, and the final rows of a store's report. The engine (automation.run.engine) does the
reading and applying around them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from automation.run.setting_phase import NOT_STARTED
from ecom_privacy.errors import EcomPrivacyError, ErrorKind, StalePlanError
from ecom_privacy.models import BlockReason, Change, Diagnostic, SettingResult, SettingStatus, StoreResult, StoreStatus
from ecom_privacy.setting import PlanInput, Setting, comparable, read_notes

SAVED_STORE_ERROR = "skipped: the saved plan recorded an error for this store; plan again"


@dataclass
class SettingPlan:
    """One setting planned from a fresh read: what the plan records and what applying would do."""

    observed: Any
    diagnostics: list[Diagnostic] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    #: why the setting could not be planned (a template variable the store lacks): it fails alone
    error: EcomPrivacyError | None = None

    @property
    def status(self) -> SettingStatus:
        if self.error is not None:
            return SettingStatus.FAILED
        return SettingStatus.DRIFT if self.changes else SettingStatus.COMPLIANT

    @property
    def actionable(self) -> list[Change]:
        """The changes this run may carry out (blocked ones are reported, never applied)."""
        return [change for change in self.changes if change.blocked is None]


def gate_irreversible(changes: list[Change], allow_irreversible: bool) -> list[Change]:
    """The opt-in gate: an irreversible change is blocked unless this run (or the store) allows it. Only the
    gate's own reason is ever lifted, so a change blocked for another reason stays blocked."""
    for change in changes:
        if change.irreversible and not allow_irreversible:
            change.blocked = BlockReason.NEEDS_OPT_IN
        elif change.irreversible and change.blocked is BlockReason.NEEDS_OPT_IN:
            change.blocked = None
    return changes


def diagnostics(setting: Setting, current: Any, desired: BaseModel, context: PlanInput) -> list[Diagnostic]:
    """What the user should know besides the changes: how the state was read (a page read because its JSON
    twin could not be used, said once per store), then the setting's own diagnostics."""
    return [*read_notes(current), *setting.diagnose(current, desired, context)]


def plan_setting(setting: Setting, current: Any, desired: BaseModel, context: PlanInput) -> SettingPlan:
    """A fresh plan of one setting. An EcomPrivacyError from the setting's plan (a template variable the
    store lacks) is the plan's `error`: it fails this setting only."""
    planned = SettingPlan(setting.observe(current, desired, context), diagnostics(setting, current, desired, context))
    try:
        planned.changes = gate_irreversible(setting.plan(current, desired, context), context.allow_irreversible)
    except EcomPrivacyError as exc:
        planned.error = exc
    return planned


def left_to_apply(setting: Setting, current: Any, desired: BaseModel, context: PlanInput) -> list[Change]:
    """What a fresh read `current` still asks of this run (blocked changes left out): read before a write is
    tried again after a fault, so that a write the backoffice carried out (its answer lost, or a 5xx sent
    after saving) is not made twice."""
    return [change for change in gate_irreversible(setting.plan(current, desired, context), context.allow_irreversible)
            if not change.blocked]


def plan_from_saved(setting: Setting, saved: StoreResult, current: Any, desired: BaseModel,
                    context: PlanInput) -> SettingPlan:
    """The saved plan's changes for `setting`, accepted only when the store still looks as the plan saw it
    and the changes are exactly what the fleet file and the fresh read give. Raises StalePlanError (the
    whole store is refused, untouched) otherwise. The opt-in's `blocked` reason is never taken from the
    file: this run's opt-in decides it."""
    recorded = saved.setting(setting.name)
    observed = recorded.observed if recorded is not None else None
    reason = setting.stale_reason(observed, current, desired, context)
    if reason is not None:
        raise StalePlanError(f"{setting.name}: the store changed since the plan was made ({reason}); nothing was "
                             f"applied to this store, run plan again")
    changes = [change.model_copy(deep=True) for change in saved.changes_for(setting.name)]
    for change in changes:
        if change.blocked is BlockReason.NEEDS_OPT_IN:
            change.blocked = None
    mismatch = setting.saved_plan_mismatch([comparable(change) for change in changes], observed, current,
                                           desired, context)
    if mismatch is not None:
        raise StalePlanError(
            f"{setting.name}: the saved plan does not match what the fleet file and the store's current state "
            f"give: {mismatch}; was the plan file edited? Nothing was applied to this store; make a new plan "
            f"with 'ecom-privacy plan --out'")
    return SettingPlan(setting.observe(current, desired, context), diagnostics(setting, current, desired, context),
                       gate_irreversible(changes, context.allow_irreversible))


def saved_store_is_done(saved: StoreResult) -> bool:
    """Whether applying a saved plan leaves this store alone, not even logged in to: only when the plan failed
    the store as a whole (a refused login: its changes, if any, were read by a run that did not finish the
    store); it is reported skipped, never compliant. A store the plan holds no changes for is read and planned
    again like any other: "nothing to do" is re-derived, not taken from the file (a change removed from a
    re-sealed plan must not apply as "compliant")."""
    return saved.status != StoreStatus.OK and saved.error is not None


def saved_needs_reading(saved: StoreResult, name: str) -> bool:
    """Whether setting `name` of a saved store is read and its saved changes (none, too) re-derived: always,
    unless the plan recorded it failed or not reached (then it is not applied, and says why)."""
    recorded = saved.setting(name)
    return bool(saved.changes_for(name)) or recorded is None or recorded.status in (SettingStatus.COMPLIANT,
                                                                                   SettingStatus.DRIFT)


def take_over_saved(saved: StoreResult) -> StoreResult:
    """The report of a store a saved plan leaves nothing to do in: as the plan saw it, touching nothing."""
    result = StoreResult(id=saved.id)
    if saved.status == StoreStatus.OK:
        result.settings = [setting.model_copy(deep=True) for setting in saved.settings]
        return result
    result.status, result.error = StoreStatus.SKIPPED, SAVED_STORE_ERROR
    result.settings = [SettingResult(setting=s.setting, status=SettingStatus.SKIPPED,
                                     error="the saved plan recorded an error") for s in saved.settings]
    return result


def saved_without_changes(saved: StoreResult, name: str) -> SettingResult:
    """The report row of a setting the saved plan holds no changes for: it is not read again, and never
    called compliant unless the plan found it so. One that failed (or was not reached) in the plan was not
    applied, and says so with the plan's error kind."""
    recorded = saved.setting(name)
    if recorded is None or recorded.status in (SettingStatus.COMPLIANT, SettingStatus.DRIFT):
        return SettingResult(setting=name, status=SettingStatus.COMPLIANT)
    what = "failed" if recorded.status == SettingStatus.FAILED else "was not checked"
    return SettingResult(
        setting=name, status=recorded.status, error_kind=recorded.error_kind,
        error=f"{what} in the plan ({recorded.error_kind or recorded.status.value}: {recorded.error}); not applied, "
              f"run plan again")


def applied_status(plan: SettingPlan, tries: list[bool | None]) -> SettingStatus:
    """A setting's status after its actionable changes were applied and verified. Honest `changed`: only
    when apply saved something; None (a setting that does not tell) counts as saved, and so does a retried
    apply, whose failed try may have saved before its fault. Blocked changes keep it `drift`."""
    if len(plan.actionable) != len(plan.changes):
        return SettingStatus.DRIFT
    saved_something = len(tries) != 1 or tries[-1] is not False
    return SettingStatus.CHANGED if saved_something else SettingStatus.COMPLIANT


def finalise_settings(result: StoreResult, managed: list[str], interrupted: bool) -> None:
    """Every managed setting gets a row in the report, also when the store stopped before reading it, and
    the store's status follows from its settings'."""
    seen = {s.setting for s in result.settings}
    for name in managed:
        if name in seen:
            continue
        if interrupted:
            result.settings.append(SettingResult(setting=name, status=SettingStatus.SKIPPED,
                                                 error=NOT_STARTED, error_kind=ErrorKind.INTERRUPTED))
        elif result.status == StoreStatus.ERROR:
            result.settings.append(SettingResult(
                setting=name, status=SettingStatus.FAILED, error_kind=result.error_kind, not_read=True,
                error=f"not read: the store failed ({result.error_kind}), see the store's error"))
    if any(s.status == SettingStatus.FAILED for s in result.settings):
        result.status = StoreStatus.ERROR
    elif interrupted and all(s.status == SettingStatus.SKIPPED for s in result.settings):
        result.status = StoreStatus.SKIPPED
        result.error, result.error_kind = NOT_STARTED, ErrorKind.INTERRUPTED
