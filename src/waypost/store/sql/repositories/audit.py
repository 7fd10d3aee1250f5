"""The audit trail: one row per security-relevant action (logins now; key and account changes later).

Rows are only ever added. Lock-out reads recent ``login.failed`` rows here rather than keeping
counters in memory, so a lock holds across restarts and across several server processes.
"""

from __future__ import annotations

import builtins
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from waypost.schemas.audit import AuditEventRead
from waypost.schemas.common import Page
from waypost.store.filters import check_page
from waypost.store.sql.engine import Sessions
from waypost.store.sql.orm import AuditEvent

#: Column widths, so an over-long value is cut rather than refused: an audit row must always be written.
_WIDTHS = {"actor_name": 255, "client_address": 64, "action": 64, "target": 255}


def _fit(field: str, value: str | None) -> str | None:
    return value[: _WIDTHS[field]] if value is not None else None


class AuditRepository:
    """Append and query audit events."""

    def __init__(self, sessions: Sessions) -> None:
        self._s = sessions

    def record(
        self,
        action: str,
        *,
        actor_user_id: uuid.UUID | None = None,
        actor_name: str | None = None,
        client_address: str | None = None,
        target: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> AuditEventRead:
        """Append one event and return it."""
        row = AuditEvent(
            action=_fit("action", action),
            actor_user_id=actor_user_id,
            actor_name=_fit("actor_name", actor_name),
            client_address=_fit("client_address", client_address),
            target=_fit("target", target),
            details=details or {},
        )
        with self._s.write() as s:
            s.add(row)
            s.flush()
            return AuditEventRead.model_validate(row)

    def times(
        self,
        action: str,
        *,
        since: datetime,
        target: str | None = None,
        client_address: str | None = None,
        limit: int = 100,
    ) -> builtins.list[datetime]:
        """When ``action`` happened after ``since`` (to ``target``, from ``client_address``), newest first."""
        stmt = select(AuditEvent.created_at).where(AuditEvent.action == action, AuditEvent.created_at > since)
        if target is not None:
            stmt = stmt.where(AuditEvent.target == _fit("target", target))
        if client_address is not None:
            stmt = stmt.where(AuditEvent.client_address == _fit("client_address", client_address))
        with self._s.read() as s:
            return list(s.scalars(stmt.order_by(AuditEvent.created_at.desc()).limit(limit)))

    def list(
        self,
        *,
        action: str | None = None,
        target: str | None = None,
        actor_user_id: uuid.UUID | None = None,
        since: datetime | None = None,
        page: int = 1,
        size: int = 50,
    ) -> Page[AuditEventRead]:
        """Events, newest first; ``action`` ending in ``.`` matches a family (``"login."``)."""
        check_page(page, size)
        stmt = select(AuditEvent)
        if action is not None:
            stmt = stmt.where(
                AuditEvent.action.startswith(action, autoescape=True)
                if action.endswith(".")
                else AuditEvent.action == action
            )
        if target is not None:
            stmt = stmt.where(AuditEvent.target == target)
        if actor_user_id is not None:
            stmt = stmt.where(AuditEvent.actor_user_id == actor_user_id)
        if since is not None:
            stmt = stmt.where(AuditEvent.created_at > since)
        with self._s.read() as s:
            total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
            rows = s.scalars(
                stmt.order_by(AuditEvent.created_at.desc(), AuditEvent.id).limit(size).offset((page - 1) * size)
            )
            return Page(items=[AuditEventRead.model_validate(r) for r in rows], total=total, page=page, size=size)
