"""Pipeline runs: create, status changes, heartbeats, crash detection, listing."""

from __future__ import annotations

import builtins
import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import Any

import psutil
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from waypost.enums import ExecutionStatus
from waypost.schemas import Page, RunCreate, RunRead
from waypost.store.filters import Term
from waypost.store.sql.engine import Sessions
from waypost.store.sql.filtering import Condition, Field, FilterSpec, compare
from waypost.store.sql.orm import (
    MetadataEntry,
    ModelVersion,
    ModelVersionRun,
    Pipeline,
    PipelineRun,
    Stack,
    StepRun,
    User,
    table_of,
    utcnow,
)
from waypost.store.sql.orm import Model as ModelRow
from waypost.store.sql.repositories._common import add_tags, not_found, paged, parse_id, tags_for

_STATUSES = tuple(s.value for s in ExecutionStatus)
_CENTURY_S = 100 * 365 * 86400.0
_ACTIVE = (ExecutionStatus.INITIALIZING.value, ExecutionStatus.RUNNING.value)


def _via(column: Any, target_id: Any, name_col: Any) -> Field:
    def build(term: Term) -> Condition:
        inner = compare(Field("str", name_col), Term(term.key, term.op, term.values))
        return column.in_(select(target_id).where(inner))  # type: ignore[no-any-return]  # untyped column

    return Field("custom", custom=build)


def _model_filter(term: Term) -> Condition:
    inner = compare(Field("str", ModelRow.name), Term("model", term.op, term.values))
    sub = select(ModelVersionRun.run_id).join(ModelVersion).join(ModelRow).where(inner)
    return PipelineRun.id.in_(sub)


FILTERS = FilterSpec(
    fields={
        "status": Field("enum", PipelineRun.status, choices=_STATUSES),
        "name": Field("str", PipelineRun.name),
        "id": Field("uuid", PipelineRun.id),
        "pipeline": _via(PipelineRun.pipeline_id, Pipeline.id, Pipeline.name),
        "user": _via(PipelineRun.user_id, User.id, User.name),
        "stack": _via(PipelineRun.stack_id, Stack.id, Stack.name),
        "model": Field("custom", custom=_model_filter),
        "orchestrator": Field("str", PipelineRun.orchestrator),
        "created": Field("time", PipelineRun.created_at),
        "started": Field("time", PipelineRun.started_at),
        "ended": Field("time", PipelineRun.ended_at),
    },
    sorts={
        "created": PipelineRun.created_at,
        "started": PipelineRun.started_at,
        "ended": PipelineRun.ended_at,
        "name": PipelineRun.name,
        "status": PipelineRun.status,
    },
    default_sort="-created",
    metadata_column=MetadataEntry.run_id,
    tag_resource="run",
    id_column=PipelineRun.id,
)


def to_read(row: PipelineRun, tags: builtins.list[str], counts: dict[str, int]) -> RunRead:
    """Build the wire schema from a row and its looked-up extras."""
    return RunRead(
        id=row.id,
        name=row.name,
        pipeline_id=row.pipeline_id,
        pipeline_name=row.pipeline.name,
        snapshot_id=row.snapshot_id,
        status=ExecutionStatus(row.status),
        status_reason=row.status_reason,
        config=row.config,
        parameters=row.parameters,
        orchestrator=row.orchestrator,
        orchestrator_run_id=row.orchestrator_run_id,
        stack_id=row.stack_id,
        stack_name=row.stack.name if row.stack else None,
        user_id=row.user_id,
        user_name=row.user.name if row.user else None,
        created_at=row.created_at,
        started_at=row.started_at,
        ended_at=row.ended_at,
        heartbeat_at=row.heartbeat_at,
        model_version_id=row.model_version_id,
        tags=tags,
        step_counts=counts,
    )


