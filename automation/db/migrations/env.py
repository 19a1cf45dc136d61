"""Alembic environment: the engine comes from `automation.db.connect.open_database`, never from an ini file."""

from __future__ import annotations

from alembic import context

from automation.db.connect import Base

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    context.run_migrations()
