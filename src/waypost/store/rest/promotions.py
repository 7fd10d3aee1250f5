"""The RestStore's approval policies, stage requests and promotion rules: one server call each.

The server's user is the API key's: it makes the requests and casts the votes, and the server
checks its permissions (``model:promote`` to ask, ``model:approve`` to decide and set policies,
``model:update`` for rules).
"""

from __future__ import annotations

import builtins
import uuid

from waypost.enums import ModelStages
from waypost.exceptions import ParameterError
from waypost.schemas import Page
from waypost.schemas.model_approvals import (
    ApprovalPolicy,
    DecisionCreate,
    ModelApprovalPolicyUpdate,
    ProjectApprovalPolicyUpdate,
    PromotionRuleCreate,
    PromotionRuleRead,
    PromotionRuleUpdate,
    RuleDryRun,
    RuleEvaluation,
    StageRequestCreate,
    StageRequestResult,
    TransitionRequestRead,
)
from waypost.store import model_stages
from waypost.store.filters import check_page
from waypost.store.rest.http import Http
from waypost.store.rest.repositories import seg

_DECISIONS = ("approve", "reject")


class RestPromotions:
    """:class:`~waypost.store.base.ModelPromotionStore` over the server's API."""

    def __init__(self, http: Http) -> None:
        self._h = http

    def get_policy(self, model: str | uuid.UUID) -> ApprovalPolicy:
        return self._h.get(f"/models/{seg(model)}/approval-policy", ApprovalPolicy)  # type: ignore[no-any-return]

    def set_policy(self, model: str | uuid.UUID, change: ModelApprovalPolicyUpdate) -> ApprovalPolicy:
        body = change.model_dump(mode="json", exclude_unset=True)
        path = f"/models/{seg(model)}/approval-policy"
        return self._h.send("PATCH", path, body, ApprovalPolicy, idempotent=True)  # type: ignore[no-any-return]

    def get_project_policy(self) -> ApprovalPolicy:
        return self._h.get("/model-approval-policy", ApprovalPolicy)  # type: ignore[no-any-return]

    def set_project_policy(self, change: ProjectApprovalPolicyUpdate) -> ApprovalPolicy:
        return self._h.send("PUT", "/model-approval-policy", change, ApprovalPolicy)  # type: ignore[no-any-return]

    def request_stage(
        self,
        model: str | uuid.UUID,
        version: str,
        stage: ModelStages | str,
        *,
        force: bool = False,
        reason: str | None = None,
    ) -> StageRequestResult:
        target = model_stages.settable_stage(stage)  # here, so the error is the same as a local store's
        model_stages.check_transition("manual", None, reason)
        body = StageRequestCreate(stage=target.value, force=force, reason=reason)
        path = f"/models/{seg(model)}/versions/{seg(version)}/stage-requests"
        return self._h.send("POST", path, body, StageRequestResult)  # type: ignore[no-any-return]

    def decide(
        self, request_id: uuid.UUID | str, decision: str, *, comment: str | None = None
    ) -> TransitionRequestRead:
        if decision not in _DECISIONS:
            raise ParameterError(f"A request is decided by 'approve' or 'reject', not '{decision}'.")
        path = f"/model-requests/{seg(request_id)}/{decision}"
        return self._h.send("POST", path, DecisionCreate(comment=comment), TransitionRequestRead)  # type: ignore[no-any-return]

    def get_request(self, request_id: uuid.UUID | str) -> TransitionRequestRead:
        return self._h.get(f"/model-requests/{seg(request_id)}", TransitionRequestRead)  # type: ignore[no-any-return]

    def list_requests(
        self,
        *,
        model: str | uuid.UUID | None = None,
        status: str | None = "pending",
        mine: str | None = None,
        page: int = 1,
        size: int = 50,
    ) -> Page[TransitionRequestRead]:
        check_page(page, size)
        params = {
            "model": None if model is None else str(model),
            "status": status or "all",
            "mine": mine,
            "page": page,
            "size": size,
        }
        return self._h.get("/model-requests", Page[TransitionRequestRead], **params)  # type: ignore[no-any-return]

    def create_rule(self, model: str | uuid.UUID, rule: PromotionRuleCreate) -> PromotionRuleRead:
        return self._h.send("POST", f"/models/{seg(model)}/rules", rule, PromotionRuleRead)  # type: ignore[no-any-return]

    def list_rules(self, model: str | uuid.UUID) -> builtins.list[PromotionRuleRead]:
        return self._h.get(f"/models/{seg(model)}/rules", builtins.list[PromotionRuleRead])  # type: ignore[no-any-return]

    def get_rule(self, model: str | uuid.UUID, name: str) -> PromotionRuleRead:
        return self._h.get(f"/models/{seg(model)}/rules/{seg(name)}", PromotionRuleRead)  # type: ignore[no-any-return]

    def update_rule(self, model: str | uuid.UUID, name: str, change: PromotionRuleUpdate) -> PromotionRuleRead:
        body = change.model_dump(mode="json", exclude_unset=True)
        path = f"/models/{seg(model)}/rules/{seg(name)}"
        return self._h.send("PATCH", path, body, PromotionRuleRead, idempotent=True)  # type: ignore[no-any-return]

    def delete_rule(self, model: str | uuid.UUID, name: str) -> None:
        self._h.send("DELETE", f"/models/{seg(model)}/rules/{seg(name)}")

    def dry_run(self, model: str | uuid.UUID, name: str) -> RuleDryRun:
        path = f"/models/{seg(model)}/rules/{seg(name)}/dry-run"
        return self._h.send("POST", path, None, RuleDryRun, idempotent=True)  # type: ignore[no-any-return]

    def evaluate(self, version_id: uuid.UUID | str) -> RuleEvaluation:
        path = f"/model-versions/{seg(version_id)}/rule-evaluations"
        return self._h.send("POST", path, None, RuleEvaluation)  # type: ignore[no-any-return]
