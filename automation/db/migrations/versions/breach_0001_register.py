"""Breach register: incidents, their append-only events, and per-recipient delivery records.

Revision ID: breach_0001_register
Revises: 0001_base
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "breach_0001_register"
down_revision = "0001_base"
branch_labels = ("breach",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "breach_incidents",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
    )
    op.create_table(
        "breach_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("breach_incidents.id"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("store", sa.String(200), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    op.create_index("ix_breach_events_incident_id", "breach_events", ["incident_id"])
    op.create_table(
        "breach_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("breach_incidents.id"), nullable=False),
        sa.Column("store", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("language", sa.String(10), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False, server_default=""),
        sa.UniqueConstraint("incident_id", "store", "email", "attempt", "state", name="uq_breach_delivery_step"),
    )
    op.create_index("ix_breach_deliveries_incident_id", "breach_deliveries", ["incident_id"])


def downgrade() -> None:
    op.drop_table("breach_deliveries")
    op.drop_index("ix_breach_events_incident_id", table_name="breach_events")
    op.drop_table("breach_events")
    op.drop_table("breach_incidents")
