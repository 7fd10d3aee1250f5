"""Access control: the organization, workspaces, projects, teams, roles, grants and shares.

Everything that existed moves into the ``default`` workspace and its ``default`` project; names
of pipelines, artifacts, models and tags become unique per project. Admins become organization
Admins; every other user, who could read and write everything before, becomes an organization
Member and a Developer of the default workspace (service accounts: the latter only, and they
belong to the default workspace).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import waypost.store.sql.tables
from waypost.schemas.access import (
    BUILTIN_ROLES,
    DEFAULT_NAME,
    DEFAULT_PROJECT_ID,
    DEFAULT_WORKSPACE_ID,
    ORGANIZATION_ID,
    builtin_role_id,
)

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: Tables whose names become unique per project (they were unique on the server).
_NAMED = ("pipelines", "artifacts", "tags", "models")
#: Names reflected SQLite constraints get, so that batch mode can drop the unnamed UNIQUE(name).
_CONVENTION = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _entity_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", waypost.store.sql.tables.UTCDateTime(), nullable=False),
    ]


def _create_tables() -> None:
    op.create_table(
        "organization",
        sa.Column("name", sa.String(length=255), nullable=False),
        *_entity_columns(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "workspaces",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("artifact_prefix", sa.String(length=255), nullable=False),
        *_entity_columns(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "projects",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        *_entity_columns(),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id", "name"),
    )
    op.create_table(
        "teams",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        *_entity_columns(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "team_members",
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("team_id", "user_id"),
    )
    op.create_table(
        "roles",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        *_entity_columns(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("level", "name"),
    )
    op.create_table(
        "role_permissions",
        sa.Column("role_id", sa.Uuid(), nullable=False),
        sa.Column("permission", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["role_id"], ["roles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("role_id", "permission"),
    )
    op.create_table(
        "grants",
        sa.Column("role_id", sa.Uuid(), nullable=False),
        sa.Column("principal_type", sa.String(length=8), nullable=False),
        sa.Column("principal_id", sa.Uuid(), nullable=False),
        sa.Column("scope_type", sa.String(length=16), nullable=False),
        sa.Column("scope_id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        *_entity_columns(),
        sa.ForeignKeyConstraint(["role_id"], ["roles.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("role_id", "principal_type", "principal_id", "scope_type", "scope_id"),
    )
    op.create_table(
        "shares",
        sa.Column("resource_type", sa.String(length=32), nullable=False),
        sa.Column("resource_id", sa.Uuid(), nullable=False),
        sa.Column("principal_type", sa.String(length=8), nullable=False),
        sa.Column("principal_id", sa.Uuid(), nullable=False),
        sa.Column("role_id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        *_entity_columns(),
        sa.ForeignKeyConstraint(["role_id"], ["roles.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("resource_type", "resource_id", "principal_type", "principal_id"),
    )
    for table in ("organization", "workspaces", "projects", "teams", "roles", "grants", "shares"):
        op.create_index(f"ix_{table}_created_at", table, ["created_at"], unique=False)
    op.create_index("ix_team_members_user_id", "team_members", ["user_id"], unique=False)
    op.create_index("ix_grants_principal", "grants", ["principal_type", "principal_id"], unique=False)
    op.create_index("ix_grants_scope", "grants", ["scope_type", "scope_id"], unique=False)
    op.create_index("ix_shares_principal", "shares", ["principal_type", "principal_id", "resource_type"], unique=False)


def _seed() -> None:
    now = _now()
    op.bulk_insert(
        sa.table("organization", sa.column("id", sa.Uuid()), sa.column("name"), sa.column("created_at", sa.DateTime())),
        [{"id": ORGANIZATION_ID, "name": DEFAULT_NAME, "created_at": now}],
    )
    op.bulk_insert(
        sa.table(
            "workspaces",
            sa.column("id", sa.Uuid()),
            sa.column("name"),
            sa.column("description"),
            sa.column("artifact_prefix"),
            sa.column("created_at", sa.DateTime()),
        ),
        [
            {
                "id": DEFAULT_WORKSPACE_ID,
                "name": DEFAULT_NAME,
                "description": "Everything made before workspaces existed.",
                "artifact_prefix": "",  # the artifact store's root, where existing artifacts already are
                "created_at": now,
            }
        ],
    )
    op.bulk_insert(
        sa.table(
            "projects",
            sa.column("id", sa.Uuid()),
            sa.column("workspace_id", sa.Uuid()),
            sa.column("name"),
            sa.column("description"),
            sa.column("created_at", sa.DateTime()),
        ),
        [
            {
                "id": DEFAULT_PROJECT_ID,
                "workspace_id": DEFAULT_WORKSPACE_ID,
                "name": DEFAULT_NAME,
                "description": "Everything made before projects existed.",
                "created_at": now,
            }
        ],
    )
    op.bulk_insert(
        sa.table(
            "roles",
            sa.column("id", sa.Uuid()),
            sa.column("name"),
            sa.column("level"),
            sa.column("builtin", sa.Boolean()),
            sa.column("description"),
            sa.column("created_at", sa.DateTime()),
        ),
        [
            {
                "id": builtin_role_id(r.level, r.name),
                "name": r.name,
                "level": r.level.value,
                "builtin": True,
                "description": r.description,
                "created_at": now,
            }
            for r in BUILTIN_ROLES
        ],
    )


def _add_project_columns() -> None:
    bind = op.get_bind()
    for table in (*_NAMED, "pipeline_runs"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("project_id", sa.Uuid(), nullable=True))
        rows = sa.table(table, sa.column("project_id", sa.Uuid()))
        bind.execute(rows.update().values(project_id=DEFAULT_PROJECT_ID))
        with op.batch_alter_table(table, naming_convention=_CONVENTION) as batch_op:
            batch_op.alter_column("project_id", existing_type=sa.Uuid(), nullable=False)
            batch_op.create_foreign_key(
                f"fk_{table}_project_id", "projects", ["project_id"], ["id"], ondelete="CASCADE"
            )
            if table in _NAMED:
                batch_op.drop_constraint(_name_unique(table), type_="unique")
                batch_op.create_unique_constraint(f"uq_{table}_project_name", ["project_id", "name"])
    with op.batch_alter_table("pipeline_runs") as batch_op:
        batch_op.create_index("ix_runs_project_created", ["project_id", "created_at"], unique=False)
        batch_op.create_index("ix_runs_user", ["user_id"], unique=False)


def _name_unique(table: str) -> str:
    """The name the database gave the UNIQUE(name) of migration 0001, which named none."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        return f"{table}_name_key"
    if dialect in ("mysql", "mariadb"):
        return "name"
    return f"uq_{table}_name"  # SQLite: from _CONVENTION, given to the reflected constraint


