"""Pipelines and their snapshots."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from waypost.schemas import Page, PipelineRead, SnapshotRead
from waypost.server.api._params import Filter, PageNo, Size, Sort
from waypost.server.deps import ActiveProject, CurrentUser, StoreDep
from waypost.server.services import pipelines

router = APIRouter(prefix="/pipelines", tags=["pipelines"])


@router.get("", response_model=Page[PipelineRead])
def list_pipelines(
    store: StoreDep,
    user: CurrentUser,
    project: ActiveProject,
    q: Filter = "",
    sort: Sort = None,
    page: PageNo = 1,
    size: Size = 50,
) -> Page[PipelineRead]:
    """Pipelines matching the filter, with their run count and latest run."""
    return pipelines.list_pipelines(store, user, q, sort, page, size, project)


@router.get("/{pipeline}", response_model=PipelineRead)
def get_pipeline(pipeline: str, store: StoreDep, user: CurrentUser, project: ActiveProject) -> PipelineRead:
    """A pipeline by id or name."""
    return pipelines.get_pipeline_or_404(store, user, pipeline, project)


@router.get("/{pipeline}/snapshots", response_model=Page[SnapshotRead])
def list_snapshots(
    pipeline: str, store: StoreDep, user: CurrentUser, project: ActiveProject, page: PageNo = 1, size: Size = 50
) -> Page[SnapshotRead]:
    """A pipeline's snapshots (its DAG as compiled), oldest first."""
    return pipelines.list_snapshots(store, user, pipeline, page, size, project)


@router.get("/{pipeline}/snapshots/{snapshot_id}", response_model=SnapshotRead)
def get_snapshot(
    pipeline: str, snapshot_id: uuid.UUID, store: StoreDep, user: CurrentUser, project: ActiveProject
) -> SnapshotRead:
    """One snapshot of a pipeline."""
    return pipelines.get_snapshot_or_404(store, user, pipeline, snapshot_id, project)
