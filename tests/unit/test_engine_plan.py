"""Planning a store without a browser (automation.run.store_plan): plan per setting, the opt-in gate, saved plans."""

from __future__ import annotations

from pathlib import Path

import pytest

from automation.fleet.model import plan_input_for
from automation.run.setting_phase import NOT_STARTED
from automation.run.store_plan import (
    SAVED_STORE_ERROR,
    SettingPlan,
    applied_status,
    finalise_settings,
    gate_irreversible,
    plan_from_saved,
    plan_setting,
    saved_store_is_done,
    saved_without_changes,
    take_over_saved,
)
from ecom_privacy.errors import ConfigError, ErrorKind, StalePlanError
from ecom_privacy.models import (
    BlockReason,
    Change,
    ChangeAction,
    SettingResult,
    SettingStatus,
    StoreResult,
    StoreStatus,
)
from ecom_privacy.setting import PlanInput
from tests.unit.engine_fakes import Desired, FakeCurrent, FakeSetting, store_config

pytestmark = pytest.mark.clock  # saved plans are re-derived and taken over whatever their age


def context(allow_irreversible: bool = False) -> PlanInput:
    return PlanInput(store_id="shop", locale="en", allow_irreversible=allow_irreversible)


def setting(name: str = "mode", **kwargs) -> FakeSetting:
    return FakeSetting(name, {name: "old"}, [], **kwargs)


def no_tables(language: str) -> None:
    return None


def test_plan_input_carries_the_store_and_the_opt_in(tmp_path: Path) -> None:
    store = store_config({"mode": "new"})
    fleet_like = type("FleetLike", (), {"base_dir": tmp_path})()
    made = plan_input_for(fleet_like, store, no_tables, allow_irreversible=True)  # type: ignore[arg-type]
    assert (made.store_id, made.locale, made.base_dir, made.allow_irreversible, made.languages) == (
        "shop", "en", tmp_path, True, ("en",))
    assert made.shop_labels is no_tables  # the driver's tables, under the user's ui_overrides
    assert made.desired == store.desired


def test_plan_compliant_drift_and_failed() -> None:
    compliant = plan_setting(setting(), FakeCurrent(value="new"), Desired(value="new"), context())
    assert compliant.status == SettingStatus.COMPLIANT and compliant.changes == [] and compliant.error is None
    assert compliant.observed == {"value": "new"}

    drift = plan_setting(setting(), FakeCurrent(value="old"), Desired(value="new"), context())
    assert drift.status == SettingStatus.DRIFT
    [change] = drift.changes
    assert (change.before, change.after, change.blocked) == ({"value": "old"}, {"value": "new"}, None)
    assert drift.actionable == drift.changes

    broken = setting(fail={"plan": ConfigError("template variable 'company' is not set")})
    failed = plan_setting(broken, FakeCurrent(value="old"), Desired(value="new"), context())
    assert failed.status == SettingStatus.FAILED and isinstance(failed.error, ConfigError)
    assert failed.observed == {"value": "old"}  # what was read is still recorded


def test_opt_in_gate_blocks_irreversible_changes_without_the_opt_in() -> None:
    irreversible = setting(irreversible=True)
    blocked = plan_setting(irreversible, FakeCurrent(value="old"), Desired(value="new"), context())
    [change] = blocked.changes
    assert change.blocked is BlockReason.NEEDS_OPT_IN
    assert blocked.status == SettingStatus.DRIFT and blocked.actionable == []

    allowed = plan_setting(irreversible, FakeCurrent(value="old"), Desired(value="new"), context(True))
    assert allowed.changes[0].blocked is None and allowed.actionable == allowed.changes


def test_opt_in_gate_sets_and_lifts_its_reason_on_irreversible_changes_only() -> None:
    def change(blocked: BlockReason | None, irreversible: bool = True) -> Change:
        return Change(setting="s", action=ChangeAction.ARCHIVE, irreversible=irreversible, blocked=blocked)

    changes = [change(BlockReason.NEEDS_OPT_IN), change(None), change(None, False)]
    gate_irreversible(changes, allow_irreversible=True)
    assert [c.blocked for c in changes] == [None, None, None]
    gate_irreversible(changes, allow_irreversible=False)
    assert [c.blocked for c in changes] == [BlockReason.NEEDS_OPT_IN, BlockReason.NEEDS_OPT_IN, None]


