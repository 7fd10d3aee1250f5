"""Runs side by side, in a fixed number of queries however many runs (at most 100).

Each run brings its own facts (pipeline, status, duration, user, stack, tags, snapshot), its
parameters (the pipeline's as ``name``, each step's as ``step.name``), the metadata logged on it
(on the run as ``key``, on a step as ``step.key``; artifacts' own metadata stays with the
artifacts), its steps' statuses and cache hits, its steps' outputs and its snapshot's structure
and step sources. :func:`~waypost.store.sql.repositories._run_compare_rows.build_rows` turns them
into rows of a table.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Row, String, Text, and_, case, cast, false, func, null, or_, select, type_coerce

from waypost.enums import MetadataType
from waypost.schemas.access import Visibility
from waypost.schemas.run_compare import (
    ComparedOutput,
    ComparedRun,
    RunComparison,
)
from waypost.store.sql import tables as db
from waypost.store.sql.engine import Sessions
from waypost.store.sql.repositories._common import parse_id, tags_for, visible
from waypost.store.sql.repositories._run_compare_rows import (
    Facts,
    build_rows,
    lower_is_better,
    parse_directions,
    split_run_refs,
)
from waypost.store.sql.repositories.model_views import metric_value

__all__ = ["RunCompareRepository", "lower_is_better", "parse_directions", "resolve", "split_run_refs"]

_RUN, _STEP = db.pipeline_runs, db.step_runs
#: Metadata types whose value the numeric column holds exactly (up to 2**53).
_NUMERIC_TYPES = (MetadataType.INT.value, MetadataType.FLOAT.value, MetadataType.STORAGE_SIZE.value)
_EXACT = 2**53
#: Entries on the run and its steps, found through ix_metadata_run_key: as an expression, the test never makes SQLite
#: walk ix_metadata_entries_artifact_version_id instead (every run's entries have no artifact: a scan of them all).
_OWN_ENTRY = func.coalesce(db.metadata_entries.c.artifact_version_id, None).is_(None)


def resolve(
    conn: Connection, refs: Sequence[str], visibility: Visibility | None, project_id: uuid.UUID | None
) -> tuple[list[Row[Any]], list[str]]:
    """The runs ``refs`` name that ``visibility`` allows, in order and distinct, and the refs naming none (one query).

    An id names a run anywhere; a name is looked for in ``project_id`` when given (as single look-ups do).
    """
    ids = [i for i in (parse_id(r) for r in refs) if i is not None]
    names = [r for r in refs if parse_id(r) is None]
    by_name: Any = _RUN.c.name.in_(names) if names else false()
    if names and project_id is not None:
        by_name = and_(by_name, _RUN.c.project_id == project_id)
    p, w = db.projects, db.workspaces
    stmt = (
        select(
            _RUN.c.id,
            _RUN.c.name,
            _RUN.c.pipeline_id,
            _RUN.c.snapshot_id,
            _RUN.c.status,
            _RUN.c.parameters,
            _RUN.c.created_at,
            _RUN.c.started_at,
            _RUN.c.ended_at,
            db.pipelines.c.name.label("pipeline_name"),
            db.stacks.c.name.label("stack_name"),
            db.users.c.name.label("user_name"),
            (w.c.name.concat("/").concat(p.c.name)).label("project"),
        )
        .join(db.pipelines, db.pipelines.c.id == _RUN.c.pipeline_id)
        .join(p, p.c.id == _RUN.c.project_id)
        .join(w, w.c.id == p.c.workspace_id)
        .outerjoin(db.stacks, db.stacks.c.id == _RUN.c.stack_id)
        .outerjoin(db.users, db.users.c.id == _RUN.c.user_id)
        .where(or_(_RUN.c.id.in_(ids), by_name))
    )
    seen = visible(_RUN, visibility)
    if seen is not None:
        stmt = stmt.where(seen)
    rows: list[Row[Any]] = list(conn.execute(stmt))
    found_ids = {r.id: r for r in rows}
    found_names = {r.name: r for r in rows}
    found: dict[uuid.UUID, Row[Any]] = {}
    missing: list[str] = []
    for ref in refs:
        rid = parse_id(ref)
        row = found_ids.get(rid) if rid is not None else found_names.get(ref)
        if row is None:
            missing.append(ref)
        else:
            found.setdefault(row.id, row)
    return list(found.values()), missing


def _steps(conn: Connection, facts: dict[uuid.UUID, Facts]) -> dict[Any, str]:
    """Each run's step runs: parameters, status, cache hit and source hash (one query); their names by stored id."""
    stmt = select(
        type_coerce(_STEP.c.id, String),
        _STEP.c.run_id,
        _STEP.c.name,
        _STEP.c.status,
        _STEP.c.parameters,
        _STEP.c.source_hash,
        _STEP.c.cached_from_step_run_id,
    ).where(_STEP.c.run_id.in_(list(facts)))
    names: dict[Any, str] = {}
    for step_id, run_id, name, status, params, source_hash, cached_from in conn.execute(stmt):
        names[step_id] = name
        mine = facts[run_id]
        for key, value in (params or {}).items():
            mine.parameters[f"{name}.{key}"] = value  # the parameters a step really ran with win over its spec's
        mine.steps[f"{name}.status"] = status
        mine.steps[f"{name}.cached"] = status == "cached" or cached_from is not None
        if source_hash:
            mine.snapshot[f"{name}.source_hash"] = source_hash
    return names


