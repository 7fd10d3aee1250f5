"""Pipeline runs: create, status changes, heartbeats, crash detection, listing."""

from __future__ import annotations

import builtins
import functools
import os
import socket
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    bindparam,
    false,
    func,
    insert,
    literal,
    select,
    true,
    union,
    union_all,
    update,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import Join

from waypost.enums import ExecutionStatus
from waypost.exceptions import FilterSyntaxError, ParameterError, StoreError
from waypost.schemas import Page, RunCreate, RunRead
from waypost.schemas.access import Visibility
from waypost.schemas.common import MAX_STOP_REASON
from waypost.schemas.stack_snapshot import StackSnapshot
from waypost.store.filters import Term, check_page, parse
from waypost.store.sql import tables as db
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
from waypost.store.sql.repositories._common import add_tags, in_project, not_found, parse_id, tags_for, visible
from waypost.store.sql.repositories.metadata import key_stats_kept
from waypost.store.sql.tables import utcnow

_STATUSES = tuple(s.value for s in ExecutionStatus)
_CENTURY_S = 100 * 365 * 86400.0
_ACTIVE = (ExecutionStatus.INITIALIZING.value, ExecutionStatus.RUNNING.value)


def _via(column: Any, target_id: Any, name_col: Any) -> Field:
    def build(term: Term) -> Condition:
        inner = compare(Field("str", name_col), Term(term.key, term.op, term.values))
        return column.in_(select(target_id).where(inner))  # type: ignore[no-any-return]  # untyped column

    return Field("custom", custom=build)


def _model_filter(term: Term) -> Condition:
    inner = compare(Field("str", db.models.c.name), Term("model", term.op, term.values))
    mvr, mv = db.model_version_runs, db.model_versions
    sub = (
        select(mvr.c.run_id)
        .join(mv, mv.c.id == mvr.c.model_version_id)
        .join(db.models, db.models.c.id == mv.c.model_id)
        .where(inner)
    )
    return db.pipeline_runs.c.id.in_(sub)


def _archived_filter(term: Term) -> Condition:
    """``archived:true``, ``archived:false`` (what a list shows unless asked) or ``archived:any``."""
    value = term.values[0].lower() if len(term.values) == 1 else ""
    if term.op not in (":", "=") or value not in ("true", "false", "any"):
        raise FilterSyntaxError(f"Filter 'archived' takes one of true, false, any (got '{term}'); e.g. archived:true.")
    if value == "any":
        return true()
    return db.pipeline_runs.c.archived == true() if value == "true" else _not_archived()


def _not_archived() -> Condition:
    """Runs not archived, as an expression no index serves: most runs match, and a list should walk its sort's
    index (newest first) rather than ix_runs_archived, which SQLite without statistics would pick."""
    return func.coalesce(db.pipeline_runs.c.archived, false()) == false()


#: Pipelines under their own name, so the pipeline sort's join never captures the
#: ``pipelines`` table of a filter's subquery (``pipeline:train sort=pipeline``).
_SORT_PIPELINE = db.pipelines.alias("sort_pipeline")


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
        "status": Field("enum", db.pipeline_runs.c.status, choices=_STATUSES),
        "name": Field("str", db.pipeline_runs.c.name),
        "id": Field("uuid", db.pipeline_runs.c.id),
        "pipeline": _via(db.pipeline_runs.c.pipeline_id, db.pipelines.c.id, db.pipelines.c.name),
        "user": _via(db.pipeline_runs.c.user_id, db.users.c.id, db.users.c.name),
        "stack": _via(db.pipeline_runs.c.stack_id, db.stacks.c.id, db.stacks.c.name),
        "model": Field("custom", custom=_model_filter),
        "orchestrator": Field("str", db.pipeline_runs.c.orchestrator),
        "created": Field("time", db.pipeline_runs.c.created_at),
        "started": Field("time", db.pipeline_runs.c.started_at),
        "ended": Field("time", db.pipeline_runs.c.ended_at),
        "archived": Field("custom", custom=_archived_filter, help="true, false (the default) or any"),
    },
    sorts={
        "created": db.pipeline_runs.c.created_at,
        "started": db.pipeline_runs.c.started_at,
        "ended": db.pipeline_runs.c.ended_at,
        "name": db.pipeline_runs.c.name,
        "status": db.pipeline_runs.c.status,
        "pipeline": SortKey(
            _SORT_PIPELINE.c.name, join=(_SORT_PIPELINE, _SORT_PIPELINE.c.id == db.pipeline_runs.c.pipeline_id)
        ),
        # Runs still going or never started have no duration: they come last either way.
        "duration": SortKey(
            SecondsBetween(db.pipeline_runs.c.started_at, db.pipeline_runs.c.ended_at), nulls_last=True
        ),
    },
    default_sort="-created",
    metadata_column=db.metadata_entries.c.run_id,
    tag_resource="run",
    id_column=db.pipeline_runs.c.id,
    created_column=db.pipeline_runs.c.created_at,
    defaults={"archived": _not_archived},
)


