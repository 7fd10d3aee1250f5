"""The Store protocol: what the Client, the CLI, the runner and the server need of a store.

A store is a set of repositories, one per entity. ``SqlStore`` implements it over
SQLAlchemy; ``RestStore`` (server issue) implements the same over HTTP. Callers never ask
which one they hold; they read :attr:`Store.capabilities` when behaviour differs.
"""

from __future__ import annotations

import builtins
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from waypost.enums import ExecutionStatus
from waypost.schemas import (
    ArtifactRead,
    ArtifactVersionCreate,
    ArtifactVersionRead,
    CacheHit,
    MetadataCreate,
    MetadataRead,
    ModelRead,
    ModelVersionRead,
    Page,
    PipelineRead,
    PipelineSpec,
    RunCreate,
    RunRead,
    SnapshotRead,
    StepRunCreate,
    StepRunFinish,
    StepRunRead,
)


@dataclass(frozen=True)
class StoreCapabilities:
    """What a store can do, declared instead of checked by type."""

    local_database: bool
    dialect: str


class PipelineStore(Protocol):
    def get_or_create(self, name: str) -> PipelineRead: ...
    def get(self, ref: str | uuid.UUID) -> PipelineRead: ...
    def list(
        self, query: str = "", *, sort: str | None = None, page: int = 1, size: int = 50
    ) -> Page[PipelineRead]: ...
    def snapshot(self, pipeline_id: uuid.UUID, spec: PipelineSpec) -> SnapshotRead: ...
    def get_snapshot(self, snapshot_id: uuid.UUID) -> SnapshotRead: ...
    def list_snapshots(self, pipeline_id: uuid.UUID) -> builtins.list[SnapshotRead]: ...


class RunStore(Protocol):
    def create(self, run: RunCreate) -> RunRead: ...
    def set_status(
        self,
        run_id: uuid.UUID,
        status: ExecutionStatus,
        *,
        reason: str | None = None,
        started_at: datetime | None = None,
        ended_at: datetime | None = None,
    ) -> None: ...
    def heartbeat(self, run_id: uuid.UUID) -> None: ...
    def get(self, ref: str | uuid.UUID) -> RunRead: ...
    def list(self, query: str = "", *, sort: str | None = None, page: int = 1, size: int = 50) -> Page[RunRead]: ...
    def add_tags(self, run_id: uuid.UUID, tags: builtins.list[str]) -> None: ...
    def delete(self, run_id: uuid.UUID) -> None: ...
    def mark_crashed(self, timeout_s: float) -> builtins.list[uuid.UUID]: ...


class StepStore(Protocol):
    def start(self, step: StepRunCreate) -> uuid.UUID: ...
    def start_many(self, steps: builtins.list[StepRunCreate]) -> builtins.list[uuid.UUID]: ...
    def finish(
        self,
        step_run_id: uuid.UUID,
        run_id: uuid.UUID,
        result: StepRunFinish,
        outputs: dict[str, ArtifactVersionCreate],
    ) -> dict[str, ArtifactVersionRead]: ...
    def set_status(
        self, run_id: uuid.UUID, names: builtins.list[str], status: ExecutionStatus, reason: str | None = None
    ) -> None: ...
    def find_cached(self, cache_key: str) -> CacheHit | None: ...
    def previous(self, pipeline_id: uuid.UUID, name: str, before_run: uuid.UUID) -> StepRunRead | None: ...
    def list(self, run_id: uuid.UUID) -> builtins.list[StepRunRead]: ...
    def get(self, run_id: uuid.UUID, name: str) -> StepRunRead: ...
    def get_by_id(self, step_run_id: uuid.UUID) -> StepRunRead: ...


class ArtifactStoreRecords(Protocol):
    def register(self, versions: builtins.list[ArtifactVersionCreate]) -> builtins.list[ArtifactVersionRead]: ...
    def list(
        self, query: str = "", *, sort: str | None = None, page: int = 1, size: int = 50
    ) -> Page[ArtifactRead]: ...
    def get(self, ref: str | uuid.UUID) -> ArtifactRead: ...
    def list_versions(
        self, query: str = "", *, sort: str | None = None, page: int = 1, size: int = 50
    ) -> Page[ArtifactVersionRead]: ...
    def get_version(self, ref: str | uuid.UUID) -> ArtifactVersionRead: ...
    def consumers(self, version_id: uuid.UUID) -> builtins.list[uuid.UUID]: ...
    def add_tags(self, version_id: uuid.UUID, tags: builtins.list[str]) -> None: ...


class MetadataStore(Protocol):
    def add(self, entries: builtins.list[MetadataCreate]) -> None: ...
    def list(
        self,
        *,
        run_id: uuid.UUID | None = None,
        step_run_id: uuid.UUID | None = None,
        artifact_version_id: uuid.UUID | None = None,
        model_version_id: uuid.UUID | None = None,
    ) -> builtins.list[MetadataRead]: ...


class ModelStore(Protocol):
    def get_or_create_version(
        self,
        name: str,
        version: str | None,
        *,
        description: str | None = None,
        tags: builtins.list[str] | tuple[str, ...] = (),
    ) -> ModelVersionRead: ...
    def link(
        self,
        version_id: uuid.UUID,
        *,
        run_id: uuid.UUID | None = None,
        artifact_version_ids: builtins.list[uuid.UUID] | tuple[uuid.UUID, ...] = (),
    ) -> None: ...
    def get_version(self, model: str, version: str) -> ModelVersionRead: ...
    def list(self, query: str = "", *, sort: str | None = None, page: int = 1, size: int = 50) -> Page[ModelRead]: ...
    def list_versions(self, model: str | uuid.UUID) -> builtins.list[ModelVersionRead]: ...


class Store(Protocol):
    """A metadata store: one repository per entity."""

    pipelines: PipelineStore
    runs: RunStore
    steps: StepStore
    artifacts: ArtifactStoreRecords
    metadata: MetadataStore
    models: ModelStore

    @property
    def capabilities(self) -> StoreCapabilities: ...

    def close(self) -> None: ...
