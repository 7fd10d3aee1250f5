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
from waypost.store.sql import tables as db
from waypost.store.sql.engine import Sessions
from waypost.store.sql.filtering import Field, FilterSpec, conditions
from waypost.store.sql.repositories._common import insert_row, paged

_E = db.audit_events
#: The audit log's filter language: ``action:grant.* actor:ada created>7d``.
FILTERS = FilterSpec(
    fields={
        "action": Field("str", _E.c.action, help="what happened: login.failed, grant.created, api_key.revoked, …"),
        "actor": Field("str", _E.c.actor_name, help="who did it (their name when it happened)"),
        "target": Field("str", _E.c.target, help="what it was done to"),
        "address": Field("str", _E.c.client_address, help="the client's IP address"),
        "created": Field("time", _E.c.created_at, help="when: created>7d, created<2026-01-01"),
    },
    sorts={"created": _E.c.created_at, "action": _E.c.action, "actor": _E.c.actor_name},
    default_sort="-created",
    id_column=_E.c.id,
    created_column=_E.c.created_at,
)
#: The most rows one CSV export holds (the newest ones matching the filter).
MAX_EXPORT = 100_000

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
        with self._s.write() as c:
            row = insert_row(
                c,
                db.audit_events,
                action=_fit("action", action),
                actor_user_id=actor_user_id,
                actor_name=_fit("actor_name", actor_name),
                client_address=_fit("client_address", client_address),
                target=_fit("target", target),
                details=details or {},
            )
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
        stmt = select(db.audit_events.c.created_at).where(
            db.audit_events.c.action == action, db.audit_events.c.created_at > since
        )
        if target is not None:
            stmt = stmt.where(db.audit_events.c.target == _fit("target", target))
        if client_address is not None:
            stmt = stmt.where(db.audit_events.c.client_address == _fit("client_address", client_address))
        with self._s.read() as s:
            return list(s.scalars(stmt.order_by(db.audit_events.c.created_at.desc()).limit(limit)))

    def search(
        self, query: str = "", *, sort: str | None = None, page: int = 1, size: int = 50
    ) -> Page[AuditEventRead]:
        """Events matching a filter-language ``query`` (keys: action, actor, target, address, created)."""
        with self._s.read() as s:
            rows, total = paged(s, select(_E), FILTERS, query, sort, page, size)
            return Page(items=[AuditEventRead.model_validate(r) for r in rows], total=total, page=page, size=size)

    def export(self, query: str = "", *, limit: int = MAX_EXPORT) -> builtins.list[AuditEventRead]:
        """The newest ``limit`` events matching ``query``, for a CSV download."""
        stmt = select(_E).where(*conditions(FILTERS, query)).order_by(_E.c.created_at.desc(), _E.c.id).limit(limit)
        with self._s.read() as s:
            return [AuditEventRead.model_validate(r) for r in s.execute(stmt)]

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
        stmt = select(db.audit_events)
        if action is not None:
            stmt = stmt.where(
                db.audit_events.c.action.startswith(action, autoescape=True)
                if action.endswith(".")
                else db.audit_events.c.action == action
            )
        if target is not None:
            stmt = stmt.where(db.audit_events.c.target == target)
        if actor_user_id is not None:
            stmt = stmt.where(db.audit_events.c.actor_user_id == actor_user_id)
        if since is not None:
            stmt = stmt.where(db.audit_events.c.created_at > since)
        with self._s.read() as s:
            total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
            rows = s.execute(
                stmt.order_by(db.audit_events.c.created_at.desc(), db.audit_events.c.id)
                .limit(size)
                .offset((page - 1) * size)
            )
            return Page(items=[AuditEventRead.model_validate(r) for r in rows], total=total, page=page, size=size)
