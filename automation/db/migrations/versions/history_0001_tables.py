"""Run history: the recorded runs, their results per store and setting, and the newest result of each.

Revision ID: history_0001
Revises: 0001_base
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "history_0001"
down_revision = "0001_base"
branch_labels = ("history",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "history_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_uid", sa.String(64), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("run_dir", sa.Text, nullable=False),
        sa.Column("fleet_file", sa.Text, nullable=False),
        sa.Column("fleet_sha256", sa.String(64), nullable=False),
        sa.Column("shard", sa.String(32), nullable=True),
        sa.Column("interrupted", sa.Boolean, nullable=False),
        sa.Column("stores", sa.Integer, nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "history_results",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("history_runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("run_kind", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("store_id", sa.String(200), nullable=False),
        sa.Column("setting", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("before", sa.Text, nullable=True),
        sa.Column("after", sa.Text, nullable=True),
        sa.Column("error_kind", sa.String(40), nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("duration_s", sa.Float, nullable=True),
    )
    op.create_index("ix_history_results_run_id", "history_results", ["run_id"])
    op.create_index("ix_history_results_store_setting_time", "history_results", ["store_id", "setting", "created_at"])
    op.create_index("ix_history_results_time", "history_results", ["created_at"])
    op.create_table(
        "history_latest",
        sa.Column("store_id", sa.String(200), primary_key=True),
        sa.Column("setting", sa.String(200), primary_key=True),
        sa.Column("result_id", sa.Integer, sa.ForeignKey("history_results.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("compliant_since", sa.DateTime, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("history_latest")
    op.drop_table("history_results")
    op.drop_table("history_runs")
