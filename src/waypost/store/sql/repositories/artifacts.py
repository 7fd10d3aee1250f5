"""Artifacts and artifact versions, and the links that make lineage."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Callable, Collection, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Insert, Row, Select, Table, bindparam, func, insert, select, update

from waypost.schemas import ArtifactRead, ArtifactVersionCreate, ArtifactVersionRead, LineageNode, Page
from waypost.schemas.access import DEFAULT_PROJECT_ID, Visibility
from waypost.store.sql import tables as db
from waypost.store.sql.engine import Sessions
from waypost.store.sql.repositories._common import (
    add_tags,
    in_project,
    not_found,
    paged,
    parse_id,
    row_by_ref,
    tags_for,
    visible,
)
from waypost.store.sql.repositories.artifact_filters import FILTERS, VERSION_FILTERS, suggest
from waypost.store.sql.tables import utcnow

__all__ = ["FILTERS", "VERSION_FILTERS", "ArtifactRepository", "register_versions", "version_read"]

_IN_CHUNK = 500  # ids per IN (…): well under every backend's bound-parameter limit


def _chunks(ids: Collection[uuid.UUID]) -> Iterable[builtins.list[uuid.UUID]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), _IN_CHUNK):
        yield ordered[start : start + _IN_CHUNK]


def _versions() -> Select[Any]:
    """Versions with their artifact's name (``artifact_name``), as :func:`version_read` takes them."""
    av = db.artifact_versions
    return select(av, db.artifacts.c.name.label("artifact_name")).join(
        db.artifacts, db.artifacts.c.id == av.c.artifact_id
    )


def _scoped(visibility: Visibility | None, project_id: uuid.UUID | None) -> builtins.list[Any]:
    """WHERE conditions keeping the artifacts ``visibility`` allows, of ``project_id`` (none: all)."""
    art = db.artifacts
    return [c for c in (visible(art, visibility), in_project(art, project_id)) if c is not None]


def version_read(row: Any, tags: builtins.list[str]) -> ArtifactVersionRead:
    """Wire schema of a version row of :func:`_versions`."""
    return ArtifactVersionRead(
        id=row.id,
        artifact_id=row.artifact_id,
        name=row.artifact_name,
        version=row.version,
        uri=row.uri,
        data_type=row.data_type,
        materializer=row.materializer,
        materializer_version=row.materializer_version,
        size=row.size,
        content_hash=row.content_hash,
        visualizations=row.visualizations,
        producer_step_run_id=row.producer_step_run_id,
        producer_run_id=row.producer_run_id,
        created_at=row.created_at,
        tags=tags,
    )


def _insert_if_absent(dialect: str, table: Table) -> Insert:
    """An INSERT that leaves an existing row with the same unique name alone.

    Only the dialect in use is imported: each costs ~10 ms of a process's start.
    """
    if dialect == "mysql":
        from sqlalchemy.dialects import mysql

        stmt = mysql.insert(table)
        return stmt.on_duplicate_key_update(name=stmt.inserted.name)  # UNIQUE(project_id, name)
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table).on_conflict_do_nothing(index_elements=["project_id", "name"])
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(table).on_conflict_do_nothing(index_elements=["project_id", "name"])


_ART = db.artifacts
_INSERT_VERSION = insert(db.artifact_versions)
_BUMP_RETURNING = (
    update(_ART)
    .where(_ART.c.project_id == bindparam("in_project"), _ART.c.name == bindparam("artifact_name"))
    .values(latest_version=_ART.c.latest_version + 1)
    .returning(_ART.c.id, _ART.c.latest_version)
)


def _next_versions(
    s: Connection, art: Table, names: builtins.list[str], now: datetime, project_id: uuid.UUID
) -> builtins.list[tuple[uuid.UUID, int]]:
    """Bump each named artifact's version counter (creating it when new); (id, number) per name."""
    out: dict[int, tuple[uuid.UUID, int]] = {}
    returning = s.dialect.update_returning  # SQLite and PostgreSQL: one statement per version
    # Lock artifact rows in name order, so two writers never wait on each other in a cycle.
    for index in sorted(range(len(names)), key=names.__getitem__):
        name = names[index]
        params = {"artifact_name": name, "in_project": project_id}
        row = s.execute(_BUMP_RETURNING, params).first() if returning else None
        if row is not None:
            out[index] = (row[0], row[1])
        else:
            # New artifact (or no RETURNING on MySQL). A concurrent writer may create the same one
            # meanwhile: insert-if-absent waits for it instead of failing (a failed insert plus a
            # retry deadlocks on MySQL), and the locking read sees its row (a plain read on MySQL
            # would still show this transaction's old snapshot).
            s.execute(
                _insert_if_absent(s.dialect.name, art).values(
                    id=uuid.uuid4(), project_id=project_id, name=name, latest_version=0, created_at=now
                )
            )
            artifact_id = s.execute(
                select(art.c.id).where(art.c.project_id == project_id, art.c.name == name).with_for_update()
            ).scalar_one()
            s.execute(update(art).where(art.c.id == artifact_id).values(latest_version=art.c.latest_version + 1))
            number = s.execute(select(art.c.latest_version).where(art.c.id == artifact_id)).scalar_one()
            out[index] = (artifact_id, number)
    return [out[i] for i in range(len(names))]


