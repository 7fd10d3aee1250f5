"""Step runs: start, finish (registering outputs atomically), cache look-ups."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from waypost.enums import ExecutionStatus
from waypost.schemas import ArtifactVersionCreate, ArtifactVersionRead, StepRunCreate, StepRunFinish, StepRunRead
from waypost.store.sql.engine import Sessions
from waypost.store.sql.orm import ArtifactVersion, PipelineRun, StepRun, StepRunArtifact
from waypost.store.sql.repositories._common import not_found
from waypost.store.sql.repositories.artifacts import register_versions, version_read

_ACTIVE = (ExecutionStatus.INITIALIZING.value, ExecutionStatus.RUNNING.value)


def to_read(row: StepRun, links: dict[str, dict[str, uuid.UUID]]) -> StepRunRead:
    """Wire schema of a step-run row."""
    return StepRunRead(
        id=row.id,
        run_id=row.run_id,
        name=row.name,
        step_name=row.step_name,
        status=ExecutionStatus(row.status),
        cache_key=row.cache_key,
        cache_components=row.cache_components,
        cache_miss_reason=row.cache_miss_reason,
        cached_from_step_run_id=row.cached_from_step_run_id,
        cached_from_run_id=row.cached_from_run_id,
        parameters=row.parameters,
        config=row.config,
        source_code=row.source_code,
        source_hash=row.source_hash,
        docstring=row.docstring,
        upstream=row.upstream,
        log_uri=row.log_uri,
        error_type=row.error_type,
        error_message=row.error_message,
        traceback=row.traceback,
        resource_samples=row.resource_samples,
        created_at=row.created_at,
        started_at=row.started_at,
        ended_at=row.ended_at,
        inputs=links.get("input", {}),
        outputs=links.get("output", {}),
        attempts=row.attempts,  # type: ignore[arg-type]
    )


def _links(s: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dict[str, dict[str, uuid.UUID]]]:
    out: dict[uuid.UUID, dict[str, dict[str, uuid.UUID]]] = {}
    ids = list(ids)
    if not ids:
        return out
    for sid, kind, name, av in s.execute(
        select(
            StepRunArtifact.step_run_id, StepRunArtifact.kind, StepRunArtifact.name, StepRunArtifact.artifact_version_id
        ).where(StepRunArtifact.step_run_id.in_(ids))
    ):
        out.setdefault(sid, {}).setdefault(kind, {})[name] = av
    return out


class StepRepository:
    """Step runs of pipeline runs."""

    def __init__(self, sessions: Sessions) -> None:
        self._s = sessions

    def start(self, step: StepRunCreate) -> uuid.UUID:
        """Record a step run (running, or cached with its outputs linked); return its id."""
        row_id = uuid.uuid4()
        with self._s.write() as s:
            s.add(StepRun(id=row_id, **step.model_dump(exclude={"inputs", "outputs"})))
            s.flush()
            for name, av in step.inputs.items():
                s.add(StepRunArtifact(step_run_id=row_id, kind="input", name=name, artifact_version_id=av))
            for name, av in step.outputs.items():
                s.add(StepRunArtifact(step_run_id=row_id, kind="output", name=name, artifact_version_id=av))
        return row_id

    def finish(
        self,
        step_run_id: uuid.UUID,
        run_id: uuid.UUID,
        result: StepRunFinish,
        outputs: dict[str, ArtifactVersionCreate],
    ) -> dict[str, ArtifactVersionRead]:
        """End a step run; its outputs (by output name) are registered in the same transaction."""
        with self._s.write() as s:
            rows = register_versions(s, outputs.values(), step_run_id, run_id) if outputs else []
            for out_name, r in zip(outputs, rows, strict=True):
                s.add(StepRunArtifact(step_run_id=step_run_id, kind="output", name=out_name, artifact_version_id=r.id))
            s.execute(
                update(StepRun)
                .where(StepRun.id == step_run_id)
                .values(
                    **result.model_dump(exclude={"attempts"}),
                    attempts=[a.model_dump(mode="json") for a in result.attempts],
                )
            )
            return {n: version_read(r, []) for n, r in zip(outputs, rows, strict=True)}

    def set_status(self, run_id: uuid.UUID, names: list[str], status: ExecutionStatus, reason: str | None = None) -> None:
        """Create or update step runs that never started (skipped, stopped)."""
        with self._s.write() as s:
            existing = set(s.scalars(select(StepRun.name).where(StepRun.run_id == run_id, StepRun.name.in_(names))))
            s.execute(
                update(StepRun)
                .where(StepRun.run_id == run_id, StepRun.name.in_(names), StepRun.status.in_(_ACTIVE))
                .values(status=status.value)
            )
            for n in names:
                if n not in existing:
                    s.add(StepRun(run_id=run_id, name=n, step_name=n.split("#")[0], status=status.value, error_message=reason))

    def find_cached(self, cache_key: str) -> tuple[StepRunRead, dict[str, ArtifactVersionRead]] | None:
        """The newest successful step run with ``cache_key``, with its output versions."""
        with self._s.read() as s:
            row = s.scalar(
                select(StepRun)
                .where(StepRun.cache_key == cache_key, StepRun.status == ExecutionStatus.COMPLETED.value)
                .order_by(StepRun.created_at.desc())
                .limit(1)
            )
            if row is None:
                return None
            outs = {
                name: version_read(av, [])
                for name, av in s.execute(
                    select(StepRunArtifact.name, ArtifactVersion)
                    .join(ArtifactVersion, ArtifactVersion.id == StepRunArtifact.artifact_version_id)
                    .where(StepRunArtifact.step_run_id == row.id, StepRunArtifact.kind == "output")
                )
            }
            return to_read(row, {"output": {k: v.id for k, v in outs.items()}}), outs

    def previous(self, pipeline_id: uuid.UUID, name: str, before_run: uuid.UUID) -> StepRunRead | None:
        """The latest earlier run of the same step of the same pipeline (to explain a cache miss)."""
        with self._s.read() as s:
            row = s.scalar(
                select(StepRun)
                .join(PipelineRun, PipelineRun.id == StepRun.run_id)
                .where(
                    PipelineRun.pipeline_id == pipeline_id,
                    StepRun.name == name,
                    StepRun.run_id != before_run,
                    StepRun.cache_key.is_not(None),
                )
                .order_by(StepRun.created_at.desc())
                .limit(1)
            )
            return to_read(row, {}) if row else None

    def list(self, run_id: uuid.UUID) -> list[StepRunRead]:
        """Every step run of a run, in start order."""
        with self._s.read() as s:
            rows = list(s.scalars(select(StepRun).where(StepRun.run_id == run_id).order_by(StepRun.created_at, StepRun.name)))
            links = _links(s, [r.id for r in rows])
            return [to_read(r, links.get(r.id, {})) for r in rows]

    def get(self, run_id: uuid.UUID, name: str) -> StepRunRead:
        """A step run by run and invocation name (or id)."""
        with self._s.read() as s:
            row = s.scalar(select(StepRun).where(StepRun.run_id == run_id, StepRun.name == name))
            if row is None:
                try:
                    row = s.get(StepRun, uuid.UUID(name))
                except ValueError:
                    row = None
            if row is None:
                raise not_found("step", name, "run `waypost runs show RUN` to see its steps")
            return to_read(row, _links(s, [row.id]).get(row.id, {}))

    def get_by_id(self, step_run_id: uuid.UUID) -> StepRunRead:
        """A step run by id."""
        with self._s.read() as s:
            row = s.get(StepRun, step_run_id)
            if row is None:
                raise not_found("step run", step_run_id, "check the id")
            return to_read(row, _links(s, [row.id]).get(row.id, {}))
