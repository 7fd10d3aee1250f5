"""Metadata entries of runs, steps, artifact versions and model versions, as the caller may see them."""

from __future__ import annotations

import uuid

from fastapi import HTTPException, status

from waypost.schemas import MetadataRead, Page
from waypost.server import scopes
from waypost.server.deps import Principal
from waypost.server.services._common import page_of
from waypost.store.sql.store import SqlStore


def list_metadata(
    store: SqlStore,
    caller: Principal,
    *,
    run_id: uuid.UUID | None,
    step_run_id: uuid.UUID | None,
    artifact_version_id: uuid.UUID | None,
    model_version_id: uuid.UUID | None,
    page: int,
    size: int,
) -> Page[MetadataRead]:
    """Entries of the given owners, oldest first; at least one owner is required, each one the caller may read."""
    owners = {
        "run": run_id,
        "step_run": step_run_id,
        "artifact_version": artifact_version_id,
        "model_version": model_version_id,
    }
    if all(o is None for o in owners.values()):
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST,
            "Name whose metadata to list: pass run_id, step_run_id, artifact_version_id or model_version_id.",
        )
    for kind, owner in owners.items():
        if owner is not None:
            scopes.readable(store, caller, kind, owner)  # a hidden owner is not found
    entries = store.metadata.list(
        run_id=run_id,
        step_run_id=step_run_id,
        artifact_version_id=artifact_version_id,
        model_version_id=model_version_id,
    )
    return page_of(entries, page, size)
