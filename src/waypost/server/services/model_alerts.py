"""Alerts about stage requests and their decisions, through the alerter of the model's workspace's default stack.

A request is made on the server, not in a run, so there is no run's stack to ask: the workspace's
``default`` stack speaks for it. Sending is best-effort and happens after the answer went out (a
background task): no alerter means no message, and a failure to deliver is logged, never raised.
"""

from __future__ import annotations

import logging
import uuid

from waypost.schemas.model_approvals import TransitionRequestRead
from waypost.schemas.stacks import ComponentType
from waypost.stacks.alerting import AlerterFlavor, AlertError
from waypost.store.sql.repositories.stacks import default_stack_ids
from waypost.store.sql.store import SqlStore

log = logging.getLogger("waypost.server.alerts")


def send(store: SqlStore, workspace_id: uuid.UUID, message: str) -> bool:
    """Post ``message`` through the default stack's alerter of ``workspace_id``; whether it was delivered."""
    try:
        components = store.stacks.resolved_components(default_stack_ids(workspace_id)[0], workspace_id=workspace_id)
    except Exception as exc:  # a stack that cannot be resolved (a missing secret) must not fail the request
        log.warning("No alert sent: the default stack of workspace %s cannot be used (%s)", workspace_id, exc)
        return False
    found = components.get(ComponentType.ALERTER)
    if found is None:
        return False
    flavor, config, credentials = found
    if not issubclass(flavor, AlerterFlavor):
        return False
    try:
        flavor.post(config, message, credentials)
    except AlertError as exc:
        log.warning("The %s alerter did not deliver a model request alert: %s", flavor.name, exc)
        return False
    except Exception:
        log.exception("The %s alerter failed on a model request alert", flavor.name)
        return False
    return True


def _subject(r: TransitionRequestRead) -> str:
    return f"version {r.version_name} of model '{r.model_name}' into {r.to_stage.value}"


def requested(r: TransitionRequestRead, where: str) -> str:
    """The message about a new pending request."""
    who = f"rule '{r.rule}'" if r.how == "rule" else (r.requested_by_name or "someone")
    why = f" Reason: {r.reason}." if r.reason else ""
    return (
        f"Waypost: {who} asks to move {_subject(r)} ({where}); it needs {r.approvals_required} "
        f"approval{'s' if r.approvals_required != 1 else ''}.{why} "
        f"Decide with `waypost model approve {r.id}` or `waypost model reject {r.id}`."
    )


def decided(r: TransitionRequestRead, by: str, where: str) -> str:
    """The message about a vote on a request: approved (done or not yet), rejected, or withdrawn."""
    vote = r.votes[-1] if r.votes else None
    said = f' ("{vote.comment}")' if vote is not None and vote.comment else ""
    if r.status == "approved":
        names = ", ".join(v.user_name or "a removed user" for v in r.votes if v.decision == "approve")
        return f"Waypost: {_subject(r)} ({where}) is done: approved by {names}{said}."
    if r.status == "rejected":
        return f"Waypost: {by} rejected moving {_subject(r)} ({where}){said}; nothing changed."
    if r.status == "cancelled":
        return f"Waypost: {by} withdrew the request to move {_subject(r)} ({where}){said}."
    return (
        f"Waypost: {by} approved moving {_subject(r)} ({where}){said}; "
        f"{r.approvals} of {r.approvals_required} approvals."
    )