#: What the search box can complete, and where the values come from.
SUGGEST_KEYS = ("pipeline", "status", "tag", "user", "stack", "metadata")
MAX_SUGGESTIONS = 50
#: The most distinct metadata keys one suggestion walks; each step is one index seek.
_MAX_METADATA_KEYS = 10_000


def scoped(visibility: Visibility | None = None, project_id: uuid.UUID | None = None) -> builtins.list[Any]:
    """WHERE conditions keeping the runs ``visibility`` allows, of ``project_id`` (none: every run)."""
    run = db.pipeline_runs
    return [c for c in (visible(run, visibility), in_project(run, project_id)) if c is not None]


def _metadata_keys(s: Connection, prefix: str, limit: int, scope: Sequence[Any] = ()) -> builtins.list[str]:
    """Distinct metadata keys of runs, by a loose index scan (of the runs ``scope`` keeps, when given).

    A million metadata entries may share a few dozen keys: a recursive query hops from
    one key to the next through ix_metadata_key_num (one seek per distinct key) instead
    of reading every entry to find the distinct ones. A caller who sees only some runs gets
    the distinct keys of those runs' entries instead (ix_metadata_run_key).
    """
    m = db.metadata_entries
    if scope:
        runs = select(db.pipeline_runs.c.id).where(*scope)
        distinct = select(m.c.key).where(m.c.run_id.in_(runs), starts_with(m.c.key, prefix)).distinct().subquery()
        ordered = select(distinct.c.key).order_by(func.lower(distinct.c.key), distinct.c.key)
        return list(s.scalars(ordered.limit(limit)))
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


def ordered_ids(s: Connection, query: str, sort: str | None, scope: Sequence[Any] = ()) -> Select[uuid.UUID]:
    """The ids of the runs of ``scope`` matching ``query``, in ``sort`` order (ties newest first)."""
    key, _ = sort_key(FILTERS, sort)
    stmt = select(db.pipeline_runs.c.id).where(*conditions(FILTERS, query), *scope)
    if key.join is not None:
        target, on = key.join
        stmt = stmt.select_from(_LeadingJoin(target, db.pipeline_runs, on))
    return stmt.order_by(*order_by(FILTERS, sort, s.dialect.name))


#: Up to this many projects (and the runs shared one by one), a caller's newest-first page is
#: merged from each project's own newest runs; above it, one sort of every visible run.
MERGE_PROJECTS = 64


def _merge_sources(
    s: Connection, visibility: Visibility | None, project_id: uuid.UUID | None
) -> tuple[builtins.list[uuid.UUID], builtins.list[uuid.UUID]] | None:
    """The projects and the shared runs a newest-first page of a caller's runs merges (None: one plain query).

    A caller who sees some projects asks for ``project_id IN (…)`` newest first: no index
    serves both, so a database reads every visible run and sorts them (20,000 runs, ~25 ms
    on SQLite). Each project's newest runs are an index range of ix_runs_project_newest
    instead, so a page is merged from the first ``offset + size`` runs of each.
    """
    if visibility is None or visibility.everything or visibility.nothing or project_id is not None:
        return None
    projects = set(visibility.project_ids)
    if visibility.workspace_ids:
        in_workspaces = select(db.projects.c.id).where(db.projects.c.workspace_id.in_(sorted(visibility.workspace_ids)))
        projects.update(s.scalars(in_workspaces.limit(MERGE_PROJECTS + 1)))
    if len(projects) > MERGE_PROJECTS:
        return None
    return sorted(projects), sorted(visibility.shared_ids)


