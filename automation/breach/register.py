"""The register: every change to an incident is an appended event; the current view is folded from them.

Nothing is updated or deleted. `Register.incident(id)` replays the incident's events in order, so what
`show` prints is always what the events say, and the events themselves are the audit trail (who, when, what).
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from automation.breach.deadlines import as_utc, authority_deadline
from automation.breach.facts import Facts, facts_json
from automation.breach.tables import DeliveryRow, EventRow, IncidentRow
from ecom_privacy.clock import SYSTEM_CLOCK, Clock
from ecom_privacy.errors import ConfigError

ACTOR_ENV = "ECOM_PRIVACY_ACTOR"

# Event kinds. Store-scoped ones carry the store in `EventRow.store`.
REPORTED = "reported"
FACTS = "facts_updated"
ASSESSED = "assessed"
AUTHORITY_NOTIFIED = "authority_notified"
AUTHORITY_NOT_REQUIRED = "authority_not_required"
SUBJECTS_DECISION = "subjects_decision"
DRAFT = "draft_rendered"
RECIPIENTS = "recipients_listed"
CUSTOMERS_NOTIFIED = "customers_notified"
NOTICE_PUBLISHED = "notice_published"
NOTICE_WITHDRAWN = "notice_withdrawn"
NOTE = "note"
CLOSED = "closed"
REOPENED = "reopened"


def default_actor() -> str:
    """Who is acting: `$ECOM_PRIVACY_ACTOR`, else the login name (recorded with every event)."""
    try:
        return os.environ.get(ACTOR_ENV) or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def whole_second(clock: Clock) -> datetime:
    """The clock's time to the second: what the register records and what the commands compare with."""
    return clock.now().replace(microsecond=0)


@dataclass(frozen=True)
class Event:
    id: int
    at: datetime
    actor: str
    kind: str
    store: str | None
    data: dict[str, Any]


@dataclass(frozen=True)
class Delivery:
    email: str
    language: str
    attempt: int
    state: str
    at: datetime
    detail: str


@dataclass
class StoreState:
    """What was decided and sent for one affected store."""

    id: str
    authority_notifications: list[dict[str, Any]] = field(default_factory=list)
    authority_not_required: dict[str, Any] | None = None
    subjects_decision: dict[str, Any] | None = None
    customers_notified: list[dict[str, Any]] = field(default_factory=list)
    notice: dict[str, Any] | None = None
    drafts: list[dict[str, Any]] = field(default_factory=list)
    #: every recorded step of every email to the people affected (Register.incident fills it): what was sent is
    #: read from these rows, never from a summary a killed run did not get to write
    deliveries: list[Delivery] = field(default_factory=list)

    @property
    def authority_decided(self) -> bool:
        return bool(self.authority_notifications) or self.authority_not_required is not None


@dataclass
class Incident:
    id: int
    created_at: datetime
    created_by: str
    facts: Facts
    events: list[Event]
    assessment: dict[str, Any] | None = None
    stores: dict[str, StoreState] = field(default_factory=dict)
    closed: dict[str, Any] | None = None

    @property
    def deadline(self) -> datetime:
        return authority_deadline(self.facts.discovered_at)

    @property
    def is_open(self) -> bool:
        return self.closed is None

    def store(self, store_id: str) -> StoreState:
        if store_id not in self.stores:
            raise ConfigError(f"incident {self.id} does not affect store {store_id!r}; its stores: "
                              f"{', '.join(self.stores)} (add one with 'breach update {self.id} --add-store ID')")
        return self.stores[store_id]

    def authority_decided(self, store_id: str) -> bool:
        """A decision on notifying the authority: notified, judged not required, or assessed as no risk."""
        if self.assessment is not None and self.assessment.get("risk") == "none":
            return True
        return self.stores[store_id].authority_decided


def fold(row: IncidentRow, events: list[Event]) -> Incident:
    """The current view of an incident from its events, in order."""
    facts: Facts | None = None
    incident: Incident | None = None
    for event in events:
        if event.kind == REPORTED:
            facts = Facts.model_validate(event.data)
            incident = Incident(row.id, as_utc(row.created_at), row.created_by, facts, events)
        elif incident is None:
            raise ConfigError(f"incident {row.id}: the register's first event is {event.kind!r}, not {REPORTED!r}")
        elif event.kind == FACTS:
            incident.facts = Facts.model_validate({**incident.facts.model_dump(), **event.data})
        elif event.kind == ASSESSED:
            incident.assessment = {**event.data, "at": event.at, "by": event.actor}
        elif event.kind == CLOSED:
            incident.closed = {**event.data, "at": event.at, "by": event.actor}
        elif event.kind == REOPENED:
            incident.closed = None
        if incident is not None:
            for store_id in incident.facts.stores:
                incident.stores.setdefault(store_id, StoreState(store_id))
            if event.store is not None:
                _apply_store_event(incident.stores.setdefault(event.store, StoreState(event.store)), event)
    if incident is None:
        raise ConfigError(f"incident {row.id} has no events in the register")
    return incident


