"""JUnit XML: one test case per store and setting; failed and drift fail, changed passes, skipped skips."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from automation.outputs.junit import render_junit
from ecom_privacy.models import Change, RunDocument, RunKind, SettingResult, SettingStatus, StoreResult, StoreStatus


def document(kind: RunKind, interrupted: bool = False) -> RunDocument:
    change = Change(setting="cookie_law", action="update", before={"mode": "none"}, after={"mode": "confirm"},
                    summary="mode none -> confirm")
    return RunDocument(kind=kind, created_at="2026-01-01T02:00:00+00:00", fleet_file="fleet.yaml",
                       interrupted=interrupted, stores=[
        StoreResult(id="ok", settings=[SettingResult(setting="cookie_law", status=SettingStatus.COMPLIANT)],
                    duration_s=1.0),
        StoreResult(id="drifts", changes=[change], settings=[
            SettingResult(setting="cookie_law",
                          status=SettingStatus.DRIFT if kind == RunKind.PLAN else SettingStatus.CHANGED)]),
        StoreResult(id="broken", status=StoreStatus.ERROR, error="UI did not match", error_kind="ui_mismatch",
                    settings=[SettingResult(setting="cookie_law", status=SettingStatus.FAILED,
                                            error="element 'section COOKIE LAW' not found", error_kind="ui_mismatch")]),
        StoreResult(id="later", status=StoreStatus.SKIPPED, error="interrupted", settings=[
            SettingResult(setting="cookie_law", status=SettingStatus.SKIPPED, error="not started")]),
    ])


def cases(xml: str) -> dict[str, ET.Element]:
    root = ET.fromstring(xml.split("\n", 1)[1])
    return {case.get("classname"): case for case in root.iter("testcase")}


def test_plan_drift_is_a_failure_and_counts_add_up() -> None:
    xml = render_junit(document(RunKind.PLAN))
    root = ET.fromstring(xml.split("\n", 1)[1])
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == "ecom-privacy plan"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("4", "2", "1")
    by_store = cases(xml)
    assert by_store["ok"].get("name") == "cookie_law" and len(by_store["ok"]) == 0
    drift = by_store["drifts"].find("failure")
    assert drift is not None and drift.get("type") == "drift" and "changes planned" in drift.get("message", "")
    failure = by_store["broken"].find("failure")
    assert failure is not None and failure.get("type") == "ui_mismatch" and "COOKIE LAW" in failure.get("message", "")
    assert by_store["later"].find("skipped") is not None


def test_apply_changed_passes_with_the_changes_in_system_out() -> None:
    xml = render_junit(document(RunKind.APPLY, interrupted=True))
    changed = cases(xml)["drifts"]
    assert changed.find("failure") is None
    assert "mode none -> confirm" in (changed.findtext("system-out") or "")
    suite = ET.fromstring(xml.split("\n", 1)[1]).find("testsuite")
    assert suite is not None and suite[0].tag == "properties"
    assert suite.get("failures") == "1"
