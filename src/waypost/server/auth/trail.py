"""The audit trail of account events: who did what, to what, from where (issue 10's audit log).

Each call appends one row to ``audit_events``; rows are never changed or deleted, and they stay
when their actor is deactivated (the actor's name is copied into the row).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from waypost.server.auth.throttle import client_address
from waypost.server.deps import Principal
from waypost.store.sql.store import SqlStore

API_KEY_CREATED = "api_key.created"
API_KEY_REVOKED = "api_key.revoked"
SESSION_ENDED = "session.ended"
PASSWORD_CHANGED = "password.changed"
LOGIN_LINK_CREATED = "login_link.created"
SERVICE_ACCOUNT_CREATED = "service_account.created"
SERVICE_ACCOUNT_DELETED = "service_account.deleted"
# Access control: who may do what, and the organization's structure.
GRANT_CREATED = "grant.created"
GRANT_REVOKED = "grant.revoked"
ROLE_CREATED = "role.created"
ROLE_UPDATED = "role.updated"
ROLE_DELETED = "role.deleted"
TEAM_CREATED = "team.created"
TEAM_DELETED = "team.deleted"
TEAM_MEMBER_ADDED = "team.member_added"
TEAM_MEMBER_REMOVED = "team.member_removed"
SHARE_CREATED = "share.created"
SHARE_REVOKED = "share.revoked"
WORKSPACE_CREATED = "workspace.created"
WORKSPACE_DELETED = "workspace.deleted"
PROJECT_CREATED = "project.created"
PROJECT_DELETED = "project.deleted"
# Stacks, components, secrets (names and key names only, never values) and service connectors.
STACK_CREATED = "stack.created"
STACK_UPDATED = "stack.updated"
STACK_DELETED = "stack.deleted"
STACK_WORKER_KEY_ISSUED = "stack.worker_key_issued"  # a dask orchestrator's worker_api_key given to a run
COMPONENT_CREATED = "component.created"
COMPONENT_UPDATED = "component.updated"
COMPONENT_DELETED = "component.deleted"
SECRET_CREATED = "secret.created"
SECRET_UPDATED = "secret.updated"
SECRET_DELETED = "secret.deleted"
CONNECTOR_CREATED = "connector.created"
CONNECTOR_UPDATED = "connector.updated"
CONNECTOR_DELETED = "connector.deleted"
# Accounts.
USER_CREATED = "user.created"
USER_UPDATED = "user.updated"
USER_DEACTIVATED = "user.deactivated"

# The model registry.
MODEL_STAGE_CHANGED = "model.stage_changed"  # a version put in a stage (and any holder it archived)
MODEL_STAGE_REQUESTED = "model.stage_requested"  # a pending request for a stage that needs approval
MODEL_REQUEST_APPROVED = "model.request_approved"  # one approval (the last of the quorum makes the change)
MODEL_REQUEST_REJECTED = "model.request_rejected"  # a rejection (the requester's own: withdrawn)
MODEL_APPROVAL_POLICY_CHANGED = "model.approval_policy_changed"  # a model's or a project's
MODEL_RULE_CREATED = "model.rule_created"
MODEL_RULE_UPDATED = "model.rule_updated"
MODEL_RULE_DELETED = "model.rule_deleted"
MODEL_VERSION_TAGGED = "model.version_tagged"  # tags added to or removed from a version

# Deletions of recorded work, and runs stopped by someone.
RUN_DELETED = "run.deleted"
RUN_STOPPED = "run.stopped"
RUNS_DELETED = "runs.deleted"  # a bulk deletion: one event, the runs' ids and names in its details
RUNS_ARCHIVED = "runs.archived"  # a bulk archive or restore
CLEANUP_DONE = "cleanup.done"  # a confirmed cleanup: its filter, cut-off and what it freed
TAGS_CHANGED = "tags.changed"  # tags added or removed in bulk


def record(
    store: SqlStore,
    request: Request,
    actor: Principal,
    action: str,
    target: str,
    details: dict[str, Any] | None = None,
) -> None:
    """Append ``action`` on ``target`` by ``actor``, with the caller's address."""
    store.audit.record(
        action,
        actor_user_id=actor.user_id,
        actor_name=actor.name,
        client_address=client_address(request),
        target=target,
        details=details,
    )
