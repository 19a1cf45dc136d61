"""The empty base every feature's migrations branch from.

Each feature (breach register, run history, ...) starts its own Alembic branch with
`down_revision = "0001_base"` and a `branch_labels` of its name, so features developed side by side never
fight over one linear chain; `open_database` upgrades to every head.

Revision ID: 0001_base
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

revision = "0001_base"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
