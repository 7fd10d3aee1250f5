"""The model registry: models and their cards, versions, stages and stage history."""

from __future__ import annotations

from fastapi import APIRouter, Request

from waypost.schemas import ModelRead, ModelVersionRead, Page
from waypost.schemas.models import ModelStageChange, ModelStageTransitionRead, ModelUpdate
from waypost.server.api._params import Filter, PageNo, Size, Sort
from waypost.server.auth import trail
from waypost.server.deps import ActiveProject, CurrentUser, StoreDep
from waypost.server.services import models

router = APIRouter(prefix="/models", tags=["models"])


@router.get("", response_model=Page[ModelRead])
def list_models(
    store: StoreDep,
    user: CurrentUser,
    project: ActiveProject,
    q: Filter = "",
    sort: Sort = None,
    page: PageNo = 1,
    size: Size = 50,
) -> Page[ModelRead]:
    """Registered models matching the filter, with the versions holding staging and production."""
    return models.list_models(store, user, q, sort, page, size, project)


@router.get("/{model}", response_model=ModelRead)
def get_model(model: str, store: StoreDep, user: CurrentUser, project: ActiveProject) -> ModelRead:
    """A model by id or name: its card, metric directions, stage holders and version count."""
    return models.get_model_or_404(store, user, model, project)


@router.patch("/{model}", response_model=ModelRead)
def update_model(
    model: str, change: ModelUpdate, store: StoreDep, user: CurrentUser, project: ActiveProject
) -> ModelRead:
    """Change the description, card sections or metric directions sent (needs model:update in its project)."""
    return models.update_model(store, user, model, change, project)


@router.get("/{model}/versions", response_model=Page[ModelVersionRead])
def list_model_versions(
    model: str, store: StoreDep, user: CurrentUser, project: ActiveProject, page: PageNo = 1, size: Size = 50
) -> Page[ModelVersionRead]:
    """A model's versions, newest first."""
    return models.list_model_versions(store, user, model, page, size, project)


@router.get("/{model}/versions/{version}", response_model=ModelVersionRead)
def get_model_version(
    model: str, version: str, store: StoreDep, user: CurrentUser, project: ActiveProject
) -> ModelVersionRead:
    """A version by name, number, or stage (`production`, `staging`, `latest` …)."""
    return models.get_model_version_or_404(store, user, model, version, project)


@router.put("/{model}/versions/{version}/stage", response_model=ModelVersionRead)
def set_model_version_stage(
    model: str,
    version: str,
    change: ModelStageChange,
    request: Request,
    store: StoreDep,
    user: CurrentUser,
    project: ActiveProject,
) -> ModelVersionRead:
    """Put a version in staging, production, archived or none (needs model:promote in the model's project).

    Another version holding staging or production is a 409 unless ``force`` archives it. Putting a
    version in the stage it is in changes and records nothing.
    """
    done, where = models.set_stage(store, user, model, version, change, project)
    moved = done.version
    if done.changed:
        details = {
            "model": moved.model_name,
            "version": moved.name,
            "number": moved.number,
            "from": done.previous.value,
            "to": moved.stage.value,
            "archived": done.archived,
            "force": change.force,
            "reason": change.reason,
            "project": where,
        }
        trail.record(store, request, user, trail.MODEL_STAGE_CHANGED, f"{moved.model_name}:{moved.name}", details)
    return moved


@router.get("/{model}/transitions", response_model=Page[ModelStageTransitionRead])
def list_model_transitions(
    model: str, store: StoreDep, user: CurrentUser, project: ActiveProject, page: PageNo = 1, size: Size = 50
) -> Page[ModelStageTransitionRead]:
    """A model's stage transitions (from, to, who, why, how, when), newest first."""
    return models.list_transitions(store, user, model, page, size, project)
