"""Versions of a model side by side, in a fixed number of queries however many versions (at most 50).

Each version brings the metadata logged on it (a key with a number on any version is a metric, the
rest is metadata), the parameters and pipeline snapshot of the run that made it (its first linked
run), and the artifact versions linked to it. :func:`build_rows` turns them into rows of a table.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, func, or_, select

from waypost.enums import ModelStages
from waypost.exceptions import ParameterError
from waypost.schemas.model_compare import (
    MAX_COMPARED_VERSIONS,
    ComparedArtifact,
    ComparedVersion,
    CompareSection,
    ComparisonRow,
    ModelComparison,
)
from waypost.schemas.model_views import VersionRunRef
from waypost.store import model_stages as rules
from waypost.store.sql import tables as db
from waypost.store.sql.engine import Sessions
from waypost.store.sql.repositories._common import parse_id
from waypost.store.sql.repositories._model_rows import versions_hint
from waypost.store.sql.repositories.model_views import metric_value

_MV, _ME = db.model_versions, db.metadata_entries
#: A metadata key found through its version, never through ix_metadata_key_num (see model_views).
_entry_key = _ME.c.key.concat("")


@dataclass
class _Facts:
    """What one version brings to the comparison."""

    metadata: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    snapshot: dict[str, Any] = field(default_factory=dict)
    artifacts: dict[str, ComparedArtifact] = field(default_factory=dict)


def split_refs(raw: str, limit: int = MAX_COMPARED_VERSIONS, noun: str = "versions") -> list[str]:
    """The distinct references of a comma-separated list, in order, checked for count (at most ``limit``)."""
    refs = list(dict.fromkeys(r.strip() for r in raw.split(",") if r.strip()))
    if len(refs) > limit:
        raise ParameterError(f"{len(refs)} {noun} asked for; compare at most {limit} at a time.")
    return refs


def resolve(conn: Connection, model_id: uuid.UUID, refs: Sequence[str]) -> tuple[list[Row[Any]], list[str]]:
    """The versions ``refs`` name (id, name, number, ``latest`` or a stage), in order and distinct, and the unknown.

    One query: a name wins over a number, as everywhere a version is named.
    """
    ids = [i for i in (parse_id(r) for r in refs) if i is not None]
    stages = [r for r in refs if rules.is_stage_name(r) and r != ModelStages.LATEST.value]
    numbers = [int(r) for r in refs if r.isdigit() and len(r) < 10]
    newest = select(func.max(_MV.c.number)).where(_MV.c.model_id == model_id).scalar_subquery()
    wanted: list[ColumnElement[bool]] = [
        _MV.c.id.in_(ids),
        _MV.c.name.in_(list(refs)),
        _MV.c.number.in_(numbers),
        _MV.c.stage.in_(stages),
    ]
    if ModelStages.LATEST.value in refs:
        wanted.append(_MV.c.number == newest)
    rows = conn.execute(select(_MV).where(_MV.c.model_id == model_id, or_(*wanted))).all()
    by_id = {r.id: r for r in rows}
    by_name = {r.name: r for r in rows}
    by_number = {r.number: r for r in rows}
    found: dict[uuid.UUID, Row[Any]] = {}
    unknown: list[str] = []
    for ref in refs:
        rid = parse_id(ref)
        row: Row[Any] | None
        if rid is not None:
            row = by_id.get(rid)
        elif ref == ModelStages.LATEST.value:
            row = max(rows, key=lambda r: r.number, default=None)
        elif ref in stages:
            row = max((r for r in rows if r.stage == ref), key=lambda r: r.number, default=None)
        else:
            row = by_name.get(ref) or (by_number.get(int(ref)) if ref.isdigit() and len(ref) < 10 else None)
        if row is None:
            unknown.append(ref)
        else:
            found.setdefault(row.id, row)
    return list(found.values()), unknown


def _metadata(conn: Connection, ids: Sequence[uuid.UUID], facts: dict[uuid.UUID, _Facts]) -> None:
    entries = (
        select(_ME.c.model_version_id, _ME.c.key, _ME.c.type, _ME.c.value_json)
        .where(_ME.c.model_version_id.in_(ids))
        .order_by(_ME.c.created_at, _ME.c.id)
    )
    for vid, key, type_, value in conn.execute(entries):
        facts[vid].metadata[key] = metric_value(type_, value)  # a later entry overwrites: the latest wins


def _runs(conn: Connection, ids: Sequence[uuid.UUID], facts: dict[uuid.UUID, _Facts]) -> dict[uuid.UUID, VersionRunRef]:
    """The first run linked to each version: its parameters, its steps' and its snapshot (three queries)."""
    mvr, run = db.model_version_runs, db.pipeline_runs
    by_version = mvr.c.model_version_id
    ranked = (
        select(
            by_version.label("version_id"),
            run.c.id,
            run.c.name,
            run.c.status,
            run.c.parameters,
            run.c.snapshot_id,
            run.c.pipeline_id,
            run.c.user_id,
            func.row_number().over(partition_by=by_version, order_by=(run.c.created_at, run.c.id)).label("rn"),
        )
        .join(run, run.c.id == mvr.c.run_id)
        .where(by_version.in_(ids))
        .subquery()
    )
    stmt = (
        select(ranked, db.pipelines.c.name.label("pipeline_name"), db.users.c.name.label("user_name"))
        .outerjoin(db.pipelines, db.pipelines.c.id == ranked.c.pipeline_id)
        .outerjoin(db.users, db.users.c.id == ranked.c.user_id)
        .where(ranked.c.rn == 1)
    )
    made = conn.execute(stmt).all()
    snap = db.pipeline_snapshots
    snapshot_ids = list({r.snapshot_id for r in made})
    specs = {
        sid: (structure_hash, spec)
        for sid, structure_hash, spec in conn.execute(
            select(snap.c.id, snap.c.structure_hash, snap.c.spec).where(snap.c.id.in_(snapshot_ids))
        )
    }
    # A snapshot is shared by runs of one structure: the parameters a step really ran with are its step run's.
    sr = db.step_runs
    ran: dict[uuid.UUID, dict[str, Any]] = {}
    for run_id, step_name, params in conn.execute(
        select(sr.c.run_id, sr.c.name, sr.c.parameters).where(sr.c.run_id.in_([r.id for r in made]))
    ):
        for key, value in (params or {}).items():
            ran.setdefault(run_id, {})[f"{step_name}.{key}"] = value
    out: dict[uuid.UUID, VersionRunRef] = {}
    for r in made:
        out[r.version_id] = VersionRunRef(
            id=r.id, name=r.name, status=r.status, pipeline_name=r.pipeline_name, user_name=r.user_name
        )
        mine = facts[r.version_id]
        mine.parameters.update(r.parameters or {})
        structure_hash, spec = specs.get(r.snapshot_id, ("", {}))
        steps = [s for s in (spec or {}).get("steps", []) if isinstance(s, dict)]
        for step in steps:
            for key, value in (step.get("parameters") or {}).items():
                mine.parameters[f"{step.get('name')}.{key}"] = value
        mine.parameters.update(ran.get(r.id, {}))
        mine.snapshot.update(
            {
                "pipeline": r.pipeline_name,
                "structure hash": structure_hash,
                "steps": [s.get("name") for s in steps],
                "run": r.name,
                "run status": r.status,
            }
        )
    return out


