"""Two runs compared, in a fixed number of queries however many steps they have (four at most).

The facts come from what the runs recorded: their snapshots' DAGs (wiring and code), their step runs
(status, cache key and its parts, parameters, settings) and the content hashes of the artifact
versions their steps read. :mod:`waypost.store.run_diff` turns them into a :class:`RunDiff`.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Connection, select

from waypost.enums import ExecutionStatus
from waypost.exceptions import NotFoundError
from waypost.schemas.access import Visibility
from waypost.schemas.run_diff import RunDiff
from waypost.store import run_diff as build
from waypost.store.sql import tables as db
from waypost.store.sql.engine import Sessions
from waypost.store.sql.repositories._common import not_found, visible

__all__ = ["RunDiffRepository"]

_R, _S, _L, _AV = db.pipeline_runs, db.step_runs, db.step_run_artifacts, db.artifact_versions
_SUCCESSFUL = (ExecutionStatus.COMPLETED.value, ExecutionStatus.CACHED.value)
_HINT = "run `waypost runs list` to see the runs"


def _runs(conn: Connection, ids: list[uuid.UUID]) -> dict[uuid.UUID, build.RunFacts]:
    stmt = (
        select(
            _R.c.id,
            _R.c.name,
            _R.c.status,
            _R.c.created_at,
            _R.c.config,
            _R.c.parameters,
            _R.c.orchestrator,
            _R.c.stack_snapshot,
            db.pipelines.c.name.label("pipeline_name"),
            db.pipeline_snapshots.c.spec,
        )
        .join(db.pipelines, db.pipelines.c.id == _R.c.pipeline_id)
        .join(db.pipeline_snapshots, db.pipeline_snapshots.c.id == _R.c.snapshot_id)
        .where(_R.c.id.in_(ids))
    )
    return {
        r.id: build.RunFacts(
            id=r.id,
            name=r.name,
            pipeline_name=r.pipeline_name,
            status=ExecutionStatus(r.status),
            created_at=r.created_at,
            config=dict(r.config or {}),
            parameters=dict(r.parameters or {}),
            orchestrator=r.orchestrator,
            stack=r.stack_snapshot,
            spec=dict(r.spec or {}),
        )
        for r in conn.execute(stmt)
    }


def _steps(conn: Connection, facts: dict[uuid.UUID, build.RunFacts]) -> None:
    """Each run's step runs, and the content hash of every artifact version they read (two queries)."""
    ids = list(facts)
    stmt = select(
        _S.c.id,
        _S.c.run_id,
        _S.c.name,
        _S.c.status,
        _S.c.cache_key,
        _S.c.cache_components,
        _S.c.cache_miss_reason,
        _S.c.cached_from_run_id,
        _S.c.parameters,
        _S.c.config,
        _S.c.source_code,
        _S.c.source_hash,
    ).where(_S.c.run_id.in_(ids))
    by_id: dict[uuid.UUID, build.StepFacts] = {}
    for r in conn.execute(stmt):
        step = build.StepFacts(
            status=ExecutionStatus(r.status),
            cache_key=r.cache_key,
            components=dict(r.cache_components or {}),
            miss_reason=r.cache_miss_reason,
            cached_from_run_id=r.cached_from_run_id,
            parameters=dict(r.parameters or {}),
            config=dict(r.config or {}),
            source_code=r.source_code or "",
            source_hash=r.source_hash or "",
        )
        facts[r.run_id].steps[r.name] = step
        by_id[r.id] = step
    if not by_id:
        return
    inputs = (
        select(_L.c.step_run_id, _L.c.name, _AV.c.content_hash)
        .join(_AV, _AV.c.id == _L.c.artifact_version_id)
        .join(_S, _S.c.id == _L.c.step_run_id)
        .where(_S.c.run_id.in_(ids), _L.c.kind == "input")
    )
    for step_run_id, name, content_hash in conn.execute(inputs):
        by_id[step_run_id].input_hashes[name] = content_hash


def _names(conn: Connection, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    return {r.id: r.name for r in conn.execute(select(_R.c.id, _R.c.name).where(_R.c.id.in_(sorted(ids))))}


class RunDiffRepository:
    """Runs compared, and the run to compare a failed one with."""

    def __init__(self, sessions: Sessions) -> None:
        """Over the store's sessions."""
        self._s = sessions

    def diff(self, before_id: uuid.UUID, after_id: uuid.UUID) -> RunDiff:
        """How run ``after_id`` differs from run ``before_id`` (the baseline).

        Raises:
            NotFoundError: either run does not exist.
        """
        with self._s.read() as conn:
            facts = _runs(conn, list({before_id, after_id}))
            for rid in (before_id, after_id):
                if rid not in facts:
                    raise not_found("run", rid, _HINT)
            _steps(conn, facts)
            sources = {s.cached_from_run_id for f in facts.values() for s in f.steps.values()}
            names = _names(conn, {i for i in sources if i is not None} - set(facts))
        names.update({f.id: f.name for f in facts.values()})
        return build.run_diff(facts[before_id], facts[after_id], names)

    def last_successful(self, run_id: uuid.UUID, visibility: Visibility | None = None) -> uuid.UUID:
        """The newest completed (or cached) run of run ``run_id``'s pipeline created before it, that ``visibility``
        allows (one query).

        Raises:
            NotFoundError: the run does not exist, or no such run does.
        """
        run = _R.alias("this")
        stmt = (
            select(_R.c.id, run.c.name)
            .join(run, run.c.pipeline_id == _R.c.pipeline_id)
            .where(
                run.c.id == run_id,
                _R.c.status.in_(_SUCCESSFUL),
                (_R.c.created_at < run.c.created_at) | ((_R.c.created_at == run.c.created_at) & (_R.c.id < run.c.id)),
            )
            .order_by(_R.c.created_at.desc(), _R.c.id.desc())
            .limit(1)
        )
        allowed = visible(_R, visibility)
        if allowed is not None:
            stmt = stmt.where(allowed)
        with self._s.read() as conn:
            found = conn.execute(stmt).first()
            if found is None:
                name = conn.scalar(select(_R.c.name).where(_R.c.id == run_id))
                if name is None:
                    raise not_found("run", run_id, _HINT)
                raise NotFoundError(
                    f"Run '{name}' has no successful run of its pipeline before it; compare it with any run by name."
                )
        found_id: uuid.UUID = found.id
        return found_id
