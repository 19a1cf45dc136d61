"""Write runs into the history, live at the end of a run or later from run directories; idempotent."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, insert, select

from automation.history.latest import Recorded, update_latest
from automation.history.rows import result_rows, run_row
from automation.history.tables import HistoryResult, HistoryRun
from automation.outputs.run_files import read_run_document
from ecom_privacy.errors import ConfigError
from ecom_privacy.models import RunDocument


def shard_of(document: RunDocument, raw: dict[str, Any] | None = None) -> str | None:
    """The shard a report says it is ("K/N"), when the tool that wrote it knows sharding; else None."""
    value = (raw or {}).get("shard", getattr(document, "shard", None))
    if isinstance(value, dict) and {"index", "count"} <= value.keys():
        return f"{value['index']}/{value['count']}"
    return str(value) if value not in (None, "") else None


def record_run(engine: Engine, document: RunDocument, run_dir: Path, *, recorded_at: datetime, source: str = "live",
               shard: str | None = None, redact: Callable[[str], str] = lambda text: text) -> bool:
    """Record one run and its results in one transaction; False when it was already recorded. `recorded_at` is
    when (the command's clock); the run's own time is its document's `created_at`."""
    run = run_row(document, shard)
    with engine.begin() as connection:
        if connection.execute(select(HistoryRun.id).where(HistoryRun.run_uid == run.run_uid)).first():
            return False
        run_id = connection.execute(insert(HistoryRun).values(
            run_uid=run.run_uid, kind=run.kind, created_at=run.created_at, run_dir=str(run_dir.resolve()),
            fleet_file=run.fleet_file, fleet_sha256=run.fleet_sha256, shard=run.shard,
            interrupted=run.interrupted, stores=run.stores, source=source,
            recorded_at=_naive_utc(recorded_at),
        )).inserted_primary_key[0]
        rows = [{**row, "run_id": run_id, "run_kind": run.kind, "created_at": run.created_at}
                for row in result_rows(document, redact)]
        if rows:
            inserted = connection.execute(
                insert(HistoryResult).returning(HistoryResult.id, sort_by_parameter_order=True), rows).scalars().all()
            update_latest(connection, [Recorded(result_id, row["store_id"], row["setting"], row["status"],
                                                run.created_at) for result_id, row in zip(inserted, rows, strict=True)])
    return True


def _naive_utc(moment: datetime) -> datetime:
    """The history's times are naive UTC; an aware time is converted, a naive one is taken as UTC already."""
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)


@dataclass
class ImportReport:
    recorded: list[Path] = field(default_factory=list)
    already: list[Path] = field(default_factory=list)
    #: run directories that could not be read, with why (the rest is imported all the same)
    unreadable: list[tuple[Path, str]] = field(default_factory=list)


def run_directories(root: Path) -> Iterator[Path]:
    """`root` itself when it is a run directory, else the run directories below it (any depth), oldest first."""
    if (root / "report.json").is_file() or (root / "plan.json").is_file():
        yield root
        return
    found = {path.parent for name in ("report.json", "plan.json") for path in root.rglob(name)}
    yield from sorted(found)


def read_run(run_dir: Path) -> tuple[RunDocument, str | None]:
    """The run's report.json (apply, verify, or a shard) or else its plan.json, with its shard if any. Through
    the one reader of run documents (strict JSON, store ids checked); fields a newer version (or a colleague's
    sharding) adds are not ours to refuse: what we know is kept."""
    path = run_dir / "report.json"
    if not path.is_file():
        path = run_dir / "plan.json"
    document, raw = read_run_document(path, "run document", known_fields_only=True)
    return document, shard_of(document, raw)


def import_runs(engine: Engine, root: Path, now: datetime) -> ImportReport:
    """Record every run directory below `root` not yet in the history; `now`: when (their `recorded_at`)."""
    report = ImportReport()
    for run_dir in run_directories(root):
        try:
            document, shard = read_run(run_dir)
        except (OSError, ValueError, ValidationError, ConfigError) as exc:
            reason = str(exc).splitlines()[0]
            report.unreadable.append((run_dir, reason))
            continue
        if record_run(engine, document, run_dir, recorded_at=now, source="import", shard=shard):
            report.recorded.append(run_dir)
        else:
            report.already.append(run_dir)
    return report
