"""Models and model versions on the wire."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from waypost.enums import ModelStages
from waypost.schemas.common import ReadModel


class ModelRead(ReadModel):
    """A registered model."""

    id: UUID
    name: str
    description: str | None
    created_at: datetime
    tags: list[str] = Field(default_factory=list)
    latest_version: str | None = None


class ModelVersionRead(ReadModel):
    """A version of a model, with the runs and artifacts linked to it."""

    id: UUID
    model_id: UUID
    model_name: str
    name: str
    number: int
    stage: ModelStages
    description: str | None
    created_at: datetime
    run_ids: list[UUID] = Field(default_factory=list)
    artifact_version_ids: list[UUID] = Field(default_factory=list)
