"""Pipelines and their snapshots, as the caller may see them (see :mod:`waypost.server.scopes`)."""

from __future__ import annotations

import uuid

from fastapi import HTTPException, status

from waypost.schemas import Page, PipelineRead, SnapshotRead
from waypost.server import scopes
from waypost.server.deps import Principal
from waypost.server.services._common import or_404, page_of
from waypost.store.sql.store import SqlStore


def get_pipeline_or_404(store: SqlStore, caller: Principal, ref: str, project: str | None = None) -> PipelineRead:
    """A pipeline by id or name (in the request's project, when it names one); hidden ones are not found."""
    found = scopes.readable(store, caller, "pipeline", ref, project)
    return or_404(lambda: store.pipelines.get(found.id))


def list_pipelines(
    store: SqlStore, caller: Principal, q: str, sort: str | None, page: int, size: int, project: str | None = None
) -> Page[PipelineRead]:
    """Pipelines matching the filter ``q`` that the caller may read (of the request's project, when named)."""
    return store.pipelines.list(
        q,
        sort=sort,
        page=page,
        size=size,
        visibility=scopes.visibility(caller, "pipeline"),
        project_id=scopes.project_filter(store, caller, project),
    )


def list_snapshots(
    store: SqlStore, caller: Principal, ref: str, page: int, size: int, project: str | None = None
) -> Page[SnapshotRead]:
    """A pipeline's snapshots, oldest first."""
    pipeline = get_pipeline_or_404(store, caller, ref, project)
    return page_of(store.pipelines.list_snapshots(pipeline.id), page, size)


def get_snapshot_or_404(
    store: SqlStore, caller: Principal, ref: str, snapshot_id: uuid.UUID, project: str | None = None
) -> SnapshotRead:
    """A snapshot of the pipeline ``ref``; a snapshot of another pipeline is not found."""
    pipeline = get_pipeline_or_404(store, caller, ref, project)
    snapshot = or_404(lambda: store.pipelines.get_snapshot(snapshot_id))
    if snapshot.pipeline_id != pipeline.id:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"Pipeline '{ref}' has no snapshot '{snapshot_id}'; list its snapshots."
        )
    return snapshot
