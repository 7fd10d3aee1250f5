"""A model version's page (its runs and artifact versions by role, its tags) and a model's stage status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from waypost.schemas import Page
from waypost.schemas.model_links import (
    ArtifactRole,
    ModelStageStatus,
    RunRole,
    VersionArtifactLink,
    VersionLinkCounts,
    VersionRunLink,
    VersionTagsChange,
)
from waypost.server.api._params import PageNo, Size
from waypost.server.auth import trail
from waypost.server.deps import ActiveProject, CurrentUser, StoreDep
from waypost.server.services import model_links

router = APIRouter(prefix="/models", tags=["models"])


@router.get("/{model}/stage-status", response_model=ModelStageStatus)
def model_stage_status(model: str, store: StoreDep, user: CurrentUser, project: ActiveProject) -> ModelStageStatus:
    """Who holds production, staging and latest, since when, and how the latest runs consuming it fared."""
    return model_links.stage_status(store, user, model, project)


@router.get("/{model}/versions/{version}/link-counts", response_model=VersionLinkCounts)
def model_version_link_counts(
    model: str, version: str, store: StoreDep, user: CurrentUser, project: ActiveProject
) -> VersionLinkCounts:
    """How many runs (producer, attached, consumer) and artifact versions (model, data, deployment, other) it has."""
    return model_links.link_counts(store, user, model, version, project)


@router.get("/{model}/versions/{version}/runs", response_model=Page[VersionRunLink])
def model_version_runs(
    model: str,
    version: str,
    store: StoreDep,
    user: CurrentUser,
    project: ActiveProject,
    role: Annotated[RunRole | None, Query(description="producer, attached or consumer; left out: all.")] = None,
    page: PageNo = 1,
    size: Size = 50,
) -> Page[VersionRunLink]:
    """Runs linked to the version, newest first: the one that made it, later ones naming it, consumers."""
    return model_links.version_runs(store, user, model, version, role=role, page=page, size=size, project=project)


@router.get("/{model}/versions/{version}/artifacts", response_model=Page[VersionArtifactLink])
def model_version_artifacts(
    model: str,
    version: str,
    store: StoreDep,
    user: CurrentUser,
    project: ActiveProject,
    role: Annotated[ArtifactRole | None, Query(description="model, data, deployment or other; left out: all.")] = None,
    name: Annotated[str | None, Query(max_length=255, description="Only artifacts of this name.")] = None,
    page: PageNo = 1,
    size: Size = 50,
) -> Page[VersionArtifactLink]:
    """Artifact versions linked to the version, by role, name and newest first, with their stored visualizations."""
    return model_links.version_artifacts(
        store, user, model, version, role=role, name=name, page=page, size=size, project=project
    )


@router.patch("/{model}/versions/{version}/tags", response_model=list[str])
def change_model_version_tags(
    model: str,
    version: str,
    change: VersionTagsChange,
    request: Request,
    store: StoreDep,
    user: CurrentUser,
    project: ActiveProject,
) -> list[str]:
    """Add and remove tags on a version (needs model:update); answers the version's tags after."""
    tags, model_name, version_name = model_links.change_tags(store, user, model, version, change, project)
    details = {"add": change.add, "remove": change.remove, "tags": tags}
    trail.record(store, request, user, trail.MODEL_VERSION_TAGGED, f"{model_name}:{version_name}", details)
    return tags
