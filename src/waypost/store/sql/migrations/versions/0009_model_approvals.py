"""Model approvals and promotion rules: approval policies, transition requests and their votes, real rules.

``models`` gains ``approval_stages`` (a JSON list of the stages whose transitions need approval;
NULL, what every model there is gets, follows its project's policy) and ``approvals_required``
(1 for the models there are). ``model_approval_policies`` holds a project's policy, one row per
project that has one. ``model_transition_requests`` holds the requests to put a version in such a
stage (pending, approved, rejected or cancelled, made by hand or by a rule) and
``model_transition_votes`` each user's approval or rejection of one, unique per user and request.
A unique index on (model_version_id, pending_stage), where ``pending_stage`` is the stage while the
request is pending and NULL after, keeps one pending request per version and stage on every
database, as ``exclusive_stage`` guards stage holders.

Columns are added in place, never by copying a table (on SQLite a copied ``models`` would be
dropped, and ON DELETE CASCADE would take every version with it). ``model_promotion_rules``, which
0001 created and no release ever wrote to, is dropped and created again with its real columns
(name, filter, to_stage, beats, enabled, created_by, updated_at): nothing references it, so
dropping it cascades nowhere. Going down drops the rules (their old shape had no place for them)
and the requests, votes and policies.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import waypost.store.sql.tables

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _entity_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", waypost.store.sql.tables.UTCDateTime(), nullable=False),
    ]


def _created_at_index(table: str) -> None:
    op.create_index(f"ix_{table}_created_at", table, ["created_at"], unique=False)


def upgrade() -> None:
    op.add_column("models", sa.Column("approval_stages", sa.JSON(), nullable=True))
    op.add_column("models", sa.Column("approvals_required", sa.Integer(), nullable=False, server_default="1"))

    op.create_table(
        "model_approval_policies",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("approval_stages", sa.JSON(), nullable=False),
        sa.Column("approvals_required", sa.Integer(), nullable=False),
        sa.Column("updated_at", waypost.store.sql.tables.UTCDateTime(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("project_id"),
    )

    op.create_table(
        "model_transition_requests",
        sa.Column("model_id", sa.Uuid(), nullable=False),
        sa.Column("model_version_id", sa.Uuid(), nullable=False),
        sa.Column("to_stage", sa.String(length=32), nullable=False),
        sa.Column("pending_stage", sa.String(length=32), nullable=True),
        sa.Column("force", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("requested_by", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_at", waypost.store.sql.tables.UTCDateTime(), nullable=True),
        sa.Column("how", sa.String(length=16), nullable=False),
        sa.Column("rule", sa.String(length=255), nullable=True),
        sa.Column("approvals_required", sa.Integer(), nullable=False),
        *_entity_columns(),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["model_version_id"], ["model_versions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["requested_by"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    _created_at_index("model_transition_requests")
    op.create_index("ix_model_transition_requests_model_id", "model_transition_requests", ["model_id"])
    op.create_index("ix_model_transition_requests_status", "model_transition_requests", ["status"])
    op.create_index(
        "uq_model_transition_requests_pending",
        "model_transition_requests",
        ["model_version_id", "pending_stage"],
        unique=True,
    )

    op.create_table(
        "model_transition_votes",
        sa.Column("request_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("decision", sa.String(length=8), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        *_entity_columns(),
        sa.ForeignKeyConstraint(["request_id"], ["model_transition_requests.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_id", "user_id", name="uq_model_transition_votes_user"),
    )
    _created_at_index("model_transition_votes")

    op.drop_table("model_promotion_rules")  # its indexes go with it (MariaDB refuses to drop a foreign key's)
    op.create_table(
        "model_promotion_rules",
        sa.Column("model_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("filter", sa.Text(), nullable=False),
        sa.Column("to_stage", sa.String(length=32), nullable=False),
        sa.Column("beats", sa.JSON(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", waypost.store.sql.tables.UTCDateTime(), nullable=True),
        *_entity_columns(),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("model_id", "name", name="uq_model_promotion_rules_name"),
    )
    _created_at_index("model_promotion_rules")
    op.create_index("ix_model_promotion_rules_model_id", "model_promotion_rules", ["model_id"])


def downgrade() -> None:
    op.drop_table("model_promotion_rules")  # its indexes go with it (MariaDB refuses to drop a foreign key's)
    op.create_table(  # as 0001 made it
        "model_promotion_rules",
        sa.Column("model_id", sa.Uuid(), nullable=False),
        sa.Column("to_stage", sa.String(length=32), nullable=False),
        sa.Column("rule", sa.JSON(), nullable=False),
        *_entity_columns(),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    _created_at_index("model_promotion_rules")
    op.create_index("ix_model_promotion_rules_model_id", "model_promotion_rules", ["model_id"])

    op.drop_table("model_transition_votes")
    op.drop_table("model_transition_requests")
    op.drop_table("model_approval_policies")
    # SQLite (3.35 and later) drops a column in place once no index names it.
    op.drop_column("models", "approvals_required")
    op.drop_column("models", "approval_stages")