class RunRepository:
    """Pipeline runs."""

    def __init__(self, sessions: Sessions) -> None:
        self._s = sessions

    def create(self, run: RunCreate) -> RunRead:
        """Record a new run (one transaction, no read-back: this is on every run's path)."""
        now = utcnow()
        values = run.model_dump(exclude={"tags"})
        values.update(
            id=uuid.uuid4(), created_at=now, host=socket.gethostname(), pid=os.getpid(), heartbeat_at=now, ended_at=None
        )
        with self._s.write_conn() as c:
            pipeline_name = c.execute(select(Pipeline.name).where(Pipeline.id == run.pipeline_id)).scalar_one_or_none()
            if pipeline_name is None:
                raise not_found("pipeline", run.pipeline_id, "create the pipeline first")
            c.execute(insert(table_of(PipelineRun)), [values])
            add_tags(c, "run", values["id"], run.tags)
            if run.model_version_id:
                c.execute(
                    insert(table_of(ModelVersionRun)),
                    [{"model_version_id": run.model_version_id, "run_id": values["id"]}],
                )
        return RunRead(
            **values,
            pipeline_name=pipeline_name,
            tags=sorted({t.strip() for t in run.tags if t.strip()}),
            step_counts={},
        )

    def set_status(
        self,
        run_id: uuid.UUID,
        status: ExecutionStatus,
        *,
        reason: str | None = None,
        started_at: datetime | None = None,
        ended_at: datetime | None = None,
    ) -> None:
        """Change a run's status (a finished run is never reopened)."""
        values: dict[str, object] = {"status": status.value, "heartbeat_at": utcnow()}
        if reason is not None:
            values["status_reason"] = reason
        if started_at is not None:
            values["started_at"] = started_at
        if ended_at is not None:
            values["ended_at"] = ended_at
        t = table_of(PipelineRun)
        with self._s.write_conn() as c:
            c.execute(update(t).where(t.c.id == run_id, t.c.status.in_(_ACTIVE)).values(**values))

    def heartbeat(self, run_id: uuid.UUID) -> None:
        """Say the run's orchestrator is alive."""
        t = table_of(PipelineRun)
        with self._s.write_conn() as c:
            c.execute(update(t).where(t.c.id == run_id).values(heartbeat_at=utcnow()))

    def get(self, ref: str | uuid.UUID) -> RunRead:
        """A run by id or name."""
        rid = parse_id(ref)
        with self._s.read() as s:
            row = s.get(PipelineRun, rid) if rid else s.scalar(select(PipelineRun).where(PipelineRun.name == ref))
            if row is None:
                raise not_found("run", ref, "run `waypost runs list` to see the runs")
            return self._reads(s, [row])[0]

    def list(self, query: str = "", *, sort: str | None = None, page: int = 1, size: int = 50) -> Page[RunRead]:
        """Runs matching the filter ``query``, newest first by default."""
        with self._s.read() as s:
            # The page's ids first (an index scan), then their columns as plain rows: building
            # ORM objects with three joined relationships took most of a list request's time.
            ids, total = paged(s, select(PipelineRun.id), FILTERS, query, sort, page, size)
            return Page(items=self._list_reads(s, ids), total=total, page=page, size=size)

    def _list_reads(self, s: Session, ids: builtins.list[uuid.UUID]) -> builtins.list[RunRead]:
        if not ids:
            return []
        run = table_of(PipelineRun)
        stmt = (
            select(
                run, Pipeline.name.label("pipeline_name"), Stack.name.label("stack_name"), User.name.label("user_name")
            )
            .join(Pipeline, Pipeline.id == run.c.pipeline_id)
            .outerjoin(Stack, Stack.id == run.c.stack_id)
            .outerjoin(User, User.id == run.c.user_id)
            .where(run.c.id.in_(ids))
        )
        rows = {row.id: row._asdict() for row in s.execute(stmt)}
        tags, counts = tags_for(s, "run", ids), self._step_counts(s, ids)
        return [
            RunRead.model_validate({**rows[i], "tags": tags[i], "step_counts": counts[i]}) for i in ids if i in rows
        ]

    @staticmethod
    def _step_counts(s: Session, ids: builtins.list[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
        counts: dict[uuid.UUID, dict[str, int]] = {i: {} for i in ids}
        if ids:
            for rid, status, n in s.execute(
                select(StepRun.run_id, StepRun.status, func.count())
                .where(StepRun.run_id.in_(ids))
                .group_by(StepRun.run_id, StepRun.status)
            ):
                counts[rid][status] = n
        return counts

    def _reads(self, s: Session, rows: builtins.list[PipelineRun]) -> builtins.list[RunRead]:
        ids = [r.id for r in rows]
        tags, counts = tags_for(s, "run", ids), self._step_counts(s, ids)
        return [to_read(r, tags[r.id], counts[r.id]) for r in rows]

    def add_tags(self, run_id: uuid.UUID, tags: builtins.list[str]) -> None:
        """Tag a run."""
        with self._s.write() as s:
            add_tags(s, "run", run_id, tags)

    def delete(self, run_id: uuid.UUID) -> None:
        """Delete a run and its step runs (artifacts stay: other runs may use them)."""
        with self._s.write() as s:
            row = s.get(PipelineRun, run_id)
            if row is None:
                raise not_found("run", run_id, "run `waypost runs list` to see the runs")
            s.delete(row)

    def mark_crashed(self, timeout_s: float) -> builtins.list[uuid.UUID]:
        """Mark active runs whose orchestrator is gone as crashed; return their ids.

        A run is gone when its heartbeat is older than ``timeout_s``, or when it was started
        on this host by a process that no longer exists.
        """
        host, me = socket.gethostname(), os.getpid()
        # A century is "never"; longer (or infinite) timeouts would overflow the datetime arithmetic.
        cutoff = utcnow() - timedelta(seconds=min(timeout_s, _CENTURY_S))
        with self._s.read() as s:
            active = s.execute(
                select(PipelineRun.id, PipelineRun.host, PipelineRun.pid, PipelineRun.heartbeat_at).where(
                    PipelineRun.status.in_(_ACTIVE)
                )
            ).all()
        dead = [
            rid
            for rid, h, pid, beat in active
            if (beat is not None and beat < cutoff)
            or (h == host and pid is not None and pid != me and not psutil.pid_exists(pid))
        ]
        if not dead:
            return []
        now = utcnow()
        with self._s.write() as s:
            s.execute(
                update(PipelineRun)
                .where(PipelineRun.id.in_(dead), PipelineRun.status.in_(_ACTIVE))
                .values(
                    status=ExecutionStatus.CRASHED.value,
                    ended_at=now,
                    status_reason="The orchestrator stopped heartbeating.",
                )
            )
            s.execute(
                update(StepRun)
                .where(StepRun.run_id.in_(dead), StepRun.status.in_(_ACTIVE))
                .values(status=ExecutionStatus.CRASHED.value, ended_at=now)
            )
        return dead