def register_versions(
    s: Connection,
    versions: Iterable[ArtifactVersionCreate],
    step_run_id: uuid.UUID | None,
    run_id: uuid.UUID | None,
    project_id: uuid.UUID | None = None,
) -> builtins.list[ArtifactVersionRead]:
    """Insert new versions, numbered per artifact, inside the caller's transaction.

    Artifacts belong to the run's project (or ``project_id``, else the default project, outside runs).

    The per-artifact counter is bumped with ``UPDATE … SET latest_version = latest_version + 1``,
    which row-locks the artifact, so concurrent writers get distinct numbers on every database.
    A few statements, no read-back: this is on every step's path.
    """
    versions = list(versions)
    if not versions:
        return []
    art = db.artifacts
    now = utcnow()
    if run_id is not None:
        runs = db.pipeline_runs
        project_id = s.scalar(select(runs.c.project_id).where(runs.c.id == run_id)) or project_id
    project_id = project_id or DEFAULT_PROJECT_ID
    numbers = _next_versions(s, art, [v.name for v in versions], now, project_id)
    out: builtins.list[ArtifactVersionRead] = []
    rows = []
    for v, (artifact_id, number) in zip(versions, numbers, strict=True):
        viz = [z.model_dump(mode="json") for z in v.visualizations]
        rows.append(
            {
                "id": v.id,
                "artifact_id": artifact_id,
                "version": number,
                "uri": v.uri,
                "data_type": v.data_type,
                "materializer": v.materializer,
                "materializer_version": v.materializer_version,
                "size": v.size,
                "content_hash": v.content_hash,
                "visualizations": viz,
                "meta": v.meta,
                "producer_step_run_id": step_run_id,
                "producer_run_id": run_id,
                "created_at": now,
            }
        )
        out.append(
            ArtifactVersionRead.model_construct(
                id=v.id,
                artifact_id=artifact_id,
                name=v.name,
                version=number,
                uri=v.uri,
                data_type=v.data_type,
                materializer=v.materializer,
                materializer_version=v.materializer_version,
                size=v.size,
                content_hash=v.content_hash,
                visualizations=v.visualizations,
                producer_step_run_id=step_run_id,
                producer_run_id=run_id,
                created_at=now,
                tags=list(v.tags),
            )
        )
    s.execute(_INSERT_VERSION, rows)
    for v in versions:
        if v.tags:
            add_tags(s, "artifact_version", v.id, v.tags, project_id)
    return out


