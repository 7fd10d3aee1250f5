"""Writes the step runner makes through a RestStore: each one store call, checked and passed on.

Each is checked as rule 4 of :mod:`waypost.server.scopes` says: a resource the caller cannot
read is not found; a write needs its permission in the project it lands in (a 403 naming both).

The store's own errors (NotFoundError, StoreError …) reach the client through the error
handlers, which name the error class in ``X-Waypost-Error`` so the RestStore raises the same.
"""

from __future__ import annotations

import uuid
from typing import TypeVar

from fastapi import HTTPException, status
from pydantic import BaseModel

from waypost.artifacts.store import ArtifactStore
from waypost.exceptions import NotFoundError
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
    RunHeartbeat,
    RunStatusUpdate,
    ServerInfo,
    StepFinishRequest,
    StepStatusUpdate,
)
from waypost.server import scopes
from waypost.server.deps import Principal, authorize
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


#: What recording into a run needs: run:update, or run:create (whoever may start runs may record them).
RECORD = ("run:update", "run:create")


def ensure_pipeline(store: SqlStore, caller: Principal, name: str, project: str | None) -> PipelineRead:
    """The pipeline ``name`` of the request's project: pipeline:create when new, run:create when it exists."""
    scope = scopes.record_scope(store, caller, project)
    try:
        existing = store.pipelines.get(name, project_id=scope.project_id)
    except NotFoundError:
        authorize(caller, "pipeline:create", scope=scope)
        return store.pipelines.get_or_create(name, project_id=scope.project_id)
    authorize(caller, "run:create", scope=scope, resource=("pipeline", existing.id))
    return existing


def snapshot(store: SqlStore, caller: Principal, pipeline_id: uuid.UUID, spec: PipelineSpec) -> SnapshotRead:
    """The snapshot of ``spec`` under the pipeline, created when new (run:create; 404 before anything is written)."""
    scopes.changeable(store, caller, "pipeline", pipeline_id, "run:create")
    return store.pipelines.snapshot(pipeline_id, spec)


def get_snapshot(store: SqlStore, caller: Principal, snapshot_id: uuid.UUID) -> SnapshotRead:
    """A snapshot of a pipeline the caller may read."""
    scopes.readable(store, caller, "snapshot", snapshot_id)
    return store.pipelines.get_snapshot(snapshot_id)


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
    scopes.changeable(store, caller, "pipeline", run.pipeline_id, "run:create")
    created = store.runs.create(run.model_copy(update={"user_id": caller.user_id}))
    return created.model_copy(update={"user_name": caller.name})  # the store does not read it back


def set_run_status(store: SqlStore, caller: Principal, run_id: uuid.UUID, change: RunStatusUpdate) -> None:
    """Record a run's new status."""
    scopes.changeable(store, caller, "run", run_id, *RECORD)
    store.runs.set_status(
        run_id, change.status, reason=change.reason, started_at=change.started_at, ended_at=change.ended_at
    )


def mark_crashed(store: SqlStore, timeout_s: float) -> IdList:
    """Mark runs crashed whose heartbeat is older than ``timeout_s``."""
    return IdList(ids=store.runs.mark_crashed(timeout_s))


def heartbeat(store: SqlStore, caller: Principal, run_id: uuid.UUID) -> RunHeartbeat:
    """Say the run's orchestrator is alive; whether the run is still active (not stopped, crashed or ended)."""
    scopes.changeable(store, caller, "run", run_id, *RECORD)
    return RunHeartbeat(active=store.runs.heartbeat(run_id))


def start_steps(store: SqlStore, caller: Principal, files: ArtifactStore, steps: list[StepRunCreate]) -> IdList:
    """Record step runs as started (or cached, skipped …)."""
    for run_id in dict.fromkeys(step.run_id for step in steps):
        scopes.changeable(store, caller, "run", run_id, *RECORD)
    for step in steps:
        check_uri(files, step.log_uri, "log")
    if len(steps) == 1:
        return IdList(ids=[store.steps.start(steps[0])])
    return IdList(ids=store.steps.start_many(steps))


def finish_step(
    store: SqlStore, caller: Principal, files: ArtifactStore, step_run_id: uuid.UUID, end: StepFinishRequest
) -> dict[str, ArtifactVersionRead]:
    """Record a step run's end and register its outputs."""
    scopes.changeable(store, caller, "step_run", step_run_id, *RECORD)
    scopes.changeable(store, caller, "run", end.run_id, *RECORD)
    for version in end.outputs.values():
        check_uri(files, version.uri, "artifact")
    outputs = store.steps.finish(step_run_id, end.run_id, end.result, end.outputs)
    return {name: checked(version) for name, version in outputs.items()}


