"""A project's runs newest first, ties by id, read from the index alone (a member's run list).

A caller who sees some projects gets a run list merged from each project's newest runs; with
``id`` in the index each part is an index range, no table look-ups and no sort.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


# The new index is made before the old one goes: MySQL keeps an index on project_id for its foreign key.
def upgrade() -> None:
    with op.batch_alter_table("pipeline_runs", schema=None) as batch_op:
        batch_op.create_index("ix_runs_project_newest", ["project_id", "created_at", "id"], unique=False)
        batch_op.drop_index("ix_runs_project_created")


def downgrade() -> None:
    with op.batch_alter_table("pipeline_runs", schema=None) as batch_op:
        batch_op.create_index("ix_runs_project_created", ["project_id", "created_at"], unique=False)
        batch_op.drop_index("ix_runs_project_newest")
