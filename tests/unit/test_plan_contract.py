"""The typed plan contract (issue #10) without a browser: the action enum and typed selection round-trip through
JSON, a plan of format 1 is refused before anything runs, and a diagnostic (a warning) shows in every renderer
without ever being a change or changing an exit code."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from automation.fleet.composition import read_fleet
from automation.history.rows import result_rows
from automation.outputs.html_report import render_html
from automation.outputs.junit import render_junit
from automation.outputs.matrix import build_matrix
from automation.outputs.plan_seal import seal_plan_json
from automation.outputs.render import apply_exit_code, plan_exit_code, render_document, summarise
from automation.run.saved_plan import load_saved_plan
from ecom_privacy.errors import ConfigError
from ecom_privacy.models import (
    PLAN_FORMAT_VERSION,
    ArchiveRuleRecord,
    ArchiveSelection,
    Change,
    ChangeAction,
    Diagnostic,
    RunDocument,
    RunKind,
    SettingResult,
    SettingStatus,
    StoreResult,
    SubscriberRow,
)
from ecom_privacy.setting import CurrentState, PlanInput, Setting, StoreSession
from flows.analytics import CONSENT_HINT, AnalyticsSetting
from flows.cookie_law import CookieLawSetting
from flows.newsletter_archive import NewsletterArchiveSetting
from tests.support import write_fleet

pytestmark = pytest.mark.clock  # saved plans dated 2026-01-01 load the same on any date (no age limit)

WARNING = Diagnostic(summary="consent mode not shown", detail=CONSENT_HINT)


def archive_change() -> Change:
    row = SubscriberRow(email="old@x.test", name="Old", subscribed_at=date(2016, 1, 1), source="import",
                        reason="source import, subscribed 2016-01-01 (before 2018-05-25)")
    return Change(setting="newsletter_archive", action=ChangeAction.ARCHIVE, irreversible=True,
                  before={"active_subscribers": 3}, after={"active_subscribers": 2, "archived": ["old@x.test"]},
                  selection=ArchiveSelection(rule=ArchiveRuleRecord(subscribed_before=date(2018, 5, 25),
                                                                    sources=["import", "manual"]),
                                             subscribers=[row]))


def test_action_enum_and_typed_selection_round_trip_through_json() -> None:
    change = archive_change()
    text = change.model_dump_json()
    data = json.loads(text)
    # Readable: the action and the dates as plain strings, the rows with the fields of the CSV export.
    assert data["action"] == "archive" and data["detail"] == {}
    assert data["selection"]["subscribers"][0]["subscribed_at"] == "2016-01-01"
    assert data["selection"]["rule"] == {"subscribed_before": "2018-05-25", "sources": ["import", "manual"],
                                         "keep": [], "only": None}
    back = Change.model_validate_json(text)
    assert back == change and back.action is ChangeAction.ARCHIVE
    assert isinstance(back.selection.subscribers[0].subscribed_at, date)  # type: ignore[union-attr]
    for action in ChangeAction:
        assert Change.model_validate_json(Change(setting="s", action=action).model_dump_json()).action is action
    with pytest.raises(ValidationError, match="action"):
        Change.model_validate({"setting": "s", "action": "delete-everything"})
    with pytest.raises(ValidationError, match="subscribed_at"):
        Change.model_validate({**data, "selection": {**data["selection"], "subscribers": [
            {**data["selection"]["subscribers"][0], "subscribed_at": "long ago"}]}})


class _ModelSetting(Setting[Any, Any]):
    """The least a setting implements; its observe/stale_reason are the base's."""

    name = "model_setting"

    async def read(self, session: StoreSession) -> BaseModel:
        raise NotImplementedError

    def plan(self, current: BaseModel, desired: BaseModel, context: PlanInput) -> list[Change]:
        return []

    async def apply(self, session: StoreSession, changes: list[Change]) -> bool:
        return False


class _Current(BaseModel):
    mode: str
    since: date


def test_observe_is_the_current_model_as_json() -> None:
    setting, context = _ModelSetting(), PlanInput("s", "en")
    observed = setting.observe(_Current(mode="x", since=date(2020, 1, 2)), None, context)  # type: ignore[arg-type]
    assert observed == {"mode": "x", "since": "2020-01-02"} and json.loads(json.dumps(observed)) == observed
    assert setting.stale_reason(observed, _Current(mode="x", since=date(2020, 1, 2)), None, context) is None  # type: ignore[arg-type]


def _plan_file(tmp_path: Path, version: int) -> tuple[Path, Any]:
    fleet_path = write_fleet(tmp_path, "http://127.0.0.1:9", {"cookie_law": {"mode": "confirm"}}, ["shop-nl"])
    fleet = read_fleet(fleet_path)
    document = RunDocument(format_version=version, created_at="2026-01-01T00:00:00+00:00",
                           fleet_file=str(fleet_path), fleet_sha256=fleet.sha256,
                           stores=[StoreResult(id="shop-nl", settings=[
                               SettingResult(setting="cookie_law", status=SettingStatus.COMPLIANT)])])
    path = tmp_path / "PLAN.json"
    path.write_text(seal_plan_json(document.model_dump_json()), encoding="utf-8")
    return path, fleet


