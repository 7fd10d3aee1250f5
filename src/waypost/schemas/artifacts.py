"""Artifacts, their versions and visualizations on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from waypost.enums import VisualizationType
from waypost.schemas.common import ReadModel


class VisualizationRef(BaseModel):
    """A visualization file stored beside an artifact version."""

    type: VisualizationType
    path: str = Field(description="Path relative to the artifact version's URI.")
    title: str | None = None
    size: int = 0
    meta: dict[str, Any] = Field(default_factory=dict)


class ArtifactVersionCreate(BaseModel):
    """A saved output, registered when its step succeeds."""

    id: UUID
    name: str
    uri: str
    data_type: str
    materializer: str
    materializer_version: str
    size: int = Field(ge=0, le=2**63 - 1)  # a signed 64-bit column on every backend
    content_hash: str
    visualizations: list[VisualizationRef] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    meta: dict[str, Any] = Field(default_factory=dict)


class ArtifactRead(ReadModel):
    """A named artifact; each step output with that name adds a version."""

    id: UUID
    name: str
    created_at: datetime
    latest_version: int = 0
    latest_version_id: UUID | None = None
    data_type: str | None = None
    size: int | None = None
    pipeline_name: str | None = None
    tags: list[str] = Field(default_factory=list)


class ArtifactVersionRead(ReadModel):
    """One saved value of an artifact."""

    id: UUID
    artifact_id: UUID
    name: str
    version: int
    uri: str
    data_type: str
    materializer: str
    materializer_version: str
    size: int = Field(ge=0, le=2**63 - 1)  # a signed 64-bit column on every backend
    content_hash: str
    visualizations: list[VisualizationRef]
    producer_step_run_id: UUID | None
    producer_run_id: UUID | None
    created_at: datetime
    tags: list[str] = Field(default_factory=list)


class ArtifactFileRead(BaseModel):
    """A file inside an artifact version's folder."""

    path: str = Field(description="Path relative to the artifact version's folder.")
    size: int
