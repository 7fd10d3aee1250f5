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

#: The table of each resource type a share can name (stacks have none yet).
_TABLES = {"pipeline": db.pipelines, "run": db.pipeline_runs, "artifact": db.artifacts, "model": db.models}
SHAREABLE_TYPES = tuple(_TABLES)


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


def share_resource(store: SqlStore, share_id: uuid.UUID) -> tuple[str, uuid.UUID] | None:
    """(resource type, resource id) of one share; None when there is no such share."""
    sh = db.shares
    with store.sessions.read_conn() as s:
        row = s.execute(select(sh.c.resource_type, sh.c.resource_id).where(sh.c.id == share_id)).first()
    return None if row is None else (row.resource_type, row.resource_id)