def _move_users() -> None:
    bind = op.get_bind()
    users = sa.table(
        "users",
        sa.column("id", sa.Uuid()),
        sa.column("is_admin", sa.Boolean()),
        sa.column("is_service_account", sa.Boolean()),
        sa.column("workspace_id", sa.Uuid()),
    )
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("workspace_id", sa.Uuid(), nullable=True))
        batch_op.create_index("ix_users_workspace_id", ["workspace_id"], unique=False)
        batch_op.create_foreign_key("fk_users_workspace_id", "workspaces", ["workspace_id"], ["id"], ondelete="CASCADE")
    bind.execute(users.update().where(users.c.is_service_account.is_(True)).values(workspace_id=DEFAULT_WORKSPACE_ID))
    now = _now()
    grants: list[dict[str, object]] = []

    def grant(user_id: uuid.UUID, level: str, role: str, scope_id: uuid.UUID) -> None:
        grants.append(
            {
                "id": uuid.uuid4(),
                "role_id": builtin_role_id(level, role),
                "principal_type": "user",
                "principal_id": user_id,
                "scope_type": level,
                "scope_id": scope_id,
                "created_at": now,
            }
        )

    for user_id, is_admin, is_service_account in bind.execute(
        sa.select(users.c.id, users.c.is_admin, users.c.is_service_account)
    ):
        if is_admin:
            grant(user_id, "organization", "Admin", ORGANIZATION_ID)
            continue
        if not is_service_account:
            grant(user_id, "organization", "Member", ORGANIZATION_ID)
        grant(user_id, "workspace", "Developer", DEFAULT_WORKSPACE_ID)
    if grants:
        op.bulk_insert(
            sa.table(
                "grants",
                sa.column("id", sa.Uuid()),
                sa.column("role_id", sa.Uuid()),
                sa.column("principal_type"),
                sa.column("principal_id", sa.Uuid()),
                sa.column("scope_type"),
                sa.column("scope_id", sa.Uuid()),
                sa.column("created_at", sa.DateTime()),
            ),
            grants,
        )


def upgrade() -> None:
    _create_tables()
    _seed()
    _add_project_columns()
    _move_users()


def downgrade() -> None:
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_constraint("fk_users_workspace_id", type_="foreignkey")
        batch_op.drop_index("ix_users_workspace_id")
        batch_op.drop_column("workspace_id")
    with op.batch_alter_table("pipeline_runs") as batch_op:
        if op.get_bind().dialect.name in ("mysql", "mariadb"):
            # MySQL let ix_runs_user serve the user_id foreign key and dropped its own index: put that back first.
            batch_op.create_index("user_id", ["user_id"], unique=False)
        batch_op.drop_index("ix_runs_user")
    for table in (*_NAMED, "pipeline_runs"):
        with op.batch_alter_table(table) as batch_op:
            # The foreign key first: MySQL lets it use the indexes below, and then refuses to drop them.
            batch_op.drop_constraint(f"fk_{table}_project_id", type_="foreignkey")
            if table in _NAMED:
                batch_op.drop_constraint(f"uq_{table}_project_name", type_="unique")
                batch_op.create_unique_constraint(_name_unique(table), ["name"])
            if table == "pipeline_runs":
                batch_op.drop_index("ix_runs_project_created")
            batch_op.drop_column("project_id")
    for table in ("shares", "grants", "role_permissions", "roles", "team_members", "teams", "projects"):
        op.drop_table(table)
    op.drop_table("workspaces")
    op.drop_table("organization")
