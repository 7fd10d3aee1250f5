"""A model version's runs and artifact versions by role, and which runs consumed each stage's holder."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from waypost.enums import ExecutionStatus
from waypost.schemas.artifacts import VisualizationRef
from waypost.schemas.common import ReadModel

RunRole = Literal["producer", "attached", "consumer"]
ArtifactRole = Literal["model", "data", "deployment", "other"]
TagName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]


class VersionRunLink(ReadModel):
    """A run linked to a model version, and how: it made the version, named it later, or consumed a stage."""

    id: UUID
    name: str
    status: ExecutionStatus
    role: RunRole
    via_stage: str | None = Field(default=None, description="The stage a consumer asked for (e.g. production).")
    pipeline_name: str | None = None
    user_name: str | None = None
    created_at: datetime
    ended_at: datetime | None = None


class VersionArtifactLink(ReadModel):
    """An artifact version linked to a model version, with its role and its stored visualizations."""

    id: UUID = Field(description="The artifact version's id.")
    artifact_id: UUID
    name: str
    version: int
    role: ArtifactRole
    data_type: str
    size: int
    content_hash: str
    visualizations: list[VisualizationRef] = Field(default_factory=list)
    producer_run_id: UUID | None = None
    producer_run_name: str | None = None
    created_at: datetime


class VersionLinkCounts(BaseModel):
    """How many runs and artifact versions of each role a model version has (of those the caller may read)."""

    runs: dict[RunRole, int]
    artifacts: dict[ArtifactRole, int]


class StageHolderStatus(BaseModel):
    """Which version holds a stage, since when, and the runs that consumed it lately."""

    stage: Literal["production", "staging", "latest"]
    version_id: UUID | None = None
    version: str | None = Field(default=None, description="The holder's name; null when no version holds it.")
    number: int | None = None
    since: datetime | None = Field(default=None, description="When the holder took the stage (latest: made).")
    consumers: int = Field(default=0, description="Runs that consumed the holder through any stage, in all.")
    recent: list[VersionRunLink] = Field(default_factory=list, description="Its latest consumer runs, newest first.")
    recent_succeeded: int = 0
    recent_failed: int = 0


class ModelStageStatus(BaseModel):
    """A model's stages across environments: each holder and how the runs that consumed it fared."""

    model_id: UUID
    model_name: str
    stages: list[StageHolderStatus]


class VersionTagsChange(BaseModel):
    """Tags to put on a model version and tags to take off it."""

    model_config = ConfigDict(extra="forbid")

    add: list[TagName] = Field(default_factory=list, max_length=100)
    remove: list[TagName] = Field(default_factory=list, max_length=100)
