"""Writes the step runner makes through a RestStore: each one store call, checked and passed on.

The store's own errors (NotFoundError, StoreError …) reach the client through the error
handlers, which name the error class in ``X-Waypost-Error`` so the RestStore raises the same.
"""

from __future__ import annotations

import uuid
from typing import TypeVar

from fastapi import HTTPException, status
from pydantic import BaseModel

from waypost.artifacts.store import ArtifactStore
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
    IdList,
    ModelLinkRequest,
    ModelVersionEnsure,
    RunStatusUpdate,
    ServerInfo,
    StepFinishRequest,
    StepStatusUpdate,
)
from waypost.server.deps import Principal
from waypost.server.services import transfer
from waypost.server.version import server_version
from waypost.store.sql.store import SqlStore

M = TypeVar("M", bound=BaseModel)


def checked(model: M) -> M:
    """``model`` validated: the store's hot paths build some records unvalidated (``model_construct``)."""
    return type(model).model_validate(model.model_dump(warnings=False))


def check_uri(files: ArtifactStore, uri: str | None, what: str) -> None:
    """Refuse a location outside the server's artifact store: the server reads these files later."""
    if uri is None:
        return
    inside = files.contains(uri) or uri.startswith(files.uri.rstrip("/") + "/")  # the latter: with its scheme
    if not inside or ".." in uri.replace("\\", "/").split("/"):
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            f"The {what} location '{uri[:200]}' is outside the server's artifact store; "
            "write where GET /api/v1/info says, or upload through the server.",
        )


def info(files: ArtifactStore) -> ServerInfo:
    """The server's version and the artifact store its clients should write to."""
    return ServerInfo(
        version=server_version(), artifact_store_uri=files.uri, artifact_store_probe=transfer.probe_token(files)
    )


def ensure_pipeline(store: SqlStore, name: str) -> PipelineRead:
    """The pipeline ``name``, created when new."""
    return store.pipelines.get_or_create(name)


def snapshot(store: SqlStore, pipeline_id: uuid.UUID, spec: PipelineSpec) -> SnapshotRead:
    """The snapshot of ``spec`` under the pipeline, created when new."""
    store.pipelines.get(pipeline_id)  # 404 before anything is written
    return store.pipelines.snapshot(pipeline_id, spec)


def create_run(store: SqlStore, run: RunCreate, caller: Principal) -> RunRead:
    """A new run by ``caller``: authorship comes from the credentials, never from the body.

    A body naming another user is refused rather than overwritten, so a client that means
    to record on someone's behalf learns at once that it cannot.
    """
    if run.user_id is not None and run.user_id != caller.user_id:
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            "user_id is set by the server from your credentials; leave it out.",
        )
    created = store.runs.create(run.model_copy(update={"user_id": caller.user_id}))
    return created.model_copy(update={"user_name": caller.name})  # the store does not read it back


def set_run_status(store: SqlStore, run_id: uuid.UUID, change: RunStatusUpdate) -> None:
    """Record a run's new status."""
    store.runs.set_status(
        run_id, change.status, reason=change.reason, started_at=change.started_at, ended_at=change.ended_at
    )


def mark_crashed(store: SqlStore, timeout_s: float) -> IdList:
    """Mark runs crashed whose heartbeat is older than ``timeout_s``."""
    return IdList(ids=store.runs.mark_crashed(timeout_s))


def start_steps(store: SqlStore, files: ArtifactStore, steps: list[StepRunCreate]) -> IdList:
    """Record step runs as started (or cached, skipped …)."""
    for step in steps:
        check_uri(files, step.log_uri, "log")
    if len(steps) == 1:
        return IdList(ids=[store.steps.start(steps[0])])
    return IdList(ids=store.steps.start_many(steps))


def finish_step(
    store: SqlStore, files: ArtifactStore, step_run_id: uuid.UUID, end: StepFinishRequest
) -> dict[str, ArtifactVersionRead]:
    """Record a step run's end and register its outputs."""
    for version in end.outputs.values():
        check_uri(files, version.uri, "artifact")
    outputs = store.steps.finish(step_run_id, end.run_id, end.result, end.outputs)
    return {name: checked(version) for name, version in outputs.items()}


def set_step_status(store: SqlStore, run_id: uuid.UUID, change: StepStatusUpdate) -> None:
    """Record a new status for some of a run's step runs."""
    store.steps.set_status(run_id, change.names, change.status, change.reason)


def find_cached(store: SqlStore, cache_key: str) -> CacheHit | None:
    """The newest successful step run with ``cache_key``."""
    hit = store.steps.find_cached(cache_key)
    return None if hit is None else checked(hit)


def previous_step(store: SqlStore, pipeline_id: uuid.UUID, name: str, before_run: uuid.UUID) -> StepRunRead | None:
    """The latest earlier run of the same step of the same pipeline."""
    return store.steps.previous(pipeline_id, name, before_run)


def register_versions(
    store: SqlStore, files: ArtifactStore, versions: list[ArtifactVersionCreate]
) -> list[ArtifactVersionRead]:
    """Register artifact versions written outside a step (or by one)."""
    for version in versions:
        check_uri(files, version.uri, "artifact")
    return [checked(version) for version in store.artifacts.register(versions)]


def add_metadata(store: SqlStore, entries: list[MetadataCreate]) -> None:
    """Log metadata entries."""
    store.metadata.add(entries)


def ensure_model_version(store: SqlStore, want: ModelVersionEnsure) -> ModelVersionRead:
    """A model version, created (with its model) when new."""
    return store.models.get_or_create_version(want.name, want.version, description=want.description, tags=want.tags)


def link_model_version(store: SqlStore, version_id: uuid.UUID, link: ModelLinkRequest) -> None:
    """Link a model version to a run and artifact versions."""
    store.models.link(version_id, run_id=link.run_id, artifact_version_ids=link.artifact_version_ids)
