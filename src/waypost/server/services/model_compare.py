"""Comparing versions of a model side by side (model:read)."""

from __future__ import annotations

from waypost.schemas.model_compare import ModelComparison
from waypost.server import scopes
from waypost.server.deps import Principal
from waypost.store.sql.repositories.model_compare import ModelCompareRepository, split_refs
from waypost.store.sql.store import SqlStore


def compare_versions(
    store: SqlStore, caller: Principal, model: str, versions: str, project: str | None = None
) -> ModelComparison:
    """Versions ``versions`` (comma-separated ids, names, numbers or stages) of ``model`` side by side (model:read)."""
    refs = split_refs(versions)
    found = scopes.readable(store, caller, "model", model, project)
    return ModelCompareRepository(store.sessions).compare(found.id, refs)
