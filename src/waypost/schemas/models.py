"""Models, model versions, their stages and stage transitions on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from waypost.enums import ModelStages
from waypost.schemas.common import ReadModel

#: The model card's markdown sections, beside the description.
MODEL_CARD_SECTIONS = ("license", "audience", "use_cases", "limitations", "trade_offs", "ethics")
#: The longest a model card section may be (characters); a description holds 10,000.
CARD_SECTION_MAX = 100_000
DESCRIPTION_MAX = 10_000
#: Which value of a metric is better.
MetricDirection = Literal["higher", "lower"]
MetricName = Annotated[str, StringConstraints(min_length=1, max_length=255)]
#: The stages a version can be put in ("latest" is not one: it always means the newest version).
SettableStage = Literal["none", "staging", "production", "archived"]
#: How a stage transition came about: someone set it, a request was approved, a promotion rule fired.
TransitionHow = Literal["manual", "approval", "rule"]


class ModelRead(ReadModel):
    """A registered model: its card, which version holds each exclusive stage, and how many versions it has."""

    id: UUID
    name: str
    description: str | None
    created_at: datetime
    tags: list[str] = Field(default_factory=list)
    latest_version: str | None = None
    version_count: int = 0
    stages: dict[str, str] = Field(
        default_factory=dict, description="The name of the version holding `staging` and `production`, when one does."
    )
    license: str | None = None
    audience: str | None = None
    use_cases: str | None = None
    limitations: str | None = None
    trade_offs: str | None = None
    ethics: str | None = None
    metric_directions: dict[str, MetricDirection] = Field(
        default_factory=dict, description="Per metric, whether a higher or a lower value is better."
    )


class ModelUpdate(BaseModel):
    """A change to a model's description, card or metric directions: only the fields sent change.

    A text field sent as null is cleared; ``metric_directions`` replaces the whole mapping (null
    leaves it as it is).
    """

    model_config = ConfigDict(extra="forbid")

    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)
    license: str | None = Field(default=None, max_length=CARD_SECTION_MAX)
    audience: str | None = Field(default=None, max_length=CARD_SECTION_MAX)
    use_cases: str | None = Field(default=None, max_length=CARD_SECTION_MAX)
    limitations: str | None = Field(default=None, max_length=CARD_SECTION_MAX)
    trade_offs: str | None = Field(default=None, max_length=CARD_SECTION_MAX)
    ethics: str | None = Field(default=None, max_length=CARD_SECTION_MAX)
    metric_directions: dict[MetricName, MetricDirection] | None = Field(default=None, max_length=1000)


class ModelVersionRead(ReadModel):
    """A version of a model, with the runs and artifacts linked to it."""

    id: UUID
    model_id: UUID
    model_name: str
    name: str
    number: int
    stage: ModelStages
    stage_since: datetime | None = Field(default=None, description="When the version entered its stage.")
    description: str | None
    created_at: datetime
    run_ids: list[UUID] = Field(default_factory=list)
    artifact_version_ids: list[UUID] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)


class ModelStageChange(BaseModel):
    """Put a version in a stage; ``force`` archives the version holding staging or production now."""

    model_config = ConfigDict(extra="forbid")

    stage: SettableStage
    force: bool = False
    reason: str | None = Field(default=None, max_length=2000)


class ModelStageTransitionRead(ReadModel):
    """One change of a version's stage: from, to, who, why, how and when."""

    id: UUID
    model_id: UUID
    model_name: str
    model_version_id: UUID
    version_name: str
    version_number: int
    from_stage: ModelStages
    to_stage: ModelStages
    user_id: UUID | None = None
    user_name: str | None = None
    reason: str | None = None
    how: TransitionHow = "manual"
    rule: str | None = Field(default=None, description="The promotion rule that made the change (how `rule`).")
    created_at: datetime