@functools.lru_cache(maxsize=256)
def _merged(query: str, sort: str | None, projects: int, shared: bool, depth: int, dialect: str) -> Select[Any]:
    """A merge of ``projects`` projects' (``:p0``, ``:p1``, …) newest ``depth`` runs and the ``:shared`` runs.

    Built once per shape and kept: the statement has a dozen subqueries, and building it
    costs more than running it.
    """
    run = db.pipeline_runs
    _, desc = sort_key(FILTERS, sort)
    wanted = conditions(FILTERS, query)
    parts: builtins.list[Any] = [run.c.project_id == bindparam(f"p{i}") for i in range(projects)]
    if shared:
        parts.append(run.c.id.in_(bindparam("shared", expanding=True)))
    branches = [
        select(run.c.id, run.c.created_at)
        .where(*wanted, part)
        .order_by(*order_by(FILTERS, sort, dialect))
        .limit(depth)
        .subquery()
        for part in parts
    ]
    rows = [select(b.c.id, b.c.created_at) for b in branches]
    # A run shared with the caller may also be in a project they see: only then can two branches hold it.
    merged = (union(*rows) if shared else union_all(*rows)).subquery()
    by = (merged.c.created_at, merged.c.id)  # order_by's order for created_at: ties by id, the same way
    return select(merged.c.id).order_by(*(c.desc() if desc else c.asc() for c in by))


def newest_ids(
    s: Connection,
    query: str,
    sort: str | None,
    limit: int,
    offset: int = 0,
    *,
    visibility: Visibility | None = None,
    project_id: uuid.UUID | None = None,
) -> builtins.list[uuid.UUID]:
    """``limit`` ids of :func:`ordered_ids` from ``offset``, of the runs ``visibility`` allows, of ``project_id``.

    Sorted by creation time (the lists' default) and seeing a few projects, the page is a
    merge of each project's newest runs (see :func:`_merge_sources`); otherwise one query.
    """
    key, _ = sort_key(FILTERS, sort)
    sources = _merge_sources(s, visibility, project_id) if key.column is db.pipeline_runs.c.created_at else None
    if sources is None:
        stmt = ordered_ids(s, query, sort, scoped(visibility, project_id))
        return list(s.scalars(stmt.limit(limit).offset(offset)))
    projects, shared = sources
    stmt = _merged(query, sort, len(projects), bool(shared), offset + limit, s.dialect.name)
    params: dict[str, Any] = {f"p{i}": p for i, p in enumerate(projects)}
    if shared:
        params["shared"] = shared
    return list(s.scalars(stmt.limit(limit).offset(offset), params))


def _page_ids(
    s: Connection,
    query: str,
    sort: str | None,
    page: int,
    size: int,
    *,
    visibility: Visibility | None = None,
    project_id: uuid.UUID | None = None,
) -> tuple[builtins.list[uuid.UUID], int]:
    """One page of matching run ids in sort order, and how many match.

    A page that comes back short is the last one, so it tells the total without the
    count: a search matching a few of a million runs reads the table once, not twice.
    """
    check_page(page, size)
    scope = scoped(visibility, project_id)
    offset = (page - 1) * size
    ids = newest_ids(s, query, sort, size, offset, visibility=visibility, project_id=project_id)
    if len(ids) < size and (ids or page == 1):
        return ids, offset + len(ids)
    # Only a plain list of projects: with shared runs or whole workspaces OR-ed in, a database could
    # pick ix_runs_archived for "not archived" and walk most of it.
    others = visibility is not None and bool(visibility.shared_ids or visibility.workspace_ids)
    by_project = not others and (project_id is not None or (visibility is not None and not visibility.everything))
    return ids, count_matching(s, query, scope, by_project=by_project)


