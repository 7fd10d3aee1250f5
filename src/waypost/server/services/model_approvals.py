"""Approval policies, stage requests and their decisions, as the caller may see and make them.

Asking for a stage needs ``model:promote`` in the model's project; approving, rejecting and
setting a policy (the model's or the project's) need ``model:approve`` there; reading needs
``model:read``. The requester never approves their own request (a 403 that says so). Lists show
the requests of models the caller may read; "needs my approval" those of models where they hold
``model:approve``, that they did not make and have not decided on.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from fastapi import HTTPException, status

from waypost.exceptions import NotFoundError
from waypost.schemas import Page
from waypost.schemas.model_approvals import (
    ApprovalPolicy,
    DecisionCreate,
    ModelApprovalPolicyUpdate,
    ProjectApprovalPolicyUpdate,
    StageRequestCreate,
    TransitionRequestRead,
)
from waypost.server import scopes
from waypost.server.deps import Principal, ProjectScope
from waypost.server.services._common import check_page, or_404
from waypost.store.sql.repositories.model_requests import Decided, Requested
from waypost.store.sql.store import SqlStore


@dataclass(frozen=True)
class Done:
    """What a change did, and where: the model's project (for the audit trail and the alert)."""

    scope: ProjectScope


@dataclass(frozen=True)
class RequestDone(Done):
    requested: Requested


@dataclass(frozen=True)
class DecisionDone(Done):
    decided: Decided


def get_policy(store: SqlStore, caller: Principal, model: str, project: str | None) -> ApprovalPolicy:
    """The policy a model follows (model:read)."""
    found = scopes.readable(store, caller, "model", model, project)
    return or_404(lambda: store.promotions.get_policy(found.id))


def set_policy(
    store: SqlStore, caller: Principal, model: str, change: ModelApprovalPolicyUpdate, project: str | None
) -> tuple[ApprovalPolicy, Done]:
    """Set a model's own policy (model:approve: who approves decides what needs approval)."""
    found = scopes.changeable(store, caller, "model", model, "model:approve", project=project)
    return or_404(lambda: store.promotions.set_policy(found.id, change)), Done(found.scope)


def get_project_policy(store: SqlStore, caller: Principal, project: str | None) -> ApprovalPolicy:
    """The request's project's policy (model:read there)."""
    scope = scopes.record_scope(store, caller, project, "model:read")
    return store.promotions.get_project_policy(project_id=scope.project_id)


def set_project_policy(
    store: SqlStore, caller: Principal, change: ProjectApprovalPolicyUpdate, project: str | None
) -> tuple[ApprovalPolicy, Done]:
    """Replace the request's project's policy (model:approve there)."""
    scope = scopes.record_scope(store, caller, project, "model:approve")
    done = store.promotions.set_project_policy(change, project_id=scope.project_id, user_id=caller.user_id)
    return done, Done(scope)


def request_stage(
    store: SqlStore, caller: Principal, model: str, version: str, body: StageRequestCreate, project: str | None
) -> RequestDone:
    """Put a version in a stage, or ask for it when that needs approval (model:promote)."""
    found = scopes.changeable(store, caller, "model", model, "model:promote", project=project)
    made = store.promotions.requested(
        found.id, version, body.stage, force=body.force, reason=body.reason, user_id=caller.user_id
    )
    return RequestDone(found.scope, made)


def _request(store: SqlStore, caller: Principal, request_id: uuid.UUID) -> tuple[TransitionRequestRead, ProjectScope]:
    """A request whose model the caller may read (else the 404 a missing one gets)."""
    found = or_404(lambda: store.promotions.get_request(request_id))
    try:
        where = scopes.readable(store, caller, "model", found.model_id)
    except NotFoundError:  # hidden: answered as missing, word for word
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No model request '{request_id}' exists.") from None
    return found, where.scope


def get_request(store: SqlStore, caller: Principal, request_id: uuid.UUID) -> TransitionRequestRead:
    """One request with its votes (model:read)."""
    return _request(store, caller, request_id)[0]


def decide(
    store: SqlStore, caller: Principal, request_id: uuid.UUID, decision: str, body: DecisionCreate
) -> DecisionDone:
    """Approve or reject a request (model:approve in its model's project); never one's own approval."""
    found, _ = _request(store, caller, request_id)
    where = scopes.changeable(store, caller, "model", found.model_id, "model:approve")
    if decision == "approve" and found.requested_by == caller.user_id:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"You asked for request {str(request_id)[:8]}, so you cannot approve it; another user holding "
            "'model:approve' must (rejecting it withdraws it).",
        )
    made = store.promotions.decided(request_id, decision, comment=body.comment, user_id=caller.user_id)
    return DecisionDone(where.scope, made)


def list_requests(
    store: SqlStore,
    caller: Principal,
    *,
    model: str | None,
    status_: str,
    mine: str | None,
    page: int,
    size: int,
    project: str | None,
) -> Page[TransitionRequestRead]:
    """Requests of models the caller may read, newest first; ``mine``: needs_approval or requested."""
    check_page(page, size)
    model_id = scopes.readable(store, caller, "model", model, project).id if model is not None else None
    return store.promotions.list_requests(
        model=model_id,
        status=status_,
        mine=mine,
        page=page,
        size=size,
        user_id=caller.user_id,
        visibility=scopes.visibility(caller, "model"),
        approvable=caller.access.visibility("model:approve", "model"),
        project_id=scopes.project_filter(store, caller, project) if model is None else None,
    )
