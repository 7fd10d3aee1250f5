"""Stacks: components, stacks, secrets and service connectors per workspace; each run's stack snapshot.

Stacks and components (tables of 0001, never written before) move into workspaces, their names
unique per workspace (components: per workspace and type); a stack holds one component per
type, which the database enforces. Secrets and connectors are new, their secret values
encrypted. Each user may pick an active stack per workspace. Every workspace gets a ``default``
stack (the local orchestrator and the local artifact store) with fixed ids.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-12
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import waypost.store.sql.tables
from waypost.schemas.access import DEFAULT_NAME, DEFAULT_WORKSPACE_ID

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

#: Names reflected SQLite constraints get, so that batch mode can drop the unnamed UNIQUEs of 0001.
_CONVENTION = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _old_unique(table: str, columns: tuple[str, ...]) -> str:
    """The name the database gave an unnamed UNIQUE of migration 0001."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        return f"{table}_{'_'.join(columns)}_key"
    if dialect in ("mysql", "mariadb"):
        return columns[0]
    return f"uq_{table}_{columns[0]}"  # SQLite: from _CONVENTION, given to the reflected constraint


def _entity_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", waypost.store.sql.tables.UTCDateTime(), nullable=False),
    ]


def _owned_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_at", waypost.store.sql.tables.UTCDateTime(), nullable=True),
    ]


def _create_tables() -> None:
    op.create_table(
        "secrets",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("key_names", sa.JSON(), nullable=False),
        sa.Column("ciphertext", waypost.store.sql.tables.LongText(), nullable=False),
        *_owned_columns(),
        *_entity_columns(),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id", "name", name="uq_secrets_workspace_name"),
    )
    op.create_table(
        "service_connectors",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("ciphertext", waypost.store.sql.tables.LongText(), nullable=False),
        sa.Column("secret_fields", sa.JSON(), nullable=False),
        *_owned_columns(),
        *_entity_columns(),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id", "name", name="uq_service_connectors_workspace_name"),
    )
    for table in ("secrets", "service_connectors"):
        op.create_index(f"ix_{table}_created_at", table, ["created_at"], unique=False)


