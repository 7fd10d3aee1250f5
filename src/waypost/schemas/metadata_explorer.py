"""The metadata explorer on the wire: every metadata key with its kinds, types, count and range; a key's history."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field, field_serializer

from waypost.enums import MetadataType
from waypost.schemas.common import Page

#: What a metadata entry describes (its most specific owner).
MetadataEntity = Literal["run", "step", "artifact_version", "model_version"]
METADATA_ENTITIES: tuple[MetadataEntity, ...] = ("run", "step", "artifact_version", "model_version")
#: How the key list sorts: most entries first, by key name, or most recently logged first.
MetadataKeySort = Literal["count", "key", "last_seen"]
#: The most points a key's history returns (the newest ones).
MAX_HISTORY_POINTS = 10_000


class MetadataKeyStats(BaseModel):
    """One metadata key across what the caller may read."""

    key: str
    count: int = Field(description="Entries with this key.")
    entities: dict[MetadataEntity, int] = Field(description="Entries per kind of owner.")
    types: dict[MetadataType, int] = Field(description="Entries per value type.")
    min: float | None = Field(description="The smallest number logged (int, float, storage size), if any.")
    max: float | None = Field(description="The largest number logged, if any.")
    first_seen: datetime
    last_seen: datetime


class MetadataKeyPage(Page[MetadataKeyStats]):
    """A page of metadata keys."""

    from_summary: bool = Field(description="True when counted from the per-project key summary (no `q`).")


class MetadataPoint(BaseModel):
    """One logged value of a key, for a chart over time."""

    run_id: UUID
    run_name: str
    pipeline_name: str
    created_at: datetime
    value: Any
    number: float | None = Field(description="The value as a number (bools as 0/1), when it is one and finite.")
    type: MetadataType
    entity: MetadataEntity
    entity_name: str = Field(description="The step's name, the artifact's `name:version`, the model's, or the run's.")

    @field_serializer("value", when_used="json")
    def _value_json(self, value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        return value


class MetadataHistory(BaseModel):
    """A key's values over time, oldest first; at most the newest MAX_HISTORY_POINTS."""

    key: str
    points: list[MetadataPoint]
    truncated: bool = Field(description="True when older values were left out.")
