"""The run history's tables: one row per recorded run, one per store and setting (or storefront) result.

Times are stored as naive UTC (`DateTime` without zone), the one form SQLite and PostgreSQL compare alike.
The result rows repeat their run's time and kind so that `status` is answered from one indexed table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from automation.db import Base


class HistoryRun(Base):
    __tablename__ = "history_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    #: a digest of what identifies the run (kind, start, fleet, stores, shard): recording twice is a no-op
    run_uid: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    run_dir: Mapped[str] = mapped_column(Text)
    fleet_file: Mapped[str] = mapped_column(Text)
    fleet_sha256: Mapped[str] = mapped_column(String(64), default="")
    #: "K/N" when the run was one shard of a sharded run
    shard: Mapped[str | None] = mapped_column(String(32), nullable=True)
    interrupted: Mapped[bool] = mapped_column(Boolean, default=False)
    stores: Mapped[int] = mapped_column(Integer, default=0)
    #: "live" (recorded at the end of the run) or "import" (history import RUNS_DIR)
    source: Mapped[str] = mapped_column(String(16), default="live")
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class HistoryResult(Base):
    __tablename__ = "history_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("history_runs.id", ondelete="CASCADE"), index=True)
    run_kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    store_id: Mapped[str] = mapped_column(String(200))
    #: a managed setting, "storefront" (the checks of verify) or "(store)" (a store that failed before any setting)
    setting: Mapped[str] = mapped_column(String(200))
    #: compliant, changed, drift, blocked, failed or skipped
    status: Mapped[str] = mapped_column(String(16))
    summary: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[str | None] = mapped_column(Text, nullable=True)
    after: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_kind: Mapped[str | None] = mapped_column(String(40), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: the store's duration in this run (every setting of a store shares it)
    duration_s: Mapped[float | None] = mapped_column(Float, nullable=True)

    __table_args__ = (
        Index("ix_history_results_store_setting_time", "store_id", "setting", "created_at"),
        Index("ix_history_results_time", "created_at"),
    )


class HistoryLatest(Base):
    """The newest result of every store and setting, kept up to date by the recorder: what `status` reads.

    A year of nightly runs of 100 stores is 100,000 result rows; `status` needs one row per store and setting.
    """

    __tablename__ = "history_latest"

    store_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    setting: Mapped[str] = mapped_column(String(200), primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("history_results.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    #: since when the setting has been as declared without interruption (None while it is not)
    compliant_since: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
