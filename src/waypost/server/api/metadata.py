"""Metadata entries."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from waypost.schemas import MetadataRead, Page
from waypost.server.api._params import PageNo, Size
from waypost.server.deps import CurrentUser, StoreDep
from waypost.server.services import metadata

router = APIRouter(prefix="/metadata", tags=["metadata"])


@router.get("", response_model=Page[MetadataRead])
def list_metadata(
    store: StoreDep,
    user: CurrentUser,
    run_id: uuid.UUID | None = None,
    step_run_id: uuid.UUID | None = None,
    artifact_version_id: uuid.UUID | None = None,
    model_version_id: uuid.UUID | None = None,
    page: PageNo = 1,
    size: Size = 50,
) -> Page[MetadataRead]:
    """Metadata logged against a run, step run, artifact version or model version, oldest first."""
    return metadata.list_metadata(
        store,
        user,
        run_id=run_id,
        step_run_id=step_run_id,
        artifact_version_id=artifact_version_id,
        model_version_id=model_version_id,
        page=page,
        size=size,
    )
