"""The model registry: models and their versions, as the caller may see them (see :mod:`waypost.server.scopes`)."""

from __future__ import annotations

from waypost.schemas import ModelRead, ModelVersionRead, Page
from waypost.server import scopes
from waypost.server.deps import Principal
from waypost.server.services._common import or_404, page_of
from waypost.store.sql.store import SqlStore


def list_models(
    store: SqlStore, caller: Principal, q: str, sort: str | None, page: int, size: int, project: str | None = None
) -> Page[ModelRead]:
    """Registered models matching the filter ``q`` that the caller may read."""
    return store.models.list(
        q,
        sort=sort,
        page=page,
        size=size,
        visibility=scopes.visibility(caller, "model"),
        project_id=scopes.project_filter(store, caller, project),
    )


def list_model_versions(
    store: SqlStore, caller: Principal, model: str, page: int, size: int, project: str | None = None
) -> Page[ModelVersionRead]:
    """A model's versions, newest first."""
    found = scopes.readable(store, caller, "model", model, project)
    return page_of(or_404(lambda: store.models.list_versions(found.id)), page, size)


def get_model_version_or_404(
    store: SqlStore, caller: Principal, model: str, version: str, project: str | None = None
) -> ModelVersionRead:
    """A version by name, number or stage (``production``, ``latest`` …) of a model the caller may read."""
    found = scopes.readable(store, caller, "model", model, project)
    return or_404(lambda: store.models.get_version(model, version, project_id=found.scope.project_id))
