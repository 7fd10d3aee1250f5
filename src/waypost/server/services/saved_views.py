"""Saved views: an owner's, private or shared with the readers of its project.

A view opens for its owner and, when shared, for anyone who may read runs in its project; to
anyone else it does not exist (the 404 an unknown id gets). Its owner changes and deletes it;
a shared one also the project's admins (``project:manage_members``).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import HTTPException, status

from waypost.exceptions import NotFoundError
from waypost.schemas import Page
from waypost.schemas.saved_views import MAX_VIEW_STATE_BYTES, SavedViewCreate, SavedViewRead, SavedViewUpdate
from waypost.server import scopes
from waypost.server.deps import Principal, ProjectScope
from waypost.store.sql.repositories.metadata_explorer import whole_projects
from waypost.store.sql.repositories.saved_views import SavedViewsRepository, ViewRow, missing
from waypost.store.sql.store import SqlStore

#: Who reads a project's shared views, and who changes other people's shared views there.
READ, ADMIN = "run:read", "project:manage_members"


def _can(caller: Principal, row: ViewRow, permission: str) -> bool:
    return caller.access.can(permission, workspace_id=row["workspace_id"], project_id=row["project_id"])


def _editable(caller: Principal, row: ViewRow) -> bool:
    return row["owner_id"] == caller.user_id or (row["shared"] and _can(caller, row, ADMIN))


def _read(caller: Principal, row: ViewRow) -> SavedViewRead:
    return SavedViewRead.model_validate({**row, "editable": _editable(caller, row)})


def _check_state(state: dict[str, Any] | None) -> None:
    if state is None:
        return
    size = len(json.dumps(state, separators=(",", ":")).encode())
    if size > MAX_VIEW_STATE_BYTES:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"The view's state is {size:,} bytes; keep it under {MAX_VIEW_STATE_BYTES // 1024} KB "
            "(save fewer columns or filters).",
        )


def _openable(store: SqlStore, caller: Principal, view_id: uuid.UUID) -> ViewRow:
    repo = SavedViewsRepository(store.sessions)
    try:
        row = repo.get(view_id)
    except NotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    if row["owner_id"] == caller.user_id or (row["shared"] and _can(caller, row, READ)):
        return row
    raise HTTPException(status.HTTP_404_NOT_FOUND, str(missing(view_id)))


def list_views(
    store: SqlStore, caller: Principal, kind: str | None, project: str | None, page: int, size: int
) -> Page[SavedViewRead]:
    """The caller's views and those shared in projects whose runs they may read, newest change first."""
    vis = scopes.visibility(caller, "run")
    project_id = scopes.project_filter(store, caller, project)

    def shared_in(column: Any) -> Any:
        # Views are no project resource: a run shared on its own opens no views of its project.
        return whole_projects(column, vis, None)

    rows, total = SavedViewsRepository(store.sessions).list(
        caller.user_id, shared_in, kind=kind, project_id=project_id, page=page, size=size
    )
    return Page[SavedViewRead](items=[_read(caller, r) for r in rows], total=total, page=page, size=size)


def create_view(store: SqlStore, caller: Principal, view: SavedViewCreate, project: str | None) -> SavedViewRead:
    """Save a view in the request's project (the default one when none is named); it needs run:read there."""
    _check_state(view.state)
    scope: ProjectScope = scopes.record_scope(store, caller, project)
    if not caller.access.can(READ, workspace_id=scope.workspace_id, project_id=scope.project_id):
        hidden = f"No project '{project or scope.path}' exists; `waypost project list` shows them."
        raise HTTPException(status.HTTP_404_NOT_FOUND, hidden)
    return _read(caller, SavedViewsRepository(store.sessions).create(scope.project_id, caller.user_id, view))


def get_view(store: SqlStore, caller: Principal, view_id: uuid.UUID) -> SavedViewRead:
    """A view the caller may open (a 404 otherwise, as for an unknown id)."""
    return _read(caller, _openable(store, caller, view_id))


def _changeable(store: SqlStore, caller: Principal, view_id: uuid.UUID, what: str) -> ViewRow:
    row = _openable(store, caller, view_id)
    if not _editable(caller, row):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"Only the view's owner ({row['owner']}) or an admin of {row['project']} may {what} it; "
            "save a copy of your own instead.",
        )
    return row


def update_view(store: SqlStore, caller: Principal, view_id: uuid.UUID, change: SavedViewUpdate) -> SavedViewRead:
    """Rename a view, replace its state or change its sharing (its owner, or a project admin for a shared one)."""
    _check_state(change.state)
    _changeable(store, caller, view_id, "change")
    return _read(caller, SavedViewsRepository(store.sessions).update(view_id, change))


def delete_view(store: SqlStore, caller: Principal, view_id: uuid.UUID) -> None:
    """Delete a view (its owner, or a project admin for a shared one)."""
    _changeable(store, caller, view_id, "delete")
    SavedViewsRepository(store.sessions).delete(view_id)