def count_matching(s: Connection, query: str, scope: Sequence[Condition], *, by_project: bool = False) -> int:
    """How many runs ``query`` matches within ``scope`` (``by_project``: a list of projects and nothing else).

    Unless the query names ``archived``, a list leaves archived runs out. Counting the runs that are
    not archived walks every entry of an index (most runs are not); every matching run less the
    archived ones is two look-ups instead (ix_runs_archived finds the few archived). Within a few
    projects, the runs that are not archived are one range per project of the narrow
    ix_runs_project_archived (on SQLite, which keeps no statistics here, the plain count walked the
    three times wider ix_runs_project_newest: 20,000 runs of ten projects, 2.1 -> 1.3 ms).
    """
    runs = db.pipeline_runs
    terms = parse(query)
    if any(term.key == "archived" for term in terms):
        return s.scalar(select(func.count()).select_from(runs).where(*conditions(FILTERS, query), *scope)) or 0
    count = select(func.count()).select_from(runs)
    if by_project and not terms:
        return s.scalar(count.where(*scope, runs.c.archived == false())) or 0
    where = [*conditions(FILTERS, query, defaults=False), *scope]
    every = s.scalar(count.where(*where)) or 0
    archived = s.scalar(count.where(*where, runs.c.archived == true())) or 0
    return every - archived


def stop_reason(by: str, reason: str | None) -> str:
    """The status reason of a run ``by`` stopped: "Stopped by BY", then ": REASON" (made one line) when given."""
    text = " ".join((reason or "").split())
    if len(text) > MAX_STOP_REASON:
        raise ParameterError(f"The stop reason is {len(text)} characters long; keep it to {MAX_STOP_REASON}.")
    return f"Stopped by {by}: {text}" if text else f"Stopped by {by}"


def already_ended(name: str, status: str) -> str:
    """The one-line answer to stopping run ``name`` that has ended with ``status``."""
    return f"Run '{name}' already ended ({status}); there is nothing to stop."


def _local_user() -> str:
    """Who stops a run through a local database: the operating system's user."""
    import getpass  # here: only a stop needs it, and it is not free on every run's start-up

    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment and none in the password database
        return "a local user"


def _gone(pid: int) -> bool:
    """True when no process ``pid`` runs on this host."""
    import psutil  # here, not at the top: ~6 ms of every script's start-up

    return not psutil.pid_exists(pid)


