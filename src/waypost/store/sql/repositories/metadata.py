"""Typed metadata entries attached to runs, steps, artifact versions and model versions.

Beside the entries, ``metadata_key_stats`` keeps per project, key, entity kind and value type how
many entries there are, their numeric range and when they were first and last logged: the
metadata explorer lists keys from it instead of reading every entry. :meth:`MetadataRepository.add`
counts new entries in the same transaction; code that deletes entries (runs, artifact versions,
model versions) wraps the delete in :func:`key_stats_kept`, which recounts the keys it touched.
"""

from __future__ import annotations

import functools
import math
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, case, func, insert, literal, or_, select, union, union_all

from waypost.enums import MetadataType
from waypost.exceptions import ParameterError
from waypost.schemas import MetadataCreate, MetadataRead
from waypost.store.sql import tables as db
from waypost.store.sql.engine import Sessions
from waypost.store.sql.tables import utcnow

# Types filtered as numbers (value_num) and as text (value_str); a storage size is a number of bytes.
_NUMBERS = frozenset({MetadataType.INT, MetadataType.FLOAT, MetadataType.BOOL, MetadataType.STORAGE_SIZE})
_STRINGS = frozenset({MetadataType.STRING, MetadataType.URI, MetadataType.PATH, MetadataType.DTYPE})


def _row(m: MetadataCreate) -> dict[str, Any]:
    num: float | None = None
    text: str | None = None
    value = m.value
    if m.type in _NUMBERS:
        try:
            num = float(m.value)
        except (TypeError, ValueError, OverflowError):
            raise ParameterError(
                f"Metadata '{m.key}' is of type {m.type.value}, so its value must be a number, not {m.value!r:.40}."
            ) from None
        if not math.isfinite(num):
            num = None
            value = str(float(m.value))  # JSON has no NaN/Infinity; PostgreSQL and MySQL reject them
    elif m.type in _STRINGS:
        text = str(m.value)[:255]
    return {
        "id": uuid.uuid4(),
        "created_at": utcnow(),  # one per entry, as the order of a batch's entries is read back by time
        "key": m.key,
        "type": m.type.value,
        "value_json": value,
        "value_num": num,
        "value_str": text,
        "run_id": m.run_id,
        "step_run_id": m.step_run_id,
        "artifact_version_id": m.artifact_version_id,
        "model_version_id": m.model_version_id,
    }


