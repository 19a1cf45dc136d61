"""One store's run in the real engine (StoreRun) over fake settings and a fake session: no browser, no server.

Plan and apply per setting, failure isolation, the opt-in gate, saved plans (stale, edited, failed in the
plan) and interrupts between steps and in the middle of an apply.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from automation.run.interrupt import Interruption
from automation.run.setting_phase import INTERRUPTED_MID_APPLY, NOT_APPLIED, NOT_STARTED
from ecom_privacy.errors import AuthenticationError, ConfigError, ErrorKind, TransientError, UiMismatchError
from ecom_privacy.models import BlockReason, Change, RunDocument, RunKind, SettingStatus, StoreResult, StoreStatus
from ecom_privacy.setting import StoreSession
from tests.unit.engine_fakes import FakeBackoffice, FakeSetting, store_run

DESIRED = {"a": "new", "b": "new", "c": "new"}


def fleet(events: list[tuple[str, str]], world: dict[str, str] | None = None,
          **per_setting: dict) -> tuple[dict[str, str], list[FakeSetting]]:
    world = world if world is not None else {"a": "old", "b": "new", "c": "old"}
    return world, [FakeSetting(name, world, events, **per_setting.get(name, {})) for name in DESIRED]


def statuses(result: StoreResult) -> dict[str, SettingStatus]:
    return {s.setting: s.status for s in result.settings}


async def test_plan_reads_every_setting_and_changes_nothing(tmp_path: Path) -> None:
    events: list[tuple[str, str]] = []
    world, settings = fleet(events)
    backoffice = FakeBackoffice()
    result = await store_run(tmp_path, settings, DESIRED, backoffice).run()
    assert statuses(result) == {"a": "drift", "b": "compliant", "c": "drift"}
    assert [c.setting for c in result.changes] == ["a", "c"] and result.status == StoreStatus.OK
    assert events == [("read", "a"), ("read", "b"), ("read", "c")]
    assert world == {"a": "old", "b": "new", "c": "old"}
    assert result.settings[0].observed == {"value": "old"}
    assert backoffice.closed_failed is False


async def test_a_failing_setting_fails_alone_in_plan_and_apply(tmp_path: Path) -> None:
    events: list[tuple[str, str]] = []
    world, settings = fleet(events, a={"fail": {"read": UiMismatchError("Settings", "section A", "en")}},
                            b={"fail": {"plan": ConfigError("variable 'company' is not set")}})
    run = store_run(tmp_path, settings, DESIRED, kind=RunKind.APPLY)
    result = await run.run()
    assert statuses(result) == {"a": "failed", "b": "failed", "c": "changed"}
    by_name = {s.setting: s for s in result.settings}
    assert by_name["a"].error_kind == "ui_mismatch" and "section A" in (by_name["a"].error or "")
    assert by_name["b"].error_kind == "config"
    assert result.status == StoreStatus.ERROR and result.error is None  # the store itself did not fail
    assert world["c"] == "new"
    assert run.planned is not None and statuses(run.planned) == {"a": "failed", "b": "failed", "c": "drift"}


async def test_apply_goes_setting_by_setting_in_fleet_order_and_isolates_failures(tmp_path: Path) -> None:
    events: list[tuple[str, str]] = []
    world, settings = fleet(events, world={"a": "old", "b": "old", "c": "old"},
                            b={"fail": {"apply": TransientError("HTTP 500, six times")}})
    result = await store_run(tmp_path, settings, DESIRED, kind=RunKind.APPLY).run()
    # Everything is read and planned first; then each setting is applied and read back before the next.
    assert events == [("read", "a"), ("read", "b"), ("read", "c"),
                      ("apply", "a"), ("read_back", "a"), ("read", "a"),
                      ("apply", "b"),
                      ("apply", "c"), ("read_back", "c"), ("read", "c")]
    assert statuses(result) == {"a": "changed", "b": "failed", "c": "changed"}
    assert {s.setting: s.error_kind for s in result.settings}["b"] == "transient"
    assert world == {"a": "new", "b": "old", "c": "new"}


async def test_a_change_the_backoffice_does_not_show_afterwards_fails_verification(tmp_path: Path) -> None:
    events: list[tuple[str, str]] = []
    world, settings = fleet(events, a={"on": {"read_back": lambda: world.update(a="reverted")}})
    result = await store_run(tmp_path, settings, DESIRED, kind=RunKind.APPLY).run()
    [a] = [s for s in result.settings if s.setting == "a"]
    assert (a.status, a.error_kind) == (SettingStatus.FAILED, "verification")
    assert statuses(result)["c"] == SettingStatus.CHANGED


async def test_changed_only_when_apply_saved_something(tmp_path: Path) -> None:
    events: list[tuple[str, str]] = []
    _, settings = fleet(events, a={"apply_returns": False}, c={"apply_returns": True})
    result = await store_run(tmp_path, settings, DESIRED, kind=RunKind.APPLY).run()
    assert statuses(result) == {"a": "compliant", "b": "compliant", "c": "changed"}


async def test_irreversible_changes_wait_for_the_opt_in(tmp_path: Path) -> None:
    events: list[tuple[str, str]] = []
    world, settings = fleet(events, a={"irreversible": True})
    blocked = await store_run(tmp_path, settings, DESIRED, kind=RunKind.APPLY).run()
    assert statuses(blocked) == {"a": "drift", "b": "compliant", "c": "changed"}
    assert blocked.changes[0].blocked is BlockReason.NEEDS_OPT_IN and ("apply", "a") not in events
    assert world["a"] == "old"

    allowed = await store_run(tmp_path, settings, DESIRED, kind=RunKind.APPLY, allow_irreversible=True).run()
    assert statuses(allowed)["a"] == SettingStatus.CHANGED and world["a"] == "new"


async def plan_of(tmp_path: Path, world: dict[str, str], **per_setting: dict) -> StoreResult:
    _, settings = fleet([], world=world, **per_setting)
    planned = await store_run(tmp_path, settings, DESIRED).run()
    return planned


async def test_saved_plan_is_applied_exactly(tmp_path: Path) -> None:
    world = {"a": "old", "b": "new", "c": "old"}
    saved = await plan_of(tmp_path, dict(world))
    events: list[tuple[str, str]] = []
    _, settings = fleet(events, world=world)
    result = await store_run(tmp_path, settings, DESIRED, kind=RunKind.APPLY,
                             saved_plan=document_of(saved)).run()
    assert statuses(result) == {"a": "changed", "b": "compliant", "c": "changed"}
    assert ("read", "b") in events  # the plan had nothing for b: read again, and "nothing" re-derived
    assert [step for step in events if step[0] == "apply"] == [("apply", "a"), ("apply", "c")]


async def test_a_saved_plan_with_a_change_removed_is_refused_not_reported_compliant(tmp_path: Path) -> None:
    """Finding 9 of issue #24: a re-sealed plan without c's change (and c's row edited to compliant) used to
    apply a, report c compliant and exit 0 while c still differed from the fleet file. Re-derived, c's fresh
    plan has a change the file lacks: the store is refused as stale, untouched."""
    saved = await plan_of(tmp_path, {"a": "old", "b": "new", "c": "old"})
    saved.changes = [change for change in saved.changes if change.setting != "c"]
    next(s for s in saved.settings if s.setting == "c").status = SettingStatus.COMPLIANT
    events: list[tuple[str, str]] = []
    world, settings = fleet(events, world={"a": "old", "b": "new", "c": "old"})
    result = await store_run(tmp_path, settings, DESIRED, kind=RunKind.APPLY, saved_plan=document_of(saved)).run()
    assert result.status == StoreStatus.ERROR and result.error_kind == "stale_plan", result
    assert "c: the saved plan does not match" in (result.error or "")
    assert world == {"a": "old", "b": "new", "c": "old"}  # nothing applied, not even a
    assert statuses(result)["c"] != SettingStatus.COMPLIANT


async def test_a_saved_store_without_changes_is_read_and_refused_when_it_differs(tmp_path: Path) -> None:
    """Every change of a store removed from the plan: the store is still logged in to and read, not taken over
    as "compliant" from the file."""
    saved = await plan_of(tmp_path, {"a": "old", "b": "new", "c": "new"})
    saved.changes = []
    for setting in saved.settings:
        setting.status = SettingStatus.COMPLIANT
    events: list[tuple[str, str]] = []
    world, settings = fleet(events, world={"a": "old", "b": "new", "c": "new"})
    result = await store_run(tmp_path, settings, DESIRED, kind=RunKind.APPLY, saved_plan=document_of(saved)).run()
    assert ("read", "a") in events and result.error_kind == "stale_plan"
    assert world["a"] == "old"


async def test_a_stale_saved_plan_refuses_the_whole_store_untouched(tmp_path: Path) -> None:
    saved = await plan_of(tmp_path, {"a": "old", "b": "new", "c": "old"})
    events: list[tuple[str, str]] = []
    world, settings = fleet(events, world={"a": "old", "b": "new", "c": "changed by a person"})
    result = await store_run(tmp_path, settings, DESIRED, kind=RunKind.APPLY, saved_plan=document_of(saved)).run()
    assert result.status == StoreStatus.ERROR and result.error_kind == "stale_plan"
    assert "c: the store changed since the plan was made" in (result.error or "")
    assert not any(step == "apply" for step, _ in events)
    assert world == {"a": "old", "b": "new", "c": "changed by a person"}
    assert statuses(result)["c"] == SettingStatus.FAILED  # never "compliant"


async def test_an_edited_saved_plan_is_refused(tmp_path: Path) -> None:
    saved = await plan_of(tmp_path, {"a": "old", "b": "new", "c": "old"})
    saved.changes[0].after = {"value": "something else"}
    events: list[tuple[str, str]] = []
    world, settings = fleet(events)
    result = await store_run(tmp_path, settings, DESIRED, kind=RunKind.APPLY, saved_plan=document_of(saved)).run()
    assert result.error_kind == "stale_plan" and "was the plan file edited" in (result.error or "")
    assert world == {"a": "old", "b": "new", "c": "old"}


async def test_a_setting_that_failed_in_the_plan_is_reported_failed_not_compliant(tmp_path: Path) -> None:
    """Bug 1 of issue #10: the apply of a plan in which a setting failed exits 0 with it `compliant`."""
    saved = await plan_of(tmp_path, {"a": "old", "b": "new", "c": "old"},
                          b={"fail": {"read": UiMismatchError("Settings", "section B", "en")}})
    assert saved.status == StoreStatus.ERROR and statuses(saved)["b"] == SettingStatus.FAILED
    events: list[tuple[str, str]] = []
    world, settings = fleet(events)
    result = await store_run(tmp_path, settings, DESIRED, kind=RunKind.APPLY, saved_plan=document_of(saved)).run()
    [b] = [s for s in result.settings if s.setting == "b"]
    assert (b.status, b.error_kind) == (SettingStatus.FAILED, "ui_mismatch")
    assert "failed in the plan" in (b.error or "") and "run plan again" in (b.error or "")
    assert statuses(result) == {"a": "changed", "b": "failed", "c": "changed"}
    assert result.status == StoreStatus.ERROR and world == {"a": "new", "b": "new", "c": "new"}


