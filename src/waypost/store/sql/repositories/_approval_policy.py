"""Approval policies: a model's own, else its project's (read by the stage changes and the requests alike)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from waypost.schemas.model_approvals import ApprovalPolicy
from waypost.store import model_stages as rules
from waypost.store.sql import tables as db
from waypost.store.sql.tables import utcnow


def stage_list(stages: Iterable[str]) -> list[str]:
    """``stages`` checked as settable stages, without repeats, in the order messages list stages."""
    wanted = {rules.settable_stage(stage).value for stage in stages}
    return [stage.value for stage in rules.SETTABLE if stage.value in wanted]


def effective_policy(s: Connection, model: Row[Any]) -> ApprovalPolicy:
    """The policy ``model`` (a ``models`` row) follows: its own when it has one, else its project's."""
    if model.approval_stages is not None:
        return ApprovalPolicy(stages=model.approval_stages, approvals_required=model.approvals_required, source="model")
    project = project_policy(s, model.project_id)
    return project if project is not None else ApprovalPolicy()


def project_policy(s: Connection, project_id: uuid.UUID) -> ApprovalPolicy | None:
    """A project's policy, None when it has none."""
    p = db.model_approval_policies
    row = s.execute(select(p).where(p.c.project_id == project_id)).first()
    if row is None:
        return None
    return ApprovalPolicy(stages=row.approval_stages, approvals_required=row.approvals_required, source="project")


def set_project_policy(
    s: Connection, project_id: uuid.UUID, stages: list[str], approvals: int, user_id: uuid.UUID | None
) -> None:
    """Replace a project's policy (the row is made on first use)."""
    p = db.model_approval_policies
    values = {"approval_stages": stage_list(stages), "approvals_required": approvals, "updated_at": utcnow()}
    values["updated_by"] = user_id
    found = s.execute(select(p.c.project_id).where(p.c.project_id == project_id).with_for_update()).first()
    if found is None:
        s.execute(insert(p), [{"project_id": project_id, **values}])
    else:
        s.execute(update(p).where(p.c.project_id == project_id).values(**values))
