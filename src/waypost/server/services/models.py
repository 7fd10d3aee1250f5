"""The model registry: models and their versions."""

from __future__ import annotations

from waypost.schemas import ModelRead, ModelVersionRead, Page
from waypost.server.services._common import or_404, page_of
from waypost.store.sql.store import SqlStore


def list_models(store: SqlStore, q: str, sort: str | None, page: int, size: int) -> Page[ModelRead]:
    """Registered models matching the filter ``q``."""
    return store.models.list(q, sort=sort, page=page, size=size)


def list_model_versions(store: SqlStore, model: str, page: int, size: int) -> Page[ModelVersionRead]:
    """A model's versions, newest first."""
    return page_of(or_404(lambda: store.models.list_versions(model)), page, size)


def get_model_version_or_404(store: SqlStore, model: str, version: str) -> ModelVersionRead:
    """A version by name, number or stage (``production``, ``latest`` …)."""
    return or_404(lambda: store.models.get_version(model, version))
