"""Saved views: named dashboard states, private or shared with the project."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from waypost.schemas import Page
from waypost.schemas.saved_views import SavedViewCreate, SavedViewKind, SavedViewRead, SavedViewUpdate
from waypost.server.api._params import PageNo, Size
from waypost.server.deps import ActiveProject, CurrentUser, StoreDep
from waypost.server.services import saved_views

router = APIRouter(prefix="/views", tags=["views"])


@router.get("", response_model=Page[SavedViewRead])
def list_views(
    store: StoreDep,
    user: CurrentUser,
    project: ActiveProject,
    kind: Annotated[SavedViewKind | None, Query(description="Only views of this dashboard page.")] = None,
    page: PageNo = 1,
    size: Size = 100,
) -> Page[SavedViewRead]:
    """The caller's views and the ones shared in projects they may read, most recently changed first."""
    return saved_views.list_views(store, user, kind, project, page, size)


@router.post("", response_model=SavedViewRead, status_code=status.HTTP_201_CREATED)
def create_view(view: SavedViewCreate, store: StoreDep, user: CurrentUser, project: ActiveProject) -> SavedViewRead:
    """Save a view in the request's project (private unless ``shared``)."""
    return saved_views.create_view(store, user, view, project)


@router.get("/{view_id}", response_model=SavedViewRead)
def get_view(view_id: uuid.UUID, store: StoreDep, user: CurrentUser) -> SavedViewRead:
    """A view by id: its owner's, or shared in a project whose runs the caller may read."""
    return saved_views.get_view(store, user, view_id)


@router.patch("/{view_id}", response_model=SavedViewRead)
def update_view(view_id: uuid.UUID, change: SavedViewUpdate, store: StoreDep, user: CurrentUser) -> SavedViewRead:
    """Rename a view, replace its state, or share or unshare it."""
    return saved_views.update_view(store, user, view_id, change)


@router.delete("/{view_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_view(view_id: uuid.UUID, store: StoreDep, user: CurrentUser) -> None:
    """Delete a view."""
    saved_views.delete_view(store, user, view_id)
