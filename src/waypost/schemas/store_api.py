"""Request and response bodies of the write endpoints the RestStore calls (one per store method)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from waypost.enums import ExecutionStatus
from waypost.schemas.artifacts import ArtifactVersionCreate
from waypost.schemas.common import MAX_STOP_REASON
from waypost.schemas.model_links import ArtifactRole
from waypost.schemas.runs import StepRunFinish


class ServerInfo(BaseModel):
    """What a client needs to know about the server it talks to."""

    version: str
    artifact_store_uri: str
    artifact_store_probe: str = Field(
        description="The content of `.waypost-id` in the artifact store: a client that reads it can write there."
    )


class PipelineEnsure(BaseModel):
    """Get or create a pipeline by name."""

    name: str = Field(min_length=1, max_length=255)


class RunStatusUpdate(BaseModel):
    """A run's new status."""

    status: ExecutionStatus
    reason: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None


class RunHeartbeat(BaseModel):
    """The answer to a heartbeat: whether the run is still active."""

    active: bool = Field(
        description="False once the run was stopped, marked crashed or ended: its launcher should stop its steps."
    )


class RunStop(BaseModel):
    """Stop a run, optionally saying why."""

    reason: str | None = Field(
        default=None, max_length=MAX_STOP_REASON, description="Why; recorded after 'Stopped by USER: '."
    )


class CrashSweep(BaseModel):
    """Mark runs crashed whose heartbeat is older than ``timeout_s``."""

    timeout_s: float = Field(gt=0)


class IdList(BaseModel):
    """A list of ids."""

    ids: list[UUID]


class TagsAdd(BaseModel):
    """Tags to attach."""

    tags: list[str] = Field(max_length=100)


class StepStatusUpdate(BaseModel):
    """A new status for some of a run's step runs."""

    names: list[str]
    status: ExecutionStatus
    reason: str | None = None


class StepFinishRequest(BaseModel):
    """A step run's end, with the output versions to register."""

    run_id: UUID
    result: StepRunFinish
    outputs: dict[str, ArtifactVersionCreate] = Field(default_factory=dict)


class ModelVersionEnsure(BaseModel):
    """Get or create a model version."""

    name: str = Field(min_length=1, max_length=255)
    version: str | None = None
    description: str | None = None
    tags: list[str] = Field(default_factory=list)


class ModelLinkRequest(BaseModel):
    """Link a model version to a run and artifact versions."""

    run_id: UUID | None = None
    artifact_version_ids: list[UUID] = Field(default_factory=list)
    artifact_roles: dict[UUID, ArtifactRole] = Field(
        default_factory=dict,
        description="The role of an artifact version (model, data, deployment, other); left out, its type decides.",
    )


class ArtifactUpload(BaseModel):
    """Where an uploaded artifact version's files now are."""

    uri: str
    files: int
    size: int
