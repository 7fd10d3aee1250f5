"""The audit trail on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from waypost.schemas.common import ReadModel


class AuditEventRead(ReadModel):
    """One audited action: who (by id and name, from where), what, on what, and when."""

    id: UUID
    created_at: datetime
    actor_user_id: UUID | None = None
    actor_name: str | None = None
    client_address: str | None = None
    action: str
    target: str | None = None
    details: dict[str, Any]
