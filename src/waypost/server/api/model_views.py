"""The dashboard's model page: a page of versions with metric columns, and metrics across versions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from waypost.schemas.model_views import ModelMetricSeries, ModelVersionTable
from waypost.server.api._params import Filter, PageNo, Size, Sort
from waypost.server.deps import ActiveProject, CurrentUser, StoreDep
from waypost.server.services import model_views
from waypost.store.sql.repositories.model_views import MAX_METRIC_COLUMNS, MAX_SERIES_KEYS

router = APIRouter(prefix="/models", tags=["models"])

Metrics = Annotated[
    str | None,
    Query(
        max_length=20_000,
        description=(
            "Comma-separated metadata keys whose latest values each row's `metrics` holds, in column order "
            f"(at most {MAX_METRIC_COLUMNS}). Left out: the model's first {MAX_METRIC_COLUMNS} keys by name; "
            "empty: none."
        ),
    ),
]
SeriesKeys = Annotated[
    str,
    Query(
        min_length=1,
        max_length=4000,
        description=f"Comma-separated metadata keys (at most {MAX_SERIES_KEYS}) whose numeric values to chart.",
    ),
]


@router.get("/{model}/versions-table", response_model=ModelVersionTable)
def model_versions_table(
    model: str,
    store: StoreDep,
    user: CurrentUser,
    project: ActiveProject,
    q: Filter = "",
    sort: Sort = None,
    page: PageNo = 1,
    size: Size = 50,
    metrics: Metrics = None,
) -> ModelVersionTable:
    """A page of a model's versions, each with its stage, first run, tags and metric values, and every metric key.

    ``q`` filters versions (`stage:production number>10 created>7d metadata.accuracy>0.9 tag:x`);
    ``sort`` is `number`, `name`, `created`, `stage` or `metadata.KEY` (a leading `-` descends;
    `-number` by default; versions without the metric last).
    """
    return model_views.versions_table(
        store, user, model, q=q, sort=sort, page=page, size=size, metrics=metrics, project=project
    )


@router.get("/{model}/metric-series", response_model=ModelMetricSeries)
def model_metric_series(
    model: str, store: StoreDep, user: CurrentUser, project: ActiveProject, keys: SeriesKeys
) -> ModelMetricSeries:
    """The numeric values of metadata ``keys`` on each of a model's versions, oldest version first."""
    return model_views.metric_series(store, user, model, keys, project)
