"""Versions of a model side by side: a row per attribute (metric, parameter, metadata, artifact, snapshot), a
value per version."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from waypost.enums import ModelStages
from waypost.schemas.model_views import VersionRunRef

#: The most versions one comparison takes.
MAX_COMPARED_VERSIONS = 50
#: What a comparison row describes, in the order the rows come.
CompareSection = Literal["metrics", "parameters", "metadata", "artifacts", "snapshot"]
SECTIONS: tuple[CompareSection, ...] = ("metrics", "parameters", "metadata", "artifacts", "snapshot")


class ComparedVersion(BaseModel):
    """A column of the comparison: a version, its stage and the run that made it."""

    id: UUID
    number: int
    name: str
    stage: ModelStages
    created_at: datetime
    run: VersionRunRef | None = Field(default=None, description="The first run linked to the version.")


class ComparedArtifact(BaseModel):
    """An artifact version linked to a model version, as a cell of the ``artifacts`` section."""

    artifact_version_id: UUID = Field(description="The artifact version, for its visualizations.")
    version: int
    data_type: str
    content_hash: str
    size: int


class ComparisonRow(BaseModel):
    """One attribute across the versions compared."""

    section: CompareSection
    key: str
    values: list[Any] = Field(description="One value per version, in the versions' order; null where it has none.")
    differs: bool = Field(description="Whether the versions' values are not all the same (artifacts: by content).")
    best: int | None = Field(
        default=None,
        description="The index of the version with the best value of a metric (the model's metric_directions; "
        "higher is better when they name none); null when fewer than two versions have a number or all are equal.",
    )


class ModelComparison(BaseModel):
    """Versions of a model side by side, the first being the baseline."""

    model_id: UUID
    model_name: str
    metric_directions: dict[str, Literal["higher", "lower"]] = Field(default_factory=dict)
    versions: list[ComparedVersion]
    unknown: list[str] = Field(default_factory=list, description="The versions asked for that the model lacks.")
    rows: list[ComparisonRow]
