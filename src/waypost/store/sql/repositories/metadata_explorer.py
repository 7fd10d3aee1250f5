"""The metadata explorer's queries: every key with its kinds, types, count and range; one key's history.

Without a run filter the key list reads ``metadata_key_stats`` (a few rows per project and key,
kept by :mod:`.metadata`), so it costs the same over a million entries as over a hundred. A run
filter restricts it to the entries of the matching runs, their steps, the artifact versions they
produced and their model versions: that one is counted from the entries themselves.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, false, func, not_, or_, select, union_all

from waypost.enums import MetadataType
from waypost.schemas.access import Visibility
from waypost.schemas.metadata_explorer import (
    MAX_HISTORY_POINTS,
    METADATA_ENTITIES,
    MetadataHistory,
    MetadataKeyPage,
    MetadataKeyStats,
    MetadataPoint,
)
from waypost.store.filters import check_page
from waypost.store.sql import tables as db
from waypost.store.sql.engine import Sessions
from waypost.store.sql.filtering import _escape, conditions, starts_with
from waypost.store.sql.repositories._common import visible
from waypost.store.sql.repositories.metadata import ENTRIES, _utc, entity_of, owned_entries
from waypost.store.sql.repositories.runs import FILTERS, scoped

#: Types whose numbers make a key's range (a bool's 0/1 does not).
_RANGED = frozenset({MetadataType.INT.value, MetadataType.FLOAT.value, MetadataType.STORAGE_SIZE.value})
_RUN_KINDS = ("run", "step")


@dataclass(frozen=True)
class Readable:
    """What the caller sees of each owner kind (None: everything), and the project a request narrows to."""

    runs: Visibility | None
    artifacts: Visibility | None
    models: Visibility | None
    project_id: uuid.UUID | None = None


def whole_projects(column: Any, vis: Visibility | None, project_id: uuid.UUID | None) -> Any:
    """A condition keeping ``column``'s projects that ``vis`` shows whole (shared single resources aside)."""
    conds: list[Any] = [] if project_id is None else [column == project_id]
    if vis is not None and not vis.everything:
        whole: list[Any] = []
        if vis.project_ids:
            whole.append(column.in_(sorted(vis.project_ids)))
        if vis.workspace_ids:
            ws = select(db.projects.c.id).where(db.projects.c.workspace_id.in_(sorted(vis.workspace_ids)))
            whole.append(column.in_(ws))
        conds.append(or_(*whole) if whole else false())
    return and_(*conds) if conds else None


def _key_conditions(column: Any, prefix: str, contains: str) -> list[Any]:
    out = []
    if prefix:
        out.append(starts_with(column, prefix))
    if contains:
        out.append(func.lower(column).like(f"%{_escape(contains.lower())}%", escape="\\"))
    return out


class _Tally:
    """Adds grouped rows (key, entity, type, entries, min, max, first, last) into per-key stats."""

    def __init__(self) -> None:
        self.keys: dict[str, dict[str, Any]] = {}

    def add(self, rows: Iterable[Any]) -> None:
        for key, entity, type_, n, lo, hi, first, last in rows:
            s = self.keys.setdefault(
                key, {"key": key, "count": 0, "entities": {}, "types": {}, "min": None, "max": None,
                      "first_seen": None, "last_seen": None},
            )  # fmt: skip
            n = int(n)
            s["count"] += n
            s["entities"][entity] = s["entities"].get(entity, 0) + n
            s["types"][type_] = s["types"].get(type_, 0) + n
            if type_ in _RANGED and lo is not None:
                s["min"] = lo if s["min"] is None else min(s["min"], lo)
                s["max"] = hi if s["max"] is None else max(s["max"], hi)
            first, last = _utc(first), _utc(last)
            s["first_seen"] = first if s["first_seen"] is None else min(s["first_seen"], first)
            s["last_seen"] = last if s["last_seen"] is None else max(s["last_seen"], last)

    def sorted(self, sort: str) -> list[dict[str, Any]]:
        items = list(self.keys.values())
        if sort == "key":
            items.sort(key=lambda s: (s["key"].lower(), s["key"]))
        elif sort == "last_seen":
            items.sort(key=lambda s: (-s["last_seen"].timestamp(), s["key"]))
        else:
            items.sort(key=lambda s: (-s["count"], s["key"]))
        return items


