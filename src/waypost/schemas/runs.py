"""Pipelines, snapshots, pipeline runs and step runs on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, Field

from waypost.enums import ExecutionStatus
from waypost.schemas.artifacts import ArtifactVersionRead
from waypost.schemas.common import ReadModel
from waypost.schemas.stack_snapshot import StackSnapshot


class PipelineRead(ReadModel):
    """A named pipeline; its runs and snapshots hang off it."""

    id: UUID
    name: str
    project_id: UUID | None = Field(default=None, description="The project the pipeline belongs to.")
    created_at: datetime
    run_count: int = 0
    latest_run_status: ExecutionStatus | None = None
    latest_run_at: datetime | None = None
    tags: list[str] = Field(default_factory=list, description="Tags on the pipeline itself (not its runs').")


class SnapshotRead(ReadModel):
    """A pipeline's DAG as compiled for one or more runs."""

    id: UUID
    pipeline_id: UUID
    structure_hash: str
    spec: dict[str, Any]
    created_at: datetime


class RunCreate(BaseModel):
    """What the launcher records when a run starts."""

    name: str
    pipeline_id: UUID
    snapshot_id: UUID
    status: ExecutionStatus = ExecutionStatus.INITIALIZING
    config: dict[str, Any] = Field(default_factory=dict)
    parameters: dict[str, Any] = Field(default_factory=dict)
    orchestrator: str = "local"
    orchestrator_run_id: str | None = None
    stack_id: UUID | None = None
    stack_snapshot: StackSnapshot | None = None
    """The stack and component configurations the run uses (read back with GET /runs/{id}/stack)."""
    user_id: UUID | None = None
    tags: list[str] = Field(default_factory=list)
    model_version_id: UUID | None = None
    model_stage: str | None = Field(
        default=None, description="The stage the run asked for (it consumes the version holding it), if it did."
    )
    started_at: datetime | None = None


class RunUpdate(BaseModel):
    """A change to a run through the API: tags to attach and detach, archiving."""

    add_tags: list[Annotated[str, Field(min_length=1, max_length=255)]] = Field(default_factory=list, max_length=100)
    remove_tags: list[Annotated[str, Field(min_length=1, max_length=255)]] = Field(
        default_factory=list, max_length=100, description="Tags to take off (a tag also added stays on)."
    )
    archived: bool | None = Field(
        default=None, description="True archives the run (lists hide it unless asked), false restores it."
    )


class RunRead(ReadModel):
    """A pipeline run."""

    id: UUID
    name: str
    pipeline_id: UUID
    pipeline_name: str
    project_id: UUID | None = Field(default=None, description="The project the run belongs to (its pipeline's).")
    snapshot_id: UUID
    status: ExecutionStatus
    status_reason: str | None = None
    config: dict[str, Any]
    parameters: dict[str, Any]
    orchestrator: str
    orchestrator_run_id: str | None
    stack_id: UUID | None
    stack_name: str | None = None
    user_id: UUID | None
    user_name: str | None = None
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    heartbeat_at: datetime | None
    model_version_id: UUID | None = None
    tags: list[str] = Field(default_factory=list)
    archived: bool = Field(default=False, description="Hidden from run lists unless the filter asks (archived:true).")
    step_counts: dict[str, int] = Field(default_factory=dict)
    columns: dict[str, Any] | None = Field(
        default=None,
        description=(
            "Values of the column keys a list asked for with `columns=` (param.NAME, step.STEP.NAME, "
            "metadata.KEY); a key the run has no value for is absent. Null unless asked for."
        ),
    )

    @property
    def duration_s(self) -> float | None:
        """Wall-clock seconds from start to end (or to now, unknown while running)."""
        if self.started_at and self.ended_at:
            return (self.ended_at - self.started_at).total_seconds()
        return None


class RunColumnKeys(BaseModel):
    """The column keys a runs list can show, gathered from the newest runs matching its filter."""

    params: list[str] = Field(description="`param.NAME`: the runs' pipeline parameters.")
    step_params: list[str] = Field(description="`step.STEP.NAME`: parameters of their steps.")
    metadata: list[str] = Field(description="`metadata.KEY`: metadata logged on the runs or their steps.")


class RunMetadataValue(BaseModel):
    """The latest value of one metadata key of a run, and where it was logged."""

    key: str
    value: Any
    type: str
    step: str | None = Field(default=None, description="The step that logged it; null when logged on the run.")
    count: int = Field(default=1, description="How many entries of this key the run holds (the latest shows).")


