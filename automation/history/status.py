"""`ecom-privacy status`: the fleet now, from the newest result of every store and setting."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from automation.history.tables import HistoryLatest, HistoryResult, HistoryRun

#: a result's status -> what it means for the store now
CATEGORIES = {
    "compliant": "compliant",
    "changed": "corrected",  # drifted and corrected by that run
    "drift": "drifted",  # drifted and not corrected (a plan found it, or an apply left it)
    "blocked": "blocked",  # drifted, and the correction needs an opt-in (irreversible)
    "failed": "failed",
}
NOT_CHECKED = "not checked"
PROBLEMS = ("drifted", "blocked", "failed", NOT_CHECKED)


@dataclass
class Cell:
    store_id: str
    setting: str
    category: str
    checked_at: datetime | None = None
    age_s: float | None = None
    run_kind: str | None = None
    run_dir: str | None = None
    message: str = ""
    error_kind: str | None = None
    #: since when the setting has been as declared without interruption (None: not compliant now)
    compliant_since: datetime | None = None


@dataclass
class StoreRow:
    store_id: str
    cells: dict[str, Cell]
    newest: datetime | None = None
    stale: bool = False


@dataclass
class FleetStatus:
    generated_at: datetime
    max_age: timedelta
    settings: list[str]
    rows: list[StoreRow] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {name: 0 for name in ("compliant", "corrected", "drifted", "blocked", "failed", NOT_CHECKED)}
        for row in self.rows:
            for cell in row.cells.values():
                counts[cell.category] += 1
        counts["stale stores"] = sum(row.stale for row in self.rows)
        return counts

    @property
    def healthy(self) -> bool:
        """Something is known, and all of it is as declared and fresh (nothing recorded is not healthy)."""
        troubled = (row.stale or any(cell.category in PROBLEMS for cell in row.cells.values()) for row in self.rows)
        return bool(self.rows) and not any(troubled)

    def to_json(self) -> dict[str, Any]:
        def cell_json(cell: Cell) -> dict[str, Any]:
            data = asdict(cell)
            for key in ("checked_at", "compliant_since"):
                data[key] = data[key].isoformat() + "Z" if data[key] else None
            return data

        return {
            "generated_at": self.generated_at.isoformat() + "Z", "max_age_s": self.max_age.total_seconds(),
            "settings": self.settings, "counts": self.counts(), "healthy": self.healthy,
            "stores": [{"id": row.store_id, "newest": row.newest.isoformat() + "Z" if row.newest else None,
                        "stale": row.stale, "settings": {name: cell_json(c) for name, c in row.cells.items()}}
                       for row in self.rows],
        }


def _newest_rows(engine: Engine, stores: list[str] | None) -> list[Any]:
    """One row per store and setting, from the table the recorder keeps (not a scan of every result)."""
    latest, results = HistoryLatest, HistoryResult
    query = (select(latest.store_id, latest.setting, latest.compliant_since, results.status, results.created_at,
                    results.run_kind, results.summary, results.error, results.error_kind, HistoryRun.run_dir)
             .join(results, results.id == latest.result_id)
             .join(HistoryRun, HistoryRun.id == results.run_id))
    if stores:
        query = query.where(latest.store_id.in_(stores))
    with engine.connect() as connection:
        return list(connection.execute(query))


def fleet_status(engine: Engine, *, max_age: timedelta, now: datetime, stores: list[str] | None = None,
                 expected: Iterable[tuple[str, list[str]]] = ()) -> FleetStatus:
    """The newest result per store and setting; `expected` (from a fleet file) adds what was never checked."""
    rows: dict[str, StoreRow] = {}
    settings: list[str] = []
    for store_id, managed in expected:
        rows[store_id] = StoreRow(store_id, {name: Cell(store_id, name, NOT_CHECKED) for name in managed})
        settings += [name for name in managed if name not in settings]
    for record in _newest_rows(engine, stores):
        if expected and record.store_id not in rows:
            continue  # a store no longer in the fleet file is history, not status
        row = rows.setdefault(record.store_id, StoreRow(record.store_id, {}))
        category = CATEGORIES.get(record.status, NOT_CHECKED)
        message = record.error or record.summary or ""
        row.cells[record.setting] = Cell(
            store_id=record.store_id, setting=record.setting, category=category, checked_at=record.created_at,
            age_s=(now - record.created_at).total_seconds(), run_kind=record.run_kind, run_dir=record.run_dir,
            message=message, error_kind=record.error_kind,
            compliant_since=record.compliant_since,
        )
        if record.setting not in settings:
            settings.append(record.setting)
    for row in rows.values():
        times = [cell.checked_at for cell in row.cells.values() if cell.checked_at]
        row.newest = max(times) if times else None
        row.stale = row.newest is None or now - row.newest > max_age
    ordered = sorted(settings, key=lambda name: (name in ("storefront", "(store)"), name))
    return FleetStatus(now, max_age, ordered, sorted(rows.values(), key=lambda row: row.store_id))
