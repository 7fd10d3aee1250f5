"""What the dashboard's model page reads in one go: a page of versions with their metrics, a metric's series."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from waypost.enums import ExecutionStatus, ModelStages
from waypost.schemas.common import MAX_PAGE_SIZE, ReadModel


class VersionRunRef(ReadModel):
    """The run that made a version: the first run linked to it."""

    id: UUID
    name: str
    status: ExecutionStatus
    pipeline_name: str | None = None
    user_name: str | None = None


class ModelVersionRow(ReadModel):
    """A version as a row of the model page's table: its stage, the run that made it, its metrics and tags."""

    id: UUID
    number: int
    name: str
    stage: ModelStages
    stage_since: datetime | None = None
    description: str | None = None
    created_at: datetime
    run: VersionRunRef | None = Field(default=None, description="The first run linked to the version.")
    run_count: int = Field(default=0, description="How many runs are linked to the version (made or used it).")
    tags: list[str] = Field(default_factory=list)
    metrics: dict[str, Any] = Field(
        default_factory=dict,
        description="The latest value of each metadata key asked for, logged on the version; absent when none.",
    )


class ModelMetricKey(BaseModel):
    """A metadata key logged on some version of a model, and whether any of its values is a number."""

    key: str
    numeric: bool


class ModelVersionTable(BaseModel):
    """One page of a model's versions with metric columns, and every metric key its versions hold."""

    model_id: UUID
    model_name: str
    project_id: UUID
    owner: str | None = Field(default=None, description="Who ran the model's first run, when a run made it.")
    metric_keys: list[ModelMetricKey] = Field(description="Every metadata key of the model's versions, by name.")
    metrics: list[str] = Field(description="The keys whose values each row's `metrics` holds, in column order.")
    items: list[ModelVersionRow]
    total: int
    page: int = Field(ge=1)
    size: int = Field(ge=1, le=MAX_PAGE_SIZE)


class ModelMetricPoint(BaseModel):
    """One version's numeric values of the keys asked for."""

    version_id: UUID
    number: int
    name: str
    stage: ModelStages
    values: dict[str, float]


class ModelMetricSeries(BaseModel):
    """Numeric metric values across a model's versions, oldest version first (versions without any left out)."""

    keys: list[str]
    points: list[ModelMetricPoint]
