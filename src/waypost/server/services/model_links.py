"""A model version's runs and artifact versions by role, its tags, and a model's stage status (model:read;
tags need model:update). Runs and artifacts show only what the caller may read."""

from __future__ import annotations

import uuid

from waypost.schemas import Page
from waypost.schemas.model_links import (
    ModelStageStatus,
    VersionArtifactLink,
    VersionLinkCounts,
    VersionRunLink,
    VersionTagsChange,
)
from waypost.server import scopes
from waypost.server.deps import Principal
from waypost.server.services._common import check_page, or_404
from waypost.store.sql.repositories.model_links import ModelLinksRepository
from waypost.store.sql.store import SqlStore


def _version(
    store: SqlStore, caller: Principal, model: str, version: str, project: str | None
) -> tuple[uuid.UUID, uuid.UUID]:
    """The ids of a readable model's version (by name, number, id or stage) and of its project."""
    found = scopes.readable(store, caller, "model", model, project)
    got = or_404(lambda: store.models.get_version(str(found.id), version))
    return got.id, found.scope.project_id


def link_counts(
    store: SqlStore, caller: Principal, model: str, version: str, project: str | None = None
) -> VersionLinkCounts:
    """How many runs and artifact versions of each role the version has."""
    version_id, _ = _version(store, caller, model, version, project)
    return ModelLinksRepository(store.sessions).counts(
        version_id, runs=scopes.visibility(caller, "run"), artifacts=scopes.visibility(caller, "artifact")
    )


def version_runs(
    store: SqlStore,
    caller: Principal,
    model: str,
    version: str,
    *,
    role: str | None,
    page: int,
    size: int,
    project: str | None = None,
) -> Page[VersionRunLink]:
    """Runs linked to the version, of ``role`` when given, newest first."""
    check_page(page, size)
    version_id, _ = _version(store, caller, model, version, project)
    return ModelLinksRepository(store.sessions).runs(
        version_id, role=role, visibility=scopes.visibility(caller, "run"), page=page, size=size
    )


def version_artifacts(
    store: SqlStore,
    caller: Principal,
    model: str,
    version: str,
    *,
    role: str | None,
    page: int,
    size: int,
    name: str | None = None,
    project: str | None = None,
) -> Page[VersionArtifactLink]:
    """Artifact versions linked to the version, of ``role`` and named ``name`` when given."""
    check_page(page, size)
    version_id, _ = _version(store, caller, model, version, project)
    return ModelLinksRepository(store.sessions).artifacts(
        version_id, role=role, name=name, visibility=scopes.visibility(caller, "artifact"), page=page, size=size
    )


def stage_status(store: SqlStore, caller: Principal, model: str, project: str | None = None) -> ModelStageStatus:
    """Each stage's holder, since when, and how its latest consumer runs (those the caller may read) fared."""
    found = scopes.readable(store, caller, "model", model, project)
    return ModelLinksRepository(store.sessions).stage_status(found.id, visibility=scopes.visibility(caller, "run"))


def change_tags(
    store: SqlStore, caller: Principal, model: str, version: str, change: VersionTagsChange, project: str | None = None
) -> tuple[list[str], str, str]:
    """Tag and untag a version (model:update); its tags after, its model's name and the version's name."""
    found = scopes.changeable(store, caller, "model", model, "model:update", project=project)
    got = or_404(lambda: store.models.get_version(str(found.id), version))
    tags = ModelLinksRepository(store.sessions).change_tags(
        got.id, found.scope.project_id, add=change.add, remove=change.remove
    )
    return tags, got.model_name, got.name