def _move_stacks_into_workspaces() -> None:
    bind = op.get_bind()
    for table in ("stacks", "stack_components"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("workspace_id", sa.Uuid(), nullable=True))
            if table == "stack_components":
                batch_op.add_column(sa.Column("connector_id", sa.Uuid(), nullable=True))
                batch_op.add_column(sa.Column("description", sa.Text(), nullable=True))
            batch_op.add_column(sa.Column("created_by", sa.Uuid(), nullable=True))
            batch_op.add_column(sa.Column("updated_at", waypost.store.sql.tables.UTCDateTime(), nullable=True))
        bind.execute(
            sa.table(table, sa.column("workspace_id", sa.Uuid())).update().values(workspace_id=DEFAULT_WORKSPACE_ID)
        )
    with op.batch_alter_table("stacks", naming_convention=_CONVENTION) as batch_op:
        batch_op.alter_column("workspace_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.create_foreign_key(
            "fk_stacks_workspace_id", "workspaces", ["workspace_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_foreign_key("fk_stacks_created_by", "users", ["created_by"], ["id"], ondelete="SET NULL")
        batch_op.drop_constraint(_old_unique("stacks", ("name",)), type_="unique")
        batch_op.create_unique_constraint("uq_stacks_workspace_name", ["workspace_id", "name"])
    with op.batch_alter_table("stack_components", naming_convention=_CONVENTION) as batch_op:
        batch_op.alter_column("workspace_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.create_foreign_key(
            "fk_stack_components_workspace_id", "workspaces", ["workspace_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_foreign_key(
            "fk_stack_components_connector_id", "service_connectors", ["connector_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_foreign_key(
            "fk_stack_components_created_by", "users", ["created_by"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_index("ix_stack_components_connector_id", ["connector_id"], unique=False)
        batch_op.drop_constraint(_old_unique("stack_components", ("type", "name")), type_="unique")
        batch_op.create_unique_constraint("uq_stack_components_workspace_type_name", ["workspace_id", "type", "name"])
    # One component per type in a stack: the type is copied into the link.
    with op.batch_alter_table("stack_component_links") as batch_op:
        batch_op.add_column(sa.Column("component_type", sa.String(length=64), nullable=True))
    links = sa.table("stack_component_links", sa.column("component_id", sa.Uuid()), sa.column("component_type"))
    components = sa.table("stack_components", sa.column("id", sa.Uuid()), sa.column("type"))
    bind.execute(
        links.update().values(
            component_type=sa.select(components.c.type).where(components.c.id == links.c.component_id).scalar_subquery()
        )
    )
    with op.batch_alter_table("stack_component_links") as batch_op:
        batch_op.alter_column("component_type", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint("uq_stack_component_links_stack_type", ["stack_id", "component_type"])
    op.create_table(
        "active_stacks",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("stack_id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", waypost.store.sql.tables.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["stack_id"], ["stacks.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "workspace_id"),
    )
    op.create_index("ix_active_stacks_stack_id", "active_stacks", ["stack_id"], unique=False)
    with op.batch_alter_table("pipeline_runs") as batch_op:
        batch_op.add_column(sa.Column("stack_snapshot", sa.JSON(), nullable=True))


def default_stack_ids(workspace_id: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """The fixed ids of a workspace's default stack, its local orchestrator and its local artifact store.

    The same formula as :func:`waypost.store.sql.repositories.stacks.default_stack_ids` (kept here
    so that this migration never changes when the repository does).
    """
    return (
        uuid.uuid5(workspace_id, "stack:default"),
        uuid.uuid5(workspace_id, "component:orchestrator:default"),
        uuid.uuid5(workspace_id, "component:artifact_store:default"),
    )


def _seed() -> None:
    """Each workspace's ``default`` stack (the default workspace's, and those made since revision 0005)."""
    now = _now()
    workspaces = sa.table("workspaces", sa.column("id", sa.Uuid()))
    workspace_ids = sorted(op.get_bind().execute(sa.select(workspaces.c.id)).scalars(), key=str)
    components: list[dict[str, object]] = []
    stacks: list[dict[str, object]] = []
    links: list[dict[str, object]] = []
    for workspace_id in workspace_ids:
        stack_id, orchestrator_id, artifact_store_id = default_stack_ids(workspace_id)
        for component_id, ctype, description in (
            (orchestrator_id, "orchestrator", "Runs the steps in this process."),
            (artifact_store_id, "artifact_store", "The artifact store of the settings (artifact_store.uri)."),
        ):
            components.append(
                {
                    "id": component_id,
                    "workspace_id": workspace_id,
                    "name": DEFAULT_NAME,
                    "type": ctype,
                    "flavor": "local",
                    "config": {},
                    "description": description,
                    "created_at": now,
                }
            )
            links.append({"stack_id": stack_id, "component_id": component_id, "component_type": ctype})
        stacks.append(
            {
                "id": stack_id,
                "workspace_id": workspace_id,
                "name": DEFAULT_NAME,
                "description": "The local orchestrator and the local artifact store.",
                "created_at": now,
            }
        )
    if not workspace_ids:
        return
    op.bulk_insert(
        sa.table(
            "stack_components",
            sa.column("id", sa.Uuid()),
            sa.column("workspace_id", sa.Uuid()),
            sa.column("name"),
            sa.column("type"),
            sa.column("flavor"),
            sa.column("config", sa.JSON()),
            sa.column("description"),
            sa.column("created_at", sa.DateTime()),
        ),
        components,
    )
    op.bulk_insert(
        sa.table(
            "stacks",
            sa.column("id", sa.Uuid()),
            sa.column("workspace_id", sa.Uuid()),
            sa.column("name"),
            sa.column("description"),
            sa.column("created_at", sa.DateTime()),
        ),
        stacks,
    )
    op.bulk_insert(
        sa.table(
            "stack_component_links",
            sa.column("stack_id", sa.Uuid()),
            sa.column("component_id", sa.Uuid()),
            sa.column("component_type"),
        ),
        links,
    )


def upgrade() -> None:
    _create_tables()
    _move_stacks_into_workspaces()
    _seed()


def downgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("pipeline_runs") as batch_op:
        batch_op.drop_column("stack_snapshot")
    op.drop_table("active_stacks")
    # Nothing wrote stacks before this revision, and other workspaces' names would clash: they all go.
    for table in ("stack_component_links", "stacks", "stack_components"):
        bind.execute(sa.table(table).delete())
    with op.batch_alter_table("stack_component_links") as batch_op:
        batch_op.drop_constraint("uq_stack_component_links_stack_type", type_="unique")
        batch_op.drop_column("component_type")
    with op.batch_alter_table("stack_components") as batch_op:
        # The foreign keys first: MySQL lets them use the indexes below, and then refuses to drop them.
        batch_op.drop_constraint("fk_stack_components_workspace_id", type_="foreignkey")
        batch_op.drop_constraint("fk_stack_components_connector_id", type_="foreignkey")
        batch_op.drop_constraint("fk_stack_components_created_by", type_="foreignkey")
        batch_op.drop_index("ix_stack_components_connector_id")
        batch_op.drop_constraint("uq_stack_components_workspace_type_name", type_="unique")
        batch_op.create_unique_constraint(_old_unique("stack_components", ("type", "name")), ["type", "name"])
        for column in ("workspace_id", "connector_id", "description", "created_by", "updated_at"):
            batch_op.drop_column(column)
    with op.batch_alter_table("stacks") as batch_op:
        batch_op.drop_constraint("fk_stacks_workspace_id", type_="foreignkey")
        batch_op.drop_constraint("fk_stacks_created_by", type_="foreignkey")
        batch_op.drop_constraint("uq_stacks_workspace_name", type_="unique")
        batch_op.create_unique_constraint(_old_unique("stacks", ("name",)), ["name"])
        for column in ("workspace_id", "created_by", "updated_at"):
            batch_op.drop_column(column)
    for table in ("secrets", "service_connectors"):
        op.drop_table(table)