class RunModelVersion(BaseModel):
    """The model version a run is attached to."""

    id: UUID
    model_name: str
    name: str
    number: int
    stage: str


class RunSummary(BaseModel):
    """What a run's header shows beyond the run itself: its metadata and model version."""

    run_id: UUID
    metadata: list[RunMetadataValue] = Field(
        description="Run and step metadata, one per key (the latest logged), alphabetically."
    )
    metadata_truncated: bool = Field(default=False, description="True when more keys exist than were sent.")
    model_version: RunModelVersion | None = None


class StepRunCreate(BaseModel):
    """What the runner records when a step starts (or is served from cache)."""

    run_id: UUID
    name: str
    step_name: str
    status: ExecutionStatus
    cache_key: str | None = None
    cache_components: dict[str, Any] = Field(default_factory=dict)
    cache_miss_reason: str | None = None
    cached_from_step_run_id: UUID | None = None
    cached_from_run_id: UUID | None = None
    parameters: dict[str, Any] = Field(default_factory=dict)
    config: dict[str, Any] = Field(default_factory=dict)
    source_code: str = ""
    source_hash: str = ""
    docstring: str | None = None
    upstream: list[str] = Field(default_factory=list)
    log_uri: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    inputs: dict[str, UUID] = Field(default_factory=dict)
    outputs: dict[str, UUID] = Field(default_factory=dict)
    copy_cached_metadata: bool = Field(
        default=False, description="Copy the metadata the cached-from step logged onto this one."
    )


class CacheHit(BaseModel):
    """The newest successful step run with a cache key: what a cache hit reuses."""

    step_run_id: UUID
    run_id: UUID
    log_uri: str | None
    has_metadata: bool
    outputs: dict[str, ArtifactVersionRead]


class AttemptRead(ReadModel):
    """One try of a step that has retries."""

    number: int
    status: ExecutionStatus
    started_at: datetime
    ended_at: datetime | None
    error: str | None


class StepRunRead(ReadModel):
    """A step run: one node of a run's DAG."""

    id: UUID
    run_id: UUID
    name: str
    step_name: str
    status: ExecutionStatus
    cache_key: str | None
    cache_components: dict[str, Any]
    cache_miss_reason: str | None
    cached_from_step_run_id: UUID | None
    cached_from_run_id: UUID | None
    parameters: dict[str, Any]
    config: dict[str, Any]
    source_code: str
    source_hash: str
    docstring: str | None
    upstream: list[str]
    log_uri: str | None
    error_type: str | None
    error_message: str | None
    traceback: str | None
    resource_samples: list[dict[str, Any]]
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    inputs: dict[str, UUID] = Field(default_factory=dict)
    outputs: dict[str, UUID] = Field(default_factory=dict)
    attempts: list[AttemptRead] = Field(default_factory=list)

    @property
    def duration_s(self) -> float | None:
        """Seconds the step ran."""
        if self.started_at and self.ended_at:
            return (self.ended_at - self.started_at).total_seconds()
        return None


class StepRunFinish(BaseModel):
    """What the runner records when a step ends."""

    status: ExecutionStatus
    ended_at: datetime
    error_type: str | None = None
    error_message: str | None = None
    traceback: str | None = None
    resource_samples: list[dict[str, Any]] = Field(default_factory=list)
    attempts: list[AttemptRead] = Field(default_factory=list)


class GraphInput(BaseModel):
    """An input of a DAG node: the upstream output it reads and, once known, the version read."""

    name: str
    step: str
    output: str
    version_id: UUID | None = None


class GraphOutput(BaseModel):
    """An output of a DAG node: its declared type and, once produced, the version written."""

    name: str
    data_type: str
    version_id: UUID | None = None
    artifact_name: str | None = None
    version: int | None = None


class GraphStep(BaseModel):
    """One node of a run's DAG: the planned step and, once it started, how it went.

    ``status`` is ``None`` for a step that has not started yet.
    """

    name: str
    step_name: str
    status: ExecutionStatus | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    cache_miss_reason: str | None = None
    error_type: str | None = None
    after: list[str] = Field(default_factory=list)
    inputs: list[GraphInput] = Field(default_factory=list)
    outputs: list[GraphOutput] = Field(default_factory=list)


class RunGraph(BaseModel):
    """A run's whole DAG in one compact answer: what the DAG and Timeline views draw."""

    run_id: UUID
    status: ExecutionStatus
    started_at: datetime | None
    ended_at: datetime | None
    steps: list[GraphStep]
