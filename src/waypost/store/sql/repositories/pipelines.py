"""Pipelines and their snapshots."""

from __future__ import annotations

import builtins
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from waypost.enums import ExecutionStatus
from waypost.exceptions import StoreError
from waypost.schemas import Page, PipelineRead, PipelineSpec, SnapshotRead
from waypost.store.sql.engine import Sessions, is_conflict
from waypost.store.sql.filtering import Field, FilterSpec
from waypost.store.sql.orm import Pipeline, PipelineRun, PipelineSnapshot, table_of
from waypost.store.sql.repositories._common import not_found, paged, parse_id

FILTERS = FilterSpec(
    fields={
        "name": Field("str", Pipeline.name),
        "created": Field("time", Pipeline.created_at),
    },
    sorts={"name": Pipeline.name, "created": Pipeline.created_at},
    default_sort="name",
    id_column=Pipeline.id,
)


class PipelineRepository:
    """Named pipelines and the snapshots of their DAGs."""

    def __init__(self, sessions: Sessions) -> None:
        self._s = sessions

    def get_or_create(self, name: str) -> PipelineRead:
        """The pipeline called ``name``, created on first use."""
        # Core, not the ORM, for the lookup every run makes: the first ORM query of a process
        # configures every mapper (~15 ms of a pipeline script's start).
        pipelines = table_of(Pipeline)
        with self._s.read_conn() as c:
            row: Any = c.execute(select(pipelines).where(pipelines.c.name == name)).first()
        if row is None:
            try:
                with self._s.write() as s:
                    row = Pipeline(name=name)
                    s.add(row)
            except StoreError as exc:
                if not is_conflict(exc):
                    raise
                with self._s.read() as s:  # another process created it first
                    row = s.scalars(select(Pipeline).where(Pipeline.name == name)).one()
        return PipelineRead.model_validate(row)

    def get(self, ref: str | uuid.UUID) -> PipelineRead:
        """A pipeline by id or name."""
        rid = parse_id(ref)
        with self._s.read() as s:
            row = s.get(Pipeline, rid) if rid else s.scalar(select(Pipeline).where(Pipeline.name == ref))
            if row is None:
                raise not_found("pipeline", ref, "run `waypost pipelines list` to see the pipelines")
            return self._with_stats(s, [row])[0]

    def list(self, query: str = "", *, sort: str | None = None, page: int = 1, size: int = 50) -> Page[PipelineRead]:
        """Pipelines with their run count and latest run."""
        with self._s.read() as s:
            rows, total = paged(s, select(Pipeline), FILTERS, query, sort, page, size)
            return Page(items=self._with_stats(s, rows), total=total, page=page, size=size)

    def _with_stats(self, s: Session, rows: builtins.list[Pipeline]) -> builtins.list[PipelineRead]:
        ids = [r.id for r in rows]
        counts = dict(
            s.execute(
                select(PipelineRun.pipeline_id, func.count())
                .where(PipelineRun.pipeline_id.in_(ids))
                .group_by(PipelineRun.pipeline_id)
            ).all()
        )
        latest_sub = (
            select(PipelineRun.pipeline_id, func.max(PipelineRun.created_at).label("m"))
            .where(PipelineRun.pipeline_id.in_(ids))
            .group_by(PipelineRun.pipeline_id)
            .subquery()
        )
        latest = {
            pid: (status, at)
            for pid, status, at in s.execute(
                select(PipelineRun.pipeline_id, PipelineRun.status, PipelineRun.created_at).join(
                    latest_sub,
                    (latest_sub.c.pipeline_id == PipelineRun.pipeline_id) & (latest_sub.c.m == PipelineRun.created_at),
                )
            )
        }
        out = []
        for r in rows:
            status, at = latest.get(r.id, (None, None))
            out.append(
                PipelineRead(
                    id=r.id,
                    name=r.name,
                    created_at=r.created_at,
                    run_count=counts.get(r.id, 0),
                    latest_run_status=ExecutionStatus(status) if status else None,
                    latest_run_at=at,
                )
            )
        return out

    def snapshot(self, pipeline_id: uuid.UUID, spec: PipelineSpec) -> SnapshotRead:
        """The snapshot of ``spec``'s structure, created when it is new."""
        h = spec.structure_hash()
        query = select(PipelineSnapshot).where(
            PipelineSnapshot.pipeline_id == pipeline_id, PipelineSnapshot.structure_hash == h
        )
        snapshots = table_of(PipelineSnapshot)
        with self._s.read_conn() as c:  # Core: see get_or_create
            row: Any = c.execute(
                select(snapshots).where(snapshots.c.pipeline_id == pipeline_id, snapshots.c.structure_hash == h)
            ).first()
        if row is None:
            try:
                with self._s.write() as s:
                    row = PipelineSnapshot(pipeline_id=pipeline_id, structure_hash=h, spec=spec.model_dump(mode="json"))
                    s.add(row)
            except StoreError as exc:
                if not is_conflict(exc):
                    raise
                with self._s.read() as s:  # another process created it first
                    row = s.scalars(query).one()
        return SnapshotRead.model_validate(row)

    def get_snapshot(self, snapshot_id: uuid.UUID) -> SnapshotRead:
        """A snapshot by id."""
        with self._s.read() as s:
            row = s.get(PipelineSnapshot, snapshot_id)
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
                select(PipelineSnapshot.spec).where(PipelineSnapshot.id == snapshot_id)
            ).scalar_one_or_none()
        if spec is None:
            raise not_found("snapshot", snapshot_id, "list a pipeline's snapshots to find one")
        return dict(spec)

    def list_snapshots(self, pipeline_id: uuid.UUID) -> builtins.list[SnapshotRead]:
        """Every snapshot of a pipeline, oldest first."""
        with self._s.read() as s:
            rows = s.scalars(
                select(PipelineSnapshot)
                .where(PipelineSnapshot.pipeline_id == pipeline_id)
                .order_by(PipelineSnapshot.created_at)
            )
            return [SnapshotRead.model_validate(r) for r in rows]
