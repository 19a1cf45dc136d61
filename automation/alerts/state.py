"""Open problems kept in the database: a problem is announced when it starts and when it clears, once each."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from automation.alerts.problems import Key, RunFindings
from automation.alerts.tables import AlertProblem
from automation.fleet.notify import EventKind
from ecom_privacy.models import BlockReason


@dataclass
class Notice:
    kind: EventKind
    store_id: str
    subject: str
    message: str
    run_dir: str
    at: datetime
    #: for a problem still open: the newest run that saw it (the digest links there)
    last_run_dir: str = ""
    #: for a problem that started and cleared unannounced: when and how it cleared
    cleared_at: datetime | None = None
    how: str = ""
    #: a drift that waits for a person: why (the digest lists it as blocked)
    blocked: BlockReason | None = None


@dataclass
class Pending:
    """What the next message says: problems that started, problems that cleared, drift corrected in passing, and
    problems that started and cleared while no alert could be sent (said once, both at once)."""

    opened: list[Notice] = field(default_factory=list)
    cleared: list[Notice] = field(default_factory=list)
    corrected: list[Notice] = field(default_factory=list)
    passed: list[Notice] = field(default_factory=list)
    #: database ids of the rows whose opening / clearing this message announces
    opened_ids: list[int] = field(default_factory=list)
    cleared_ids: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.opened or self.cleared or self.corrected or self.passed)


def reconcile(engine: Engine, found: RunFindings, kinds: list[EventKind], run_dir: str, now: datetime) -> Pending:
    """Open new problems, clear those this run looked at and no longer sees; return what is still to announce.

    Announcements that could not be sent earlier (the alert target was down) are still pending and go
    out with this run's message; a problem that cleared before it was ever announced is announced then, as
    one that started and cleared (someone may need to know that it happened, e.g. a night of failed logins).
    """
    pending = Pending()
    cleared_now: dict[tuple[str, str], AlertProblem] = {}
    with Session(engine) as session, session.begin():
        open_rows = session.scalars(select(AlertProblem).where(AlertProblem.cleared_at.is_(None),
                                                               AlertProblem.kind.in_(kinds))).all()
        by_key: dict[Key, AlertProblem] = {(EventKind(row.kind), row.store_id, row.subject): row
                                           for row in open_rows}
        for key, message in found.problems.items():
            if key[0] not in kinds:
                continue
            row = by_key.get(key)
            if row is None:
                session.add(AlertProblem(kind=key[0], store_id=key[1], subject=key[2], message=message,
                                         opened_at=now, opened_run_dir=run_dir, last_seen_at=now,
                                         last_run_dir=run_dir, open_sent=False, clear_sent=False,
                                         blocked=found.blocked.get(key)))
            else:
                row.last_seen_at, row.message, row.blocked = now, message, found.blocked.get(key)
                row.last_run_dir = run_dir or row.last_run_dir
        for key, row in by_key.items():
            if key not in found.problems and found.covers(key):
                row.cleared_at, row.cleared_run_dir = now, run_dir
                if row.kind == EventKind.DRIFT:
                    cleared_now[(row.store_id, row.subject)] = row
        session.flush()
        for row in session.scalars(select(AlertProblem).where(
                AlertProblem.kind.in_(kinds), AlertProblem.cleared_at.is_(None), AlertProblem.open_sent.is_(False))):
            pending.opened.append(Notice(EventKind(row.kind), row.store_id, row.subject, row.message,
                                         row.opened_run_dir, row.opened_at))
            pending.opened_ids.append(row.id)
        for row in session.scalars(select(AlertProblem).where(
                AlertProblem.kind.in_(kinds), AlertProblem.cleared_at.is_not(None),
                AlertProblem.clear_sent.is_(False))):
            corrected = (row.store_id, row.subject) in found.corrected and row.cleared_run_dir == run_dir
            how = found.cleared_reasons.get((row.kind, row.store_id, row.subject)) or (
                "corrected by this run" if corrected else "no longer seen")
            if row.open_sent:
                pending.cleared.append(Notice(EventKind(row.kind), row.store_id, row.subject,
                                              f"{how} (was: {row.message})", row.cleared_run_dir or run_dir,
                                              row.cleared_at or now))
            else:  # its start was never said (the target was down): say both now
                pending.passed.append(Notice(EventKind(row.kind), row.store_id, row.subject, row.message,
                                             row.opened_run_dir, row.opened_at, cleared_at=row.cleared_at or now,
                                             how=how))
                pending.opened_ids.append(row.id)
            pending.cleared_ids.append(row.id)
    if EventKind.DRIFT in kinds:
        for (store_id, setting), summary in found.corrected.items():
            if (store_id, setting) not in cleared_now:  # drift found and corrected in this one run
                pending.corrected.append(Notice(EventKind.DRIFT, store_id, setting, summary, run_dir, now))
    return pending


def mark_sent(engine: Engine, pending: Pending) -> None:
    with engine.begin() as connection:
        if pending.opened_ids:
            connection.execute(update(AlertProblem).where(AlertProblem.id.in_(pending.opened_ids))
                               .values(open_sent=True))
        if pending.cleared_ids:
            connection.execute(update(AlertProblem).where(AlertProblem.id.in_(pending.cleared_ids))
                               .values(clear_sent=True))