def _snapshots(conn: Connection, runs: Sequence[Row[Any]], facts: dict[uuid.UUID, Facts]) -> None:
    """Each run's snapshot: structure hash, and its steps' parameters and sources as compiled (one query)."""
    snap = db.pipeline_snapshots
    wanted = list({r.snapshot_id for r in runs})
    specs = {
        sid: (structure_hash, spec)
        for sid, structure_hash, spec in conn.execute(
            select(snap.c.id, snap.c.structure_hash, snap.c.spec).where(snap.c.id.in_(wanted))
        )
    }
    for r in runs:
        mine = facts[r.id]
        structure_hash, spec = specs.get(r.snapshot_id, (None, {}))
        mine.snapshot["structure_hash"] = structure_hash
        for step in (spec or {}).get("steps", []):
            if not isinstance(step, dict) or not step.get("name"):
                continue
            name = step["name"]
            for key, value in (step.get("parameters") or {}).items():
                mine.parameters.setdefault(f"{name}.{key}", value)
            if step.get("source_hash"):
                mine.snapshot.setdefault(f"{name}.source_hash", step["source_hash"])


def _metadata(conn: Connection, facts: dict[uuid.UUID, Facts], steps: Mapping[Any, str]) -> None:
    """Metadata logged on each run and its steps, not on artifacts (one query); the latest entry of a key wins.

    Tens of thousands of entries come back for 100 runs, so each row is made cheap: a number is
    read from its numeric column (no JSON to parse; exact up to 2**53), anything else as its JSON
    text (read directly when it is a plain string), the run's and step's ids as stored, and the
    step's name from ``steps`` (:func:`_steps`'s) rather than a join.
    """
    me = db.metadata_entries
    numeric = and_(me.c.type.in_(_NUMERIC_TYPES), me.c.value_num.between(-_EXACT, _EXACT))
    stmt = (
        select(
            type_coerce(me.c.run_id, String),
            type_coerce(me.c.step_run_id, String),
            me.c.key,
            me.c.type,
            me.c.value_num,
            case((numeric, null()), else_=cast(me.c.value_json, Text)).label("value_json"),
        )
        .where(me.c.run_id.in_(list(facts)), _OWN_ENTRY)
        .order_by(me.c.created_at, me.c.id)
    )
    owners = _by_stored_id(facts)
    ints, floats = (MetadataType.INT.value, MetadataType.STORAGE_SIZE.value), MetadataType.FLOAT.value
    for run_id, step_id, key, type_, number, text in conn.execute(stmt).all():
        if text is None:
            value = None if number is None else (int(number) if type_ in ints else number)
        else:
            value = _json_value(text)
            if type_ == floats:
                value = metric_value(type_, value)
        step = None if step_id is None else steps.get(step_id)
        owners[run_id].metadata[key if step is None else f"{step}.{key}"] = value


