"""Archived runs: ``pipeline_runs`` gains ``archived`` (false for every existing run).

An archived run stays in the database with its steps, artifacts and lineage, but run lists leave
it out unless their filter asks for it (``archived:true`` or ``archived:any``).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("pipeline_runs", sa.Column("archived", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite (3.35+) drops the column in place. A batch copy would drop and re-create the table, and
        # with foreign keys on, dropping it deletes every row that cascades from a run (model version links).
        op.execute("ALTER TABLE pipeline_runs DROP COLUMN archived")
    else:
        op.drop_column("pipeline_runs", "archived")
