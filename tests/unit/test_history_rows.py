"""History rows decide by typed fields of a report, never by the wording of an error (#23 item 3)."""

from __future__ import annotations

from automation.history.rows import STOREFRONT, result_rows
from ecom_privacy.errors import ErrorKind
from ecom_privacy.models import RunDocument, RunKind, SettingResult, SettingStatus, StoreResult, StoreStatus


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
