"""Index for cache look-ups: newest successful step run per cache key without a sort.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("step_runs", schema=None) as batch_op:
        batch_op.create_index("ix_step_runs_cache_lookup", ["cache_key", "status", "created_at"], unique=False)
        batch_op.drop_index("ix_step_runs_cache_key")  # a prefix of the new one


def downgrade() -> None:
    with op.batch_alter_table("step_runs", schema=None) as batch_op:
        batch_op.create_index("ix_step_runs_cache_key", ["cache_key"], unique=False)
        batch_op.drop_index("ix_step_runs_cache_lookup")
