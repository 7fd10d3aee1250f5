"""Parameter and metadata columns of run lists: which exist, their values for a page, CSV export rows.

A column key names one value of a run:

* ``param.NAME``: the pipeline-level parameter ``NAME`` (``RunRead.parameters``);
* ``step.STEP.NAME``: parameter ``NAME`` of the step invocation ``STEP``;
* ``metadata.KEY``: metadata ``KEY`` logged on the run or on any of its steps, as the
  filter ``metadata.KEY>…`` sees it (every entry whose ``run_id`` is the run's). Where a
  run holds several entries of one key (two steps logged it), the latest logged wins.

Values for any number of runs take one query per kind of key, never one per run.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, case, select

from waypost.enums import MetadataType
from waypost.exceptions import FilterSyntaxError
from waypost.schemas.access import Visibility
from waypost.schemas.runs import RunMetadataValue, RunModelVersion, RunSummary
from waypost.store.filters import check_page
from waypost.store.sql import tables as db
from waypost.store.sql.engine import Sessions
from waypost.store.sql.filtering import conditions
from waypost.store.sql.repositories._common import tags_for
from waypost.store.sql.repositories.runs import FILTERS, count_matching, newest_ids, ordered_ids, scoped

#: The most column keys one request may ask for.
MAX_COLUMN_KEYS = 50
#: Parameter names and metadata keys are gathered from this many of the newest matching runs.
KEY_SAMPLE_RUNS = 200
#: Step parameters (one row per step run) from this many of them, so a run of 10,000 steps stays cheap.
STEP_KEY_SAMPLE_RUNS = 20
#: The most keys of each kind the columns menu is offered.
MAX_KEYS_PER_KIND = 500


@dataclass(frozen=True)
class ColumnKey:
    """One parsed column key."""

    key: str
    kind: str  # "param" | "step" | "metadata"
    name: str
    step: str | None = None


def parse_column_keys(raw: Iterable[str]) -> list[ColumnKey]:
    """Parse ``param.NAME``, ``step.STEP.NAME`` and ``metadata.KEY`` keys; raise a one-line FilterSyntaxError."""
    out: dict[str, ColumnKey] = {}
    for key in (k.strip() for k in raw):
        if not key or key in out:
            continue
        kind, _, rest = key.partition(".")
        if kind == "step":
            step, _, name = rest.rpartition(".")
            parsed = ColumnKey(key, kind, name, step) if step and name else None
        else:
            parsed = ColumnKey(key, kind, rest) if kind in ("param", "metadata") and rest else None
        if parsed is None or len(key) > 600:
            raise FilterSyntaxError(
                f"Column '{key[:80]}' is not a column key; use param.NAME, step.STEP.NAME or metadata.KEY."
            )
        out[key] = parsed
    if len(out) > MAX_COLUMN_KEYS:
        raise FilterSyntaxError(f"{len(out)} columns asked for; ask for at most {MAX_COLUMN_KEYS} at a time.")
    return list(out.values())


@dataclass
class ColumnKeys:
    """The column keys the runs matching a filter offer, each list alphabetical (any case)."""

    params: list[str] = field(default_factory=list)
    step_params: list[str] = field(default_factory=list)
    metadata: list[str] = field(default_factory=list)


@dataclass
class ExportRow:
    """What one CSV row of a run needs."""

    id: uuid.UUID
    name: str
    status: str
    pipeline: str
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    user: str | None
    stack: str | None
    tags: list[str]
    columns: dict[str, Any]


def _sorted(keys: Iterable[str]) -> list[str]:
    return sorted(set(keys), key=lambda k: (k.lower(), k))[:MAX_KEYS_PER_KIND]


def _metadata_value(type_: str, value: Any) -> Any:
    """A stored value as the API shows it: FLOAT as a float, NaN and ±Infinity as JSON-safe text."""
    # FLOAT is stored as JSON, where a whole number reads back as an int; NaN/inf as text.
    if type_ == MetadataType.FLOAT.value and isinstance(value, int | float | str):
        try:
            number = float(value)
        except ValueError:
            return value
        if math.isfinite(number):
            return number
        return "NaN" if math.isnan(number) else ("Infinity" if number > 0 else "-Infinity")
    return value


def column_values(
    s: Connection,
    ids: Sequence[uuid.UUID],
    keys: Sequence[ColumnKey],
    parameters: dict[uuid.UUID, dict[str, Any]] | None = None,
) -> dict[uuid.UUID, dict[str, Any]]:
    """The values of ``keys`` for the runs ``ids``: at most one query per kind of key.

    ``parameters`` (the runs' pipeline parameters, when the caller has them already)
    saves the query for ``param.`` keys. A run without a value has no entry for the key.
    """
    out: dict[uuid.UUID, dict[str, Any]] = {i: {} for i in ids}
    if not ids or not keys:
        return out
    params = [k for k in keys if k.kind == "param"]
    if params:
        if parameters is None:
            rows = s.execute(
                select(db.pipeline_runs.c.id, db.pipeline_runs.c.parameters).where(db.pipeline_runs.c.id.in_(ids))
            )
            parameters = {rid: p or {} for rid, p in rows}
        for rid, values in parameters.items():
            if rid in out and isinstance(values, dict):
                out[rid].update({k.key: values[k.name] for k in params if k.name in values})
    steps = [k for k in keys if k.kind == "step"]
    if steps:
        stmt = select(db.step_runs.c.run_id, db.step_runs.c.name, db.step_runs.c.parameters).where(
            db.step_runs.c.run_id.in_(ids), db.step_runs.c.name.in_({k.step for k in steps})
        )
        for rid, step, values in s.execute(stmt):
            for k in steps:
                if k.step == step and isinstance(values, dict) and k.name in values:
                    out[rid][k.key] = values[k.name]
    meta = {k.name: k.key for k in keys if k.kind == "metadata"}
    if meta:
        entries = (
            select(
                db.metadata_entries.c.run_id,
                db.metadata_entries.c.key,
                db.metadata_entries.c.type,
                db.metadata_entries.c.value_json,
            )
            .where(db.metadata_entries.c.run_id.in_(ids), db.metadata_entries.c.key.in_(meta))
            .order_by(db.metadata_entries.c.created_at, db.metadata_entries.c.id)
        )
        for rid, key, type_, value in s.execute(entries):
            out[rid][meta[key]] = _metadata_value(type_, value)  # later entries overwrite: the latest wins
    return out


class RunColumnsRepository:
    """Column keys, values and export rows of run lists."""

    def __init__(self, sessions: Sessions) -> None:
        self._s = sessions

    def values(
        self,
        ids: Sequence[uuid.UUID],
        keys: Sequence[ColumnKey],
        parameters: dict[uuid.UUID, dict[str, Any]] | None = None,
    ) -> dict[uuid.UUID, dict[str, Any]]:
        """See :func:`column_values`."""
        with self._s.read() as s:
            return column_values(s, ids, keys, parameters)

    def keys(
        self, query: str = "", *, visibility: Visibility | None = None, project_id: uuid.UUID | None = None
    ) -> ColumnKeys:
        """The parameter names and metadata keys of the newest runs matching ``query`` (that ``visibility`` allows)."""
        with self._s.read() as s:
            ids = newest_ids(s, query, None, KEY_SAMPLE_RUNS, visibility=visibility, project_id=project_id)
            if not ids:
                return ColumnKeys()
            params: set[str] = set()
            for values in s.scalars(select(db.pipeline_runs.c.parameters).where(db.pipeline_runs.c.id.in_(ids))):
                params.update(values or {})
            step_params: set[str] = set()
            step_rows = select(db.step_runs.c.name, db.step_runs.c.parameters).where(
                db.step_runs.c.run_id.in_(ids[:STEP_KEY_SAMPLE_RUNS])
            )
            for step, values in s.execute(step_rows):
                step_params.update(f"step.{step}.{name}" for name in (values or {}))
            meta = s.scalars(select(db.metadata_entries.c.key).where(db.metadata_entries.c.run_id.in_(ids)).distinct())
            return ColumnKeys(
                params=_sorted(f"param.{p}" for p in params),
                step_params=_sorted(step_params),
                metadata=_sorted(f"metadata.{m}" for m in meta),
            )

    def summary(self, run_id: uuid.UUID) -> RunSummary:
        """See :func:`run_summary`."""
        with self._s.read() as s:
            return run_summary(s, run_id)

    def sorted_page(
        self,
        query: str,
        sort: str,
        page: int,
        size: int,
        *,
        visibility: Visibility | None = None,
        project_id: uuid.UUID | None = None,
    ) -> tuple[list[uuid.UUID], int]:
        """See :func:`sorted_page`; only runs ``visibility`` allows, of ``project_id``."""
        with self._s.read() as s:
            return sorted_page(s, query, sort, page, size, scoped(visibility, project_id))

    def count(self, query: str, *, visibility: Visibility | None = None, project_id: uuid.UUID | None = None) -> int:
        """How many runs match ``query`` (of those ``visibility`` allows, of ``project_id``)."""
        with self._s.read() as s:
            return count_matching(s, query, scoped(visibility, project_id))

    def export_rows(
        self,
        query: str,
        sort: str | None,
        keys: Sequence[ColumnKey],
        *,
        tags: bool,
        chunk: int = 1000,
        visibility: Visibility | None = None,
        project_id: uuid.UUID | None = None,
    ) -> Iterator[list[ExportRow]]:
        """Every run matching ``query`` in ``sort`` order, ``chunk`` runs at a time (only those ``visibility`` allows).

        One cursor walks the ordered ids (a server-side cursor where the driver has one);
        each chunk's details take a fixed number of queries on a second session, since
        MySQL cannot run a query on a connection whose streamed result is still open.
        """
        with self._s.read() as walk, self._s.read() as s:
            ordered = sorted_ids(walk, query, sort, scoped(visibility, project_id))
            result = walk.execute(ordered.execution_options(yield_per=chunk))
            for part in result.scalars().partitions(chunk):
                yield _export_chunk(s, list(part), keys, tags=tags)


def _export_chunk(s: Connection, ids: list[uuid.UUID], keys: Sequence[ColumnKey], *, tags: bool) -> list[ExportRow]:
    run = db.pipeline_runs
    stmt = (
        select(
            run.c.id,
            run.c.name,
            run.c.status,
            run.c.created_at,
            run.c.started_at,
            run.c.ended_at,
            run.c.parameters,
            db.pipelines.c.name.label("pipeline"),
            db.stacks.c.name.label("stack"),
            db.users.c.name.label("user"),
        )
        .join(db.pipelines, db.pipelines.c.id == run.c.pipeline_id)
        .outerjoin(db.stacks, db.stacks.c.id == run.c.stack_id)
        .outerjoin(db.users, db.users.c.id == run.c.user_id)
        .where(run.c.id.in_(ids))
    )
    rows = {row.id: row for row in s.execute(stmt)}
    run_tags = tags_for(s, "run", ids) if tags else {}
    values = column_values(s, ids, keys, {i: r.parameters or {} for i, r in rows.items()})
    return [
        ExportRow(
            id=i,
            name=r.name,
            status=r.status,
            pipeline=r.pipeline,
            created_at=r.created_at,
            started_at=r.started_at,
            ended_at=r.ended_at,
            user=r.user,
            stack=r.stack,
            tags=run_tags.get(i, []),
            columns=values[i],
        )
        for i in ids
        if (r := rows.get(i)) is not None
    ]


#: The most metadata keys a run's summary lists.
MAX_SUMMARY_KEYS = 500


def run_summary(s: Connection, run_id: uuid.UUID) -> RunSummary:
    """A run's metadata, latest value per key with the step that logged it, and its model version."""
    stmt = (
        select(
            db.metadata_entries.c.key, db.metadata_entries.c.type, db.metadata_entries.c.value_json, db.step_runs.c.name
        )
        .outerjoin(db.step_runs, db.step_runs.c.id == db.metadata_entries.c.step_run_id)
        .where(db.metadata_entries.c.run_id == run_id)
        .order_by(db.metadata_entries.c.created_at, db.metadata_entries.c.id)
    )
    latest: dict[str, RunMetadataValue] = {}
    for key, type_, value, step in s.execute(stmt):
        count = latest[key].count + 1 if key in latest else 1
        latest[key] = RunMetadataValue(key=key, value=_metadata_value(type_, value), type=type_, step=step, count=count)
    keys = sorted(latest, key=lambda k: (k.lower(), k))
    mv = s.execute(
        select(
            db.model_versions.c.id,
            db.models.c.name,
            db.model_versions.c.name,
            db.model_versions.c.number,
            db.model_versions.c.stage,
        )
        .join(db.models, db.models.c.id == db.model_versions.c.model_id)
        .join(db.pipeline_runs, db.pipeline_runs.c.model_version_id == db.model_versions.c.id)
        .where(db.pipeline_runs.c.id == run_id)
    ).first()
    return RunSummary(
        run_id=run_id,
        metadata=[latest[k] for k in keys[:MAX_SUMMARY_KEYS]],
        metadata_truncated=len(keys) > MAX_SUMMARY_KEYS,
        model_version=RunModelVersion(id=mv[0], model_name=mv[1], name=mv[2], number=mv[3], stage=mv[4])
        if mv
        else None,
    )


def _latest(column: Any, key: str) -> Any:
    """The run's latest entry of metadata ``key``, as ``column`` holds it (a correlated scalar subquery)."""
    return (
        select(column)
        .where(db.metadata_entries.c.run_id == db.pipeline_runs.c.id, db.metadata_entries.c.key == key)
        .order_by(db.metadata_entries.c.created_at.desc(), db.metadata_entries.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _metadata_order(key: str, desc: bool) -> list[Any]:
    """ORDER BY for metadata ``key``: numbers by value before text, runs without it last, ties newest first."""
    num, text = _latest(db.metadata_entries.c.value_num, key), _latest(db.metadata_entries.c.value_str, key)
    has = (
        select(db.metadata_entries.c.id)
        .where(db.metadata_entries.c.run_id == db.pipeline_runs.c.id, db.metadata_entries.c.key == key)
        .exists()
    )
    return [
        case((has, 0), else_=1),
        case((num.is_(None), 1), else_=0),
        num.desc() if desc else num.asc(),
        text.desc() if desc else text.asc(),
        db.pipeline_runs.c.created_at.desc(),
        db.pipeline_runs.c.id.desc(),
    ]


def metadata_sort_key(sort: str | None) -> str | None:
    """The metadata key ``sort`` (``metadata.KEY`` or ``-metadata.KEY``) sorts by; None for any other sort."""
    if sort is None or not sort.lstrip("-+").startswith("metadata."):
        return None
    key = sort.lstrip("-+").removeprefix("metadata.")
    if not key:
        raise FilterSyntaxError("Sort by metadata as metadata.KEY (or -metadata.KEY), e.g. -metadata.accuracy.")
    return key


def sorted_ids(s: Connection, query: str, sort: str | None, scope: Sequence[Any] = ()) -> Select[uuid.UUID]:
    """The ids of the runs matching ``query`` in ``sort`` order: a list's sort keys or ``metadata.KEY``.

    Sorting by metadata reads each matching run's value through ix_metadata_run_key: fine
    to some 100,000 matching runs.
    """
    key = metadata_sort_key(sort)
    if key is None:
        return ordered_ids(s, query, sort, scope)
    desc = sort is not None and sort.startswith("-")
    matching = select(db.pipeline_runs.c.id).where(*conditions(FILTERS, query), *scope)
    return matching.order_by(*_metadata_order(key, desc))


def sorted_page(
    s: Connection, query: str, sort: str, page: int, size: int, scope: Sequence[Any] = ()
) -> tuple[list[uuid.UUID], int]:
    """One page of :func:`sorted_ids` (runs ``scope`` keeps), and how many match (counted when the page is full)."""
    check_page(page, size)
    offset = (page - 1) * size
    ids = list(s.scalars(sorted_ids(s, query, sort, scope).limit(size).offset(offset)))
    if len(ids) < size and (ids or page == 1):
        return ids, offset + len(ids)
    return ids, count_matching(s, query, scope)
