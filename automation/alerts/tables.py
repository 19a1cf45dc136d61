"""The open (and past) problems of the fleet, so each is announced once and its clearing once; and the days
whose digest went out, so it goes once a day."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from automation.db import Base


class AlertProblem(Base):
    __tablename__ = "alert_problems"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    #: failed, drift, verify_failed (breach_deadline: the breach register's)
    kind: Mapped[str] = mapped_column(String(32))
    store_id: Mapped[str] = mapped_column(String(200))
    #: the setting or storefront check concerned ("" when the problem is the store's as a whole)
    subject: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    opened_run_dir: Mapped[str] = mapped_column(Text)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    cleared_run_dir: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: the newest run that saw it (the digest links to that run's report); None in rows older than the column
    last_run_dir: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: a drift whose correction waits for a person: why (a `BlockReason` value); None for any other problem
    blocked: Mapped[str | None] = mapped_column(String(32), nullable=True)
    #: whether the alert of its start, and of its clearing, went out (one that failed is sent with the next run,
    #: even when the problem cleared in between: then both are said at once)
    open_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    clear_sent: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_alert_problems_key", "kind", "store_id", "subject", "cleared_at"),)


class AlertDigest(Base):
    """One row per local day whose "needs a human" digest was sent (or had nothing to say)."""

    __tablename__ = "alert_digests"
    __table_args__ = (UniqueConstraint("day", name="uq_alert_digests_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    #: the local date (YYYY-MM-DD, in notify.timezone) the digest is of
    day: Mapped[str] = mapped_column(String(10))
    sent_at: Mapped[datetime] = mapped_column(DateTime)
    #: how many problems it listed (0: nothing needed a human, nothing was sent)
    problems: Mapped[int] = mapped_column(Integer)
