"""Models, their versions and stages, as the caller may see and change them (see :mod:`waypost.server.scopes`)."""

from __future__ import annotations

from waypost.schemas import ModelRead, ModelVersionRead, Page
from waypost.schemas.models import ModelStageChange, ModelStageTransitionRead, ModelUpdate
from waypost.server import scopes
from waypost.server.deps import Principal
from waypost.server.services._common import or_404, page_of
from waypost.store.sql.repositories.model_stages import StageChange
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


def get_model_or_404(store: SqlStore, caller: Principal, model: str, project: str | None = None) -> ModelRead:
    """A model the caller may read, with its card and stage holders."""
    found = scopes.readable(store, caller, "model", model, project)
    return or_404(lambda: store.models.get(found.id))


def update_model(
    store: SqlStore, caller: Principal, model: str, change: ModelUpdate, project: str | None = None
) -> ModelRead:
    """Change a model's description, card or metric directions (model:update)."""
    found = scopes.changeable(store, caller, "model", model, "model:update", project=project)
    return or_404(lambda: store.models.update(found.id, change))


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
    return or_404(lambda: store.models.get_version(str(found.id), version))


def set_stage(
    store: SqlStore, caller: Principal, model: str, version: str, change: ModelStageChange, project: str | None = None
) -> tuple[StageChange, str]:
    """Put a version in a stage (model:promote in the model's project); another holder without force is a 409.

    Returns what changed and the model's project as ``workspace/project``, for the audit trail.
    """
    found = scopes.changeable(store, caller, "model", model, "model:promote", project=project)
    done = store.models.change_stage(
        found.id, version, change.stage, force=change.force, reason=change.reason, user_id=caller.user_id
    )
    return done, found.scope.path


def list_transitions(
    store: SqlStore, caller: Principal, model: str, page: int, size: int, project: str | None = None
) -> Page[ModelStageTransitionRead]:
    """A model's stage transitions, newest first."""
    found = scopes.readable(store, caller, "model", model, project)
    return store.models.transitions(found.id, page=page, size=size)