async def test_a_store_that_failed_whole_in_the_plan_is_not_logged_in_to(tmp_path: Path) -> None:
    saved = await plan_of(tmp_path, {"a": "old", "b": "new", "c": "old"})
    saved.status, saved.error, saved.error_kind = StoreStatus.ERROR, "re-login refused", "authentication"
    backoffice = FakeBackoffice()
    _, settings = fleet([])
    result = await store_run(tmp_path, settings, DESIRED, backoffice, kind=RunKind.APPLY,
                             saved_plan=document_of(saved)).run()
    assert result.status == StoreStatus.SKIPPED and not backoffice.opened


async def test_a_store_failure_fails_the_step_in_flight_and_the_settings_not_read(tmp_path: Path) -> None:
    events: list[tuple[str, str]] = []
    _, settings = fleet(events, b={"fail": {"read": AuthenticationError("the password was refused")}})
    backoffice = FakeBackoffice()
    result = await store_run(tmp_path, settings, DESIRED, backoffice, kind=RunKind.APPLY).run()
    assert result.status == StoreStatus.ERROR and result.error_kind == "authentication"
    assert statuses(result) == {"a": "drift", "b": "failed", "c": "failed"}
    assert not any(step == "apply" for step, _ in events)
    assert backoffice.closed_failed is True


