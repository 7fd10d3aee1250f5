"""Data validator flavors: ``great_expectations`` and ``evidently`` (their packages where steps run)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from waypost.schemas.stacks import ComponentType
from waypost.stacks.flavors import Flavor


class GreatExpectationsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Great Expectations")

    context_root_dir: str | None = Field(
        default=None, max_length=4096, description="A file-backed Data Context folder (default: an ephemeral context)."
    )


class GreatExpectationsValidator(Flavor):
    type = ComponentType.DATA_VALIDATOR
    name = "great_expectations"
    description = "Validates DataFrames against Great Expectations suites (waypost.integrations.great_expectations)."
    config = GreatExpectationsConfig


class EvidentlyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", title="Evidently")


class EvidentlyValidator(Flavor):
    type = ComponentType.DATA_VALIDATOR
    name = "evidently"
    description = "Data drift and quality reports with Evidently (waypost.integrations.evidently)."
    config = EvidentlyConfig


FLAVORS: list[type[Flavor]] = [GreatExpectationsValidator, EvidentlyValidator]