def _json_value(text: str) -> Any:
    """A JSON text's value; a plain string (quoted, nothing escaped) is read without the JSON parser."""
    if len(text) > 1 and text[0] == '"' and text[-1] == '"' and "\\" not in text:
        return text[1:-1]
    return json.loads(text)


def _by_stored_id(facts: dict[uuid.UUID, Facts]) -> dict[Any, Facts]:
    """``facts`` by run id as a driver returns it untyped: a UUID (PostgreSQL) or its 32 hex digits (CHAR(32))."""
    out: dict[Any, Facts] = {}
    for run_id, mine in facts.items():
        out[run_id] = out[run_id.hex] = out[str(run_id)] = mine
    return out


def _outputs(conn: Connection, facts: dict[uuid.UUID, Facts]) -> None:
    """Each run's step outputs: the artifact version each output is (one query)."""
    sra, av, art = db.step_run_artifacts, db.artifact_versions, db.artifacts
    stmt = (
        select(
            _STEP.c.run_id,
            _STEP.c.name.label("step"),
            sra.c.name.label("output"),
            av.c.id,
            art.c.name.label("artifact"),
            av.c.version,
            av.c.content_hash,
            av.c.size,
            av.c.data_type,
        )
        .join(_STEP, _STEP.c.id == sra.c.step_run_id)
        .join(av, av.c.id == sra.c.artifact_version_id)
        .join(art, art.c.id == av.c.artifact_id)
        .where(_STEP.c.run_id.in_(list(facts)), sra.c.kind == "output")
    )
    for r in conn.execute(stmt):
        facts[r.run_id].artifacts[f"{r.step}.{r.output}"] = ComparedOutput(
            artifact_version_id=r.id,
            artifact=r.artifact,
            version=r.version,
            hash=r.content_hash,
            size=r.size,
            data_type=r.data_type,
        )


def _run_facts(r: Row[Any], tags: list[str]) -> tuple[ComparedRun, Facts]:
    duration = (r.ended_at - r.started_at).total_seconds() if r.started_at and r.ended_at else None
    run = ComparedRun(
        id=r.id,
        name=r.name,
        pipeline_id=r.pipeline_id,
        pipeline_name=r.pipeline_name,
        status=r.status,
        created_at=r.created_at,
        started_at=r.started_at,
        ended_at=r.ended_at,
        duration_s=duration,
        user=r.user_name,
        stack=r.stack_name,
        project=r.project,
        tags=tags,
    )
    facts = Facts(parameters=dict(r.parameters or {}))
    facts.run.update(
        pipeline=r.pipeline_name,
        status=r.status,
        duration_s=duration,
        user=r.user_name,
        stack=r.stack_name,
        tags=tags,
        snapshot_id=str(r.snapshot_id),
    )
    return run, facts


class RunCompareRepository:
    """Reads comparing runs."""

    def __init__(self, sessions: Sessions) -> None:
        self._s = sessions

    def compare(
        self,
        refs: Sequence[str],
        *,
        visibility: Visibility | None = None,
        project_id: uuid.UUID | None = None,
        directions: Mapping[str, bool] | None = None,
    ) -> RunComparison:
        """Runs ``refs`` (ids or names) side by side, in the order asked; those not found or hidden are ``missing``.

        ``visibility`` keeps the runs a caller may read (None: every run); a name is looked for in
        ``project_id`` when given. ``directions`` (key -> lower is better) override how the best
        value of a metric is picked. Six queries, however many runs.

        Raises:
            ParameterError: no ref, or more than 100 of them.
        """
        refs = split_run_refs(",".join(refs))
        with self._s.read() as s:
            rows, missing = resolve(s, refs, visibility, project_id)
            if not rows:
                return RunComparison(runs=[], missing=missing, rows=[])
            ids = [r.id for r in rows]
            tags = tags_for(s, "run", ids)
            compared, facts = zip(*(_run_facts(r, tags[r.id]) for r in rows), strict=True)
            by_id = dict(zip(ids, facts, strict=True))
            _snapshots(s, rows, by_id)
            step_names = _steps(s, by_id)
            _metadata(s, by_id, step_names)
            _outputs(s, by_id)
        return RunComparison(runs=list(compared), missing=missing, rows=build_rows(facts, directions))
