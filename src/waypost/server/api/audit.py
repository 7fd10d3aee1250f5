"""The audit log: who did what, when and from where, for those who hold ``audit_log:read``.

Rows are kept when their actor is deactivated or deleted (the actor's name is stored with each).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from waypost.schemas.audit import AuditEventRead
from waypost.schemas.common import Page
from waypost.server.api._params import Filter, PageNo, Size
from waypost.server.deps import Principal, StoreDep, authorize, require
from waypost.store.sql.repositories.audit import FILTERS, MAX_EXPORT

router = APIRouter(prefix="/audit-events", tags=["audit"])

AuditSort = Annotated[
    str | None,
    Query(max_length=32, description=f"One of {', '.join(f'`{k}`' for k in FILTERS.sorts)}; `-` sorts descending."),
]
Auditor = Annotated[Principal, Depends(require("audit_log:read"))]
CSV_COLUMNS = ("created_at", "action", "actor_name", "target", "client_address", "details")


@router.get("", response_model=Page[AuditEventRead])
def list_events(
    store: StoreDep, caller: Auditor, q: Filter = "", sort: AuditSort = "-created", page: PageNo = 1, size: Size = 50
) -> Page[AuditEventRead]:
    """Audit events matching the filter (keys: action, actor, target, address, created), newest first."""
    authorize(caller, "audit_log:read")  # organization-wide: the log spans every workspace
    return store.audit.search(q, sort=sort, page=page, size=size)


@router.get("/export.csv", response_class=StreamingResponse, responses={200: {"content": {"text/csv": {}}}})
def export_events(store: StoreDep, caller: Auditor, q: Filter = "") -> StreamingResponse:
    """The newest events matching the filter as CSV (at most 100,000 rows)."""
    authorize(caller, "audit_log:read")
    events = store.audit.export(q, limit=MAX_EXPORT)  # read before the response starts: a bad filter is a 400

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for start in range(0, len(events), 1000):
            for e in events[start : start + 1000]:
                writer.writerow(
                    [
                        e.created_at.isoformat(),
                        e.action,
                        _cell(e.actor_name),
                        _cell(e.target),
                        e.client_address or "",
                        _cell(_details(e.details)),
                    ]
                )
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if not events:
            yield buffer.getvalue()

    headers = {"Content-Disposition": 'attachment; filename="waypost-audit.csv"', "Cache-Control": "no-store"}
    return StreamingResponse(rows(), media_type="text/csv; charset=utf-8", headers=headers)


def _details(details: dict[str, object]) -> str:
    return json.dumps(details, sort_keys=True, separators=(",", ":"))


def _cell(value: str | None) -> str:
    """A cell a spreadsheet will not run as a formula (=, +, -, @ lead a formula)."""
    text = value or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