def set_step_status(store: SqlStore, caller: Principal, run_id: uuid.UUID, change: StepStatusUpdate) -> None:
    """Record a new status for some of a run's step runs."""
    scopes.changeable(store, caller, "run", run_id, *RECORD)
    store.steps.set_status(run_id, change.names, change.status, change.reason)


def find_cached(store: SqlStore, caller: Principal, cache_key: str, project: str | None) -> CacheHit | None:
    """The newest successful step run with ``cache_key`` in the request's project (run:read there)."""
    scope = scopes.record_scope(store, caller, project, "run:read")
    hit = store.steps.find_cached(cache_key, project_id=scope.project_id)
    return None if hit is None else checked(hit)


def previous_step(
    store: SqlStore, caller: Principal, pipeline_id: uuid.UUID, name: str, before_run: uuid.UUID
) -> StepRunRead | None:
    """The latest earlier run of the same step of the same pipeline (run:read in its project)."""
    scopes.changeable(store, caller, "pipeline", pipeline_id, "run:read")
    return store.steps.previous(pipeline_id, name, before_run)


def get_step_run(store: SqlStore, caller: Principal, step_run_id: uuid.UUID) -> StepRunRead:
    """A step run of a run the caller may read."""
    scopes.readable(store, caller, "step_run", step_run_id)
    return store.steps.get_by_id(step_run_id)


def register_versions(
    store: SqlStore, caller: Principal, files: ArtifactStore, versions: list[ArtifactVersionCreate], project: str | None
) -> list[ArtifactVersionRead]:
    """Register artifact versions written outside a step, in the request's project (artifact:create there)."""
    scope = scopes.record_scope(store, caller, project, "artifact:create")
    for version in versions:
        check_uri(files, version.uri, "artifact")
    return [checked(version) for version in store.artifacts.register(versions, project_id=scope.project_id)]


def tag_version(store: SqlStore, caller: Principal, version_id: uuid.UUID, tags: list[str]) -> None:
    """Tag an artifact version (artifact:update in its project)."""
    scopes.changeable(store, caller, "artifact_version", version_id, "artifact:update")
    store.artifacts.add_tags(version_id, tags)


#: What logging metadata against each kind of owner needs.
_METADATA_OWNERS = (
    ("run_id", "run", RECORD),
    ("step_run_id", "step_run", RECORD),
    ("artifact_version_id", "artifact_version", ("artifact:update", "artifact:create")),
    ("model_version_id", "model_version", ("model:update", "model:create")),
)


def add_metadata(store: SqlStore, caller: Principal, entries: list[MetadataCreate]) -> None:
    """Log metadata entries; each owner is checked once (run:update for runs and steps, and so on)."""
    owners = {
        (kind, owner_id, needs)
        for entry in entries
        for field, kind, needs in _METADATA_OWNERS
        if (owner_id := getattr(entry, field)) is not None
    }
    for kind, owner_id, needs in sorted(owners, key=str):
        scopes.changeable(store, caller, kind, owner_id, *needs)
    store.metadata.add(entries)


def ensure_model_version(
    store: SqlStore, caller: Principal, want: ModelVersionEnsure, project: str | None
) -> ModelVersionRead:
    """A model version in the request's project, created (with its model) when new (model:create there)."""
    scope = scopes.record_scope(store, caller, project, "model:create")
    return store.models.get_or_create_version(
        want.name, want.version, description=want.description, tags=want.tags, project_id=scope.project_id
    )


def link_model_version(store: SqlStore, caller: Principal, version_id: uuid.UUID, link: ModelLinkRequest) -> None:
    """Link a model version to a run (run:update there) and artifact versions (model:update without a run)."""
    if link.run_id is not None:
        scopes.readable(store, caller, "model_version", version_id)
        scopes.changeable(store, caller, "run", link.run_id, *RECORD)
    else:
        scopes.changeable(store, caller, "model_version", version_id, "model:update", "model:create")
    for artifact_version in dict.fromkeys([*link.artifact_version_ids, *link.artifact_roles]):
        scopes.readable(store, caller, "artifact_version", artifact_version)
    store.models.link(
        version_id,
        run_id=link.run_id,
        artifact_version_ids=link.artifact_version_ids,
        roles=dict(link.artifact_roles),
    )