async def test_a_re_login_refused_mid_apply_fails_that_setting_and_leaves_the_rest_unapplied(tmp_path: Path) -> None:
    events: list[tuple[str, str]] = []
    world, settings = fleet(events, a={"fail": {"apply": AuthenticationError("the password was refused")}})
    result = await store_run(tmp_path, settings, DESIRED, kind=RunKind.APPLY).run()
    by_name = {s.setting: s for s in result.settings}
    assert (by_name["a"].status, by_name["a"].error_kind) == (SettingStatus.FAILED, "authentication")
    assert by_name["c"].status == SettingStatus.DRIFT and ("apply", "c") not in events  # planned, never applied
    assert result.status == StoreStatus.ERROR and result.error_kind == "authentication"
    assert world["c"] == "old"


async def test_a_store_that_cannot_log_in_fails_with_every_setting(tmp_path: Path) -> None:
    _, settings = fleet([])
    result = await store_run(tmp_path, settings, DESIRED,
                             FakeBackoffice(open_error=AuthenticationError("refused"))).run()
    assert result.error_kind == "authentication" and set(statuses(result).values()) == {SettingStatus.FAILED}


async def test_interrupt_while_reading_finishes_that_read_and_starts_nothing_new(tmp_path: Path) -> None:
    interruption = Interruption()
    events: list[tuple[str, str]] = []
    _, settings = fleet(events, a={"on": {"read": interruption.signal_received}})
    result = await store_run(tmp_path, settings, DESIRED, kind=RunKind.APPLY, interruption=interruption).run()
    assert events == [("read", "a")]
    by_name = {s.setting: s for s in result.settings}
    # Read and planned, never applied: the report says so (its observed state is kept for the plan).
    assert (by_name["a"].status, by_name["a"].error) == (SettingStatus.SKIPPED, NOT_APPLIED)
    assert by_name["a"].observed == {"value": "old"} and [c.setting for c in result.changes] == ["a"]
    assert {name: (s.status, s.error, s.error_kind) for name, s in by_name.items() if name != "a"} == {
        "b": (SettingStatus.SKIPPED, NOT_STARTED, ErrorKind.INTERRUPTED),
        "c": (SettingStatus.SKIPPED, NOT_STARTED, ErrorKind.INTERRUPTED)}


