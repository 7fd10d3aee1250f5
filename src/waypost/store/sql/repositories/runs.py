"""Pipeline runs: create, status changes, heartbeats, crash detection, listing."""

from __future__ import annotations

import builtins
import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import Any

import psutil
from sqlalchemy import Select, func, insert, literal, select, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Join

from waypost.enums import ExecutionStatus
from waypost.exceptions import FilterSyntaxError
from waypost.schemas import Page, RunCreate, RunRead
from waypost.store.filters import Term, check_page
from waypost.store.sql.engine import Sessions
from waypost.store.sql.filtering import (
    Condition,
    Field,
    FilterSpec,
    SecondsBetween,
    SortKey,
    compare,
    conditions,
    order_by,
    sort_key,
    starts_with,
)
from waypost.store.sql.orm import (
    MetadataEntry,
    ModelVersion,
    ModelVersionRun,
    Pipeline,
    PipelineRun,
    Stack,
    StepRun,
    Tag,
    TagLink,
    User,
    table_of,
    utcnow,
)
from waypost.store.sql.orm import Model as ModelRow
from waypost.store.sql.repositories._common import add_tags, not_found, parse_id, tags_for

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


#: Pipelines under their own name, so the pipeline sort's join never captures the
#: ``pipelines`` table of a filter's subquery (``pipeline:train sort=pipeline``).
_SORT_PIPELINE = table_of(Pipeline).alias("sort_pipeline")


class _LeadingJoin(Join):
    """A join whose left side SQLite must loop over first.

    Sorting by pipeline name then walks the few pipelines in name order and each one's
    runs newest first through ix_runs_pipeline_created, stopping after one page; left to
    itself, SQLite's planner sorts every run instead (2 s over a million runs, not 10 ms).
    CROSS JOIN is how SQLite is told the loop order; other databases plan it themselves.
    """

    inherit_cache = True


@compiles(_LeadingJoin)
def _leading_join(element: _LeadingJoin, compiler: SQLCompiler, **kw: Any) -> str:
    text: str = compiler.visit_join(element, **kw)  # type: ignore[no-untyped-call]  # SQLAlchemy leaves it untyped
    return text


@compiles(_LeadingJoin, "sqlite")
def _leading_join_sqlite(element: _LeadingJoin, compiler: SQLCompiler, **kw: Any) -> str:
    text: str = compiler.visit_join(element, **kw)  # type: ignore[no-untyped-call]  # same
    return text.replace(" JOIN ", " CROSS JOIN ", 1)


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
        "pipeline": SortKey(
            _SORT_PIPELINE.c.name, join=(_SORT_PIPELINE, _SORT_PIPELINE.c.id == PipelineRun.pipeline_id)
        ),
        # Runs still going or never started have no duration: they come last either way.
        "duration": SortKey(SecondsBetween(PipelineRun.started_at, PipelineRun.ended_at), nulls_last=True),
    },
    default_sort="-created",
    metadata_column=MetadataEntry.run_id,
    tag_resource="run",
    id_column=PipelineRun.id,
    created_column=PipelineRun.created_at,
)


#: What the search box can complete, and where the values come from.
SUGGEST_KEYS = ("pipeline", "status", "tag", "user", "stack", "metadata")
MAX_SUGGESTIONS = 50
#: The most distinct metadata keys one suggestion walks; each step is one index seek.
_MAX_METADATA_KEYS = 10_000


def _metadata_keys(s: Session, prefix: str, limit: int) -> builtins.list[str]:
    """Distinct metadata keys of runs, by a loose index scan.

    A million metadata entries may share a few dozen keys: a recursive query hops from
    one key to the next through ix_metadata_key_num (one seek per distinct key) instead
    of reading every entry to find the distinct ones.
    """
    m = table_of(MetadataEntry)
    first = select(func.min(m.c.key).label("k"), literal(1).label("n")).where(m.c.run_id.is_not(None))
    keys = first.cte("suggest_keys", recursive=True)
    following = select(
        select(func.min(m.c.key)).where(m.c.key > keys.c.k, m.c.run_id.is_not(None)).scalar_subquery(),
        keys.c.n + 1,
    ).where(keys.c.k.is_not(None), keys.c.n < _MAX_METADATA_KEYS)
    keys = keys.union_all(following)
    stmt = (
        select(keys.c.k)
        .where(keys.c.k.is_not(None), starts_with(keys.c.k, prefix))
        .order_by(func.lower(keys.c.k), keys.c.k)
    )
    return list(s.scalars(stmt.limit(limit)))


