"""Alerts: the daily digest's days, and the newest run that saw each open problem (the digest links to it).

Revision ID: history_0003_digests
Revises: history_0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "history_0003_digests"
down_revision = "history_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alert_problems") as table:  # SQLite adds a column only through a batch
        table.add_column(sa.Column("last_run_dir", sa.Text, nullable=True))
    op.create_table(
        "alert_digests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("sent_at", sa.DateTime, nullable=False),
        sa.Column("problems", sa.Integer, nullable=False),
        sa.UniqueConstraint("day", name="uq_alert_digests_day"),
    )


def downgrade() -> None:
    op.drop_table("alert_digests")
    with op.batch_alter_table("alert_problems") as table:
        table.drop_column("last_run_dir")
