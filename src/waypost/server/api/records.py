"""Writes the step runner and SDK make through a RestStore, one route per store method.

Every route needs ``write`` except the look-ups (``read``) and the crash sweep (``admin``).
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
    RunStatusUpdate,
    ServerInfo,
    StepFinishRequest,
    StepStatusUpdate,
    TagsAdd,
)
from waypost.server.deps import ArtifactStoreDep, CurrentUser, Principal, StoreDep, require
from waypost.server.services import records

router = APIRouter(tags=["records"])
WRITE = [Depends(require("write"))]
NO_CONTENT = status.HTTP_204_NO_CONTENT
Writer = Annotated[Principal, Depends(require("write"))]
Name = Annotated[str, Query(min_length=1, max_length=255)]


@router.get("/info", response_model=ServerInfo)
def server_info(files: ArtifactStoreDep, user: CurrentUser) -> ServerInfo:
    """The server's version and the artifact store URI its clients write to."""
    return records.info(files)


@router.post("/pipelines", response_model=PipelineRead, dependencies=WRITE)
def ensure_pipeline(body: PipelineEnsure, store: StoreDep) -> PipelineRead:
    """The pipeline named ``name``, created when new."""
    return records.ensure_pipeline(store, body.name)


@router.post("/pipelines/{pipeline_id}/snapshots", response_model=SnapshotRead, dependencies=WRITE)
def create_snapshot(pipeline_id: uuid.UUID, spec: PipelineSpec, store: StoreDep) -> SnapshotRead:
    """The snapshot of the compiled pipeline ``spec``, created when new."""
    return records.snapshot(store, pipeline_id, spec)


@router.get("/snapshots/{snapshot_id}", response_model=SnapshotRead)
def get_snapshot(snapshot_id: uuid.UUID, store: StoreDep, user: CurrentUser) -> SnapshotRead:
    """A snapshot by id."""
    return store.pipelines.get_snapshot(snapshot_id)


@router.post("/runs", response_model=RunRead, status_code=status.HTTP_201_CREATED)
def create_run(run: RunCreate, store: StoreDep, user: Writer) -> RunRead:
    """Start recording a run; its user is the caller (leave ``user_id`` out, or send the caller's own)."""
    return records.create_run(store, run, user)


@router.post("/runs/crashed", response_model=IdList, dependencies=[Depends(require("admin"))])
def mark_crashed(body: CrashSweep, store: StoreDep) -> IdList:
    """Mark runs crashed whose heartbeat is older than ``timeout_s`` (the server also does so on its own)."""
    return records.mark_crashed(store, body.timeout_s)


@router.put("/runs/{run_id}/status", status_code=NO_CONTENT, dependencies=WRITE)
def set_run_status(run_id: uuid.UUID, change: RunStatusUpdate, store: StoreDep) -> None:
    """Record a run's new status."""
    records.set_run_status(store, run_id, change)


@router.post("/runs/{run_id}/heartbeat", status_code=NO_CONTENT, dependencies=WRITE)
def heartbeat(run_id: uuid.UUID, store: StoreDep) -> None:
    """Say the run's orchestrator is alive."""
    store.runs.heartbeat(run_id)


@router.put("/runs/{run_id}/step-status", status_code=NO_CONTENT, dependencies=WRITE)
def set_step_status(run_id: uuid.UUID, change: StepStatusUpdate, store: StoreDep) -> None:
    """Record a new status for the named step runs of a run."""
    records.set_step_status(store, run_id, change)


@router.post("/step-runs", response_model=IdList, status_code=status.HTTP_201_CREATED, dependencies=WRITE)
def start_steps(steps: list[StepRunCreate], store: StoreDep, files: ArtifactStoreDep) -> IdList:
    """Record step runs as started (or cached, skipped …); their ids in order."""
    return records.start_steps(store, files, steps)


@router.get("/step-runs/cached", response_model=CacheHit | None)
def find_cached(cache_key: Name, store: StoreDep, user: CurrentUser) -> CacheHit | None:
    """The newest successful step run with ``cache_key``, or null."""
    return records.find_cached(store, cache_key)


@router.get("/step-runs/previous", response_model=StepRunRead | None)
def previous_step(
    pipeline_id: uuid.UUID, name: Name, before_run: uuid.UUID, store: StoreDep, user: CurrentUser
) -> StepRunRead | None:
    """The latest earlier run of step ``name`` of the pipeline, or null."""
    return records.previous_step(store, pipeline_id, name, before_run)


@router.get("/step-runs/{step_run_id}", response_model=StepRunRead)
def get_step_run(step_run_id: uuid.UUID, store: StoreDep, user: CurrentUser) -> StepRunRead:
    """A step run by id."""
    return store.steps.get_by_id(step_run_id)


@router.post("/step-runs/{step_run_id}/finish", response_model=dict[str, ArtifactVersionRead], dependencies=WRITE)
def finish_step(
    step_run_id: uuid.UUID, end: StepFinishRequest, store: StoreDep, files: ArtifactStoreDep
) -> dict[str, ArtifactVersionRead]:
    """Record a step run's end and register its outputs, atomically."""
    return records.finish_step(store, files, step_run_id, end)


@router.post("/artifact-versions", response_model=list[ArtifactVersionRead], dependencies=WRITE)
def register_versions(
    versions: list[ArtifactVersionCreate], store: StoreDep, files: ArtifactStoreDep
) -> list[ArtifactVersionRead]:
    """Register artifact versions whose files are already in the artifact store."""
    return records.register_versions(store, files, versions)


@router.post("/artifact-versions/{version_id}/tags", status_code=NO_CONTENT, dependencies=WRITE)
def tag_version(version_id: uuid.UUID, body: TagsAdd, store: StoreDep) -> None:
    """Tag an artifact version."""
    store.artifacts.add_tags(version_id, body.tags)


@router.post("/metadata", status_code=NO_CONTENT, dependencies=WRITE)
def add_metadata(entries: list[MetadataCreate], store: StoreDep) -> None:
    """Log metadata entries against runs, step runs, artifact versions or model versions."""
    records.add_metadata(store, entries)


@router.post("/model-versions", response_model=ModelVersionRead, dependencies=WRITE)
def ensure_model_version(body: ModelVersionEnsure, store: StoreDep) -> ModelVersionRead:
    """A model version, created (with its model) when new; no ``version`` makes a new numbered one."""
    return records.ensure_model_version(store, body)


@router.post("/model-versions/{version_id}/links", status_code=NO_CONTENT, dependencies=WRITE)
def link_model_version(version_id: uuid.UUID, link: ModelLinkRequest, store: StoreDep) -> None:
    """Link a model version to a run and artifact versions (idempotent)."""
    records.link_model_version(store, version_id, link)
