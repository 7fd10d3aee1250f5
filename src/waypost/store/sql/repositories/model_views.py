"""The model page's reads: a page of versions with metric columns, and metric values across versions.

A version's metrics are the metadata entries logged on it (``model_version_id``): with
``log_metadata(..., model_name=, model_version=)``, ``infer_model=True`` or
``get_step_context().model.log_metadata(...)``. Where a key was logged more than once, the
latest entry wins. A page takes a fixed number of queries whatever its size, never one per
version.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, case, func, select

from waypost.enums import MetadataType, ModelStages
from waypost.exceptions import FilterSyntaxError
from waypost.schemas.model_views import ModelMetricKey, ModelMetricPoint, ModelVersionRow, VersionRunRef
from waypost.store.filters import check_page
from waypost.store.sql import tables as db
from waypost.store.sql.engine import Sessions
from waypost.store.sql.filtering import Field, FilterSpec, conditions, order_by
from waypost.store.sql.repositories._common import tags_for

#: The most metric columns one page may ask for.
MAX_METRIC_COLUMNS = 100
#: The most keys one series may ask for.
MAX_SERIES_KEYS = 10
#: The most metric keys listed for a model (alphabetically).
MAX_METRIC_KEYS = 1000
#: Stages a version can be in (``latest`` is not one).
STAGES = tuple(s.value for s in ModelStages if s is not ModelStages.LATEST)

_MV, _ME = db.model_versions, db.metadata_entries
#: The entry's key as an expression no index holds. Entries are found through their version
#: (ix on model_version_id), never through ix_metadata_key_num: a key such as "accuracy" may be
#: logged on a million runs, all of which that index would walk to find a version's few entries.
_entry_key = _ME.c.key.concat("")

#: The filter language over a model's versions: ``stage:production number>10 metadata.accuracy>0.9``.
VERSION_FILTERS = FilterSpec(
    fields={
        "name": Field("str", _MV.c.name),
        "number": Field("num", _MV.c.number),
        "stage": Field("enum", _MV.c.stage, choices=STAGES),
        "created": Field("time", _MV.c.created_at),
    },
    sorts={"number": _MV.c.number, "name": _MV.c.name, "created": _MV.c.created_at, "stage": _MV.c.stage},
    default_sort="-number",
    metadata_column=_ME.c.model_version_id,
    tag_resource="model_version",
    id_column=_MV.c.id,
)


@dataclass
class VersionPage:
    """One page of versions, with the model's name, owner and metric keys."""

    model_name: str
    owner: str | None
    items: list[ModelVersionRow]
    total: int
    metric_keys: list[ModelMetricKey]
    metrics: list[str]


def metric_value(type_: str, value: Any) -> Any:
    """A stored value as the API shows it: FLOAT as a float, NaN and ±Infinity as text (JSON has neither)."""
    if type_ == MetadataType.FLOAT.value and isinstance(value, int | float | str) and not isinstance(value, bool):
        try:
            number = float(value)
        except ValueError:
            return value
        if math.isfinite(number):
            return number
        return "NaN" if math.isnan(number) else ("Infinity" if number > 0 else "-Infinity")
    return value


def _metadata_sort_key(sort: str | None) -> str | None:
    if sort is None or not sort.lstrip("-+").startswith("metadata."):
        return None
    key = sort.lstrip("-+").removeprefix("metadata.")
    if not key:
        raise FilterSyntaxError("Sort by a metric as metadata.KEY (or -metadata.KEY), e.g. -metadata.accuracy.")
    return key


