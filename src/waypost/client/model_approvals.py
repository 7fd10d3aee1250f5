"""The Client's approvals of stage transitions and promotion rules, over whichever store it holds.

Against a server the API key's user asks and decides, and the server checks their permissions; a
local store has no users, so its requests are nobody's and deciding one is refused in one line.
"""

from __future__ import annotations

import uuid
from typing import Any

from waypost.enums import ModelStages
from waypost.exceptions import ParameterError
from waypost.schemas import Page
from waypost.schemas.model_approvals import (
    ApprovalPolicy,
    ModelApprovalPolicyUpdate,
    ProjectApprovalPolicyUpdate,
    PromotionRuleCreate,
    PromotionRuleRead,
    PromotionRuleUpdate,
    RuleBeats,
    RuleDryRun,
    StageRequestResult,
    TransitionRequestRead,
)
from waypost.store import Store

__all__ = ["ModelGovernance", "parse_beats"]

_UNSET: Any = object()


def parse_beats(beats: str | dict[str, str] | RuleBeats | None) -> RuleBeats | None:
    """``"production:accuracy"`` (or a mapping with ``stage`` and ``metric``) as the comparison a rule makes."""
    if beats is None or isinstance(beats, RuleBeats):
        return beats
    if isinstance(beats, str):
        stage, sep, metric = beats.partition(":")
        if not sep or not metric or stage not in ("staging", "production"):
            raise ParameterError(
                f"Write the comparison as STAGE:METRIC with STAGE staging or production (e.g. production:accuracy), "
                f"not '{beats}'."
            )
        return RuleBeats(stage=stage, metric=metric)
    return RuleBeats.model_validate(beats)


class ModelGovernance:
    """Approval policies, stage requests and promotion rules (a mixin: the Client gives it its store)."""

    @property
    def store(self) -> Store:
        """The metadata store (the Client's)."""
        raise NotImplementedError

    # -- approvals --------------------------------------------------------------------------------

    def request_model_stage(
        self,
        model: str,
        version: ModelStages | str | int,
        stage: ModelStages | str,
        *,
        force: bool = False,
        reason: str | None = None,
    ) -> StageRequestResult:
        """Put a version in ``stage``, or ask for it when the model's approval policy names that stage.

        Example:
            >>> result = Client().request_model_stage("iris_classifier", "3", ModelStages.PRODUCTION, reason="f1 +2%")
            >>> result.outcome, result.request.id  # ("pending", UUID(...)) until enough users approve

        Raises:
            ConflictError: a request for that version and stage is pending already, or another version
                holds staging or production and ``force`` is False.
        """
        return self.store.promotions.request_stage(model, str(version), stage, force=force, reason=reason)

    def approve_model_request(self, request_id: str | uuid.UUID, comment: str | None = None) -> TransitionRequestRead:
        """Approve a pending request; the approval that completes its quorum makes the transition.

        Raises:
            ConflictError: the request was decided already, or you decided on it already.
        """
        return self.store.promotions.decide(request_id, "approve", comment=comment)

    def reject_model_request(self, request_id: str | uuid.UUID, comment: str | None = None) -> TransitionRequestRead:
        """Reject a pending request (nothing changes); the requester's own rejection withdraws it."""
        return self.store.promotions.decide(request_id, "reject", comment=comment)

    def get_model_request(self, request_id: str | uuid.UUID) -> TransitionRequestRead:
        """One request with its votes."""
        return self.store.promotions.get_request(request_id)

    def list_model_requests(
        self,
        *,
        model: str | None = None,
        status: str = "pending",
        mine: str | None = None,
        page: int = 1,
        size: int = 50,
    ) -> Page[TransitionRequestRead]:
        """Requests, newest first: ``status`` pending, approved, rejected, cancelled or all; ``mine``
        "needs_approval" (waiting for your vote) or "requested" (made by you)."""
        return self.store.promotions.list_requests(model=model, status=status, mine=mine, page=page, size=size)

    def get_model_approval_policy(self, model: str) -> ApprovalPolicy:
        """The stages needing approval for ``model`` and how many approvals (``source``: model, project or none)."""
        return self.store.promotions.get_policy(model)

    def set_model_approval_policy(
        self, model: str, *, stages: list[str] | None = _UNSET, approvals_required: int = _UNSET
    ) -> ApprovalPolicy:
        """Set a model's own policy (only what is given changes); ``stages=None`` follows the project's again."""
        change: dict[str, Any] = {}
        if stages is not _UNSET:
            change["stages"] = stages
        if approvals_required is not _UNSET:
            change["approvals_required"] = approvals_required
        return self.store.promotions.set_policy(model, ModelApprovalPolicyUpdate(**change))

    def get_project_approval_policy(self) -> ApprovalPolicy:
        """The active project's policy, followed by its models that have none of their own."""
        return self.store.promotions.get_project_policy()

    def set_project_approval_policy(self, stages: list[str], approvals_required: int = 1) -> ApprovalPolicy:
        """Replace the active project's policy (``stages=[]`` requires nothing)."""
        change = ProjectApprovalPolicyUpdate(stages=stages, approvals_required=approvals_required)
        return self.store.promotions.set_project_policy(change)

    # -- promotion rules --------------------------------------------------------------------------

    def create_promotion_rule(
        self,
        model: str,
        name: str,
        *,
        to_stage: ModelStages | str,
        filter: str = "",
        beats: str | dict[str, str] | RuleBeats | None = None,
        enabled: bool = True,
    ) -> PromotionRuleRead:
        """A rule putting versions whose metadata match ``filter`` (and beat ``beats``) in ``to_stage``.

        Example:
            >>> Client().create_promotion_rule(
            ...     "iris_classifier", "good-enough", to_stage="staging",
            ...     filter="metadata.accuracy>=0.9 metadata.data_validation:pass", beats="production:accuracy")

        Raises:
            FilterSyntaxError: ``filter`` does not parse (one line naming the fault).
            ConflictError: the model has a rule of that name.
        """
        stage = to_stage.value if isinstance(to_stage, ModelStages) else to_stage
        rule = PromotionRuleCreate(
            name=name,
            filter=filter,
            to_stage=stage,
            beats=parse_beats(beats),
            enabled=enabled,
        )
        return self.store.promotions.create_rule(model, rule)

    def list_promotion_rules(self, model: str) -> list[PromotionRuleRead]:
        """A model's rules, in the order they are tried."""
        return self.store.promotions.list_rules(model)

    def update_promotion_rule(
        self,
        model: str,
        name: str,
        *,
        filter: str | None = None,
        to_stage: ModelStages | str | None = None,
        beats: str | dict[str, str] | RuleBeats | None = _UNSET,
        enabled: bool | None = None,
    ) -> PromotionRuleRead:
        """Change what is given of a rule (``beats=None`` drops its comparison)."""
        change: dict[str, Any] = {}
        if filter is not None:
            change["filter"] = filter
        if to_stage is not None:
            change["to_stage"] = to_stage.value if isinstance(to_stage, ModelStages) else to_stage
        if beats is not _UNSET:
            change["beats"] = parse_beats(beats)
        if enabled is not None:
            change["enabled"] = enabled
        return self.store.promotions.update_rule(model, name, PromotionRuleUpdate(**change))

    def delete_promotion_rule(self, model: str, name: str) -> None:
        """Delete a rule."""
        self.store.promotions.delete_rule(model, name)

    def dry_run_promotion_rule(self, model: str, name: str) -> RuleDryRun:
        """The existing versions a rule would promote now; nothing changes."""
        return self.store.promotions.dry_run(model, name)
