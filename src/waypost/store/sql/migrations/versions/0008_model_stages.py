"""Model stages: the model card, metric directions, stage_since, and how each stage transition came about.

``models`` gains the model card's markdown sections (license, audience, use cases, limitations,
trade-offs, ethics) and ``metric_directions`` (metric name -> "higher" | "lower", ``{}`` for the
models there are). ``model_versions`` gains ``stage_since`` and ``exclusive_stage``: the stage again
when it is staging or production, else NULL, under a unique index on (model_id, exclusive_stage).
That index is the database's guard of "at most one version holds staging and one production" on
SQLite, PostgreSQL and MariaDB alike (a partial unique index would do on the first two, but MariaDB
has none; NULLs never clash in a unique index on any of them). The store still takes the model's
row lock before it changes a stage, so that two promotions queue instead of failing on the index.
``model_stage_transitions`` gains ``how`` ("manual" for the rows there are, "approval", "rule") and
``rule`` (the promotion rule that fired).

Nothing is backfilled: no earlier release could set a stage, so ``stage_since`` and
``exclusive_stage`` stay NULL. Every change adds or drops columns in place, never by copying a
table: on SQLite a copied ``models`` or ``model_versions`` would be dropped, and the foreign keys'
ON DELETE CASCADE would take the versions, their links and their transitions with it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-19
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import waypost.store.sql.tables

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_CARD = ("license", "audience", "use_cases", "limitations", "trade_offs", "ethics")


def _sqlite() -> bool:
    return bool(op.get_bind().dialect.name == "sqlite")


def _add_json(table: str, column: str) -> None:
    """A NOT NULL JSON column whose existing rows hold ``{}``."""
    if _sqlite():  # ALTER TABLE ADD COLUMN NOT NULL needs a default there (MySQL allows none on JSON)
        op.add_column(table, sa.Column(column, sa.JSON(), nullable=False, server_default="{}"))
        return
    op.add_column(table, sa.Column(column, sa.JSON(), nullable=True))
    op.get_bind().execute(sa.table(table, sa.column(column, sa.JSON())).update().values({column: {}}))
    op.alter_column(table, column, existing_type=sa.JSON(), nullable=False)


def upgrade() -> None:
    for section in _CARD:
        op.add_column("models", sa.Column(section, waypost.store.sql.tables.LongText(), nullable=True))
    _add_json("models", "metric_directions")

    op.add_column("model_versions", sa.Column("stage_since", waypost.store.sql.tables.UTCDateTime(), nullable=True))
    op.add_column("model_versions", sa.Column("exclusive_stage", sa.String(length=32), nullable=True))
    op.create_index("uq_model_versions_exclusive_stage", "model_versions", ["model_id", "exclusive_stage"], unique=True)

    op.add_column(
        "model_stage_transitions",
        sa.Column("how", sa.String(length=16), nullable=False, server_default="manual"),
    )
    op.add_column("model_stage_transitions", sa.Column("rule", sa.String(length=255), nullable=True))


def downgrade() -> None:
    # SQLite (3.35 and later) drops a column in place once no index names it.
    op.drop_column("model_stage_transitions", "rule")
    op.drop_column("model_stage_transitions", "how")
    op.drop_index("uq_model_versions_exclusive_stage", table_name="model_versions")
    op.drop_column("model_versions", "exclusive_stage")
    op.drop_column("model_versions", "stage_since")
    op.drop_column("models", "metric_directions")
    for section in reversed(_CARD):
        op.drop_column("models", section)
