"""Typed metadata entries attached to runs, steps, artifact versions and model versions."""

from __future__ import annotations

import math
import uuid
from typing import Any

from sqlalchemy import insert, select

from waypost.enums import MetadataType
from waypost.exceptions import ParameterError
from waypost.schemas import MetadataCreate, MetadataRead
from waypost.store.sql import tables as db
from waypost.store.sql.engine import Sessions
from waypost.store.sql.tables import utcnow

# Types filtered as numbers (value_num) and as text (value_str); a storage size is a number of bytes.
_NUMBERS = frozenset({MetadataType.INT, MetadataType.FLOAT, MetadataType.BOOL, MetadataType.STORAGE_SIZE})
_STRINGS = frozenset({MetadataType.STRING, MetadataType.URI, MetadataType.PATH, MetadataType.DTYPE})


def _row(m: MetadataCreate) -> dict[str, Any]:
    num: float | None = None
    text: str | None = None
    value = m.value
    if m.type in _NUMBERS:
        try:
            num = float(m.value)
        except (TypeError, ValueError, OverflowError):
            raise ParameterError(
                f"Metadata '{m.key}' is of type {m.type.value}, so its value must be a number, not {m.value!r:.40}."
            ) from None
        if not math.isfinite(num):
            num = None
            value = str(float(m.value))  # JSON has no NaN/Infinity; PostgreSQL and MySQL reject them
    elif m.type in _STRINGS:
        text = str(m.value)[:255]
    return {
        "id": uuid.uuid4(),
        "created_at": utcnow(),  # one per entry, as the order of a batch's entries is read back by time
        "key": m.key,
        "type": m.type.value,
        "value_json": value,
        "value_num": num,
        "value_str": text,
        "run_id": m.run_id,
        "step_run_id": m.step_run_id,
        "artifact_version_id": m.artifact_version_id,
        "model_version_id": m.model_version_id,
    }


class MetadataRepository:
    """Metadata entries."""

    def __init__(self, sessions: Sessions) -> None:
        self._s = sessions

    def add(self, entries: list[MetadataCreate]) -> None:
        """Store entries in one transaction."""
        if not entries:
            return
        with self._s.write() as c:
            c.execute(insert(db.metadata_entries), [_row(m) for m in entries])

    def list(
        self,
        *,
        run_id: uuid.UUID | None = None,
        step_run_id: uuid.UUID | None = None,
        artifact_version_id: uuid.UUID | None = None,
        model_version_id: uuid.UUID | None = None,
    ) -> list[MetadataRead]:
        """Entries for whichever owners are given, oldest first."""
        stmt = select(db.metadata_entries)
        for col, val in (
            (db.metadata_entries.c.run_id, run_id),
            (db.metadata_entries.c.step_run_id, step_run_id),
            (db.metadata_entries.c.artifact_version_id, artifact_version_id),
            (db.metadata_entries.c.model_version_id, model_version_id),
        ):
            if val is not None:
                stmt = stmt.where(col == val)
        with self._s.read() as s:
            return [
                MetadataRead(
                    id=r.id,
                    key=r.key,
                    value=float(r.value_json) if r.type == MetadataType.FLOAT.value else r.value_json,
                    type=MetadataType(r.type),
                    run_id=r.run_id,
                    step_run_id=r.step_run_id,
                    artifact_version_id=r.artifact_version_id,
                    model_version_id=r.model_version_id,
                    created_at=r.created_at,
                )
                for r in s.execute(stmt.order_by(db.metadata_entries.c.created_at, db.metadata_entries.c.key))
            ]