def test_a_plan_of_format_1_is_refused_with_one_line_saying_to_plan_again(tmp_path: Path) -> None:
    assert PLAN_FORMAT_VERSION == 2
    path, fleet = _plan_file(tmp_path, 1)
    with pytest.raises(ConfigError) as refused:
        load_saved_plan(path, fleet)
    message = str(refused.value)
    assert "\n" not in message
    assert message == (f"{path}: this plan was made by an older version of ecom-privacy (plan format 1; this "
                       f"version reads 2); run 'ecom-privacy plan --out {path}' again")
    current, fleet = _plan_file(tmp_path, PLAN_FORMAT_VERSION)
    assert load_saved_plan(current, fleet).format_version == 2  # the control: the same plan of format 2 loads


def warned_document(kind: RunKind) -> RunDocument:
    """One store whose analytics is compliant with a warning, and one whose cookie bar drifted with one."""
    return RunDocument(kind=kind, created_at="2026-01-01T00:00:00+00:00", fleet_file="fleet.yaml", stores=[
        StoreResult(id="warned", settings=[
            SettingResult(setting="analytics", status=SettingStatus.COMPLIANT, diagnostics=[WARNING])]),
        StoreResult(id="drifted", changes=[Change(setting="cookie_law", action=ChangeAction.UPDATE,
                                                  summary="mode none -> confirm")],
                    settings=[SettingResult(setting="cookie_law", status=SettingStatus.DRIFT,
                                            diagnostics=[Diagnostic(summary="second look")])]),
    ])


def test_a_warning_never_changes_counts_or_exit_codes() -> None:
    quiet = RunDocument(kind=RunKind.PLAN, created_at="x", fleet_file="f", stores=[
        StoreResult(id="warned", settings=[SettingResult(setting="analytics", status=SettingStatus.COMPLIANT)])])
    loud = quiet.model_copy(deep=True)
    loud.stores[0].settings[0].diagnostics = [WARNING]
    assert plan_exit_code(loud) == plan_exit_code(quiet) == 0
    applied = loud.model_copy(update={"kind": RunKind.APPLY})
    assert apply_exit_code(applied) == 0
    assert summarise(loud) == summarise(quiet) == {"ok": 1, "changed": 0, "drifted": 0, "blocked": 0, "failed": 0,
                                                       "skipped": 0}
    assert loud.stores[0].changes == []


def test_text_and_matrix_show_the_warning() -> None:
    document = warned_document(RunKind.PLAN)
    text = render_document(document)
    assert "  * analytics: warning: consent mode not shown" in text and CONSENT_HINT in text
    cells = {(row.store.id, name): cell for row in build_matrix(document).rows for name, cell in row.cells.items()}
    assert cells["warned", "analytics"].status == "compliant"
    assert cells["warned", "analytics"].diagnostics == [WARNING]


def test_junit_puts_warnings_in_system_out_never_in_a_failure() -> None:
    suite = ET.fromstring(render_junit(warned_document(RunKind.PLAN)))
    cases = {case.get("classname"): case for case in suite.iter("testcase")}
    warned = cases["warned"]
    assert warned.find("failure") is None and warned.find("skipped") is None
    assert warned.findtext("system-out") == f"warning: consent mode not shown: {CONSENT_HINT}"
    drifted = cases["drifted"]
    assert drifted.find("failure").get("type") == "drift"  # type: ignore[union-attr]
    assert drifted.findtext("system-out") == "warning: second look"
    assert suite.get("failures") == "1"  # only the drift


def test_html_report_shows_the_warning_in_the_matrix_and_the_details(tmp_path: Path) -> None:
    html = render_html(warned_document(RunKind.PLAN), tmp_path)
    assert "⚠ 1 warning(s)" in html
    assert '<ul class="warnings" aria-label="Warnings of analytics">' in html
    assert "<strong>warning: consent mode not shown</strong>: " + CONSENT_HINT.replace("'", "&#39;") in html
    assert 'class="status compliant"' in html  # the cell stays compliant


def test_history_rows_name_the_warning_in_the_summary() -> None:
    rows = {(row["store_id"], row["setting"]): row for row in result_rows(warned_document(RunKind.APPLY))}
    assert rows["warned", "analytics"]["status"] == "compliant"
    assert rows["warned", "analytics"]["summary"] == "warning: consent mode not shown"
    assert rows["drifted", "cookie_law"]["summary"] == "mode none -> confirm; warning: second look"


def test_the_report_json_keeps_diagnostics() -> None:
    document = warned_document(RunKind.APPLY)
    back = RunDocument.model_validate_json(document.model_dump_json())
    assert back.stores[0].settings[0].diagnostics == [WARNING]


@pytest.mark.parametrize("setting", [CookieLawSetting(), AnalyticsSetting(), NewsletterArchiveSetting()],
                         ids=lambda setting: setting.name)
def test_typed_settings_declare_a_frozen_strict_current_model(setting: Setting[Any, Any]) -> None:
    model = setting.current_model
    assert issubclass(model, CurrentState)
    assert model.model_config.get("frozen") is True and model.model_config.get("extra") == "forbid"
