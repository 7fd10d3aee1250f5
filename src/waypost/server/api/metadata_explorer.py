"""The metadata explorer: every metadata key, and one key's values over time."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from waypost.schemas.metadata_explorer import MetadataEntity, MetadataHistory, MetadataKeyPage, MetadataKeySort
from waypost.server.api._params import PageNo, Size
from waypost.server.deps import ActiveProject, CurrentUser, StoreDep
from waypost.server.services import metadata_explorer

router = APIRouter(prefix="/metadata", tags=["metadata"])

RunFilter = Annotated[
    str | None,
    Query(
        max_length=2000,
        description="A run filter (e.g. `pipeline:train status:completed`): only metadata of matching runs, "
        "their steps, the artifact versions they made and their model versions (archived runs only when it "
        "says `archived:true` or `archived:any`). Without one, every key is listed, archived runs' included.",
    ),
]


@router.get("/keys", response_model=MetadataKeyPage)
def list_metadata_keys(
    store: StoreDep,
    user: CurrentUser,
    project: ActiveProject,
    entity: MetadataEntity | None = None,
    prefix: Annotated[str, Query(max_length=255, description="Keys beginning with this (any case).")] = "",
    contains: Annotated[str, Query(max_length=255, description="Keys containing this (any case).")] = "",
    q: RunFilter = None,
    sort: MetadataKeySort = "count",
    page: PageNo = 1,
    size: Size = 100,
) -> MetadataKeyPage:
    """Every metadata key of what the caller may read: per key its owners' kinds, value types, count, range."""
    return metadata_explorer.list_keys(
        store,
        user,
        entity=entity,
        prefix=prefix,
        contains=contains,
        q=q,
        sort=sort,
        page=page,
        size=size,
        project=project,
    )


@router.get("/history", response_model=MetadataHistory)
def metadata_history(
    store: StoreDep,
    user: CurrentUser,
    project: ActiveProject,
    key: Annotated[str, Query(min_length=1, max_length=255, description="The metadata key.")],
    pipeline: Annotated[str | None, Query(max_length=255, description="Only runs of this pipeline.")] = None,
    q: RunFilter = None,
) -> MetadataHistory:
    """A key's values over time (the newest 10,000, oldest first), with each value's run and pipeline."""
    return metadata_explorer.history(store, user, key, pipeline=pipeline, q=q, project=project)
