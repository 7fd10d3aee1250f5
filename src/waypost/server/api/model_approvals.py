"""Approvals of stage transitions: policies, requests for a stage, and approving or rejecting them.

Each request, vote and policy change leaves an audit row; a transition a request or a vote makes
leaves ``model.stage_changed`` too. The workspace's default stack's alerter (when it has one) is
told of each request and decision after the answer went out.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Query, Request

from waypost.schemas import Page
from waypost.schemas.model_approvals import (
    ApprovalPolicy,
    DecisionCreate,
    ModelApprovalPolicyUpdate,
    ProjectApprovalPolicyUpdate,
    StageRequestCreate,
    StageRequestResult,
    TransitionRequestRead,
)
from waypost.server.api._params import PageNo, Size
from waypost.server.auth import trail
from waypost.server.deps import ActiveProject, CurrentUser, Principal, ProjectScope, StoreDep
from waypost.server.services import model_alerts
from waypost.server.services import model_approvals as approvals
from waypost.store.sql.repositories.model_requests import Requested
from waypost.store.sql.repositories.model_stages import StageChange
from waypost.store.sql.store import SqlStore

router = APIRouter(tags=["model approvals"])

StatusParam = Annotated[
    Literal["pending", "approved", "rejected", "cancelled", "all"],
    Query(alias="status", description="Requests in this status; `all` for every one."),
]
MineParam = Annotated[
    Literal["needs_approval", "requested"] | None,
    Query(description="`needs_approval`: waiting for your vote; `requested`: the ones you made."),
]
ModelParam = Annotated[str | None, Query(max_length=255, description="Only this model's requests (name or id).")]


def record_change(
    store: SqlStore,
    request: Request,
    user: Principal,
    change: StageChange,
    scope: ProjectScope,
    *,
    force: bool,
    reason: str | None,
    how: str,
    rule: str | None,
) -> None:
    """The ``model.stage_changed`` audit row of a change a request, a vote or a rule made."""
    if not change.changed:
        return
    moved = change.version
    details = {
        "model": moved.model_name,
        "version": moved.name,
        "number": moved.number,
        "from": change.previous.value,
        "to": moved.stage.value,
        "archived": change.archived,
        "force": force,
        "reason": reason,
        "how": how,
        "rule": rule,
        "project": scope.path,
    }
    trail.record(store, request, user, trail.MODEL_STAGE_CHANGED, f"{moved.model_name}:{moved.name}", details)


def record_request(
    store: SqlStore,
    request: Request,
    user: Principal,
    made: Requested,
    scope: ProjectScope,
    tasks: BackgroundTasks,
    *,
    force: bool,
    reason: str | None,
    rule: str | None = None,
) -> None:
    """Audit what asking for a stage did (as a person, or as ``rule``), and alert the workspace of a new request."""
    if made.change is not None:
        how = "manual" if rule is None else "rule"
        record_change(store, request, user, made.change, scope, force=force, reason=reason, how=how, rule=rule)
        return
    pending = made.result.request
    if pending is None:
        return
    details: dict[str, Any] = {
        "request": str(pending.id),
        "model": pending.model_name,
        "version": pending.version_name,
        "to": pending.to_stage.value,
        "force": pending.force,
        "reason": pending.reason,
        "how": pending.how,
        "rule": pending.rule,
        "approvals_required": pending.approvals_required,
        "project": scope.path,
    }
    target = f"{pending.model_name}:{pending.version_name}"
    trail.record(store, request, user, trail.MODEL_STAGE_REQUESTED, target, details)
    tasks.add_task(model_alerts.send, store, scope.workspace_id, model_alerts.requested(pending, scope.path))


@router.get("/models/{model}/approval-policy", response_model=ApprovalPolicy)
def get_approval_policy(model: str, store: StoreDep, user: CurrentUser, project: ActiveProject) -> ApprovalPolicy:
    """The stages whose transitions need approval for this model, and how many (its own, or its project's)."""
    return approvals.get_policy(store, user, model, project)


@router.patch("/models/{model}/approval-policy", response_model=ApprovalPolicy)
def set_approval_policy(
    model: str,
    change: ModelApprovalPolicyUpdate,
    request: Request,
    store: StoreDep,
    user: CurrentUser,
    project: ActiveProject,
) -> ApprovalPolicy:
    """Set the model's own policy (needs model:approve); `stages: null` follows the project's again."""
    policy, done = approvals.set_policy(store, user, model, change, project)
    details = {**change.model_dump(mode="json", exclude_unset=True), "project": done.scope.path}
    trail.record(store, request, user, trail.MODEL_APPROVAL_POLICY_CHANGED, model, details)
    return policy


@router.get("/model-approval-policy", response_model=ApprovalPolicy)
def get_project_approval_policy(store: StoreDep, user: CurrentUser, project: ActiveProject) -> ApprovalPolicy:
    """The request's project's policy, which its models without their own follow."""
    return approvals.get_project_policy(store, user, project)


@router.put("/model-approval-policy", response_model=ApprovalPolicy)
def set_project_approval_policy(
    change: ProjectApprovalPolicyUpdate, request: Request, store: StoreDep, user: CurrentUser, project: ActiveProject
) -> ApprovalPolicy:
    """Replace the request's project's policy (needs model:approve there)."""
    policy, done = approvals.set_project_policy(store, user, change, project)
    details = {**change.model_dump(mode="json"), "project": done.scope.path}
    trail.record(store, request, user, trail.MODEL_APPROVAL_POLICY_CHANGED, done.scope.path, details)
    return policy


@router.post("/models/{model}/versions/{version}/stage-requests", response_model=StageRequestResult)
def request_model_stage(
    model: str,
    version: str,
    body: StageRequestCreate,
    request: Request,
    tasks: BackgroundTasks,
    store: StoreDep,
    user: CurrentUser,
    project: ActiveProject,
) -> StageRequestResult:
    """Ask for a version to be put in a stage (needs model:promote).

    When the model's policy wants approval for that stage, a pending request is made (`outcome`
    `pending`); otherwise the stage changes now (`done`), as `PUT .../stage` would. A pending
    request for the same version and stage, or another version holding staging or production
    without `force`, is a 409.
    """
    done = approvals.request_stage(store, user, model, version, body, project)
    record_request(store, request, user, done.requested, done.scope, tasks, force=body.force, reason=body.reason)
    return done.requested.result


@router.get("/model-requests", response_model=Page[TransitionRequestRead])
def list_model_requests(
    store: StoreDep,
    user: CurrentUser,
    project: ActiveProject,
    status_: StatusParam = "pending",
    mine: MineParam = None,
    model: ModelParam = None,
    page: PageNo = 1,
    size: Size = 50,
) -> Page[TransitionRequestRead]:
    """Requests for a stage of models you may read, newest first; `mine=needs_approval` lists those awaiting you."""
    return approvals.list_requests(
        store, user, model=model, status_=status_, mine=mine, page=page, size=size, project=project
    )


@router.get("/model-requests/{request_id}", response_model=TransitionRequestRead)
def get_model_request(request_id: uuid.UUID, store: StoreDep, user: CurrentUser) -> TransitionRequestRead:
    """One request with its votes."""
    return approvals.get_request(store, user, request_id)


def _decide(
    decision: str,
    request_id: uuid.UUID,
    body: DecisionCreate,
    request: Request,
    tasks: BackgroundTasks,
    store: SqlStore,
    user: Principal,
) -> TransitionRequestRead:
    done = approvals.decide(store, user, request_id, decision, body)
    decided = done.decided.request
    if done.decided.change is not None:
        approvers = ", ".join(v.user_name or "a removed user" for v in decided.votes if v.decision == "approve")
        why = f"{decided.reason} (approved by {approvers})" if decided.reason else f"approved by {approvers}"
        change = done.decided.change
        record_change(
            store, request, user, change, done.scope, force=decided.force, reason=why, how="approval", rule=decided.rule
        )
    details = {
        "request": str(decided.id),
        "model": decided.model_name,
        "version": decided.version_name,
        "to": decided.to_stage.value,
        "comment": body.comment,
        "status": decided.status,
        "approvals": decided.approvals,
        "approvals_required": decided.approvals_required,
        "project": done.scope.path,
    }
    action = trail.MODEL_REQUEST_APPROVED if decision == "approve" else trail.MODEL_REQUEST_REJECTED
    trail.record(store, request, user, action, f"{decided.model_name}:{decided.version_name}", details)
    message = model_alerts.decided(decided, user.name, done.scope.path)
    tasks.add_task(model_alerts.send, store, done.scope.workspace_id, message)
    return decided


@router.post("/model-requests/{request_id}/approve", response_model=TransitionRequestRead)
def approve_model_request(
    request_id: uuid.UUID,
    body: DecisionCreate,
    request: Request,
    tasks: BackgroundTasks,
    store: StoreDep,
    user: CurrentUser,
) -> TransitionRequestRead:
    """Approve a pending request (needs model:approve; not your own). The approval that completes the
    quorum puts the version in the stage (how `approval`). A decided request is a 409."""
    return _decide("approve", request_id, body, request, tasks, store, user)


@router.post("/model-requests/{request_id}/reject", response_model=TransitionRequestRead)
def reject_model_request(
    request_id: uuid.UUID,
    body: DecisionCreate,
    request: Request,
    tasks: BackgroundTasks,
    store: StoreDep,
    user: CurrentUser,
) -> TransitionRequestRead:
    """Reject a pending request (needs model:approve): nothing changes; the requester rejecting withdraws it."""
    return _decide("reject", request_id, body, request, tasks, store, user)