def _apply_store_event(state: StoreState, event: Event) -> None:
    entry = {**event.data, "recorded_at": event.at, "by": event.actor}
    if event.kind == AUTHORITY_NOTIFIED:
        entry["phase"] = "initial" if not state.authority_notifications else "additional"
        state.authority_notifications.append(entry)
    elif event.kind == AUTHORITY_NOT_REQUIRED:
        state.authority_not_required = entry
    elif event.kind == SUBJECTS_DECISION:
        state.subjects_decision = entry
    elif event.kind == CUSTOMERS_NOTIFIED:
        state.customers_notified.append(entry)
    elif event.kind == NOTICE_PUBLISHED:
        state.notice = {**entry, "state": "published"}
    elif event.kind == NOTICE_WITHDRAWN:
        state.notice = {**entry, "state": "withdrawn"}
    elif event.kind == DRAFT:
        state.drafts.append(entry)


class Register:
    """The breach register on an open database (see `automation.db.open_database`)."""

    def __init__(self, engine: Engine, actor: str | None = None, clock: Clock = SYSTEM_CLOCK) -> None:
        self.engine = engine
        self.actor = actor or default_actor()
        #: when each event and delivery step happened (the CLI passes its clock; ecom_privacy/clock.py)
        self.clock = clock

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with Session(self.engine) as session, session.begin():
            yield session

    # -- incidents and events ------------------------------------------------------------------------
    def new(self, facts: Facts, now: datetime | None = None) -> int:
        now = now or whole_second(self.clock)
        with self._session() as session:
            row = IncidentRow(created_at=now, created_by=self.actor)
            session.add(row)
            session.flush()
            session.add(EventRow(incident_id=row.id, at=now, actor=self.actor, kind=REPORTED, store=None,
                                 data=facts_json(facts)))
            return row.id

    def append(self, incident_id: int, kind: str, data: dict[str, Any], store: str | None = None,
               now: datetime | None = None) -> None:
        self._row(incident_id)
        with self._session() as session:
            session.add(EventRow(incident_id=incident_id, at=now or whole_second(self.clock), actor=self.actor,
                                 kind=kind, store=store, data=_jsonable(data)))

    def _row(self, incident_id: int) -> IncidentRow:
        with Session(self.engine) as session:
            row = session.get(IncidentRow, incident_id)
            if row is None:
                raise ConfigError(f"no incident {incident_id} in the register; 'ecom-privacy breach list --all' "
                                  f"shows them all")
            session.expunge(row)
            return row

    def events(self, incident_id: int) -> list[Event]:
        with Session(self.engine) as session:
            rows = session.scalars(select(EventRow).where(EventRow.incident_id == incident_id)
                                   .order_by(EventRow.id)).all()
            return [Event(r.id, as_utc(r.at), r.actor, r.kind, r.store, dict(r.data)) for r in rows]

    def incident(self, incident_id: int) -> Incident:
        incident = fold(self._row(incident_id), self.events(incident_id))
        for store, delivery in self.all_deliveries(incident_id):
            incident.stores.setdefault(store, StoreState(store)).deliveries.append(delivery)
        return incident

    def incidents(self) -> list[Incident]:
        with Session(self.engine) as session:
            ids = session.scalars(select(IncidentRow.id).order_by(IncidentRow.id)).all()
        return [self.incident(incident_id) for incident_id in ids]

    # -- deliveries (one email to one person) ---------------------------------------------------------
    def record_delivery(self, incident_id: int, store: str, email: str, language: str, attempt: int, state: str,
                        detail: str = "") -> bool:
        """Append one step and commit it at once; False when that exact step is already recorded (another
        run got there first)."""
        try:
            with self._session() as session:
                session.add(DeliveryRow(incident_id=incident_id, store=store, email=email, language=language,
                                        attempt=attempt, state=state, at=whole_second(self.clock), actor=self.actor,
                                        detail=detail))
        except IntegrityError:
            return False
        return True

    def deliveries(self, incident_id: int, store: str) -> list[Delivery]:
        with Session(self.engine) as session:
            rows = session.scalars(select(DeliveryRow).where(DeliveryRow.incident_id == incident_id,
                                                             DeliveryRow.store == store)
                                   .order_by(DeliveryRow.id)).all()
            return [Delivery(r.email, r.language, r.attempt, r.state, as_utc(r.at), r.detail) for r in rows]

    def all_deliveries(self, incident_id: int) -> list[tuple[str, Delivery]]:
        with Session(self.engine) as session:
            rows = session.scalars(select(DeliveryRow).where(DeliveryRow.incident_id == incident_id)
                                   .order_by(DeliveryRow.id)).all()
            return [(r.store, Delivery(r.email, r.language, r.attempt, r.state, as_utc(r.at), r.detail))
                    for r in rows]


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value
