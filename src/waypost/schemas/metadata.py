"""Metadata entries and tags on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from waypost.enums import MetadataType
from waypost.schemas.common import ReadModel


class MetadataCreate(BaseModel):
    """One key/value logged against a run and optionally a step, artifact or model version."""

    key: str
    value: Any
    type: MetadataType
    run_id: UUID | None = None
    step_run_id: UUID | None = None
    artifact_version_id: UUID | None = None
    model_version_id: UUID | None = None


class MetadataRead(ReadModel):
    """A stored metadata entry."""

    id: UUID
    key: str
    value: Any
    type: MetadataType
    run_id: UUID | None
    step_run_id: UUID | None
    artifact_version_id: UUID | None
    model_version_id: UUID | None
    created_at: datetime