def entity_of(row: dict[str, Any] | Any) -> str:
    """The kind of thing an entry describes: its most specific owner."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    if get("model_version_id") is not None:
        return "model_version"
    if get("artifact_version_id") is not None:
        return "artifact_version"
    if get("step_run_id") is not None:
        return "step"
    return "run"


def _projects(c: Connection, rows: list[dict[str, Any]]) -> dict[tuple[str, uuid.UUID], uuid.UUID]:
    """(entity, owner id) -> project id for the owners of ``rows``, one query per kind present."""
    wanted: dict[str, set[uuid.UUID]] = {}
    for r in rows:
        entity = entity_of(r)
        owner = r["run_id"] if entity == "run" else r[f"{entity}_id" if entity != "step" else "step_run_id"]
        if owner is not None:
            wanted.setdefault(entity, set()).add(owner)
    out: dict[tuple[str, uuid.UUID], uuid.UUID] = {}
    for entity, ids in wanted.items():
        if entity == "run":
            stmt = select(db.pipeline_runs.c.id, db.pipeline_runs.c.project_id)
            stmt = stmt.where(db.pipeline_runs.c.id.in_(ids))
        elif entity == "step":
            stmt = select(db.step_runs.c.id, db.pipeline_runs.c.project_id).join(
                db.pipeline_runs, db.pipeline_runs.c.id == db.step_runs.c.run_id
            )
            stmt = stmt.where(db.step_runs.c.id.in_(ids))
        elif entity == "artifact_version":
            av = db.artifact_versions
            stmt = select(av.c.id, db.artifacts.c.project_id).join(db.artifacts, db.artifacts.c.id == av.c.artifact_id)
            stmt = stmt.where(av.c.id.in_(ids))
        else:
            mv = db.model_versions
            stmt = select(mv.c.id, db.models.c.project_id).join(db.models, db.models.c.id == mv.c.model_id)
            stmt = stmt.where(mv.c.id.in_(ids))
        out.update({(entity, owner): project for owner, project in c.execute(stmt)})
    return out


def _count_new(c: Connection, rows: list[dict[str, Any]]) -> None:
    """Add freshly inserted entries ``rows`` to metadata_key_stats (one upsert)."""
    projects = _projects(c, rows)
    groups: dict[tuple[uuid.UUID, str, str, str], dict[str, Any]] = {}
    for r in rows:
        entity = entity_of(r)
        owner = r["run_id"] if entity == "run" else r[f"{entity}_id" if entity != "step" else "step_run_id"]
        project = projects.get((entity, owner)) if owner is not None else None
        if project is None:
            continue  # an entry of no owner belongs to no project: no list shows it
        k = (project, r["key"], entity, r["type"])
        g = groups.get(k)
        num, at = r["value_num"], r["created_at"]
        if g is None:
            groups[k] = {
                "project_id": project,
                "key": r["key"],
                "entity": entity,
                "type": r["type"],
                "entries": 1,
                "num_min": num,
                "num_max": num,
                "first_seen": at,
                "last_seen": at,
            }
            continue
        g["entries"] += 1
        if num is not None:
            g["num_min"] = num if g["num_min"] is None else min(g["num_min"], num)
            g["num_max"] = num if g["num_max"] is None else max(g["num_max"], num)
        g["first_seen"], g["last_seen"] = min(g["first_seen"], at), max(g["last_seen"], at)
    if groups:
        _upsert(c, [groups[k] for k in sorted(groups, key=lambda k: (str(k[0]), k[1], k[2], k[3]))])


def _upsert(c: Connection, rows: list[dict[str, Any]]) -> None:
    """Add ``rows`` into metadata_key_stats: counts add up, ranges and times widen (sorted rows: no deadlock)."""
    c.execute(_upsert_statement(c.dialect.name), rows)


@functools.cache
def _upsert_statement(dialect: str) -> Any:
    """The upsert for ``dialect``, built once: building it costs more than running it."""
    t = db.metadata_key_stats
    stmt: Any
    # Each database spells "insert or update" its own way; the dialect's module is loaded already.
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_upsert

        stmt = sqlite_upsert(t)
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgres_upsert

        stmt = postgres_upsert(t)
    else:
        from sqlalchemy.dialects.mysql import insert as mysql_upsert

        stmt = mysql_upsert(t)
    new = stmt.inserted if dialect in ("mysql", "mariadb") else stmt.excluded
    sets = {
        "entries": t.c.entries + new.entries,
        "num_min": case((or_(t.c.num_min.is_(None), new.num_min < t.c.num_min), new.num_min), else_=t.c.num_min),
        "num_max": case((or_(t.c.num_max.is_(None), new.num_max > t.c.num_max), new.num_max), else_=t.c.num_max),
        "first_seen": case((new.first_seen < t.c.first_seen, new.first_seen), else_=t.c.first_seen),
        "last_seen": case((new.last_seen > t.c.last_seen, new.last_seen), else_=t.c.last_seen),
    }
    if dialect in ("mysql", "mariadb"):
        return stmt.on_duplicate_key_update(**sets)
    return stmt.on_conflict_do_update(index_elements=[col.name for col in t.primary_key], set_=sets)


#: The entries as the explorer's queries name them: a run filter's own subqueries on metadata_entries
#: (``metadata.loss>0.3``) must not correlate with the entries being counted.
ENTRIES = db.metadata_entries.alias("entries")


def owned_entries(
    *,
    run_cond: Any = None,
    artifact_cond: Any = None,
    model_cond: Any = None,
    where: Iterable[Any] = (),
    kinds: Iterable[str] = ("run", "step", "artifact_version", "model_version"),
) -> list[Any]:
    """One SELECT per entity kind of (project_id, entity, key, type, value_num, created_at) of the entries.

    Entries of a run (or of a step) count in the run's project and are kept by ``run_cond``
    (on ``pipeline_runs``); those of an artifact version in its artifact's project, kept by
    ``artifact_cond`` (on ``artifacts`` and ``artifact_versions``); those of a model version in
    its model's, kept by ``model_cond`` (on ``models`` and ``model_versions``). ``where`` applies
    to :data:`ENTRIES` (the entries' alias) in every branch. A condition of None keeps everything of its kind.
    """
    m, r, s = ENTRIES, db.pipeline_runs, db.step_runs
    av, a = db.artifact_versions, db.artifacts
    extra = list(where)
    out: list[Any] = []

    def cols(project: Any, entity: str) -> list[Any]:
        return [
            project.label("project_id"),
            literal(entity).label("entity"),
            m.c.key,
            m.c.type,
            m.c.value_num,
            m.c.created_at,
        ]

    def keep(cond: Any) -> list[Any]:
        return [] if cond is None else [cond]

    # The kind as one CASE: a database cannot answer it from an index, so each branch starts from
    # the index its other conditions offer (a run's entries, a key's) and not from "step_run_id IS NULL".
    kind_of = case(
        (m.c.model_version_id.is_not(None), "model_version"),
        (m.c.artifact_version_id.is_not(None), "artifact_version"),
        (m.c.step_run_id.is_not(None), "step"),
        else_="run",
    )
    for kind in kinds:
        if kind == "run":
            stmt = select(*cols(r.c.project_id, kind)).select_from(m.join(r, r.c.id == m.c.run_id))
            stmt = stmt.where(*keep(run_cond))
        elif kind == "step":
            stmt = select(*cols(r.c.project_id, kind)).select_from(
                m.join(s, s.c.id == m.c.step_run_id).join(r, r.c.id == s.c.run_id)
            )
            stmt = stmt.where(*keep(run_cond))
        elif kind == "artifact_version":
            stmt = select(*cols(a.c.project_id, kind)).select_from(
                m.join(av, av.c.id == m.c.artifact_version_id).join(a, a.c.id == av.c.artifact_id)
            )
            stmt = stmt.where(*keep(artifact_cond))
        else:
            mv, mo = db.model_versions, db.models
            stmt = select(*cols(mo.c.project_id, kind)).select_from(
                m.join(mv, mv.c.id == m.c.model_version_id).join(mo, mo.c.id == mv.c.model_id)
            )
            stmt = stmt.where(*keep(model_cond))
        stmt = stmt.where(kind_of == kind, *extra)
        out.append(stmt)
    return out


def refresh_key_stats(c: Connection, pairs: Iterable[tuple[uuid.UUID, str]]) -> None:
    """Recount metadata_key_stats for each (project id, key) of ``pairs`` from the entries there are now."""
    by_key: dict[str, set[uuid.UUID]] = {}
    for project, key in pairs:
        by_key.setdefault(key, set()).add(project)
    t = db.metadata_key_stats
    keys = sorted(by_key)
    for start in range(0, len(keys), 200):
        chunk = keys[start : start + 200]
        for key in chunk:
            c.execute(t.delete().where(t.c.key == key, t.c.project_id.in_(by_key[key])))
        projects = sorted({p for key in chunk for p in by_key[key]})
        branches = owned_entries(
            run_cond=db.pipeline_runs.c.project_id.in_(projects),
            artifact_cond=db.artifacts.c.project_id.in_(projects),
            model_cond=db.models.c.project_id.in_(projects),
            where=[ENTRIES.c.key.in_(chunk)],
        )
        entries = union_all(*branches).subquery()
        stmt = select(
            entries.c.project_id,
            entries.c.key,
            entries.c.entity,
            entries.c.type,
            func.count().label("entries"),
            func.min(entries.c.value_num).label("num_min"),
            func.max(entries.c.value_num).label("num_max"),
            func.min(entries.c.created_at).label("first_seen"),
            func.max(entries.c.created_at).label("last_seen"),
        ).group_by(entries.c.project_id, entries.c.key, entries.c.entity, entries.c.type)
        rows = [dict(row._mapping) for row in c.execute(stmt) if row.project_id in by_key[row.key]]
        for row in rows:
            for col in ("first_seen", "last_seen"):  # a union's column loses its type: UTC again
                row[col] = _utc(row[col])
        if rows:
            c.execute(insert(t), rows)


def rebuild_key_stats(c: Connection) -> None:
    """Count metadata_key_stats afresh from every entry (a repair; the tests' check of what was kept)."""
    branches = [select(b.c.project_id, b.c.key) for b in (q.subquery() for q in owned_entries())]
    pairs = {(p, k) for p, k in c.execute(union(*branches))}
    c.execute(db.metadata_key_stats.delete())
    refresh_key_stats(c, pairs)


def _utc(value: Any) -> datetime:
    """``value`` (a datetime, or SQLite's text of one) as an aware UTC datetime."""
    if isinstance(value, str):  # SQLite hands back text once the column's type is lost
        value = datetime.fromisoformat(value)
    moment: datetime = value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def touched_keys(
    c: Connection,
    *,
    run_ids: Iterable[uuid.UUID] = (),
    artifact_version_ids: Iterable[uuid.UUID] = (),
    model_version_ids: Iterable[uuid.UUID] = (),
) -> set[tuple[uuid.UUID, str]]:
    """(project id, key) of every entry that deleting these runs, artifact versions or model versions removes."""
    m = ENTRIES
    runs, versions, models = list(run_ids), list(artifact_version_ids), list(model_version_ids)
    out: set[tuple[uuid.UUID, str]] = set()
    for start in range(0, max(len(runs), len(versions), len(models)), 500):
        owners = []
        if runs[start : start + 500]:
            chunk = runs[start : start + 500]
            steps = select(db.step_runs.c.id).where(db.step_runs.c.run_id.in_(chunk))
            owners += [m.c.run_id.in_(chunk), m.c.step_run_id.in_(steps)]
        if versions[start : start + 500]:
            owners.append(m.c.artifact_version_id.in_(versions[start : start + 500]))
        if models[start : start + 500]:
            owners.append(m.c.model_version_id.in_(models[start : start + 500]))
        # Each kind's owner decides its project; an entry goes with any of its owners (ON DELETE CASCADE).
        branches = [
            select(b.c.project_id, b.c.key).distinct()
            for b in (q.where(or_(*owners)).subquery() for q in owned_entries())
        ]
        out.update((p, k) for p, k in c.execute(union(*branches)))
    return out


@contextmanager
def key_stats_kept(
    c: Connection,
    *,
    run_ids: Iterable[uuid.UUID] = (),
    artifact_version_ids: Iterable[uuid.UUID] = (),
    model_version_ids: Iterable[uuid.UUID] = (),
) -> Iterator[None]:
    """Keep metadata_key_stats right across a delete of these owners done inside the block, on ``c``.

    Example::

        with sessions.write() as c, key_stats_kept(c, run_ids=ids):
            c.execute(db.pipeline_runs.delete().where(db.pipeline_runs.c.id.in_(ids)))
    """
    pairs = touched_keys(
        c, run_ids=run_ids, artifact_version_ids=artifact_version_ids, model_version_ids=model_version_ids
    )
    yield
    if pairs:
        refresh_key_stats(c, pairs)


class MetadataRepository:
    """Metadata entries."""

    def __init__(self, sessions: Sessions) -> None:
        self._s = sessions

    def add(self, entries: list[MetadataCreate]) -> None:
        """Store entries in one transaction."""
        if not entries:
            return
        rows = [_row(m) for m in entries]
        with self._s.write() as c:
            c.execute(insert(db.metadata_entries), rows)
            _count_new(c, rows)

    def list(
        self,
        *,
        run_id: uuid.UUID | None = None,
        step_run_id: uuid.UUID | None = None,
        artifact_version_id: uuid.UUID | None = None,
        model_version_id: uuid.UUID | None = None,
    ) -> list[MetadataRead]:
        """Entries for whichever owners are given, oldest first."""
        stmt = select(db.metadata_entries)
        for col, val in (
            (db.metadata_entries.c.run_id, run_id),
            (db.metadata_entries.c.step_run_id, step_run_id),
            (db.metadata_entries.c.artifact_version_id, artifact_version_id),
            (db.metadata_entries.c.model_version_id, model_version_id),
        ):
            if val is not None:
                stmt = stmt.where(col == val)
        with self._s.read() as s:
            return [
                MetadataRead(
                    id=r.id,
                    key=r.key,
                    value=float(r.value_json) if r.type == MetadataType.FLOAT.value else r.value_json,
                    type=MetadataType(r.type),
                    run_id=r.run_id,
                    step_run_id=r.step_run_id,
                    artifact_version_id=r.artifact_version_id,
                    model_version_id=r.model_version_id,
                    created_at=r.created_at,
                )
                for r in s.execute(stmt.order_by(db.metadata_entries.c.created_at, db.metadata_entries.c.key))
            ]
