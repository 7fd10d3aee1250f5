"""Alembic environment: runs on the connection Waypost hands over in ``config.attributes``."""

from __future__ import annotations

from alembic import context

from waypost.store.sql.tables import complete_metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=complete_metadata(),
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