def _artifacts(conn: Connection, ids: Sequence[uuid.UUID], facts: dict[uuid.UUID, _Facts]) -> None:
    mva, av, art = db.model_version_artifacts, db.artifact_versions, db.artifacts
    stmt = (
        select(mva.c.model_version_id, art.c.name, av.c.id, av.c.version, av.c.data_type, av.c.content_hash, av.c.size)
        .join(av, av.c.id == mva.c.artifact_version_id)
        .join(art, art.c.id == av.c.artifact_id)
        .where(mva.c.model_version_id.in_(ids))
        .order_by(av.c.version)
    )
    for vid, name, av_id, version, data_type, content_hash, size in conn.execute(stmt):
        facts[vid].artifacts[name] = ComparedArtifact(  # the newest version of an artifact linked twice wins
            artifact_version_id=av_id, version=version, data_type=data_type, content_hash=content_hash, size=size
        )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _finite(value: Any) -> bool:
    """:func:`_is_number`, sooner for the plain floats and ints a row of metrics holds."""
    kind = type(value)
    return (kind is float and math.isfinite(value)) or kind is int or _is_number(value)


def same_key(value: Any) -> str:
    """A value as text for comparing: 1 and 1.0 alike, artifacts by content, everything else by its JSON."""
    if _is_number(value):
        return repr(float(value))
    if isinstance(value, ComparedArtifact):
        return value.content_hash
    return json.dumps(value, sort_keys=True, default=str)


