"""Approvals of stage transitions and promotion rules on the wire.

A model's *approval policy* names the stages whose transitions need approval and how many
approvals each needs; a model without its own follows its project's. A *request* to put a
version in such a stage waits (``pending``) until that many users holding ``model:approve``,
none of them the requester, approve it (the transition is then made, how ``approval``) or one
rejects it (nothing changes). A *promotion rule* puts a version in a stage when its metadata
matches a filter (``metadata.accuracy>=0.9 metadata.data_validation:pass``) and, optionally, its
metric beats the version holding another stage; it goes through approval like anyone else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from waypost.enums import ModelStages
from waypost.schemas.common import ReadModel
from waypost.schemas.models import MetricName, ModelVersionRead, SettableStage

#: The most approvals a policy may ask for.
MAX_APPROVALS = 20
#: The longest a reason or a comment may be.
TEXT_MAX = 2000
#: The longest a rule's filter may be (the filter language's own limit).
FILTER_MAX = 1000

RequestStatus = Literal["pending", "approved", "rejected", "cancelled"]
Decision = Literal["approve", "reject"]
#: The stages a promotion rule may put a version in.
RuleStage = Literal["staging", "production", "archived"]
RuleName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=255, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", strip_whitespace=True),
]


class ApprovalPolicy(BaseModel):
    """Which stages need approval for a model (or a project) and how many approvals; ``source`` says whose."""

    stages: list[SettableStage] = Field(default_factory=list)
    approvals_required: int = Field(default=1, ge=1, le=MAX_APPROVALS)
    source: Literal["model", "project", "none"] = "none"


class ModelApprovalPolicyUpdate(BaseModel):
    """A model's own policy: only the fields sent change; ``stages`` sent as null follows the project's again."""

    model_config = ConfigDict(extra="forbid")

    stages: list[SettableStage] | None = Field(default=None, max_length=4)
    approvals_required: int = Field(default=1, ge=1, le=MAX_APPROVALS)


class ProjectApprovalPolicyUpdate(BaseModel):
    """A project's policy, followed by its models that have none of their own (``stages: []`` requires nothing)."""

    model_config = ConfigDict(extra="forbid")

    stages: list[SettableStage] = Field(max_length=4)
    approvals_required: int = Field(default=1, ge=1, le=MAX_APPROVALS)


class StageRequestCreate(BaseModel):
    """Ask for a version to be put in a stage; ``force`` archives the holder of staging or production then."""

    model_config = ConfigDict(extra="forbid")

    stage: SettableStage
    force: bool = False
    reason: str | None = Field(default=None, max_length=TEXT_MAX)


class DecisionCreate(BaseModel):
    """An approval or a rejection, with an optional comment."""

    model_config = ConfigDict(extra="forbid")

    comment: str | None = Field(default=None, max_length=TEXT_MAX)


class TransitionVoteRead(ReadModel):
    """One user's approval or rejection of a request."""

    user_id: UUID | None = None
    user_name: str | None = None
    decision: Decision
    comment: str | None = None
    created_at: datetime


class TransitionRequestRead(ReadModel):
    """A request to put a version in a stage that needs approval, with the votes it has had."""

    id: UUID
    model_id: UUID
    model_name: str
    model_version_id: UUID
    version_name: str
    version_number: int
    to_stage: ModelStages
    force: bool = False
    reason: str | None = None
    requested_by: UUID | None = Field(default=None, description="Who asked; null when a promotion rule did.")
    requested_by_name: str | None = None
    requested_at: datetime
    status: RequestStatus
    decided_at: datetime | None = None
    how: Literal["manual", "rule"] = "manual"
    rule: str | None = Field(default=None, description="The promotion rule that made the request (how `rule`).")
    approvals_required: int
    approvals: int = 0
    votes: list[TransitionVoteRead] = Field(default_factory=list)


class StageRequestResult(BaseModel):
    """What asking for a stage did: ``pending`` (a request waits for approval) or ``done`` (the stage changed)."""

    outcome: Literal["pending", "done"]
    request: TransitionRequestRead | None = None
    version: ModelVersionRead


class RuleBeats(BaseModel):
    """The candidate's ``metric`` must beat that of the version holding ``stage`` (per the model's metric
    directions; higher is better when none is set). Nobody holding the stage is beaten by anyone."""

    model_config = ConfigDict(extra="forbid")

    stage: Literal["staging", "production"]
    metric: MetricName


class PromotionRuleCreate(BaseModel):
    """A rule: versions matching ``filter`` (and beating ``beats``) go to ``to_stage``."""

    model_config = ConfigDict(extra="forbid")

    name: RuleName
    filter: str = Field(default="", max_length=FILTER_MAX, description="The filter language over the version.")
    to_stage: RuleStage
    beats: RuleBeats | None = None
    enabled: bool = True


class PromotionRuleUpdate(BaseModel):
    """A change to a rule: only the fields sent change (``beats`` sent as null drops the comparison)."""

    model_config = ConfigDict(extra="forbid")

    filter: str | None = Field(default=None, max_length=FILTER_MAX)
    to_stage: RuleStage | None = None
    beats: RuleBeats | None = None
    enabled: bool | None = None


class PromotionRuleRead(ReadModel):
    """A model's promotion rule."""

    id: UUID
    model_id: UUID
    model_name: str
    name: str
    filter: str
    to_stage: RuleStage
    beats: RuleBeats | None = None
    enabled: bool
    created_by: UUID | None = None
    created_by_name: str | None = None
    created_at: datetime
    updated_at: datetime | None = None


class RuleMatch(BaseModel):
    """A version a rule would promote, with the metric it was compared on and the holder it beat."""

    version_id: UUID
    version_name: str
    version_number: int
    stage: ModelStages
    metric: float | None = None
    holder: str | None = Field(default=None, description="The version holding the compared stage, when one does.")
    holder_metric: float | None = None


class RuleDryRun(BaseModel):
    """The versions a rule would promote now (newest first); ``checked`` versions matched its filter."""

    rule: str
    to_stage: RuleStage
    checked: int
    matches: list[RuleMatch]


class RuleEvaluation(BaseModel):
    """The first enabled rule that matched a version (none: ``rule`` is null) and what asking for its stage did."""

    version_id: UUID
    rule: str | None = None
    result: StageRequestResult | None = None
