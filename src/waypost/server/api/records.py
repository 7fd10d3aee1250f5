"""Writes the step runner and SDK make through a RestStore, one route per store method.

Each route checks the permission its write needs in the project it lands in (rule 4 of
:mod:`waypost.server.scopes`); the crash sweep needs an organization Admin.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from waypost.schemas import (
    ArtifactVersionCreate,
    ArtifactVersionRead,
    CacheHit,
    MetadataCreate,
    ModelVersionRead,
    PipelineRead,
    PipelineSpec,
    RunCreate,
    RunRead,
    SnapshotRead,
    StepRunCreate,
    StepRunRead,
)
from waypost.schemas.store_api import (
    CrashSweep,
    IdList,
    ModelLinkRequest,
    ModelVersionEnsure,
    PipelineEnsure,
    RunHeartbeat,
    RunStatusUpdate,
    ServerInfo,
    StepFinishRequest,
    StepStatusUpdate,
    TagsAdd,
)
from waypost.server.deps import ActiveProject, ArtifactStoreDep, CurrentUser, StoreDep, require
from waypost.server.services import records

router = APIRouter(tags=["records"])
NO_CONTENT = status.HTTP_204_NO_CONTENT
Name = Annotated[str, Query(min_length=1, max_length=255)]


@router.get("/info", response_model=ServerInfo)
def server_info(files: ArtifactStoreDep, user: CurrentUser) -> ServerInfo:
    """The server's version and the artifact store URI its clients write to."""
    return records.info(files)


@router.post("/pipelines", response_model=PipelineRead)
def ensure_pipeline(body: PipelineEnsure, store: StoreDep, user: CurrentUser, project: ActiveProject) -> PipelineRead:
    """The pipeline named ``name`` in the request's project, created when new (pipeline:create; else run:create)."""
    return records.ensure_pipeline(store, user, body.name, project)


@router.post("/pipelines/{pipeline_id}/snapshots", response_model=SnapshotRead)
def create_snapshot(pipeline_id: uuid.UUID, spec: PipelineSpec, store: StoreDep, user: CurrentUser) -> SnapshotRead:
    """The snapshot of the compiled pipeline ``spec``, created when new."""
    return records.snapshot(store, user, pipeline_id, spec)


@router.get("/snapshots/{snapshot_id}", response_model=SnapshotRead)
def get_snapshot(snapshot_id: uuid.UUID, store: StoreDep, user: CurrentUser) -> SnapshotRead:
    """A snapshot by id."""
    return records.get_snapshot(store, user, snapshot_id)


@router.post("/runs", response_model=RunRead, status_code=status.HTTP_201_CREATED)
def create_run(run: RunCreate, store: StoreDep, user: CurrentUser) -> RunRead:
    """Start recording a run; its user is the caller (leave ``user_id`` out, or send the caller's own)."""
    return records.create_run(store, run, user)


@router.post("/runs/crashed", response_model=IdList, dependencies=[Depends(require("admin"))])
def mark_crashed(body: CrashSweep, store: StoreDep) -> IdList:
    """Mark runs crashed whose heartbeat is older than ``timeout_s`` (the server also does so on its own)."""
    return records.mark_crashed(store, body.timeout_s)


@router.put("/runs/{run_id}/status", status_code=NO_CONTENT)
def set_run_status(run_id: uuid.UUID, change: RunStatusUpdate, store: StoreDep, user: CurrentUser) -> None:
    """Record a run's new status."""
    records.set_run_status(store, user, run_id, change)


@router.post("/runs/{run_id}/heartbeat", response_model=RunHeartbeat)
def heartbeat(run_id: uuid.UUID, store: StoreDep, user: CurrentUser) -> RunHeartbeat:
    """Say the run's orchestrator is alive; ``active`` false means the run was stopped or ended: stop its steps."""
    return records.heartbeat(store, user, run_id)


@router.put("/runs/{run_id}/step-status", status_code=NO_CONTENT)
def set_step_status(run_id: uuid.UUID, change: StepStatusUpdate, store: StoreDep, user: CurrentUser) -> None:
    """Record a new status for the named step runs of a run."""
    records.set_step_status(store, user, run_id, change)


@router.post("/step-runs", response_model=IdList, status_code=status.HTTP_201_CREATED)
def start_steps(steps: list[StepRunCreate], store: StoreDep, files: ArtifactStoreDep, user: CurrentUser) -> IdList:
    """Record step runs as started (or cached, skipped …); their ids in order."""
    return records.start_steps(store, user, files, steps)


@router.get("/step-runs/cached", response_model=CacheHit | None)
def find_cached(cache_key: Name, store: StoreDep, user: CurrentUser, project: ActiveProject) -> CacheHit | None:
    """The newest successful step run with ``cache_key`` in the request's project, or null."""
    return records.find_cached(store, user, cache_key, project)


@router.get("/step-runs/previous", response_model=StepRunRead | None)
def previous_step(
    pipeline_id: uuid.UUID, name: Name, before_run: uuid.UUID, store: StoreDep, user: CurrentUser
) -> StepRunRead | None:
    """The latest earlier run of step ``name`` of the pipeline, or null."""
    return records.previous_step(store, user, pipeline_id, name, before_run)


@router.get("/step-runs/{step_run_id}", response_model=StepRunRead)
def get_step_run(step_run_id: uuid.UUID, store: StoreDep, user: CurrentUser) -> StepRunRead:
    """A step run by id."""
    return records.get_step_run(store, user, step_run_id)


@router.post("/step-runs/{step_run_id}/finish", response_model=dict[str, ArtifactVersionRead])
def finish_step(
    step_run_id: uuid.UUID, end: StepFinishRequest, store: StoreDep, files: ArtifactStoreDep, user: CurrentUser
) -> dict[str, ArtifactVersionRead]:
    """Record a step run's end and register its outputs, atomically."""
    return records.finish_step(store, user, files, step_run_id, end)


@router.post("/artifact-versions", response_model=list[ArtifactVersionRead])
def register_versions(
    versions: list[ArtifactVersionCreate],
    store: StoreDep,
    files: ArtifactStoreDep,
    user: CurrentUser,
    project: ActiveProject,
) -> list[ArtifactVersionRead]:
    """Register artifact versions whose files are already in the artifact store, in the request's project."""
    return records.register_versions(store, user, files, versions, project)


@router.post("/artifact-versions/{version_id}/tags", status_code=NO_CONTENT)
def tag_version(version_id: uuid.UUID, body: TagsAdd, store: StoreDep, user: CurrentUser) -> None:
    """Tag an artifact version."""
    records.tag_version(store, user, version_id, body.tags)


@router.post("/metadata", status_code=NO_CONTENT)
def add_metadata(entries: list[MetadataCreate], store: StoreDep, user: CurrentUser) -> None:
    """Log metadata entries against runs, step runs, artifact versions or model versions."""
    records.add_metadata(store, user, entries)


@router.post("/model-versions", response_model=ModelVersionRead)
def ensure_model_version(
    body: ModelVersionEnsure, store: StoreDep, user: CurrentUser, project: ActiveProject
) -> ModelVersionRead:
    """A model version in the request's project, created (with its model) when new; no ``version`` numbers a new one."""
    return records.ensure_model_version(store, user, body, project)


@router.post("/model-versions/{version_id}/links", status_code=NO_CONTENT)
def link_model_version(version_id: uuid.UUID, link: ModelLinkRequest, store: StoreDep, user: CurrentUser) -> None:
    """Link a model version to a run and artifact versions (idempotent)."""
    records.link_model_version(store, user, version_id, link)