def best_index(values: Sequence[Any], lower_is_better: bool) -> int | None:
    """The index of the best number of ``values`` (the first of a tie); None when fewer than two or all equal."""
    numbers = [float(v) if _finite(v) else None for v in values]
    found = [n for n in numbers if n is not None]
    if len(found) < 2:
        return None
    best = min(found) if lower_is_better else max(found)
    if best == (max(found) if lower_is_better else min(found)):
        return None  # all equal
    return numbers.index(best)


def build_rows(facts: Sequence[_Facts], directions: dict[str, str]) -> list[ComparisonRow]:
    """Rows of attributes by versions: metrics (keys with a number on any version), parameters, metadata, artifacts
    and snapshot, each section's keys in name order."""
    keys: set[str] = {k for f in facts for k in f.metadata}
    metric_keys = {k for k in keys if any(_is_number(f.metadata.get(k)) for f in facts)}
    sections: list[tuple[CompareSection, list[str], Any]] = [
        ("metrics", sorted(metric_keys), lambda f, k: f.metadata.get(k)),
        ("parameters", sorted({k for f in facts for k in f.parameters}), lambda f, k: f.parameters.get(k)),
        ("metadata", sorted(keys - metric_keys), lambda f, k: f.metadata.get(k)),
        ("artifacts", sorted({k for f in facts for k in f.artifacts}), lambda f, k: f.artifacts.get(k)),
        ("snapshot", ["pipeline", "structure hash", "steps", "run", "run status"], lambda f, k: f.snapshot.get(k)),
    ]
    rows: list[ComparisonRow] = []
    for section, section_keys, get in sections:
        for key in section_keys:
            values = [get(f, key) for f in facts]
            if section == "snapshot" and all(v is None for v in values):
                continue
            lower = directions.get(key) == "lower"
            rows.append(
                ComparisonRow(
                    section=section,
                    key=key,
                    values=[v.model_dump() if isinstance(v, ComparedArtifact) else v for v in values],
                    differs=len({same_key(v) for v in values}) > 1,
                    best=best_index(values, lower) if section == "metrics" else None,
                )
            )
    return rows


class ModelCompareRepository:
    """Reads comparing versions of a model."""

    def __init__(self, sessions: Sessions) -> None:
        self._s = sessions

    def compare(self, model_id: uuid.UUID, refs: Sequence[str]) -> ModelComparison:
        """Versions ``refs`` of the model side by side (the first is the baseline); unknown ones are listed.

        Raises:
            ParameterError: more than 50 versions asked for, or fewer than two of them found.
        """
        refs = split_refs(",".join(refs))
        models = db.models
        with self._s.read() as s:
            model = s.execute(select(models.c.name, models.c.metric_directions).where(models.c.id == model_id)).one()
            rows, unknown = resolve(s, model_id, refs)
            if len(rows) < 2:
                missing = f" ({', '.join(unknown)} not found)" if unknown else ""
                raise ParameterError(
                    f"Comparing needs two or more versions of model '{model.name}'{missing}; "
                    f"{versions_hint(model.name)}."
                )
            ids = [r.id for r in rows]
            facts = {i: _Facts() for i in ids}
            _metadata(s, ids, facts)
            runs = _runs(s, ids, facts)
            _artifacts(s, ids, facts)
        directions = dict(model.metric_directions or {})
        versions = [
            ComparedVersion(
                id=r.id,
                number=r.number,
                name=r.name,
                stage=ModelStages(r.stage),
                created_at=r.created_at,
                run=runs.get(r.id),
            )
            for r in rows
        ]
        return ModelComparison(
            model_id=model_id,
            model_name=model.name,
            metric_directions=directions,
            versions=versions,
            unknown=unknown,
            rows=build_rows([facts[i] for i in ids], directions),
        )
