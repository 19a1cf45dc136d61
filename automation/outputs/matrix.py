"""A run as a matrix of stores x settings: the one view the JUnit file and the HTML report are built from."""

from __future__ import annotations

from dataclasses import dataclass, field

from ecom_privacy.errors import ErrorKind
from ecom_privacy.models import Change, Diagnostic, RunDocument, SettingResult, StoreResult, StoreStatus


@dataclass
class Cell:
    store_id: str
    setting: str
    #: compliant, changed, drift, failed or skipped (SettingStatus values), or blocked: drift that awaits an
    #: opt-in (an irreversible change without --allow-archive)
    status: str
    message: str = ""
    error_kind: ErrorKind | None = None
    changes: list[Change] = field(default_factory=list)
    #: warnings about the setting that are not changes; they never change the status
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass
class Row:
    store: StoreResult
    #: setting name -> cell; a setting the store does not manage has no cell
    cells: dict[str, Cell]


@dataclass
class Matrix:
    settings: list[str]
    rows: list[Row]


def _message(result: SettingResult, changes: list[Change]) -> str:
    if result.error:
        return result.error
    return "; ".join(change.summary or change.action for change in changes)


def build_matrix(document: RunDocument) -> Matrix:
    settings: list[str] = []
    rows = []
    for store in document.stores:
        cells = {}
        for result in store.settings:
            if result.setting not in settings:
                settings.append(result.setting)
            changes = store.changes_for(result.setting)
            status = "blocked" if store.awaits_opt_in(result) else result.status.value
            cells[result.setting] = Cell(store.id, result.setting, status, _message(result, changes),
                                         result.error_kind, changes, list(result.diagnostics))
        # A store failed only by its storefront checks is shown by those checks, not by an extra cell.
        failed_by_checks = store.error is None and any(check.status == "fail" for check in store.checks)
        if not cells and store.status != StoreStatus.OK and not failed_by_checks:
            # A store that stopped before any setting was known still needs a visible row.
            cells["(store)"] = Cell(store.id, "(store)", "failed" if store.status == StoreStatus.ERROR else "skipped",
                                    store.error or "", store.error_kind)
            if "(store)" not in settings:
                settings.append("(store)")
        rows.append(Row(store, cells))
    return Matrix(settings, rows)
