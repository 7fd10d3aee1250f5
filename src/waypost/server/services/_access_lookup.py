"""Three reads the access repository does not offer yet: the organization's name, a resource's project, a share.

They belong in :class:`~waypost.store.sql.repositories.access.AccessRepository`; until they move
there they live here, read-only, so that the routes stay free of SQL.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from waypost.schemas.access import ORGANIZATION_ID
from waypost.store.sql import tables as db
from waypost.store.sql.store import SqlStore

#: The table of each resource type a share can name (a stack lives in a workspace, the others in a project).
_TABLES = {"pipeline": db.pipelines, "run": db.pipeline_runs, "artifact": db.artifacts, "model": db.models}
SHAREABLE_TYPES = (*_TABLES, "stack")


def organization_name(store: SqlStore) -> str:
    """The organization's name ("default" on a server that has not named it)."""
    with store.sessions.read_conn() as s:
        name: str | None = s.scalar(select(db.organization.c.name).where(db.organization.c.id == ORGANIZATION_ID))
    return name or "default"


def resource_project(store: SqlStore, resource_type: str, resource_id: uuid.UUID) -> uuid.UUID | None:
    """The project one resource belongs to; None when there is no such resource."""
    table = _TABLES[resource_type]
    with store.sessions.read_conn() as s:
        project: uuid.UUID | None = s.scalar(select(table.c.project_id).where(table.c.id == resource_id))
    return project


def stack_workspace(store: SqlStore, stack_id: uuid.UUID) -> uuid.UUID | None:
    """The workspace of one stack; None when there is no such stack."""
    with store.sessions.read_conn() as s:
        ws: uuid.UUID | None = s.scalar(select(db.stacks.c.workspace_id).where(db.stacks.c.id == stack_id))
    return ws


def stacks_workspaces(store: SqlStore, stack_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    """The workspaces of these stacks (one query)."""
    if not stack_ids:
        return set()
    with store.sessions.read_conn() as s:
        return set(s.scalars(select(db.stacks.c.workspace_id).where(db.stacks.c.id.in_(stack_ids)).distinct()))


def share_resource(store: SqlStore, share_id: uuid.UUID) -> tuple[str, uuid.UUID] | None:
    """(resource type, resource id) of one share; None when there is no such share."""
    sh = db.shares
    with store.sessions.read_conn() as s:
        row = s.execute(select(sh.c.resource_type, sh.c.resource_id).where(sh.c.id == share_id)).first()
    return None if row is None else (row.resource_type, row.resource_id)