#: what `blocked` held in plans saved before the reason was typed (the hint's wording, word for word)
LEGACY_HINT = ("irreversible: not applied without an explicit opt-in (pass --allow-archive, or set "
               "allow_irreversible: true for this store)")


def test_a_saved_plan_of_before_the_typed_reason_is_still_blocked_and_lifted_only_by_the_opt_in() -> None:
    irreversible = setting(irreversible=True)
    planned = plan_setting(irreversible, FakeCurrent(value="old"), Desired(value="new"), context())
    old_json = StoreResult(id="shop", changes=planned.changes, settings=[SettingResult(
        setting="mode", status=SettingStatus.DRIFT, observed=planned.observed)]).model_dump(mode="json")
    old_json["changes"][0]["blocked"] = LEGACY_HINT  # as the plan file of then holds it
    saved = StoreResult.model_validate(old_json)
    assert saved.changes[0].blocked is BlockReason.NEEDS_OPT_IN and saved.awaits_opt_in(saved.settings[0])
    still = plan_from_saved(irreversible, saved, FakeCurrent(value="old"), Desired(value="new"), context())
    assert still.actionable == [] and still.changes[0].blocked is BlockReason.NEEDS_OPT_IN
    allowed = plan_from_saved(irreversible, saved, FakeCurrent(value="old"), Desired(value="new"), context(True))
    assert allowed.actionable == allowed.changes


def test_a_plan_records_the_reason_and_renders_its_wording_from_it() -> None:
    change = Change(setting="s", action=ChangeAction.ARCHIVE, irreversible=True, blocked=BlockReason.NEEDS_OPT_IN)
    assert change.model_dump(mode="json")["blocked"] == "needs_opt_in"
    assert BlockReason.NEEDS_OPT_IN.message == LEGACY_HINT  # the wording people read is rendered, not stored
    with pytest.raises(ValueError, match="blocked"):  # a hand-written reason is not one the tool knows
        Change(setting="s", action=ChangeAction.ARCHIVE, blocked="the page is locked by another editor")


def saved_store(setting_name: str = "mode", observed: str = "old",
                changes: list[Change] | None = None) -> StoreResult:
    planned = plan_setting(setting(setting_name), FakeCurrent(value=observed), Desired(value="new"), context())
    return StoreResult(id="shop", changes=planned.changes if changes is None else changes,
                       settings=[SettingResult(setting=setting_name, status=planned.status,
                                               observed=planned.observed)])


def test_saved_plan_is_re_derived_and_accepted_when_the_store_is_unchanged() -> None:
    saved = saved_store()
    plan = plan_from_saved(setting(), saved, FakeCurrent(value="old"), Desired(value="new"), context())
    assert [c.after for c in plan.changes] == [{"value": "new"}] and plan.status == SettingStatus.DRIFT
    assert plan.changes[0] is not saved.changes[0]  # a copy: the saved document is left as it was


def test_saved_plan_is_refused_when_the_store_changed_since() -> None:
    with pytest.raises(StalePlanError, match=r"mode: the store changed since the plan was made .*run plan again"):
        plan_from_saved(setting(), saved_store(), FakeCurrent(value="someone else's"), Desired(value="new"), context())


def test_saved_plan_that_does_not_match_the_re_derived_one_is_refused() -> None:
    edited = saved_store()
    edited.changes[0].after = {"value": "edited by hand"}
    with pytest.raises(StalePlanError, match=r"changes\[0\]\.after\.value .*was the plan file edited"):
        plan_from_saved(setting(), edited, FakeCurrent(value="old"), Desired(value="new"), context())


def test_saved_irreversible_change_is_gated_by_this_run_not_by_the_file() -> None:
    irreversible = setting(irreversible=True)
    # blocked in the plan, made without the opt-in
    planned = plan_setting(irreversible, FakeCurrent(value="old"), Desired(value="new"), context())
    saved = StoreResult(id="shop", changes=planned.changes,
                        settings=[SettingResult(setting="mode", status=SettingStatus.DRIFT, observed=planned.observed)])
    allowed = plan_from_saved(irreversible, saved, FakeCurrent(value="old"), Desired(value="new"), context(True))
    assert allowed.actionable == allowed.changes and allowed.changes[0].blocked is None
    still_blocked = plan_from_saved(irreversible, saved, FakeCurrent(value="old"), Desired(value="new"), context())
    assert still_blocked.actionable == [] and still_blocked.changes[0].blocked is BlockReason.NEEDS_OPT_IN