async def test_interrupt_while_applying_finishes_that_apply_and_applies_nothing_more(tmp_path: Path) -> None:
    interruption = Interruption()
    events: list[tuple[str, str]] = []
    world, settings = fleet(events, a={"on": {"apply": interruption.signal_received}})
    result = await store_run(tmp_path, settings, DESIRED, kind=RunKind.APPLY, interruption=interruption).run()
    by_name = {s.setting: s for s in result.settings}
    assert by_name["a"].status == SettingStatus.CHANGED  # applied and verified: done is done
    assert by_name["b"].status == SettingStatus.COMPLIANT
    assert (by_name["c"].status, by_name["c"].error) == (SettingStatus.SKIPPED, NOT_APPLIED)
    assert world == {"a": "new", "b": "new", "c": "old"}


async def test_a_forced_stop_mid_apply_reports_failed_never_changed(tmp_path: Path) -> None:
    interruption = Interruption()

    def second_ctrl_c() -> None:
        interruption.signal_received()
        interruption.signal_received()  # forced: the store's task is cancelled where it stands
        raise asyncio.CancelledError()

    _, settings = fleet([], a={"on": {"apply": second_ctrl_c}})
    result = await store_run(tmp_path, settings, DESIRED, kind=RunKind.APPLY, interruption=interruption).run()
    by_name = {s.setting: s for s in result.settings}
    assert (by_name["a"].status, by_name["a"].error, by_name["a"].error_kind) == (
        SettingStatus.FAILED, INTERRUPTED_MID_APPLY, ErrorKind.INTERRUPTED)
    assert by_name["c"].status == SettingStatus.SKIPPED
    assert result.status == StoreStatus.ERROR


