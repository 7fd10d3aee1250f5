"""Promotion rules of a model: saved, listed, changed, deleted, tried out, and evaluated for a version.

A rule puts a version in a stage when its metadata matches the rule's filter (the filter language,
``metadata.accuracy>=0.9 metadata.data_validation:pass``) and, with ``beats``, its metric beats
that of a stage's holder. Rule changes leave audit rows; a rule that fires leaves what a person's
request would (``model.stage_changed`` or ``model.stage_requested``, naming the rule).
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, BackgroundTasks, Request, Response, status

from waypost.schemas.model_approvals import (
    PromotionRuleCreate,
    PromotionRuleRead,
    PromotionRuleUpdate,
    RuleDryRun,
    RuleEvaluation,
)
from waypost.server.api.model_approvals import record_request
from waypost.server.auth import trail
from waypost.server.deps import ActiveProject, CurrentUser, StoreDep
from waypost.server.services import model_rules as rules

router = APIRouter(tags=["model rules"])


@router.get("/models/{model}/rules", response_model=list[PromotionRuleRead])
def list_model_rules(model: str, store: StoreDep, user: CurrentUser, project: ActiveProject) -> list[PromotionRuleRead]:
    """A model's promotion rules, in the order they are tried (oldest first)."""
    return rules.list_rules(store, user, model, project)


@router.post("/models/{model}/rules", response_model=PromotionRuleRead, status_code=status.HTTP_201_CREATED)
def create_model_rule(
    model: str, rule: PromotionRuleCreate, request: Request, store: StoreDep, user: CurrentUser, project: ActiveProject
) -> PromotionRuleRead:
    """Save a rule (needs model:update). A filter that does not parse is a 422; a name the model has, a 409."""
    made, done = rules.create_rule(store, user, model, rule, project)
    details = {**rule.model_dump(mode="json"), "project": done.scope.path}
    trail.record(store, request, user, trail.MODEL_RULE_CREATED, f"{made.model_name}:{made.name}", details)
    return made


@router.get("/models/{model}/rules/{rule}", response_model=PromotionRuleRead)
def get_model_rule(
    model: str, rule: str, store: StoreDep, user: CurrentUser, project: ActiveProject
) -> PromotionRuleRead:
    """One rule by name."""
    return rules.get_rule(store, user, model, rule, project)


@router.patch("/models/{model}/rules/{rule}", response_model=PromotionRuleRead)
def update_model_rule(
    model: str,
    rule: str,
    change: PromotionRuleUpdate,
    request: Request,
    store: StoreDep,
    user: CurrentUser,
    project: ActiveProject,
) -> PromotionRuleRead:
    """Change a rule's filter, stage, comparison or whether it is enabled (needs model:update)."""
    changed, done = rules.update_rule(store, user, model, rule, change, project)
    details = {**change.model_dump(mode="json", exclude_unset=True), "project": done.scope.path}
    trail.record(store, request, user, trail.MODEL_RULE_UPDATED, f"{changed.model_name}:{changed.name}", details)
    return changed


@router.delete("/models/{model}/rules/{rule}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def delete_model_rule(
    model: str, rule: str, request: Request, store: StoreDep, user: CurrentUser, project: ActiveProject
) -> Response:
    """Delete a rule (needs model:update)."""
    done = rules.delete_rule(store, user, model, rule, project)
    trail.record(store, request, user, trail.MODEL_RULE_DELETED, f"{model}:{rule}", {"project": done.scope.path})
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/models/{model}/rules/{rule}/dry-run", response_model=RuleDryRun)
def dry_run_model_rule(model: str, rule: str, store: StoreDep, user: CurrentUser, project: ActiveProject) -> RuleDryRun:
    """The existing versions the rule would promote now, with the metric it compared; nothing changes."""
    return rules.dry_run(store, user, model, rule, project)


@router.post("/model-versions/{version_id}/rule-evaluations", response_model=RuleEvaluation)
def evaluate_model_rules(
    version_id: uuid.UUID, request: Request, tasks: BackgroundTasks, store: StoreDep, user: CurrentUser
) -> RuleEvaluation:
    """Try the model's enabled rules on a version (a run that made it ended, or its metadata changed).

    The first rule that matches asks for its stage as the rule: the stage changes, or (it needs
    approval) a pending request names the rule. Needs model:update or model:create on the version.
    """
    answer, made, done = rules.evaluate(store, user, version_id)
    if made is not None and answer.rule is not None:
        why = f"promotion rule '{answer.rule}' matched"
        record_request(store, request, user, made, done.scope, tasks, force=True, reason=why, rule=answer.rule)
    return answer
