"""History rows decide by typed fields of a report, never by the wording of an error (#23 item 3)."""

from __future__ import annotations

import hashlib

from automation.history.rows import STOREFRONT, result_rows, run_row
from ecom_privacy.errors import ErrorKind
from ecom_privacy.models import (
    RunDocument,
    RunKind,
    SettingResult,
    SettingStatus,
    StoreResult,
    StoreStatus,
    merged_run_id,
    new_run_id,
)


def _document(*stores: StoreResult, kind: RunKind = RunKind.PLAN) -> RunDocument:
    return RunDocument(kind=kind, created_at="2026-12-07T21:00:00Z", fleet_file="fleet.yaml", fleet_sha256="0" * 64,
                       stores=list(stores))


def test_a_setting_the_store_never_read_carries_the_stores_error() -> None:
    store = StoreResult(id="a", status=StoreStatus.ERROR, error="the backoffice refused the login",
                        error_kind=ErrorKind.AUTHENTICATION, settings=[
                            SettingResult(setting="cookie_law", status=SettingStatus.FAILED, not_read=True,
                                          error="(any wording)", error_kind=ErrorKind.AUTHENTICATION),
                            # its own error merely starts like the old marker: it is the setting's own
                            SettingResult(setting="newsletter", status=SettingStatus.FAILED,
                                          error="not readable: the list page has no table",
                                          error_kind=ErrorKind.UI_MISMATCH)])
    rows = {row["setting"]: row for row in result_rows(_document(store))}
    assert rows["cookie_law"]["error"] == "the backoffice refused the login"
    assert rows["newsletter"]["error"] == "not readable: the list page has no table"


def test_the_storefront_row_comes_from_the_typed_flag_not_from_the_errors_wording() -> None:
    could_not_check = StoreResult(id="a", status=StoreStatus.ERROR, error="timed out: the shop did not answer",
                                  error_kind=ErrorKind.TRANSIENT, storefront_error=True)
    backoffice = StoreResult(id="b", status=StoreStatus.ERROR, error="storefront_url is not reachable from here",
                             error_kind=ErrorKind.CONFIG)
    rows = [(row["store_id"], row["setting"], row["status"]) for row in
            result_rows(_document(could_not_check, backoffice, kind=RunKind.VERIFY))]
    assert rows == [("a", STOREFRONT, "failed"), ("b", "(store)", "failed")]


def _plan(run_id: str = "") -> RunDocument:
    return RunDocument(kind=RunKind.PLAN, created_at="2026-12-07T23:05:52+00:00", run_id=run_id,
                       fleet_file="/fleet/fleet.yaml", fleet_sha256="ab" * 32,
                       stores=[StoreResult(id="shop-nl", status=StoreStatus.OK)])


def test_two_runs_started_in_the_same_second_are_two_runs_in_the_history() -> None:
    """Both plans of a fleet file a second apart were one run to the history (created_at counts seconds), and
    the second, which found the drift, was never recorded."""
    first, second = _plan(new_run_id()), _plan(new_run_id())
    assert run_row(first).run_uid != run_row(second).run_uid
    assert run_row(first).run_uid == run_row(first).run_uid  # recorded live, then imported: the same run
    assert run_row(first, "1/2").run_uid != run_row(first, "2/2").run_uid


def test_a_document_from_before_run_ids_keeps_the_uid_it_was_recorded_with() -> None:
    old = _plan()
    identity = "|".join(("plan", old.created_at, old.fleet_file, old.fleet_sha256, "shop-nl", ""))
    assert run_row(old).run_uid == hashlib.sha256(identity.encode()).hexdigest()


def test_a_merged_report_is_the_same_run_however_often_its_shards_are_merged() -> None:
    shards = [_plan(new_run_id()), _plan(new_run_id())]
    assert merged_run_id(shards) == merged_run_id(list(reversed(shards))) != ""
    assert merged_run_id([shards[0], _plan()]) == ""  # a shard from before run ids: known the old way