def _order(conn: Connection, sort: str | None) -> list[Any]:
    """ORDER BY for ``sort``: a column of the versions, or ``metadata.KEY`` (versions without it last)."""
    key = _metadata_sort_key(sort)
    if key is None:
        return order_by(VERSION_FILTERS, sort, conn.dialect.name)
    latest = (
        select(_ME.c.value_num)
        .where(_ME.c.model_version_id == _MV.c.id, _entry_key == key)
        .order_by(_ME.c.created_at.desc(), _ME.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    desc = sort is not None and sort.startswith("-")
    return [case((latest.is_(None), 1), else_=0), latest.desc() if desc else latest.asc(), _MV.c.number.desc()]


def metric_keys(conn: Connection, model_id: uuid.UUID) -> list[ModelMetricKey]:
    """Every metadata key logged on a version of the model, and whether any of its values is a number."""
    versions = select(_MV.c.id).where(_MV.c.model_id == model_id)
    rows = conn.execute(
        select(_ME.c.key, func.count(_ME.c.value_num))
        .where(_ME.c.model_version_id.in_(versions))
        .group_by(_ME.c.key)
        .order_by(_ME.c.key)
        .limit(MAX_METRIC_KEYS)
    )
    found = [ModelMetricKey(key=key, numeric=bool(numbers)) for key, numbers in rows]
    return sorted(found, key=lambda k: (k.key.lower(), k.key))


def metric_values(conn: Connection, ids: Sequence[uuid.UUID], keys: Sequence[str]) -> dict[uuid.UUID, dict[str, Any]]:
    """The latest value of each of ``keys`` logged on each version of ``ids`` (one query)."""
    out: dict[uuid.UUID, dict[str, Any]] = {i: {} for i in ids}
    if not ids or not keys:
        return out
    entries = (
        select(_ME.c.model_version_id, _ME.c.key, _ME.c.type, _ME.c.value_json)
        .where(_ME.c.model_version_id.in_(ids), _entry_key.in_(keys))
        .order_by(_ME.c.created_at, _ME.c.id)
    )
    for vid, key, type_, value in conn.execute(entries):
        out[vid][key] = metric_value(type_, value)  # a later entry overwrites: the latest wins
    return out


def first_runs(conn: Connection, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, tuple[VersionRunRef, int]]:
    """Per version of ``ids``: its first linked run and how many runs are linked (one query)."""
    if not ids:
        return {}
    mvr, run = db.model_version_runs, db.pipeline_runs
    by_version = mvr.c.model_version_id
    ranked = (
        select(
            by_version.label("version_id"),
            run.c.id,
            run.c.name,
            run.c.status,
            run.c.pipeline_id,
            run.c.user_id,
            func.row_number().over(partition_by=by_version, order_by=(run.c.created_at, run.c.id)).label("rn"),
            func.count().over(partition_by=by_version).label("n"),
        )
        .join(run, run.c.id == mvr.c.run_id)
        .where(by_version.in_(ids))
        .subquery()
    )
    stmt = (
        select(ranked, db.pipelines.c.name.label("pipeline_name"), db.users.c.name.label("user_name"))
        .outerjoin(db.pipelines, db.pipelines.c.id == ranked.c.pipeline_id)
        .outerjoin(db.users, db.users.c.id == ranked.c.user_id)
        .where(ranked.c.rn == 1)
    )
    return {
        r.version_id: (
            VersionRunRef(id=r.id, name=r.name, status=r.status, pipeline_name=r.pipeline_name, user_name=r.user_name),
            int(r.n),
        )
        for r in conn.execute(stmt)
    }


def model_owner(conn: Connection, model_id: uuid.UUID) -> str | None:
    """Who ran the first run linked to a version of the model (None: no run, or one without a user)."""
    mvr, run = db.model_version_runs, db.pipeline_runs
    stmt = (
        select(db.users.c.name)
        .select_from(mvr)
        .join(_MV, _MV.c.id == mvr.c.model_version_id)
        .join(run, run.c.id == mvr.c.run_id)
        .join(db.users, db.users.c.id == run.c.user_id)
        .where(_MV.c.model_id == model_id)
        .order_by(run.c.created_at, run.c.id)
        .limit(1)
    )
    return conn.scalar(stmt)


def _row(
    r: Row[Any], run: tuple[VersionRunRef, int] | None, tags: list[str], metrics: dict[str, Any]
) -> ModelVersionRow:
    return ModelVersionRow(
        id=r.id,
        number=r.number,
        name=r.name,
        stage=ModelStages(r.stage),
        stage_since=r.stage_since,
        description=r.description,
        created_at=r.created_at,
        run=run[0] if run else None,
        run_count=run[1] if run else 0,
        tags=tags,
        metrics=metrics,
    )


class ModelViewsRepository:
    """Reads for the dashboard's model page."""

    def __init__(self, sessions: Sessions) -> None:
        self._s = sessions

    def versions_page(
        self,
        model_id: uuid.UUID,
        *,
        query: str = "",
        sort: str | None = None,
        page: int = 1,
        size: int = 50,
        metrics: Sequence[str] | None = None,
    ) -> VersionPage:
        """Versions of the model matching ``query`` in ``sort`` order, with the values of ``metrics``.

        ``metrics`` None: the first :data:`MAX_METRIC_COLUMNS` keys of the model, alphabetically.
        """
        check_page(page, size)
        if metrics is not None and len(metrics) > MAX_METRIC_COLUMNS:
            raise FilterSyntaxError(f"{len(metrics)} metrics asked for; ask for at most {MAX_METRIC_COLUMNS}.")
        with self._s.read() as s:
            where = [_MV.c.model_id == model_id, *conditions(VERSION_FILTERS, query)]
            total = s.scalar(select(func.count()).select_from(_MV).where(*where)) or 0
            stmt = select(_MV).where(*where).order_by(*_order(s, sort)).limit(size).offset((page - 1) * size)
            rows = s.execute(stmt).all()
            keys = metric_keys(s, model_id)
            wanted = list(metrics) if metrics is not None else [k.key for k in keys[:MAX_METRIC_COLUMNS]]
            ids = [r.id for r in rows]
            values = metric_values(s, ids, wanted)
            runs = first_runs(s, ids)
            tags = tags_for(s, "model_version", ids)
            name = s.scalar(select(db.models.c.name).where(db.models.c.id == model_id)) or ""
            owner = model_owner(s, model_id)
        items = [_row(r, runs.get(r.id), tags[r.id], values[r.id]) for r in rows]
        return VersionPage(model_name=name, owner=owner, items=items, total=total, metric_keys=keys, metrics=wanted)

    def series(self, model_id: uuid.UUID, keys: Sequence[str]) -> list[ModelMetricPoint]:
        """The numeric values of ``keys`` on each version of the model that has one, oldest version first."""
        if not keys:
            return []
        if len(keys) > MAX_SERIES_KEYS:
            raise FilterSyntaxError(f"{len(keys)} metrics asked for; chart at most {MAX_SERIES_KEYS} at a time.")
        stmt = (
            select(_MV.c.id, _MV.c.number, _MV.c.name, _MV.c.stage, _ME.c.key, _ME.c.value_num)
            .join(_ME, _ME.c.model_version_id == _MV.c.id)
            .where(_MV.c.model_id == model_id, _entry_key.in_(keys), _ME.c.value_num.is_not(None))
            .order_by(_ME.c.created_at, _ME.c.id)
        )
        points: dict[uuid.UUID, ModelMetricPoint] = {}
        with self._s.read_conn() as s:
            for vid, number, name, stage, key, value in s.execute(stmt):
                point = points.get(vid)
                if point is None:
                    point = points[vid] = ModelMetricPoint(
                        version_id=vid, number=number, name=name, stage=ModelStages(stage), values={}
                    )
                point.values[key] = float(value)  # a later entry overwrites: the latest wins
        return sorted(points.values(), key=lambda p: p.number)
