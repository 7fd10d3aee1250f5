"""The model registry."""

from __future__ import annotations

from fastapi import APIRouter

from waypost.schemas import ModelRead, ModelVersionRead, Page
from waypost.server.api._params import Filter, PageNo, Size, Sort
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
    """Registered models matching the filter."""
    return models.list_models(store, user, q, sort, page, size, project)


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
