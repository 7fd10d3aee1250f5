"""Step runs: start, finish (registering outputs atomically), cache look-ups.

Every step of every run passes through :meth:`StepRepository.start` and
:meth:`StepRepository.finish` (and cached steps through :meth:`find_cached`), so these run
statements built once at import, in one transaction each: a trivial step must cost a few
milliseconds in all (benchmarks/run.py).
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Connection, String, bindparam, func, insert, select, type_coerce, update

from waypost.enums import ExecutionStatus
from waypost.schemas import (
    ArtifactVersionCreate,
    ArtifactVersionRead,
    AttemptRead,
    CacheHit,
    Page,
    StepRunCreate,
    StepRunFinish,
    StepRunRead,
)
from waypost.schemas.access import DEFAULT_PROJECT_ID, Visibility
from waypost.store.filters import check_page
from waypost.store.sql import tables as db
from waypost.store.sql.engine import Sessions
from waypost.store.sql.repositories._common import not_found, visible
from waypost.store.sql.repositories.artifacts import register_versions
from waypost.store.sql.tables import utcnow

_ACTIVE = (ExecutionStatus.INITIALIZING.value, ExecutionStatus.RUNNING.value)
_T = db.step_runs
_L = db.step_run_artifacts
_AV = db.artifact_versions
_A = db.artifacts


def to_read(row: Any, links: dict[str, dict[str, uuid.UUID]]) -> StepRunRead:
    """Wire schema of a step-run row."""
    return StepRunRead.model_construct(
        id=row.id,
        run_id=row.run_id,
        name=row.name,
        step_name=row.step_name,
        status=ExecutionStatus(row.status),
        cache_key=row.cache_key,
        cache_components=row.cache_components or {},
        cache_miss_reason=row.cache_miss_reason,
        cached_from_step_run_id=row.cached_from_step_run_id,
        cached_from_run_id=row.cached_from_run_id,
        parameters=row.parameters or {},
        config=row.config or {},
        source_code=row.source_code or "",
        source_hash=row.source_hash or "",
        docstring=row.docstring,
        upstream=row.upstream or [],
        log_uri=row.log_uri,
        error_type=row.error_type,
        error_message=row.error_message,
        traceback=row.traceback,
        resource_samples=row.resource_samples or [],
        created_at=row.created_at,
        started_at=row.started_at,
        ended_at=row.ended_at,
        inputs=links.get("input", {}),
        outputs=links.get("output", {}),
        attempts=[AttemptRead.model_validate(a) for a in row.attempts or []],
    )


def _version(row: Any) -> ArtifactVersionRead:
    return ArtifactVersionRead.model_construct(
        id=row.av_id,
        artifact_id=row.av_artifact_id,
        name=row.artifact_name,
        version=row.av_version,
        uri=row.av_uri,
        data_type=row.av_data_type,
        materializer=row.av_materializer,
        materializer_version=row.av_materializer_version,
        size=row.av_size,
        content_hash=row.av_content_hash,
        visualizations=row.av_visualizations,
        producer_step_run_id=row.av_producer_step_run_id,
        producer_run_id=row.av_producer_run_id,
        created_at=row.av_created_at,
        tags=[],
    )


# Statements on every step's path are built once: building one costs more than running it.
_INSERT_STEP = insert(_T)
_INSERT_LINK = insert(_L)
_FINISH_STEP = update(_T).where(_T.c.id == bindparam("finish_id"))  # SET columns come from the parameters

_MD = db.metadata_entries
_MD_OF_STEP = select(_MD).where(
    _MD.c.step_run_id == bindparam("step"), _MD.c.artifact_version_id.is_(None), _MD.c.model_version_id.is_(None)
)
_RUNS = db.pipeline_runs
_SOURCE_RUN = _RUNS.alias("source_run")
#: What a step logged on its own run's model version, with the model version of run ``run`` (the new one).
_MV_MD_OF_STEP = (
    select(
        _MD,
        select(_RUNS.c.model_version_id)
        .where(_RUNS.c.id == bindparam("run"))
        .scalar_subquery()
        .label("target_version"),
    )
    .join(_SOURCE_RUN, _SOURCE_RUN.c.id == _MD.c.run_id)
    .where(
        _MD.c.step_run_id == bindparam("step"),
        _MD.c.artifact_version_id.is_(None),
        _MD.c.model_version_id == _SOURCE_RUN.c.model_version_id,
    )
)
_NEWEST_HIT = (
    select(_T.c.id)
    .where(
        _T.c.cache_key == bindparam("key"),
        _T.c.status == ExecutionStatus.COMPLETED.value,
        # Only a step of the same project: outputs are never reused across projects.
        select(_RUNS.c.id).where(_RUNS.c.id == _T.c.run_id, _RUNS.c.project_id == bindparam("project")).exists(),
    )
    .order_by(_T.c.created_at.desc())
    .limit(1)
    .scalar_subquery()
)
_FIND_CACHED = (
    select(
        _T.c.id.label("step_id"),
        _T.c.run_id.label("step_run_run_id"),
        _T.c.log_uri.label("step_log_uri"),
        _L.c.name.label("output_name"),
        _A.c.name.label("artifact_name"),
        _AV.c.id.label("av_id"),
        *[c.label(f"av_{c.name}") for c in _AV.c if c.name != "id"],
        select(_MD.c.id).where(_MD.c.step_run_id == _T.c.id).limit(1).exists().label("has_metadata"),
    )
    .outerjoin(_L, (_L.c.step_run_id == _T.c.id) & (_L.c.kind == "output"))
    .outerjoin(_AV, _AV.c.id == _L.c.artifact_version_id)
    .outerjoin(_A, _A.c.id == _AV.c.artifact_id)
    .where(_T.c.id == _NEWEST_HIT)
)


def _links(s: Connection, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dict[str, dict[str, uuid.UUID]]]:
    out: dict[uuid.UUID, dict[str, dict[str, uuid.UUID]]] = {}
    ids = list(ids)
    if not ids:
        return out
    for sid, kind, name, av in s.execute(
        select(_L.c.step_run_id, _L.c.kind, _L.c.name, _L.c.artifact_version_id).where(_L.c.step_run_id.in_(ids))
    ):
        out.setdefault(sid, {}).setdefault(kind, {})[name] = av
    return out


def _copy_metadata(c: Connection, source: uuid.UUID, target: uuid.UUID, run_id: uuid.UUID) -> None:
    """A cached step carries the metadata its original logged, so filters find the new run too; what it
    logged on its run's model version (``infer_model``) goes to the new run's model version."""
    rows = [dict(r) for r in c.execute(_MD_OF_STEP, {"step": source}).mappings()]
    versions = c.execute(_MV_MD_OF_STEP, {"step": source, "run": run_id}).mappings().all()
    rows += [
        {**r, "model_version_id": r["target_version"]}
        for r in versions
        if r["target_version"] not in (None, r["model_version_id"])  # the same version holds them already
    ]
    if rows:
        now = utcnow()
        c.execute(
            insert(_MD),
            [
                {
                    **{k: v for k, v in r.items() if k != "target_version"},
                    "id": uuid.uuid4(),
                    "step_run_id": target,
                    "run_id": run_id,
                    "created_at": now,
                }
                for r in rows
            ],
        )


class StepRepository:
    """Step runs of pipeline runs."""

    def __init__(self, sessions: Sessions, default_project: Callable[[], uuid.UUID] | None = None) -> None:
        self._s = sessions
        self._default_project = default_project or (lambda: DEFAULT_PROJECT_ID)

    def start(self, step: StepRunCreate) -> uuid.UUID:
        """Record a step run (running, or cached with its outputs linked); return its id."""
        return self.start_many([step])[0]

    def start_many(self, steps: builtins.list[StepRunCreate]) -> builtins.list[uuid.UUID]:
        """Record several step runs in one transaction (the runner batches cache hits so)."""
        now = utcnow()
        ids: builtins.list[uuid.UUID] = []
        rows: builtins.list[dict[str, Any]] = []
        links: builtins.list[dict[str, Any]] = []
        copies: builtins.list[tuple[uuid.UUID, uuid.UUID, uuid.UUID]] = []
        for step in steps:
            row_id = uuid.uuid4()
            ids.append(row_id)
            # shallow: no re-serialization
            values = {k: v for k, v in step if k not in ("inputs", "outputs", "copy_cached_metadata")}
            values.update(id=row_id, created_at=step.started_at or now, resource_samples=[], attempts=[])
            rows.append(values)
            links.extend(
                {"step_run_id": row_id, "kind": kind, "name": name, "artifact_version_id": av}
                for kind, mapping in (("input", step.inputs), ("output", step.outputs))
                for name, av in mapping.items()
            )
            source = step.cached_from_step_run_id
            if source is not None and step.copy_cached_metadata:
                copies.append((source, row_id, step.run_id))
        if not rows:
            return ids
        with self._s.write_conn() as c:
            c.execute(_INSERT_STEP, rows)
            if links:
                c.execute(_INSERT_LINK, links)
            for source, target, run_id in copies:
                _copy_metadata(c, source, target, run_id)
        return ids

    def finish(
        self,
        step_run_id: uuid.UUID,
        run_id: uuid.UUID,
        result: StepRunFinish,
        outputs: dict[str, ArtifactVersionCreate],
    ) -> dict[str, ArtifactVersionRead]:
        """End a step run; its outputs (by output name) are registered in the same transaction."""
        values = result.model_dump(exclude={"attempts"})
        values["attempts"] = [a.model_dump(mode="json") for a in result.attempts]
        with self._s.write_conn() as s:
            created = register_versions(s, outputs.values(), step_run_id, run_id) if outputs else []
            if created:
                s.execute(
                    _INSERT_LINK,
                    [
                        {"step_run_id": step_run_id, "kind": "output", "name": n, "artifact_version_id": av.id}
                        for n, av in zip(outputs, created, strict=True)
                    ],
                )
            s.execute(_FINISH_STEP, {**values, "finish_id": step_run_id})
        return dict(zip(outputs, created, strict=True))

    def set_status(
        self, run_id: uuid.UUID, names: builtins.list[str], status: ExecutionStatus, reason: str | None = None
    ) -> None:
        """Create or update step runs that never started (skipped, stopped)."""
        with self._s.write() as s:
            existing = set(s.scalars(select(_T.c.name).where(_T.c.run_id == run_id, _T.c.name.in_(names))))
            values: dict[str, Any] = {"status": status.value}
            if reason:
                values["error_message"] = reason
            s.execute(
                update(_T).where(_T.c.run_id == run_id, _T.c.name.in_(names), _T.c.status.in_(_ACTIVE)).values(**values)
            )
            now = utcnow()
            new: builtins.list[dict[str, Any]] = [
                {
                    "id": uuid.uuid4(),
                    "run_id": run_id,
                    "name": n,
                    "step_name": n,
                    "status": status.value,
                    "error_message": reason,
                    "created_at": now,
                    "ended_at": now,
                    "cache_components": {},
                    "parameters": {},
                    "config": {},
                    "source_code": "",
                    "source_hash": "",
                    "upstream": [],
                    "resource_samples": [],
                    "attempts": [],
                }
                for n in names
                if n not in existing
            ]
            if new:
                s.execute(insert(_T), new)

    def find_cached(self, cache_key: str, *, project_id: uuid.UUID | None = None) -> CacheHit | None:
        """The newest successful step run with ``cache_key`` in the project (default: the store's), with its outputs."""
        project = project_id or self._default_project()
        with self._s.read_conn() as c:
            rows = c.execute(_FIND_CACHED, {"key": cache_key, "project": project}).all()
        if not rows:
            return None
        first = rows[0]
        return CacheHit.model_construct(
            step_run_id=first.step_id,
            run_id=first.step_run_run_id,
            log_uri=first.step_log_uri,
            has_metadata=bool(first.has_metadata),
            outputs={r.output_name: _version(r) for r in rows if r.output_name is not None},
        )

    def previous(self, pipeline_id: uuid.UUID, name: str, before_run: uuid.UUID) -> StepRunRead | None:
        """The latest earlier run of the same step of the same pipeline (to explain a cache miss)."""
        run = db.pipeline_runs
        with self._s.read_conn() as s:
            row = s.execute(
                select(_T)
                .join(run, run.c.id == _T.c.run_id)
                .where(
                    run.c.pipeline_id == pipeline_id,
                    _T.c.name == name,
                    _T.c.run_id != before_run,
                    _T.c.cache_key.is_not(None),
                )
                .order_by(_T.c.created_at.desc())
                .limit(1)
            ).first()
        return to_read(row, {}) if row else None

    def list(self, run_id: uuid.UUID) -> builtins.list[StepRunRead]:
        """Every step run of a run, in start order."""
        with self._s.read() as s:
            rows = s.execute(select(_T).where(_T.c.run_id == run_id).order_by(_T.c.created_at, _T.c.name)).all()
            links = _links(s, [r.id for r in rows])
            return [to_read(r, links.get(r.id, {})) for r in rows]

    def graph_rows(self, run_id: uuid.UUID) -> tuple[builtins.list[Any], builtins.list[Any]]:
        """The few columns the DAG and Timeline draw, for every step of a run, and what each step wrote.

        Two statements whatever the run's size: a 10,000-step run must not pull its source
        code, tracebacks and resource samples just to be drawn. Output links name their
        step by invocation name and carry the version id as the database returns it (32
        hex digits, or a UUID where the database has the type): turning every id into a
        UUID through SQLAlchemy's type took longer than the rest of the request. Times
        come as the driver returns them: naive UTC, as text (SQLite) or datetime.
        """
        with self._s.read() as c:  # one snapshot: a step finishing meanwhile shows up in both or neither
            steps = c.execute(
                select(
                    _T.c.name,
                    _T.c.status,
                    # Times as the driver gives them (text on SQLite): the caller's schema
                    # parses 20,000 of them far faster than SQLAlchemy's SQLite datetime type.
                    type_coerce(_T.c.started_at, String),
                    type_coerce(_T.c.ended_at, String),
                    _T.c.cache_miss_reason,
                    _T.c.error_type,
                ).where(_T.c.run_id == run_id)
            ).all()
            # Outputs only: an input reads its upstream step's output in the same run (the
            # runner resolves inputs from those outputs, cache hits included), so the caller
            # takes a started step's input versions from there; reading the 10,000 input
            # links of a fan-in as well cost a sixth of the answer.
            links = c.execute(
                select(
                    _T.c.name.label("step"),
                    _L.c.name,
                    type_coerce(_L.c.artifact_version_id, String).label("version_id"),
                    _AV.c.version,
                    _A.c.name.label("artifact"),
                )
                .join(_T, _T.c.id == _L.c.step_run_id)
                .join(_AV, _AV.c.id == _L.c.artifact_version_id)
                .join(_A, _A.c.id == _AV.c.artifact_id)
                .where(_T.c.run_id == run_id, _L.c.kind == "output")
            ).all()
        return list(steps), list(links)

    def get(self, run_id: uuid.UUID, name: str) -> StepRunRead:
        """A step run by run and invocation name (or id)."""
        with self._s.read() as s:
            row = s.execute(select(_T).where(_T.c.run_id == run_id, _T.c.name == name)).first()
            if row is None:
                try:
                    row = s.execute(select(_T).where(_T.c.id == uuid.UUID(name))).first()
                except ValueError:
                    row = None
            if row is None:
                raise not_found("step", name, "run `waypost runs show RUN` to see its steps")
            return to_read(row, _links(s, [row.id]).get(row.id, {}))

    def consumers(
        self, version_id: uuid.UUID, *, visibility: Visibility | None = None, page: int = 1, size: int = 50
    ) -> Page[StepRunRead]:
        """Step runs that took version ``version_id`` as an input, oldest first (of the runs ``visibility`` allows)."""
        check_page(page, size)
        conds = [_L.c.artifact_version_id == version_id, _L.c.kind == "input"]
        scope = visible(db.pipeline_runs, visibility)
        joined = _L.join(_T, _T.c.id == _L.c.step_run_id)
        if scope is not None:
            joined = joined.join(db.pipeline_runs, db.pipeline_runs.c.id == _T.c.run_id)
            conds.append(scope)
        with self._s.read() as s:
            total = s.scalar(select(func.count()).select_from(joined).where(*conds)) or 0
            rows = s.execute(
                select(_T)
                .select_from(joined)
                .where(*conds)
                .order_by(_T.c.created_at, _T.c.id)
                .limit(size)
                .offset((page - 1) * size)
            ).all()
            links = _links(s, [r.id for r in rows])
            items = [to_read(r, links.get(r.id, {})) for r in rows]
        return Page[StepRunRead](items=items, total=total, page=page, size=size)

    def get_by_id(self, step_run_id: uuid.UUID) -> StepRunRead:
        """A step run by id."""
        with self._s.read() as s:
            row = s.execute(select(_T).where(_T.c.id == step_run_id)).first()
            if row is None:
                raise not_found("step run", step_run_id, "check the id")
            return to_read(row, _links(s, [row.id]).get(row.id, {}))
