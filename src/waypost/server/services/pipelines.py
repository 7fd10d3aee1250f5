"""Pipelines and their snapshots."""

from __future__ import annotations

import uuid

from fastapi import HTTPException, status

from waypost.schemas import Page, PipelineRead, SnapshotRead
from waypost.server.services._common import or_404, page_of
from waypost.store.sql.store import SqlStore


def get_pipeline_or_404(store: SqlStore, ref: str) -> PipelineRead:
    """A pipeline by id or name."""
    return or_404(lambda: store.pipelines.get(ref))


def list_pipelines(store: SqlStore, q: str, sort: str | None, page: int, size: int) -> Page[PipelineRead]:
    """Pipelines matching the filter ``q``."""
    return store.pipelines.list(q, sort=sort, page=page, size=size)


def list_snapshots(store: SqlStore, ref: str, page: int, size: int) -> Page[SnapshotRead]:
    """A pipeline's snapshots, oldest first."""
    pipeline = get_pipeline_or_404(store, ref)
    return page_of(store.pipelines.list_snapshots(pipeline.id), page, size)


def get_snapshot_or_404(store: SqlStore, ref: str, snapshot_id: uuid.UUID) -> SnapshotRead:
    """A snapshot of the pipeline ``ref``; a snapshot of another pipeline is not found."""
    pipeline = get_pipeline_or_404(store, ref)
    snapshot = or_404(lambda: store.pipelines.get_snapshot(snapshot_id))
    if snapshot.pipeline_id != pipeline.id:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"Pipeline '{ref}' has no snapshot '{snapshot_id}'; list its snapshots."
        )
    return snapshot
