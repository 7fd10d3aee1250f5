"""Run lists scoped to projects read only indexes again.

A member's run list is each visible project's newest runs (ix_runs_project_newest) and a count of
them. Since runs can be archived, the newest runs that are not archived were read row by row from
the table to check the flag; the index now carries it. The count of those runs is one range per
project of a narrow (project, archived) index.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


# The narrow index is made first: MySQL keeps an index on project_id for its foreign key at all times.
def upgrade() -> None:
    with op.batch_alter_table("pipeline_runs", schema=None) as batch_op:
        batch_op.create_index("ix_runs_project_archived", ["project_id", "archived"], unique=False)
        batch_op.drop_index("ix_runs_project_newest")
        batch_op.create_index("ix_runs_project_newest", ["project_id", "created_at", "id", "archived"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pipeline_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_runs_project_newest")
        batch_op.create_index("ix_runs_project_newest", ["project_id", "created_at", "id"], unique=False)
        batch_op.drop_index("ix_runs_project_archived")
