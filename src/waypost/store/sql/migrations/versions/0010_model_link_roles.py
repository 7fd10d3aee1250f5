"""Roles of a model version's links: which run made it, which named it later, which consumed it through
a stage; which artifact version is its model, its data, a deployment or other.

``model_version_runs`` gains ``role`` (producer, attached or consumer) and ``via_stage`` (the stage a
consumer asked for); ``model_version_artifacts`` gains ``role`` (model, data, deployment or other).
Existing links are filled in: the earliest run linked to a version made it and the later ones are
attached (whether an old run asked for a stage was never recorded); an artifact version's role
follows its type, as new links do.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from waypost.store.model_links import artifact_role

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_BATCH = 500


def upgrade() -> None:
    op.add_column(
        "model_version_runs", sa.Column("role", sa.String(length=16), nullable=False, server_default="attached")
    )
    op.add_column("model_version_runs", sa.Column("via_stage", sa.String(length=32), nullable=True))
    op.add_column(
        "model_version_artifacts", sa.Column("role", sa.String(length=16), nullable=False, server_default="other")
    )
    conn = op.get_bind()
    meta = sa.MetaData()
    mvr = sa.Table("model_version_runs", meta, autoload_with=conn)
    mva = sa.Table("model_version_artifacts", meta, autoload_with=conn)
    runs = sa.Table("pipeline_runs", meta, autoload_with=conn)
    versions = sa.Table("artifact_versions", meta, autoload_with=conn)

    ranked = (
        sa.select(
            mvr.c.model_version_id,
            mvr.c.run_id,
            sa.func.row_number()
            .over(partition_by=mvr.c.model_version_id, order_by=(runs.c.created_at, runs.c.id))
            .label("rn"),
        )
        .join(runs, runs.c.id == mvr.c.run_id)
        .subquery()
    )
    first = conn.execute(sa.select(ranked.c.model_version_id, ranked.c.run_id).where(ranked.c.rn == 1)).all()
    made = (
        sa.update(mvr)
        .where(mvr.c.model_version_id == sa.bindparam("v"), mvr.c.run_id == sa.bindparam("r"))
        .values(role="producer")
    )
    for start in range(0, len(first), _BATCH):
        conn.execute(made, [{"v": v, "r": r} for v, r in first[start : start + _BATCH]])

    typed = conn.execute(
        sa.select(mva.c.model_version_id, mva.c.artifact_version_id, versions.c.data_type).join(
            versions, versions.c.id == mva.c.artifact_version_id
        )
    ).all()
    roles = [(v, a, artifact_role(t)) for v, a, t in typed]
    assign = (
        sa.update(mva)
        .where(mva.c.model_version_id == sa.bindparam("v"), mva.c.artifact_version_id == sa.bindparam("a"))
        .values(role=sa.bindparam("role_"))
    )
    changed = [{"v": v, "a": a, "role_": role} for v, a, role in roles if role != "other"]
    for start in range(0, len(changed), _BATCH):
        conn.execute(assign, changed[start : start + _BATCH])


def downgrade() -> None:
    op.drop_column("model_version_artifacts", "role")
    op.drop_column("model_version_runs", "via_stage")
    op.drop_column("model_version_runs", "role")
