"""The breach register's tables. Append-only: rows are inserted, never updated or deleted.

`breach_incidents` only hands out incident numbers; everything an incident says is in `breach_events`
(who, when, what), and the current view is folded from them. `breach_deliveries` records each email to an
affected person twice: `sending` before the SMTP transaction, `sent` (or `failed`) after it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from automation.db import Base


class IncidentRow(Base):
    __tablename__ = "breach_incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))


class EventRow(Base):
    __tablename__ = "breach_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("breach_incidents.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    #: the store the event is about; None for facts of the whole incident
    store: Mapped[str | None] = mapped_column(String(200), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class DeliveryRow(Base):
    __tablename__ = "breach_deliveries"
    # A second `sending` row for the same attempt cannot be inserted: two notify runs at once cannot both
    # send to one person.
    __table_args__ = (UniqueConstraint("incident_id", "store", "email", "attempt", "state",
                                       name="uq_breach_delivery_step"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("breach_incidents.id"), index=True)
    store: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(10))
    attempt: Mapped[int] = mapped_column(Integer)
    #: sending | sent | failed
    state: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    #: the Message-ID when sent, the SMTP answer when failed
    detail: Mapped[str] = mapped_column(Text, default="")