def ordered_ids(s: Session, query: str, sort: str | None) -> Select[uuid.UUID]:
    """The ids of the runs matching ``query``, in ``sort`` order (ties newest first): a list's page or an export."""
    key, _ = sort_key(FILTERS, sort)
    stmt = select(PipelineRun.id).where(*conditions(FILTERS, query))
    if key.join is not None:
        target, on = key.join
        stmt = stmt.select_from(_LeadingJoin(target, table_of(PipelineRun), on))
    return stmt.order_by(*order_by(FILTERS, sort, s.get_bind().dialect.name))


def _page_ids(s: Session, query: str, sort: str | None, page: int, size: int) -> tuple[builtins.list[uuid.UUID], int]:
    """One page of matching run ids in sort order, and how many match.

    A page that comes back short is the last one, so it tells the total without the
    count: a search matching a few of a million runs reads the table once, not twice.
    """
    check_page(page, size)
    conds = conditions(FILTERS, query)
    ordered = ordered_ids(s, query, sort)
    offset = (page - 1) * size
    ids = list(s.scalars(ordered.limit(size).offset(offset)).all())
    if len(ids) < size and (ids or page == 1):
        return ids, offset + len(ids)
    total = s.scalar(select(func.count()).select_from(PipelineRun).where(*conds)) or 0
    return ids, total


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
            pipelines = table_of(Pipeline)  # Core columns: ORM ones would configure every mapper (~15 ms)
            pipeline_name = c.execute(
                select(pipelines.c.name).where(pipelines.c.id == run.pipeline_id)
            ).scalar_one_or_none()
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
            ids, total = _page_ids(s, query, sort, page, size)
            return Page(items=self._list_reads(s, ids), total=total, page=page, size=size)

    def get_many(self, ids: builtins.list[uuid.UUID]) -> builtins.list[RunRead]:
        """The runs ``ids`` in that order, as a list shows them (an unknown id is left out)."""
        with self._s.read() as s:
            return self._list_reads(s, ids)

    def suggest(self, key: str, prefix: str = "", limit: int = 20) -> builtins.list[str]:
        """Known values of filter key ``key`` that begin with ``prefix`` (any case), alphabetically (any case).

        ``metadata`` suggests metadata keys (for ``metadata.KEY>…``); ``tag`` and ``user``
        only tags and users some run carries. Alphabetical rather than most-used: counting uses would read
        every run, and the search box asks on each keystroke.
        """
        if key not in SUGGEST_KEYS:
            raise FilterSyntaxError(f"Cannot suggest values for '{key}'; use one of: {', '.join(SUGGEST_KEYS)}.")
        if not 1 <= limit <= MAX_SUGGESTIONS:
            raise FilterSyntaxError(f"Suggestion limit {limit} is out of range; use 1 to {MAX_SUGGESTIONS}.")
        if key == "status":
            return [v for v in sorted(_STATUSES) if v.startswith(prefix.lower())][:limit]
        with self._s.read() as s:
            if key == "metadata":
                return _metadata_keys(s, prefix, limit)
            name = {"pipeline": Pipeline.name, "user": User.name, "stack": Stack.name, "tag": Tag.name}[key]
            stmt = select(name).where(starts_with(name, prefix))
            if key == "tag":
                used = select(TagLink.tag_id).where(TagLink.tag_id == Tag.id, TagLink.resource_type == "run")
                stmt = stmt.where(used.exists())
            elif key == "user":  # only users who ran something: the search box must not list every account
                stmt = stmt.where(select(PipelineRun.id).where(PipelineRun.user_id == User.id).exists())
            return list(s.scalars(stmt.order_by(func.lower(name), name).limit(limit)))

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
        runs = table_of(PipelineRun)
        with self._s.read_conn() as c:  # Core: every store opening runs this, and the ORM's first query costs ~15 ms
            active = c.execute(
                select(runs.c.id, runs.c.host, runs.c.pid, runs.c.heartbeat_at).where(runs.c.status.in_(_ACTIVE))
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
