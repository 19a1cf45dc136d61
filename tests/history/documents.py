"""Run documents as the engine writes them, for history and alert tests without a browser."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from automation.outputs.artifacts import RunArtifacts
from automation.outputs.run_outputs import write_run_outputs
from ecom_privacy.models import (
    BlockReason,
    Change,
    CheckResult,
    CheckStatus,
    RunDocument,
    RunKind,
    SettingResult,
    SettingStatus,
    StoreResult,
    StoreStatus,
)

START = datetime(2026, 3, 1, 2, 0, 0)


def compliant(store_id: str, setting: str = "cookie_law") -> StoreResult:
    return StoreResult(id=store_id, settings=[SettingResult(setting=setting, status=SettingStatus.COMPLIANT)],
                       duration_s=1.5)


def drifted(store_id: str, status: SettingStatus = SettingStatus.DRIFT, setting: str = "cookie_law",
            blocked: bool = False) -> StoreResult:
    change = Change(setting=setting, action="update", before={"mode": "none"}, after={"mode": "confirm"},
                    summary="mode none -> confirm", blocked=BlockReason.NEEDS_OPT_IN if blocked else None)
    return StoreResult(id=store_id, changes=[change], settings=[SettingResult(setting=setting, status=status)],
                       duration_s=2.0)


def failed(store_id: str, setting: str = "cookie_law", kind: str = "authentication",
           error: str = "the backoffice refused the login of owner@shop.example") -> StoreResult:
    return StoreResult(id=store_id, status=StoreStatus.ERROR, error=error, error_kind=kind,
                       settings=[SettingResult(setting=setting, status=SettingStatus.FAILED, error=error,
                                               error_kind=kind)], duration_s=0.5)


def verified(store_id: str, failing: list[str] = ()) -> StoreResult:  # type: ignore[assignment]
    checks = [CheckResult(name="cookie_bar_shown", status=CheckStatus.PASS, message="bar shown")]
    checks += [CheckResult(name=name, status=CheckStatus.FAIL, message=f"{name} failed: _ga cookie")
               for name in failing]
    return StoreResult(id=store_id, status=StoreStatus.ERROR if failing else StoreStatus.OK, checks=checks)


def document(kind: RunKind, night: int, stores: list[StoreResult], hour: int = 0) -> RunDocument:
    at = START + timedelta(days=night, hours=hour)
    return RunDocument(kind=kind, created_at=at.isoformat() + "+00:00", fleet_file="fleet.yaml",
                       fleet_sha256="f" * 64, stores=stores)


def write_run(parent: Path, doc: RunDocument) -> Path:
    """A run directory as the CLI leaves it (plan.json or report.json, JUnit, HTML)."""
    artifacts = RunArtifacts.create(parent, now=datetime.fromisoformat(doc.created_at))  # named as the CLI would
    write_run_outputs(artifacts, doc)
    return artifacts.root