def test_a_setting_without_changes_in_the_saved_plan_is_reported_as_the_plan_found_it() -> None:
    saved = StoreResult(id="shop", status=StoreStatus.ERROR, settings=[
        SettingResult(setting="fine", status=SettingStatus.COMPLIANT),
        SettingResult(setting="broken", status=SettingStatus.FAILED, error_kind="ui_mismatch",
                      error="UI did not match on page 'Settings'"),
        SettingResult(setting="unread", status=SettingStatus.SKIPPED, error_kind=ErrorKind.INTERRUPTED,
                      error=NOT_STARTED),
    ])
    assert saved_without_changes(saved, "fine").status == SettingStatus.COMPLIANT
    broken = saved_without_changes(saved, "broken")
    assert (broken.status, broken.error_kind) == (SettingStatus.FAILED, "ui_mismatch")
    assert broken.error is not None and broken.error.startswith("failed in the plan (ui_mismatch: UI did not match")
    assert broken.error.endswith("not applied, run plan again")
    unread = saved_without_changes(saved, "unread")
    assert unread.status == SettingStatus.SKIPPED and "was not checked in the plan" in (unread.error or "")


def test_which_saved_stores_are_not_logged_in_to() -> None:
    with_changes = saved_store()
    assert not saved_store_is_done(with_changes)
    assert not saved_store_is_done(StoreResult(id="shop"))  # no changes: read, and "nothing to do" re-derived
    # A failed setting leaves the other settings' changes to apply; a store that failed whole does not.
    assert not saved_store_is_done(with_changes.model_copy(update={"status": StoreStatus.ERROR}))
    assert saved_store_is_done(with_changes.model_copy(update={"status": StoreStatus.ERROR,
                                                               "error": "the password was refused"}))


def test_taking_over_a_saved_store() -> None:
    ok = take_over_saved(StoreResult(id="shop", settings=[SettingResult(setting="mode", status="compliant")]))
    assert ok.status == StoreStatus.OK and [s.status for s in ok.settings] == [SettingStatus.COMPLIANT]
    failed = take_over_saved(StoreResult(id="shop", status=StoreStatus.ERROR, error="refused",
                                         settings=[SettingResult(setting="mode", status="failed")]))
    assert (failed.status, failed.error) == (StoreStatus.SKIPPED, SAVED_STORE_ERROR)
    assert [s.status for s in failed.settings] == [SettingStatus.SKIPPED]


def test_applied_status_is_honest_about_what_apply_saved() -> None:
    drift = plan_setting(setting(), FakeCurrent(value="old"), Desired(value="new"), context())
    assert applied_status(drift, [None]) == SettingStatus.CHANGED  # a setting that does not tell: saved
    assert applied_status(drift, [True]) == SettingStatus.CHANGED
    assert applied_status(drift, [False]) == SettingStatus.COMPLIANT  # nothing needed saving after all
    assert applied_status(drift, [None, False]) == SettingStatus.CHANGED  # the failed first try may have saved
    blocked_too = SettingPlan(observed=None, changes=[*drift.changes, Change(
        setting="mode", action=ChangeAction.ARCHIVE, irreversible=True, blocked=BlockReason.NEEDS_OPT_IN)])
    assert applied_status(blocked_too, [True]) == SettingStatus.DRIFT


def test_finalise_gives_every_managed_setting_a_row() -> None:
    failed = StoreResult(id="shop", status=StoreStatus.ERROR, error="refused", error_kind="authentication")
    finalise_settings(failed, ["a", "b"], interrupted=False)
    assert [(s.setting, s.status, s.error_kind) for s in failed.settings] == [
        ("a", SettingStatus.FAILED, "authentication"), ("b", SettingStatus.FAILED, "authentication")]

    stopped = StoreResult(id="shop")
    finalise_settings(stopped, ["a"], interrupted=True)
    assert (stopped.status, stopped.error_kind, stopped.settings[0].error) == (
        StoreStatus.SKIPPED, ErrorKind.INTERRUPTED, NOT_STARTED)

    one_failed = StoreResult(id="shop", settings=[SettingResult(setting="a", status="failed")])
    finalise_settings(one_failed, ["a"], interrupted=False)
    assert one_failed.status == StoreStatus.ERROR
