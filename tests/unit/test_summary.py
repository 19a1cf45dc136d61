"""The run summary counts each store once: failed, skipped (also partly, after an interrupt), drifted,
changed or ok; an interrupted run never exits 0."""

from __future__ import annotations

from automation.outputs.render import apply_exit_code, plan_exit_code, render_document, summarise
from ecom_privacy.models import RunDocument, RunKind, SettingResult, SettingStatus, StoreResult, StoreStatus


def store(store_id: str, *statuses: SettingStatus, status: StoreStatus = StoreStatus.OK) -> StoreResult:
    return StoreResult(id=store_id, status=status,
                       settings=[SettingResult(setting=f"s{i}", status=s) for i, s in enumerate(statuses)])


def test_each_store_is_counted_once_by_its_worst_outcome() -> None:
    document = RunDocument(kind=RunKind.APPLY, created_at="now", fleet_file="f.yaml", interrupted=True, stores=[
        store("ok", SettingStatus.COMPLIANT),
        store("changed", SettingStatus.CHANGED, SettingStatus.COMPLIANT),
        store("blocked", SettingStatus.DRIFT),
        store("broken", SettingStatus.FAILED, status=StoreStatus.ERROR),
        store("not-started", SettingStatus.SKIPPED, status=StoreStatus.SKIPPED),
        store("half-done", SettingStatus.CHANGED, SettingStatus.SKIPPED),
    ])
    assert summarise(document) == {"ok": 1, "changed": 1, "drifted": 1, "blocked": 0, "failed": 1, "skipped": 2}
    text = render_document(document)
    assert "Apply: 6 stores, 0 changed, 1 store failed (interrupted)\n" in text
    assert "Stores: 1 ok, 1 changed, 1 drifted, 1 failed, 2 skipped\n" in text
    assert apply_exit_code(document) == 1
    clean = document.model_copy(update={"interrupted": False, "kind": RunKind.PLAN, "stores": document.stores[:1]})
    assert plan_exit_code(clean) == 0
    assert plan_exit_code(clean.model_copy(update={"interrupted": True})) == 1