class RunRepository:
    """Pipeline runs."""

    def __init__(self, sessions: Sessions) -> None:
        self._s = sessions

    def create(self, run: RunCreate) -> RunRead:
        """Record a new run in its pipeline's project (one transaction, no read-back: this is on every run's path)."""
        now = utcnow()
        values = run.model_dump(exclude={"tags", "stack_snapshot", "model_stage"})
        values["stack_snapshot"] = None if run.stack_snapshot is None else run.stack_snapshot.model_dump(mode="json")
        values.update(
            id=uuid.uuid4(), created_at=now, host=socket.gethostname(), pid=os.getpid(), heartbeat_at=now, ended_at=None
        )
        with self._s.write_conn() as c:
            pipelines = db.pipelines
            pipeline = c.execute(
                select(pipelines.c.name, pipelines.c.project_id).where(pipelines.c.id == run.pipeline_id)
            ).first()
            if pipeline is None:
                raise not_found("pipeline", run.pipeline_id, "create the pipeline first")
            pipeline_name, values["project_id"] = pipeline
            c.execute(insert(db.pipeline_runs), [values])
            add_tags(c, "run", values["id"], run.tags, values["project_id"])
            if run.model_version_id:
                c.execute(insert(db.model_version_runs), [_version_link(c, run, values["id"])])
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
        t = db.pipeline_runs
        with self._s.write_conn() as c:
            c.execute(update(t).where(t.c.id == run_id, t.c.status.in_(_ACTIVE)).values(**values))

    def heartbeat(self, run_id: uuid.UUID) -> bool:
        """Say the run's orchestrator is alive; False when the run is no longer active (stopped, crashed, ended, gone).

        One statement: the launcher calls it every few seconds for every run, and its answer
        is how a launcher learns that someone stopped the run.
        """
        t = db.pipeline_runs
        with self._s.write_conn() as c:
            beat = update(t).where(t.c.id == run_id, t.c.status.in_(_ACTIVE)).values(heartbeat_at=utcnow())
            return c.execute(beat).rowcount == 1

    def hand_over(self, run_id: uuid.UUID) -> None:
        """Forget which process launched the run: a detached run outlives it (its heartbeat says it is alive)."""
        t = db.pipeline_runs
        with self._s.write_conn() as c:
            c.execute(update(t).where(t.c.id == run_id).values(host=None, pid=None, heartbeat_at=utcnow()))

    def stop(self, run_id: uuid.UUID, reason: str | None = None, *, by: str | None = None) -> RunRead:
        """Stop an active run and its active step runs, in one transaction; return the run as it now is.

        The status reason reads "Stopped by BY" (the local user when ``by`` is None), then ": REASON"
        when given. The run's launcher learns of it from its next heartbeat and stops its steps.

        Raises:
            NotFoundError: no run ``run_id``.
            StoreError: the run already ended (a one-line message naming it and its status).
        """
        status_reason = stop_reason(by or _local_user(), reason)
        runs, steps = db.pipeline_runs, db.step_runs
        now = utcnow()
        stopped = ExecutionStatus.STOPPED.value
        with self._s.write_conn() as c:
            changed = c.execute(
                update(runs)
                .where(runs.c.id == run_id, runs.c.status.in_(_ACTIVE))
                .values(status=stopped, status_reason=status_reason, ended_at=now)
            ).rowcount
            if changed != 1:
                row = c.execute(select(runs.c.name, runs.c.status).where(runs.c.id == run_id)).first()
                if row is None:
                    raise not_found("run", run_id, "run `waypost runs list` to see the runs")
                raise StoreError(already_ended(row.name, row.status))
            c.execute(
                update(steps)
                .where(steps.c.run_id == run_id, steps.c.status.in_(_ACTIVE))
                .values(status=stopped, error_message=status_reason, ended_at=now)
            )
            return self._list_reads(c, [run_id])[0]

    def get(self, ref: str | uuid.UUID) -> RunRead:
        """A run by id or name."""
        rid = parse_id(ref)
        runs = db.pipeline_runs
        with self._s.read() as s:
            found = s.scalar(select(runs.c.id).where(runs.c.id == rid if rid else runs.c.name == str(ref)))
            reads = self._list_reads(s, [found]) if found is not None else []
        if not reads:
            raise not_found("run", ref, "run `waypost runs list` to see the runs")
        return reads[0]

    def stack_snapshot(self, run_id: uuid.UUID) -> StackSnapshot | None:
        """The stack and component configurations run ``run_id`` recorded (None when it recorded none)."""
        runs = db.pipeline_runs
        with self._s.read_conn() as s:
            row = s.execute(select(runs.c.id, runs.c.stack_snapshot).where(runs.c.id == run_id)).first()
        if row is None:
            raise not_found("run", run_id, "run `waypost runs list` to see the runs")
        return None if row.stack_snapshot is None else StackSnapshot.model_validate(row.stack_snapshot)

    def list(
        self,
        query: str = "",
        *,
        sort: str | None = None,
        page: int = 1,
        size: int = 50,
        visibility: Visibility | None = None,
        project_id: uuid.UUID | None = None,
    ) -> Page[RunRead]:
        """Runs matching ``query``, newest first by default; only those ``visibility`` allows, of ``project_id``."""
        with self._s.read() as s:
            # The page's ids first (an index scan), then their columns and names in one join.
            ids, total = _page_ids(s, query, sort, page, size, visibility=visibility, project_id=project_id)
            return Page(items=self._list_reads(s, ids), total=total, page=page, size=size)

    def get_many(self, ids: builtins.list[uuid.UUID]) -> builtins.list[RunRead]:
        """The runs ``ids`` in that order, as a list shows them (an unknown id is left out)."""
        with self._s.read() as s:
            return self._list_reads(s, ids)

    def suggest(
        self,
        key: str,
        prefix: str = "",
        limit: int = 20,
        *,
        visibility: Visibility | None = None,
        project_id: uuid.UUID | None = None,
    ) -> builtins.list[str]:
        """Known values of filter key ``key`` that begin with ``prefix`` (any case), alphabetically (any case).

        ``metadata`` suggests metadata keys (for ``metadata.KEY>…``); ``tag`` and ``user``
        only tags and users some run carries. Alphabetical rather than most-used: counting uses would read
        every run, and the search box asks on each keystroke. With ``visibility`` or ``project_id``
        every value comes from the runs they keep (pipelines, users, stacks, tags and keys of those runs).
        """
        if key not in SUGGEST_KEYS:
            raise FilterSyntaxError(f"Cannot suggest values for '{key}'; use one of: {', '.join(SUGGEST_KEYS)}.")
        if not 1 <= limit <= MAX_SUGGESTIONS:
            raise FilterSyntaxError(f"Suggestion limit {limit} is out of range; use 1 to {MAX_SUGGESTIONS}.")
        if key == "status":
            return [v for v in sorted(_STATUSES) if v.startswith(prefix.lower())][:limit]
        scope = scoped(visibility, project_id)
        run = db.pipeline_runs
        with self._s.read() as s:
            if key == "metadata":
                return _metadata_keys(s, prefix, limit, scope)
            name = {
                "pipeline": db.pipelines.c.name,
                "user": db.users.c.name,
                "stack": db.stacks.c.name,
                "tag": db.tags.c.name,
            }[key]
            stmt = select(name).where(starts_with(name, prefix))
            if key == "tag":
                used = select(db.tag_links.c.tag_id).where(
                    db.tag_links.c.tag_id == db.tags.c.id, db.tag_links.c.resource_type == "run"
                )
                if scope:
                    used = used.where(db.tag_links.c.resource_id.in_(select(run.c.id).where(*scope)))
                stmt = stmt.where(used.exists())
            elif key == "user":  # only users who ran something: the search box must not list every account
                stmt = stmt.where(select(run.c.id).where(run.c.user_id == db.users.c.id, *scope).exists())
            elif scope:  # only pipelines and stacks of runs the caller sees
                owner = run.c.pipeline_id if key == "pipeline" else run.c.stack_id
                stmt = stmt.where(select(run.c.id).where(owner == name.table.c.id, *scope).exists())
            return list(s.scalars(stmt.order_by(func.lower(name), name).limit(limit)))

    def _list_reads(self, s: Connection, ids: builtins.list[uuid.UUID]) -> builtins.list[RunRead]:
        if not ids:
            return []
        run = db.pipeline_runs
        stmt = (
            select(
                run,
                db.pipelines.c.name.label("pipeline_name"),
                db.stacks.c.name.label("stack_name"),
                db.users.c.name.label("user_name"),
            )
            .join(db.pipelines, db.pipelines.c.id == run.c.pipeline_id)
            .outerjoin(db.stacks, db.stacks.c.id == run.c.stack_id)
            .outerjoin(db.users, db.users.c.id == run.c.user_id)
            .where(run.c.id.in_(ids))
        )
        rows = {row.id: row._asdict() for row in s.execute(stmt)}
        tags, counts = tags_for(s, "run", ids), self._step_counts(s, ids)
        return [
            RunRead.model_validate({**rows[i], "tags": tags[i], "step_counts": counts[i]}) for i in ids if i in rows
        ]

    @staticmethod
    def _step_counts(s: Connection, ids: builtins.list[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
        counts: dict[uuid.UUID, dict[str, int]] = {i: {} for i in ids}
        if ids:
            for rid, status, n in s.execute(
                select(db.step_runs.c.run_id, db.step_runs.c.status, func.count())
                .where(db.step_runs.c.run_id.in_(ids))
                .group_by(db.step_runs.c.run_id, db.step_runs.c.status)
            ):
                counts[rid][status] = n
        return counts

    def add_tags(self, run_id: uuid.UUID, tags: builtins.list[str]) -> None:
        """Tag a run (with tags of the run's project)."""
        with self._s.write() as s:
            project_id = s.scalar(select(db.pipeline_runs.c.project_id).where(db.pipeline_runs.c.id == run_id))
            if project_id is None:
                raise not_found("run", run_id, "run `waypost runs list` to see the runs")
            add_tags(s, "run", run_id, tags, project_id)

    def set_archived(self, run_ids: builtins.list[uuid.UUID], archived: bool) -> builtins.list[uuid.UUID]:
        """Archive (or restore) runs ``run_ids``; the ids that exist (one statement per 500)."""
        runs = db.pipeline_runs
        found: builtins.list[uuid.UUID] = []
        with self._s.write_conn() as c:
            for start in range(0, len(run_ids), 500):
                chunk = run_ids[start : start + 500]
                c.execute(update(runs).where(runs.c.id.in_(chunk)).values(archived=archived))
                found.extend(c.execute(select(runs.c.id).where(runs.c.id.in_(chunk))).scalars())
        return found

    def delete_many(self, run_ids: builtins.list[uuid.UUID]) -> builtins.list[uuid.UUID]:
        """Delete runs ``run_ids`` and their step runs and tags, in one transaction; the ids that existed."""
        runs, link = db.pipeline_runs, db.tag_links
        gone: builtins.list[uuid.UUID] = []
        with self._s.write_conn() as c, key_stats_kept(c, run_ids=run_ids):
            for start in range(0, len(run_ids), 500):
                chunk = run_ids[start : start + 500]
                gone.extend(c.execute(select(runs.c.id).where(runs.c.id.in_(chunk))).scalars())
                c.execute(link.delete().where(link.c.resource_type == "run", link.c.resource_id.in_(chunk)))
                c.execute(runs.delete().where(runs.c.id.in_(chunk)))
        return gone

    def delete(self, run_id: uuid.UUID) -> None:
        """Delete a run, its step runs and its tags (artifacts stay: other runs may use them)."""
        runs, link = db.pipeline_runs, db.tag_links
        with self._s.write() as s, key_stats_kept(s, run_ids=[run_id]):
            if s.execute(runs.delete().where(runs.c.id == run_id)).rowcount == 0:
                raise not_found("run", run_id, "run `waypost runs list` to see the runs")
            s.execute(link.delete().where(link.c.resource_type == "run", link.c.resource_id == run_id))

    def mark_crashed(self, timeout_s: float) -> builtins.list[uuid.UUID]:
        """Mark active runs whose orchestrator is gone as crashed; return their ids.

        A run is gone when its heartbeat is older than ``timeout_s``, or when it was started
        on this host by a process that no longer exists.
        """
        host, me = socket.gethostname(), os.getpid()
        # A century is "never"; longer (or infinite) timeouts would overflow the datetime arithmetic.
        cutoff = utcnow() - timedelta(seconds=min(timeout_s, _CENTURY_S))
        runs = db.pipeline_runs
        with self._s.read_conn() as c:  # every store opening runs this: one statement, no transaction
            active = c.execute(
                select(runs.c.id, runs.c.host, runs.c.pid, runs.c.heartbeat_at).where(runs.c.status.in_(_ACTIVE))
            ).all()
        dead = [
            rid
            for rid, h, pid, beat in active
            if (beat is not None and beat < cutoff) or (h == host and pid is not None and pid != me and _gone(pid))
        ]
        if not dead:
            return []
        now = utcnow()
        with self._s.write() as s:
            s.execute(
                update(db.pipeline_runs)
                .where(db.pipeline_runs.c.id.in_(dead), db.pipeline_runs.c.status.in_(_ACTIVE))
                .values(
                    status=ExecutionStatus.CRASHED.value,
                    ended_at=now,
                    status_reason="The orchestrator stopped heartbeating.",
                )
            )
            s.execute(
                update(db.step_runs)
                .where(db.step_runs.c.run_id.in_(dead), db.step_runs.c.status.in_(_ACTIVE))
                .values(status=ExecutionStatus.CRASHED.value, ended_at=now)
            )
        return dead


def _version_link(c: Connection, run: RunCreate, run_id: uuid.UUID) -> dict[str, Any]:
    """The model_version_runs row of a new run: a consumer (it asked for a stage), the producer (the
    version's first run) or attached (a later run that named the version)."""
    mvr = db.model_version_runs
    row: dict[str, Any] = {"model_version_id": run.model_version_id, "run_id": run_id}
    if run.model_stage:
        return {**row, "role": "consumer", "via_stage": run.model_stage}
    first = c.scalar(select(mvr.c.run_id).where(mvr.c.model_version_id == run.model_version_id).limit(1)) is None
    return {**row, "role": "producer" if first else "attached"}