def _grouped(branches: list[Any]) -> Any:
    e = union_all(*branches).subquery() if len(branches) > 1 else branches[0].subquery()
    return select(
        e.c.key,
        e.c.entity,
        e.c.type,
        func.count(),
        func.min(e.c.value_num),
        func.max(e.c.value_num),
        func.min(e.c.created_at),
        func.max(e.c.created_at),
    ).group_by(e.c.key, e.c.entity, e.c.type)


class MetadataExplorerRepository:
    """Metadata keys across owners, and one key's values over time."""

    def __init__(self, sessions: Sessions) -> None:
        self._s = sessions

    def keys(
        self,
        readable: Readable,
        *,
        entity: str | None = None,
        prefix: str = "",
        contains: str = "",
        query: str | None = None,
        sort: str = "count",
        page: int = 1,
        size: int = 100,
    ) -> MetadataKeyPage:
        """A page of the keys the caller may read, with their kinds, types, counts, ranges and times."""
        check_page(page, size)
        kinds: list[str] = [entity] if entity else list(METADATA_ENTITIES)
        tally = _Tally()
        with self._s.read() as c:
            if query is not None:
                self._tally_matching(c, tally, readable, kinds, prefix, contains, query)
            else:
                self._tally_summary(c, tally, readable, kinds, prefix, contains)
                self._tally_shared(c, tally, readable, kinds, prefix, contains)
        items = tally.sorted(sort)
        start = (page - 1) * size
        return MetadataKeyPage(
            items=[MetadataKeyStats.model_validate(s) for s in items[start : start + size]],
            total=len(items),
            page=page,
            size=size,
            from_summary=query is None,
        )

    def _tally_summary(
        self, c: Connection, tally: _Tally, readable: Readable, kinds: list[str], prefix: str, contains: str
    ) -> None:
        t = db.metadata_key_stats
        per_kind = {
            "run": readable.runs,
            "step": readable.runs,
            "artifact_version": readable.artifacts,
            "model_version": readable.models,
        }
        scopes: list[Any] = []
        for kind in kinds:
            vis = per_kind[kind]
            if vis is not None and vis.nothing:
                continue
            where = whole_projects(t.c.project_id, vis, readable.project_id)
            scopes.append(and_(t.c.entity == kind, *([] if where is None else [where])))
        if not scopes:
            return
        stmt = (
            select(
                t.c.key,
                t.c.entity,
                t.c.type,
                func.sum(t.c.entries),
                func.min(t.c.num_min),
                func.max(t.c.num_max),
                func.min(t.c.first_seen),
                func.max(t.c.last_seen),
            )
            .where(or_(*scopes), *_key_conditions(t.c.key, prefix, contains))
            .group_by(t.c.key, t.c.entity, t.c.type)
        )
        tally.add(c.execute(stmt))

    def _tally_shared(
        self, c: Connection, tally: _Tally, readable: Readable, kinds: list[str], prefix: str, contains: str
    ) -> None:
        """Entries of runs, artifacts and models shared one by one, outside the projects counted whole."""
        r, a = db.pipeline_runs, db.artifacts
        where = _key_conditions(ENTRIES.c.key, prefix, contains)
        branches: list[Any] = []

        def shared(column: Any, id_column: Any, vis: Visibility | None) -> Any:
            if vis is None or vis.everything or not vis.shared_ids:
                return None
            whole = whole_projects(column, vis, None)
            cond = id_column.in_(sorted(vis.shared_ids))
            if readable.project_id is not None:
                cond = and_(cond, column == readable.project_id)
            return and_(cond, not_(whole)) if whole is not None else cond

        run_cond = shared(r.c.project_id, ENTRIES.c.run_id, readable.runs)
        if run_cond is not None and (run_kinds := [k for k in kinds if k in _RUN_KINDS]):
            branches += owned_entries(run_cond=run_cond, where=where, kinds=run_kinds)
        art_cond = shared(a.c.project_id, a.c.id, readable.artifacts)
        if art_cond is not None and "artifact_version" in kinds:
            branches += owned_entries(artifact_cond=art_cond, where=where, kinds=["artifact_version"])
        if readable.models is not None and readable.models.shared_ids and "model_version" in kinds:
            model_cond = shared(db.models.c.project_id, db.models.c.id, readable.models)
            branches += owned_entries(model_cond=model_cond, where=where, kinds=["model_version"])
        if branches:
            tally.add(c.execute(_grouped(branches)))

    def _tally_matching(
        self,
        c: Connection,
        tally: _Tally,
        readable: Readable,
        kinds: list[str],
        prefix: str,
        contains: str,
        query: str,
    ) -> None:
        """Counted from the entries of the runs matching ``query`` (and of their steps, outputs and models)."""
        r = db.pipeline_runs
        matching = (
            select(r.c.id).where(*conditions(FILTERS, query), *scoped(readable.runs, readable.project_id))
        ).correlate(None)
        if readable.runs is not None and readable.runs.nothing:
            return
        av, m = db.artifact_versions, ENTRIES
        made = (
            select(r.c.model_version_id)
            .where(*conditions(FILTERS, query), *scoped(readable.runs, readable.project_id))
            .where(r.c.model_version_id.is_not(None))
            .correlate(None)
        )
        outputs = select(av.c.id).where(av.c.producer_run_id.in_(matching)).correlate(None)
        # Conditions on the entries' own columns, so that each branch starts from the entries of the
        # matching runs (an index range each) rather than from every entry.
        art = [m.c.artifact_version_id.in_(outputs)]
        if (cond := visible(db.artifacts, readable.artifacts)) is not None:
            art.append(cond)
        mod = [or_(m.c.model_version_id.in_(made), m.c.run_id.in_(matching))]
        if (cond := visible(db.models, readable.models)) is not None:
            mod.append(cond)
        branches = owned_entries(
            run_cond=m.c.run_id.in_(matching),
            artifact_cond=and_(*art),
            model_cond=and_(*mod),
            where=_key_conditions(m.c.key, prefix, contains),
            kinds=kinds,
        )
        tally.add(c.execute(_grouped(branches)))

    def history(
        self,
        key: str,
        readable: Readable,
        *,
        pipeline: str | None = None,
        query: str | None = None,
        limit: int = MAX_HISTORY_POINTS,
    ) -> MetadataHistory:
        """Values of ``key`` in the runs the caller may read (of ``pipeline``, matching ``query``), oldest first."""
        m, r, p, s = ENTRIES, db.pipeline_runs, db.pipelines, db.step_runs
        av, a = db.artifact_versions, db.artifacts
        mv, mo = db.model_versions, db.models
        stmt = (
            select(
                m.c.key,
                m.c.type,
                m.c.value_json,
                m.c.value_num,
                m.c.created_at,
                m.c.run_id,
                m.c.step_run_id,
                m.c.artifact_version_id,
                m.c.model_version_id,
                r.c.name.label("run_name"),
                p.c.name.label("pipeline_name"),
                s.c.name.label("step_name"),
                a.c.name.label("artifact_name"),
                av.c.version.label("artifact_version"),
                mo.c.name.label("model_name"),
                mv.c.name.label("model_version"),
            )
            .select_from(
                m.join(r, r.c.id == m.c.run_id)
                .join(p, p.c.id == r.c.pipeline_id)
                .outerjoin(s, s.c.id == m.c.step_run_id)
                .outerjoin(av, av.c.id == m.c.artifact_version_id)
                .outerjoin(a, a.c.id == av.c.artifact_id)
                .outerjoin(mv, mv.c.id == m.c.model_version_id)
                .outerjoin(mo, mo.c.id == mv.c.model_id)
            )
            .where(m.c.key == key, *scoped(readable.runs, readable.project_id))
        )
        if pipeline is not None:
            stmt = stmt.where(p.c.name == pipeline)
        if query is not None:
            stmt = stmt.where(*conditions(FILTERS, query))
        stmt = stmt.order_by(m.c.created_at.desc(), m.c.id.desc()).limit(limit + 1)
        with self._s.read() as c:
            rows = [] if readable.runs is not None and readable.runs.nothing else c.execute(stmt).all()
        truncated = len(rows) > limit
        points = [_point(row) for row in reversed(rows[:limit])]
        return MetadataHistory(key=key, points=points, truncated=truncated)


def _point(row: Any) -> MetadataPoint:
    entity = entity_of(row)
    if entity == "step":
        name = row.step_name
    elif entity == "artifact_version":
        name = f"{row.artifact_name}:{row.artifact_version}"
    elif entity == "model_version":
        name = f"{row.model_name}:{row.model_version}"
    else:
        name = row.run_name
    value = row.value_json
    if row.type == MetadataType.FLOAT.value:
        value = float(value)
    return MetadataPoint(
        run_id=row.run_id,
        run_name=row.run_name,
        pipeline_name=row.pipeline_name,
        created_at=row.created_at if isinstance(row.created_at, datetime) else _utc(row.created_at),
        value=value,
        number=row.value_num,
        type=MetadataType(row.type),
        entity=entity,
        entity_name=name,
    )
