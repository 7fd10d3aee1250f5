"""The model page's reads: a page of versions with metric columns, a metric across versions (model:read)."""

from __future__ import annotations

from waypost.schemas.model_views import ModelMetricSeries, ModelVersionTable
from waypost.server import scopes
from waypost.server.deps import Principal
from waypost.server.services._common import check_page
from waypost.store.sql.repositories.model_views import ModelViewsRepository
from waypost.store.sql.store import SqlStore


def split_keys(raw: str) -> list[str]:
    """The distinct keys of a comma-separated list, in order."""
    return list(dict.fromkeys(k.strip() for k in raw.split(",") if k.strip()))


def versions_table(
    store: SqlStore,
    caller: Principal,
    model: str,
    *,
    q: str,
    sort: str | None,
    page: int,
    size: int,
    metrics: str | None,
    project: str | None = None,
) -> ModelVersionTable:
    """One page of a model's versions (model:read), each with the latest values of ``metrics``.

    ``metrics`` is a comma-separated list of metadata keys; None asks for the model's keys in name order.
    """
    check_page(page, size)
    found = scopes.readable(store, caller, "model", model, project)
    wanted = split_keys(metrics) if metrics is not None else None
    repo = ModelViewsRepository(store.sessions)
    done = repo.versions_page(found.id, query=q, sort=sort, page=page, size=size, metrics=wanted)
    return ModelVersionTable(
        model_id=found.id,
        model_name=done.model_name,
        project_id=found.scope.project_id,
        owner=done.owner,
        metric_keys=done.metric_keys,
        metrics=done.metrics,
        items=done.items,
        total=done.total,
        page=page,
        size=size,
    )


def metric_series(
    store: SqlStore, caller: Principal, model: str, keys: str, project: str | None = None
) -> ModelMetricSeries:
    """The numeric values of ``keys`` (comma-separated) across a model's versions (model:read)."""
    found = scopes.readable(store, caller, "model", model, project)
    wanted = split_keys(keys)
    points = ModelViewsRepository(store.sessions).series(found.id, wanted)
    return ModelMetricSeries(keys=wanted, points=points)
