"""Saved views on the wire: named dashboard states (filters, columns, chart axes), private or shared."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from waypost.schemas.common import ReadModel

#: Which dashboard page a view belongs to.
SavedViewKind = Literal["metadata", "compare", "runs"]
#: The largest ``state`` a view may hold, as compact JSON.
MAX_VIEW_STATE_BYTES = 64 * 1024


class SavedViewCreate(BaseModel):
    """A new view, in the request's project (``?project=`` or X-Waypost-Project; else the default project)."""

    name: str = Field(min_length=1, max_length=255)
    kind: SavedViewKind
    state: dict[str, Any] = Field(default_factory=dict, description="The dashboard's; opaque to the server, ≤ 64 KB.")
    shared: bool = Field(default=False, description="Shared with everyone who may read the project's runs.")


class SavedViewUpdate(BaseModel):
    """A change to a view: any of its name, state and sharing."""

    name: str | None = Field(default=None, min_length=1, max_length=255)
    state: dict[str, Any] | None = None
    shared: bool | None = None


class SavedViewRead(ReadModel):
    """A stored view."""

    id: UUID
    project_id: UUID
    project: str = Field(description="The project as `workspace/project`.")
    owner_id: UUID
    owner: str = Field(description="The owner's user name.")
    name: str
    kind: SavedViewKind
    state: dict[str, Any]
    shared: bool
    created_at: datetime
    updated_at: datetime
    editable: bool = Field(description="Whether the caller may rename, change or delete it.")