class ArtifactRepository:
    """Artifacts and their versions."""

    def __init__(self, sessions: Sessions, default_project: Callable[[], uuid.UUID] | None = None) -> None:
        self._s = sessions
        self._default_project = default_project or (lambda: DEFAULT_PROJECT_ID)

    def register(
        self, versions: builtins.list[ArtifactVersionCreate], *, project_id: uuid.UUID | None = None
    ) -> builtins.list[ArtifactVersionRead]:
        """Register versions saved outside any step (e.g. uploaded by a user), in ``project_id`` (or the store's)."""
        with self._s.write_conn() as c:
            return register_versions(c, versions, None, None, project_id or self._default_project())

    def list(
        self,
        query: str = "",
        *,
        sort: str | None = None,
        page: int = 1,
        size: int = 50,
        visibility: Visibility | None = None,
        project_id: uuid.UUID | None = None,
    ) -> Page[ArtifactRead]:
        """Artifacts with their latest version's facts; only those ``visibility`` allows, of ``project_id``."""
        stmt = select(db.artifacts).where(*_scoped(visibility, project_id))
        with self._s.read() as s:
            rows, total = paged(s, stmt, FILTERS, query, sort, page, size)
            return Page(items=self._reads(s, rows), total=total, page=page, size=size)

    def suggest(
        self,
        key: str,
        prefix: str = "",
        limit: int = 20,
        *,
        visibility: Visibility | None = None,
        project_id: uuid.UUID | None = None,
    ) -> builtins.list[str]:
        """Known values of an artifact filter key (pipeline, type, tag), of the artifacts ``visibility`` allows."""
        with self._s.read() as s:
            return suggest(s, key, prefix, limit, _scoped(visibility, project_id))

    def _reads(self, s: Connection, rows: builtins.list[Row[Any]]) -> builtins.list[ArtifactRead]:
        ids = [r.id for r in rows]
        newer = db.artifact_versions.alias("newer")  # the max is per artifact: correlate to the outer version row
        latest = {
            v.artifact_id: v
            for v in s.execute(
                select(db.artifact_versions).where(
                    db.artifact_versions.c.artifact_id.in_(ids),
                    db.artifact_versions.c.version
                    == select(func.max(newer.c.version))
                    .where(newer.c.artifact_id == db.artifact_versions.c.artifact_id)
                    .scalar_subquery(),
                )
            )
        }
        run_ids = [v.producer_run_id for v in latest.values() if v.producer_run_id]
        pipes = dict(
            s.execute(
                select(db.pipeline_runs.c.id, db.pipelines.c.name)
                .join(db.pipelines, db.pipelines.c.id == db.pipeline_runs.c.pipeline_id)
                .where(db.pipeline_runs.c.id.in_(run_ids))
            ).all()
        )
        tags = tags_for(s, "artifact", ids)
        items = []
        for r in rows:
            v = latest.get(r.id)
            items.append(
                ArtifactRead(
                    id=r.id,
                    name=r.name,
                    created_at=r.created_at,
                    latest_version=r.latest_version,
                    latest_version_id=v.id if v else None,
                    data_type=v.data_type if v else None,
                    size=v.size if v else None,
                    pipeline_name=pipes.get(v.producer_run_id) if v and v.producer_run_id else None,
                    tags=tags[r.id],
                    project_id=r.project_id,
                )
            )
        return items

    def get(self, ref: str | uuid.UUID) -> ArtifactRead:
        """An artifact by id or name (the exact name: never read as a filter pattern)."""
        with self._s.read() as s:
            row = row_by_ref(s, db.artifacts, ref)
            if row is None:
                raise not_found("artifact", ref, "run `waypost artifacts list` to see the artifacts")
            return self._reads(s, [row])[0]

    def list_versions(
        self,
        query: str = "",
        *,
        sort: str | None = None,
        page: int = 1,
        size: int = 50,
        visibility: Visibility | None = None,
        project_id: uuid.UUID | None = None,
    ) -> Page[ArtifactVersionRead]:
        """Versions matching ``query`` (e.g. ``name:model``) of artifacts ``visibility`` allows, of ``project_id``."""
        stmt = _versions().where(*_scoped(visibility, project_id))
        with self._s.read() as s:
            rows, total = paged(s, stmt, VERSION_FILTERS, query, sort, page, size)
            tags = tags_for(s, "artifact_version", [r.id for r in rows])
            return Page(items=[version_read(r, tags[r.id]) for r in rows], total=total, page=page, size=size)

    def get_version(self, ref: str | uuid.UUID) -> ArtifactVersionRead:
        """A version by id, or ``name`` (latest) / ``name:N``."""
        rid = parse_id(ref)
        with self._s.read() as s:
            if rid:
                row = s.execute(_versions().where(db.artifact_versions.c.id == rid)).first()
            else:
                # "name:3" is version 3; default names contain "::", so only a numeric suffix counts.
                head, sep, tail = str(ref).rpartition(":")
                name, num = (head, tail) if sep and tail.isdigit() and head else (str(ref), "")
                stmt = _versions().where(db.artifacts.c.name == name)
                if num:
                    stmt = stmt.where(db.artifact_versions.c.version == int(num))
                row = s.execute(stmt.order_by(db.artifact_versions.c.version.desc()).limit(1)).first()
            if row is None:
                raise not_found("artifact version", ref, "run `waypost artifacts list` to see the artifacts")
            return version_read(row, tags_for(s, "artifact_version", [row.id])[row.id])

    def consumers(self, version_id: uuid.UUID) -> builtins.list[uuid.UUID]:
        """Step runs that took this version as an input."""
        with self._s.read() as s:
            return list(
                s.scalars(
                    select(db.step_run_artifacts.c.step_run_id).where(
                        db.step_run_artifacts.c.artifact_version_id == version_id,
                        db.step_run_artifacts.c.kind == "input",
                    )
                )
            )

    def add_tags(self, version_id: uuid.UUID, tags: builtins.list[str]) -> None:
        """Tag an artifact version."""
        with self._s.write() as s:
            project_id = s.scalar(
                select(db.artifacts.c.project_id)
                .join(db.artifact_versions, db.artifact_versions.c.artifact_id == db.artifacts.c.id)
                .where(db.artifact_versions.c.id == version_id)
            )
            if project_id is None:
                raise not_found("artifact version", version_id, "run `waypost artifacts list` to see the artifacts")
            add_tags(s, "artifact_version", version_id, tags, project_id)

    # -- lineage ---------------------------------------------------------------------
    def links(
        self, kind: str, *, versions: Collection[uuid.UUID] = (), steps: Collection[uuid.UUID] = ()
    ) -> builtins.list[tuple[uuid.UUID, uuid.UUID]]:
        """(step run id, version id) of every ``kind`` link ("input"/"output") touching ``versions`` or ``steps``.

        One query per 500 ids, whatever the graph's shape: lineage walks a hop at a time.
        """
        out: builtins.list[tuple[uuid.UUID, uuid.UUID]] = []
        link = db.step_run_artifacts.c
        with self._s.read() as s:
            for column, ids in ((link.artifact_version_id, versions), (link.step_run_id, steps)):
                for chunk in _chunks(ids):
                    stmt = select(link.step_run_id, link.artifact_version_id).where(
                        link.kind == kind, column.in_(chunk)
                    )
                    out.extend((a, b) for a, b in s.execute(stmt).all())
        return out

    def lineage_nodes(
        self, versions: Collection[uuid.UUID], steps: Collection[uuid.UUID]
    ) -> builtins.list[LineageNode]:
        """Graph nodes of these versions and step runs, with their runs' names (versions first)."""
        nodes: builtins.list[LineageNode] = []
        with self._s.read() as s:
            for chunk in _chunks(versions):
                stmt = (
                    select(
                        db.artifact_versions.c.id,
                        db.artifacts.c.name,
                        db.artifact_versions.c.version,
                        db.artifact_versions.c.data_type,
                        db.artifact_versions.c.producer_run_id,
                        db.pipeline_runs.c.name,
                    )
                    .join(db.artifacts, db.artifacts.c.id == db.artifact_versions.c.artifact_id)
                    .outerjoin(db.pipeline_runs, db.pipeline_runs.c.id == db.artifact_versions.c.producer_run_id)
                    .where(db.artifact_versions.c.id.in_(chunk))
                )
                for vid, name, number, data_type, run_id, run_name in s.execute(stmt).all():
                    nodes.append(
                        LineageNode(
                            id=vid,
                            kind="artifact",
                            name=name,
                            version=number,
                            data_type=data_type,
                            run_id=run_id,
                            run_name=run_name,
                        )
                    )
            for chunk in _chunks(steps):
                steps_stmt = (
                    select(
                        db.step_runs.c.id,
                        db.step_runs.c.name,
                        db.step_runs.c.step_name,
                        db.step_runs.c.status,
                        db.step_runs.c.run_id,
                        db.pipeline_runs.c.name,
                    )
                    .join(db.pipeline_runs, db.pipeline_runs.c.id == db.step_runs.c.run_id)
                    .where(db.step_runs.c.id.in_(chunk))
                )
                for sid, name, step_name, status, run_id, run_name in s.execute(steps_stmt).all():
                    nodes.append(
                        LineageNode(
                            id=sid,
                            kind="step",
                            name=name,
                            step=step_name,
                            status=status,
                            run_id=run_id,
                            run_name=run_name,
                        )
                    )
        return nodes

    def visible_nodes(
        self,
        versions: Collection[uuid.UUID],
        steps: Collection[uuid.UUID],
        *,
        artifacts: Visibility | None,
        runs: Visibility | None,
    ) -> tuple[set[uuid.UUID], set[uuid.UUID]]:
        """The ``versions`` (by their artifact, with ``artifacts``) and ``steps`` (by their run) a caller sees.

        One query per 500 ids; with no limit on either side its ids come back as given.
        """
        keep_versions = set(versions) if artifacts is None or artifacts.everything else set()
        keep_steps = set(steps) if runs is None or runs.everything else set()
        av, sr = db.artifact_versions, db.step_runs
        with self._s.read() as s:
            if not keep_versions and versions:
                cond = visible(db.artifacts, artifacts)
                for chunk in _chunks(versions):
                    stmt = (
                        select(av.c.id)
                        .join(db.artifacts, db.artifacts.c.id == av.c.artifact_id)
                        .where(av.c.id.in_(chunk), cond)
                    )
                    keep_versions.update(s.scalars(stmt))
            if not keep_steps and steps:
                cond = visible(db.pipeline_runs, runs)
                for chunk in _chunks(steps):
                    stmt = (
                        select(sr.c.id)
                        .join(db.pipeline_runs, db.pipeline_runs.c.id == sr.c.run_id)
                        .where(sr.c.id.in_(chunk), cond)
                    )
                    keep_steps.update(s.scalars(stmt))
        return keep_versions, keep_steps
