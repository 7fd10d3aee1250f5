"""Pipelines and their snapshots."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Row, func, select

from waypost.enums import ExecutionStatus
from waypost.exceptions import StoreError
from waypost.schemas import Page, PipelineRead, PipelineSpec, SnapshotRead
from waypost.schemas.access import DEFAULT_PROJECT_ID, Visibility
from waypost.store.sql import tables as db
from waypost.store.sql.engine import Sessions, is_conflict
from waypost.store.sql.filtering import Field, FilterSpec
from waypost.store.sql.repositories._common import (
    in_project,
    insert_row,
    not_found,
    paged,
    row_by_id,
    row_by_ref,
    tags_for,
    visible,
)

FILTERS = FilterSpec(
    fields={
        "name": Field("str", db.pipelines.c.name),
        "created": Field("time", db.pipelines.c.created_at),
    },
    sorts={"name": db.pipelines.c.name, "created": db.pipelines.c.created_at},
    default_sort="name",
    tag_resource="pipeline",
    id_column=db.pipelines.c.id,
)


class PipelineRepository:
    """Named pipelines and the snapshots of their DAGs."""

    def __init__(self, sessions: Sessions, default_project: Callable[[], uuid.UUID] | None = None) -> None:
        self._s = sessions
        self._default_project = default_project or (lambda: DEFAULT_PROJECT_ID)

    def get_or_create(self, name: str, *, project_id: uuid.UUID | None = None) -> PipelineRead:
        """The pipeline called ``name`` in ``project_id`` (default: the store's project), created on first use."""
        project_id = project_id or self._default_project()
        by_name = select(db.pipelines).where(db.pipelines.c.project_id == project_id, db.pipelines.c.name == name)
        with self._s.read_conn() as c:
            row: Any = c.execute(by_name).first()
        if row is None:
            try:
                with self._s.write() as c:
                    row = insert_row(c, db.pipelines, name=name, project_id=project_id)
            except StoreError as exc:
                if not is_conflict(exc):
                    raise
                with self._s.read_conn() as c:  # another process created it first
                    row = c.execute(by_name).one()
        return PipelineRead.model_validate(row)

    def get(self, ref: str | uuid.UUID, *, project_id: uuid.UUID | None = None) -> PipelineRead:
        """A pipeline by id or name (in ``project_id`` when given)."""
        with self._s.read() as s:
            row = row_by_ref(s, db.pipelines, ref, project_id)
            if row is None:
                raise not_found("pipeline", ref, "run `waypost pipelines list` to see the pipelines")
            return self._with_stats(s, [row])[0]

    def list(
        self,
        query: str = "",
        *,
        sort: str | None = None,
        page: int = 1,
        size: int = 50,
        visibility: Visibility | None = None,
        project_id: uuid.UUID | None = None,
    ) -> Page[PipelineRead]:
        """Pipelines with their run count and latest run; only those ``visibility`` allows, of ``project_id``."""
        stmt = select(db.pipelines)
        for cond in (visible(db.pipelines, visibility), in_project(db.pipelines, project_id)):
            if cond is not None:
                stmt = stmt.where(cond)
        with self._s.read() as s:
            rows, total = paged(s, stmt, FILTERS, query, sort, page, size)
            return Page(items=self._with_stats(s, rows), total=total, page=page, size=size)

    def _with_stats(self, s: Connection, rows: builtins.list[Row[Any]]) -> builtins.list[PipelineRead]:
        ids = [r.id for r in rows]
        counts: dict[uuid.UUID, int] = dict(
            s.execute(
                select(db.pipeline_runs.c.pipeline_id, func.count())
                .where(db.pipeline_runs.c.pipeline_id.in_(ids))
                .group_by(db.pipeline_runs.c.pipeline_id)
            ).all()
        )
        # Each pipeline's newest run time, one index seek per pipeline (a correlated max over
        # ix_runs_pipeline_created): a max grouped over an IN list walks every run of the pipelines.
        newer = db.pipeline_runs.alias("newer")
        newest = select(func.max(newer.c.created_at)).where(newer.c.pipeline_id == db.pipelines.c.id).scalar_subquery()
        latest_sub = (
            select(db.pipelines.c.id.label("pipeline_id"), newest.label("m"))
            .where(db.pipelines.c.id.in_(ids))
            .subquery()
        )
        latest = {
            pid: (status, at)
            for pid, status, at in s.execute(
                select(db.pipeline_runs.c.pipeline_id, db.pipeline_runs.c.status, db.pipeline_runs.c.created_at).join(
                    latest_sub,
                    (latest_sub.c.pipeline_id == db.pipeline_runs.c.pipeline_id)
                    & (latest_sub.c.m == db.pipeline_runs.c.created_at),
                )
            )
        }
        tags = tags_for(s, "pipeline", ids)
        out = []
        for r in rows:
            status, at = latest.get(r.id, (None, None))
            out.append(
                PipelineRead(
                    id=r.id,
                    name=r.name,
                    project_id=r.project_id,
                    created_at=r.created_at,
                    run_count=counts.get(r.id, 0),
                    latest_run_status=ExecutionStatus(status) if status else None,
                    latest_run_at=at,
                    tags=tags[r.id],
                )
            )
        return out

    def snapshot(self, pipeline_id: uuid.UUID, spec: PipelineSpec) -> SnapshotRead:
        """The snapshot of ``spec``'s structure, created when it is new."""
        h = spec.structure_hash()
        snapshots = db.pipeline_snapshots
        query = select(snapshots).where(snapshots.c.pipeline_id == pipeline_id, snapshots.c.structure_hash == h)
        with self._s.read_conn() as c:
            row: Any = c.execute(query).first()
        if row is None:
            try:
                with self._s.write() as c:
                    row = insert_row(
                        c, snapshots, pipeline_id=pipeline_id, structure_hash=h, spec=spec.model_dump(mode="json")
                    )
            except StoreError as exc:
                if not is_conflict(exc):
                    raise
                with self._s.read_conn() as c:  # another process created it first
                    row = c.execute(query).one()
        return SnapshotRead.model_validate(row)

    def get_snapshot(self, snapshot_id: uuid.UUID) -> SnapshotRead:
        """A snapshot by id."""
        with self._s.read_conn() as c:
            row = row_by_id(c, db.pipeline_snapshots, snapshot_id)
            if row is None:
                raise not_found("snapshot", snapshot_id, "list a pipeline's snapshots to find one")
            return SnapshotRead.model_validate(row)

    def snapshot_spec(self, snapshot_id: uuid.UUID) -> dict[str, Any]:
        """A snapshot's spec as the plain JSON it is stored as: no schema validation.

        For readers that walk a few fields of every step (the run graph): validating a
        10,000-step spec, source code and all, costs far more than parsing it.
        """
        with self._s.read_conn() as c:
            spec = c.execute(
                select(db.pipeline_snapshots.c.spec).where(db.pipeline_snapshots.c.id == snapshot_id)
            ).scalar_one_or_none()
        if spec is None:
            raise not_found("snapshot", snapshot_id, "list a pipeline's snapshots to find one")
        return dict(spec)

    def list_snapshots(self, pipeline_id: uuid.UUID) -> builtins.list[SnapshotRead]:
        """Every snapshot of a pipeline, oldest first."""
        with self._s.read_conn() as c:
            rows = c.execute(
                select(db.pipeline_snapshots)
                .where(db.pipeline_snapshots.c.pipeline_id == pipeline_id)
                .order_by(db.pipeline_snapshots.c.created_at)
            )
            return [SnapshotRead.model_validate(r) for r in rows]
