"""Alerts: why an open drift waits for a person (a `BlockReason`), so the digest decides by a typed value.

Before this column the digest recognised a blocked drift by the end of its message; rows of then that end so
are given the one reason there was (their message stays as it was, for the record).

Revision ID: history_0004_blocked
Revises: history_0003_digests
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "history_0004_blocked"
down_revision = "history_0003_digests"
branch_labels = None
depends_on = None

#: how a drift message said, before this revision, that its change waited for an opt-in (the one wording there
#: ever was); read here once, so that no code reads it again
LEGACY_SUFFIX = " (blocked: needs an opt-in)"


def upgrade() -> None:
    with op.batch_alter_table("alert_problems") as table:  # SQLite adds a column only through a batch
        table.add_column(sa.Column("blocked", sa.String(32), nullable=True))
    problems = sa.table("alert_problems", sa.column("kind", sa.String), sa.column("message", sa.Text),
                        sa.column("blocked", sa.String))
    op.execute(problems.update()
               .where(problems.c.kind == "drift", problems.c.message.endswith(LEGACY_SUFFIX, autoescape=True))
               .values(blocked="needs_opt_in"))


def downgrade() -> None:
    with op.batch_alter_table("alert_problems") as table:
        table.drop_column("blocked")
