"""A run document as history rows: the same rows whether recorded live or imported from a run directory."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from automation.redaction.addresses import EMAIL
from ecom_privacy.models import CheckStatus, RunDocument, SettingStatus, StoreResult, StoreStatus

MAX_VALUE_CHARS = 300
STOREFRONT = "storefront"
STORE_ROW = "(store)"
BLOCKED = "blocked"


def scrub(text: str | None, redact: Callable[[str], str]) -> str | None:
    if text is None:
        return None
    return EMAIL.sub("<address>", redact(text))


def _short_value(value: Any, redact: Callable[[str], str]) -> str | None:
    if value is None:
        return None
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if len(text) > MAX_VALUE_CHARS:
        text = text[: MAX_VALUE_CHARS - 3] + "..."
    return scrub(text, redact)


def parse_time(value: str) -> datetime:
    """An ISO timestamp as naive UTC (the form stored in the database)."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


@dataclass(frozen=True)
class RunRow:
    run_uid: str
    kind: str
    created_at: datetime
    fleet_file: str
    fleet_sha256: str
    shard: str | None
    interrupted: bool
    stores: int


def run_row(document: RunDocument, shard: str | None = None) -> RunRow:
    """What identifies a run: recording the same run twice (live, then import) finds the same uid. A document
    with a run id is known by it (two runs of one fleet file started in the same second are two runs); one
    written before run ids existed by what it says of itself, as it was recorded then."""
    store_ids = ",".join(sorted(store.id for store in document.stores))
    identity = "|".join((document.kind.value, document.created_at, document.fleet_file, document.fleet_sha256,
                         store_ids, shard or ""))
    if document.run_id:
        identity = f"run|{document.run_id}|{shard or ''}"
    return RunRow(
        run_uid=hashlib.sha256(identity.encode()).hexdigest(), kind=document.kind.value,
        created_at=parse_time(document.created_at), fleet_file=document.fleet_file,
        fleet_sha256=document.fleet_sha256, shard=shard, interrupted=document.interrupted,
        stores=len(document.stores),
    )


def _setting_rows(store: StoreResult, redact: Callable[[str], str]) -> list[dict[str, Any]]:
    rows = []
    for result in store.settings:
        changes = store.changes_for(result.setting)
        status = result.status.value
        if store.awaits_opt_in(result):
            status = BLOCKED  # drift the tool may not correct by itself (an irreversible change without opt-in)
        summary = "; ".join(change.summary or change.action for change in changes)
        blocked = "; ".join(dict.fromkeys(change.blocked.message for change in changes if change.blocked))
        summary += f" (blocked: {blocked})" if blocked else ""
        # Warnings are not changes and never change the status: named after the changes, as the storefront
        # row names its warned checks.
        warnings = "; ".join(f"warning: {diagnostic.summary}" for diagnostic in result.diagnostics)
        summary = "; ".join(part for part in (summary, warnings) if part)
        error = result.error
        if result.status == SettingStatus.FAILED and store.error and result.not_read:
            error = store.error  # the store stopped before this setting: its own error says why
        rows.append({
            "store_id": store.id, "setting": result.setting, "status": status,
            "summary": scrub(summary, redact) or "",
            "before": _short_value(changes[0].before, redact) if len(changes) == 1 else None,
            "after": _short_value(changes[0].after, redact) if len(changes) == 1 else None,
            "error_kind": result.error_kind, "error": scrub(error, redact),
            "duration_s": store.duration_s,
        })
    return rows


def _storefront_row(store: StoreResult, redact: Callable[[str], str]) -> dict[str, Any] | None:
    """The storefront checks of a store as one cell: failed when any check failed or none could run."""
    if not store.checks and not (store.error and store.storefront_error):
        return None
    failed = [check for check in store.checks if check.status == CheckStatus.FAIL]
    warned = [check for check in store.checks if check.status == CheckStatus.WARN]
    could_not_check = not store.checks and store.status == StoreStatus.ERROR
    error = "; ".join(f"{check.name}: {check.message}" for check in failed) or (
        store.error if could_not_check else None)
    return {
        "store_id": store.id, "setting": STOREFRONT,
        "status": "failed" if failed or could_not_check else "compliant",
        "summary": scrub("warnings: " + ", ".join(check.name for check in warned) if warned else "", redact) or "",
        "before": None, "after": None,
        "error_kind": ("verification" if failed else store.error_kind) if error else None,
        "error": scrub(error, redact), "duration_s": store.duration_s,
    }


def result_rows(document: RunDocument, redact: Callable[[str], str] = lambda text: text) -> list[dict[str, Any]]:
    """One row per store and managed setting, plus `storefront` for verify checks and `(store)` for a store
    that stopped before any setting was known."""
    rows: list[dict[str, Any]] = []
    for store in document.stores:
        store_rows = _setting_rows(store, redact)
        storefront = _storefront_row(store, redact)
        if storefront is not None:
            store_rows.append(storefront)
        if not store_rows and store.status != StoreStatus.OK:
            store_rows.append({
                "store_id": store.id, "setting": STORE_ROW,
                "status": "failed" if store.status == StoreStatus.ERROR else "skipped", "summary": "",
                "before": None, "after": None, "error_kind": store.error_kind,
                "error": scrub(store.error, redact), "duration_s": store.duration_s,
            })
        rows.extend(store_rows)
    return rows