async def test_an_interrupt_before_the_store_starts_skips_it(tmp_path: Path) -> None:
    interruption = Interruption()
    interruption.signal_received()
    backoffice = FakeBackoffice()
    _, settings = fleet([])
    result = await store_run(tmp_path, settings, DESIRED, backoffice, interruption=interruption).run()
    assert result.status == StoreStatus.SKIPPED and result.error == NOT_STARTED and not backoffice.opened
    assert set(statuses(result).values()) == {SettingStatus.SKIPPED}


def document_of(store: StoreResult) -> RunDocument:
    """A saved plan holding one store's plan."""
    return RunDocument(created_at="2026-01-01T00:00:00+00:00", fleet_file="fleet.yaml", stores=[store])


class RetryingBackoffice(FakeBackoffice):
    """Steps tried again on a transient fault, as the real opener does (without its waits)."""

    async def step(self, operation: Callable[[], Awaitable[Any]]) -> Any:
        for _ in range(3):
            try:
                return await operation()
            except TransientError:
                continue
        return await operation()


class AnswerLostOnce(FakeSetting):
    """The backoffice makes the first write, then its answer is lost (an HTTP 500 sent after saving)."""

    async def apply(self, session: StoreSession, changes: list[Change]) -> bool:
        wrote = await super().apply(session, changes)
        if [step for step, _ in self.events].count("apply") == 1:
            raise TransientError("HTTP 500 after the save")
        return wrote


async def test_after_a_lost_answer_the_store_is_read_before_anything_is_written_again(tmp_path: Path) -> None:
    events: list[tuple[str, str]] = []
    world = {"a": "old"}
    setting = AnswerLostOnce("a", world, events)
    result = await store_run(tmp_path, [setting], {"a": "new"}, RetryingBackoffice(), kind=RunKind.APPLY).run()
    # Read (plan), apply (saved, answer lost), read (already done: not written again), verify's read-back.
    assert events == [("read", "a"), ("apply", "a"), ("read", "a"), ("read_back", "a"), ("read", "a")]
    assert statuses(result) == {"a": "changed"} and world == {"a": "new"}


async def test_a_write_that_did_not_happen_is_made_again_after_reading(tmp_path: Path) -> None:
    events: list[tuple[str, str]] = []
    world = {"a": "old"}
    fails_once = iter([TransientError("HTTP 500 before the save")])

    def first_try_fails() -> None:
        error = next(fails_once, None)
        if error is not None:
            raise error

    setting = FakeSetting("a", world, events, on={"apply": first_try_fails})
    result = await store_run(tmp_path, [setting], {"a": "new"}, RetryingBackoffice(), kind=RunKind.APPLY).run()
    assert events == [("read", "a"), ("apply", "a"), ("read", "a"), ("apply", "a"), ("read_back", "a"), ("read", "a")]
    assert statuses(result) == {"a": "changed"} and world == {"a": "new"}
