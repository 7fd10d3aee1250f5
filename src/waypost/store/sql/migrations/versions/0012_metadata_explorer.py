"""The metadata explorer and saved views: ``metadata_key_stats`` and ``saved_views``.

``metadata_key_stats`` holds, per project, metadata key, entity kind (run, step, artifact_version,
model_version) and value type, how many entries there are, their numeric range and when they were
first and last logged; it is filled here from the entries there are, and kept from then on by the
metadata repository in the transactions that write or delete entries. ``saved_views`` holds the
dashboard's named views (an owner's, private or shared with the project), unique per project,
owner, kind and name. Going down drops both.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

import waypost.store.sql.tables

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _t(name: str, *columns: str) -> sa.TableClause:
    return sa.table(name, *(sa.column(c) for c in columns))


def _backfill() -> None:
    """Count the entries there are, by the rules the metadata repository counts new ones."""
    m = _t(
        "metadata_entries", "key", "type", "value_num", "created_at", "run_id", "step_run_id",
        "artifact_version_id", "model_version_id",
    )  # fmt: skip
    runs, steps = _t("pipeline_runs", "id", "project_id"), _t("step_runs", "id", "run_id")
    versions, artifacts = _t("artifact_versions", "id", "artifact_id"), _t("artifacts", "id", "project_id")
    mversions, models = _t("model_versions", "id", "model_id"), _t("models", "id", "project_id")

    def cols(project: Any, entity: str) -> list[Any]:
        return [project, sa.literal(entity, sa.String(16)).label("entity"), m.c.key, m.c.type, m.c.value_num,
                m.c.created_at]  # fmt: skip

    plain = [m.c.artifact_version_id.is_(None), m.c.model_version_id.is_(None)]
    branches = [
        sa.select(*cols(runs.c.project_id, "run"))
        .select_from(m.join(runs, runs.c.id == m.c.run_id))
        .where(m.c.step_run_id.is_(None), *plain),
        sa.select(*cols(runs.c.project_id, "step"))
        .select_from(m.join(steps, steps.c.id == m.c.step_run_id).join(runs, runs.c.id == steps.c.run_id))
        .where(*plain),
        sa.select(*cols(artifacts.c.project_id, "artifact_version"))
        .select_from(
            m.join(versions, versions.c.id == m.c.artifact_version_id).join(
                artifacts, artifacts.c.id == versions.c.artifact_id
            )
        )
        .where(m.c.model_version_id.is_(None)),
        sa.select(*cols(models.c.project_id, "model_version")).select_from(
            m.join(mversions, mversions.c.id == m.c.model_version_id).join(models, models.c.id == mversions.c.model_id)
        ),
    ]
    e = sa.union_all(*branches).subquery()
    grouped = sa.select(
        e.c.project_id, e.c.key, e.c.entity, e.c.type, sa.func.count(), sa.func.min(e.c.value_num),
        sa.func.max(e.c.value_num), sa.func.min(e.c.created_at), sa.func.max(e.c.created_at),
    ).group_by(e.c.project_id, e.c.key, e.c.entity, e.c.type)  # fmt: skip
    stats = _t(
        "metadata_key_stats", "project_id", "key", "entity", "type", "entries", "num_min", "num_max",
        "first_seen", "last_seen",
    )  # fmt: skip
    op.execute(stats.insert().from_select(list(stats.c.keys()), grouped))


def upgrade() -> None:
    op.create_table(
        "metadata_key_stats",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("entries", sa.BigInteger(), nullable=False),
        sa.Column("num_min", sa.Float(), nullable=True),
        sa.Column("num_max", sa.Float(), nullable=True),
        sa.Column("first_seen", waypost.store.sql.tables.UTCDateTime(), nullable=False),
        sa.Column("last_seen", waypost.store.sql.tables.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("project_id", "key", "entity", "type"),
    )
    _backfill()
    op.create_table(
        "saved_views",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("updated_at", waypost.store.sql.tables.UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", waypost.store.sql.tables.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "owner_id", "kind", "name", name="uq_saved_views_owner_name"),
    )
    op.create_index("ix_saved_views_created_at", "saved_views", ["created_at"], unique=False)
    op.create_index("ix_saved_views_project_shared", "saved_views", ["project_id", "shared"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_saved_views_project_shared", table_name="saved_views")
    op.drop_index("ix_saved_views_created_at", table_name="saved_views")
    op.drop_table("saved_views")
    op.drop_table("metadata_key_stats")
