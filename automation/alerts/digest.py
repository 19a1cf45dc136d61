"""The daily "needs a human" digest: once a day, every open problem that no run will fix by itself.

A failed store, a storefront check that fails, a change blocked until someone opts in, a breach deadline
without a decision: the start of each was alerted once, and a busy week buries it. The digest lists them all
again, once a day, under their clients' headings, each with how long it has been open and a link to the
newest report that saw it.

There is no daemon: the digest of a day goes out with the first run (or `breach check -c`) at or after
`notify.digest_hour` local time, or, when none ran after that hour, with the first one the next day before
it (a fleet with only a nightly run at 02:00 gets its digest at 02:00). The day is recorded in the database
when the digest went out (or when nothing needed a human), so it goes once a day, however many runs and
checks follow; one that could not be delivered is tried again by the next run or check.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from automation.alerts.layout import AlertContext, Block, Item, Note, as_markdown, as_text
from automation.alerts.message import Message, label, report_of, section
from automation.alerts.state import Notice
from automation.alerts.tables import AlertDigest, AlertProblem
from automation.fleet.notify import EventKind, NotifyConfig
from ecom_privacy.models import BlockReason

#: kinds that need a person whatever the next run does (drift needs one only when blocked: its row's reason)
NEEDS_A_HUMAN = (EventKind.FAILED, EventKind.VERIFY_FAILED, EventKind.BREACH_DEADLINE)
#: the order of the digest's lines within a client: what is most urgent first (a blocked drift before drift)
ORDER = {EventKind.BREACH_DEADLINE: 0, EventKind.FAILED: 1, EventKind.VERIFY_FAILED: 2, EventKind.DRIFT: 4}
BLOCKED_ORDER = 3


def due_day(now: datetime, context: AlertContext, hour: int) -> str:
    """The local day whose digest is due at `now` (naive UTC): today once the hour has passed, else yesterday."""
    local = now.replace(tzinfo=UTC).astimezone(context.tz)
    day = local.date() if local.hour >= hour else local.date() - timedelta(days=1)
    return day.isoformat()


def needs_a_human(row: AlertProblem) -> bool:
    return row.kind in NEEDS_A_HUMAN or (row.kind == EventKind.DRIFT and row.blocked is not None)


def open_problems(engine: Engine, kinds: list[EventKind]) -> list[Notice]:
    with Session(engine) as session:
        rows = session.scalars(select(AlertProblem).where(AlertProblem.cleared_at.is_(None),
                                                          AlertProblem.kind.in_(kinds))).all()
        found = [Notice(EventKind(row.kind), row.store_id, row.subject, row.message, row.opened_run_dir, row.opened_at,
                        last_run_dir=row.last_run_dir or row.opened_run_dir,
                        blocked=BlockReason(row.blocked) if row.blocked else None)
                 for row in rows if needs_a_human(row)]
    return sorted(found, key=lambda n: (BLOCKED_ORDER if n.blocked else ORDER[n.kind], n.store_id, n.subject))


def claim_digest(engine: Engine, day: str, now: datetime, count: int) -> bool:
    """Record `day` as done; False when another run or check did it first (one digest a day, not two)."""
    try:
        with Session(engine) as session, session.begin():
            if session.scalar(select(AlertDigest.id).where(AlertDigest.day == day)) is not None:
                return False
            session.add(AlertDigest(day=day, sent_at=now, problems=count))
    except IntegrityError:
        return False
    return True


def release_digest(engine: Engine, day: str) -> None:
    """The digest could not be delivered: the day is not done, the next run or check tries again."""
    with engine.begin() as connection:
        connection.execute(delete(AlertDigest).where(AlertDigest.day == day))


def compose_digest(notices: list[Notice], day: str, config: NotifyConfig, context: AlertContext,
                   now: datetime) -> Message:
    def item(notice: Notice) -> Item:
        return Item(notice.store_id, notice.subject, label(notice.kind, notice.blocked),
                    f"{notice.message} (open since {context.local(notice.at)})",
                    report_of(notice, "", config, run=notice.last_run_dir))

    blocks: list[Block] = [Note(f"Open problems that no run will fix by itself, as of {context.local(now)}.")]
    blocks += section("Needs a human", notices, context, detailed=True, item=item)
    blocks.append(Note(""))
    if any(notice.kind == EventKind.BREACH_DEADLINE for notice in notices):
        blocks.append(Note("Breach register: ecom-privacy breach list"))
    blocks.append(Note("Every store's state: ecom-privacy status"))
    title = f"ecom-privacy digest {day}: {len(notices)} problem(s) need a human"
    urgent = any(notice.kind in NEEDS_A_HUMAN for notice in notices)
    return Message(title, as_text(blocks), as_markdown(blocks), "failure" if urgent else "warning")


def digest_due(engine: Engine, config: NotifyConfig, context: AlertContext, now: datetime
               ) -> tuple[str, list[Notice]] | None:
    """The day and the problems of a digest to send now; None when off, not due, or already done today.

    A day with nothing to list is recorded as done here (a problem that starts later that day is alerted on
    its own; the next day's digest lists it)."""
    if config.digest_hour is None:
        return None
    day = due_day(now, context, config.digest_hour)
    with Session(engine) as session:
        if session.scalar(select(AlertDigest.id).where(AlertDigest.day == day)) is not None:
            return None
        first = session.scalar(select(AlertDigest.id).limit(1)) is None
    if first and day < now.replace(tzinfo=UTC).astimezone(context.tz).date().isoformat():
        # The very first evaluation, before today's hour: yesterday's digest would come hours before today's.
        claim_digest(engine, day, now, 0)
        return None
    notices = open_problems(engine, list(config.events))
    if not notices:
        claim_digest(engine, day, now, 0)
        return None
    return day, notices

