"""Alerts: the open problems of the fleet, so an alert goes out once when a problem starts and once when it clears.

Revision ID: history_0002
Revises: history_0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "history_0002"
down_revision = "history_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_problems",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("store_id", sa.String(200), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("opened_at", sa.DateTime, nullable=False),
        sa.Column("opened_run_dir", sa.Text, nullable=False),
        sa.Column("last_seen_at", sa.DateTime, nullable=False),
        sa.Column("cleared_at", sa.DateTime, nullable=True),
        sa.Column("cleared_run_dir", sa.Text, nullable=True),
        sa.Column("open_sent", sa.Boolean, nullable=False),
        sa.Column("clear_sent", sa.Boolean, nullable=False),
    )
    op.create_index("ix_alert_problems_key", "alert_problems", ["kind", "store_id", "subject", "cleared_at"])


def downgrade() -> None:
    op.drop_table("alert_problems")
