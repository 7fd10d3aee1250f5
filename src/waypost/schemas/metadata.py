"""Metadata entries and tags on the wire."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, field_serializer, model_validator

from waypost.enums import MetadataType
from waypost.schemas.common import ReadModel

_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


class _NonFiniteFloats(BaseModel):
    """NaN and ±Infinity travel as the strings "NaN", "Infinity", "-Infinity" (JSON has no such numbers)."""

    @field_serializer("value", when_used="json", check_fields=False)
    def _value_json(self, value: Any) -> Any:
        if isinstance(value, float) and not math.isfinite(value):
            return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        return value

    @model_validator(mode="after")
    def _non_finite(self) -> _NonFiniteFloats:
        value = getattr(self, "value", None)
        if getattr(self, "type", None) == MetadataType.FLOAT and isinstance(value, str) and value in _NON_FINITE:
            self.value = _NON_FINITE[value]
        return self


class MetadataCreate(_NonFiniteFloats):
    """One key/value logged against a run and optionally a step, artifact or model version."""

    key: str
    value: Any
    type: MetadataType
    run_id: UUID | None = None
    step_run_id: UUID | None = None
    artifact_version_id: UUID | None = None
    model_version_id: UUID | None = None


class MetadataRead(_NonFiniteFloats, ReadModel):
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
