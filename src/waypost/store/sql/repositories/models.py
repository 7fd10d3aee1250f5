"""Models and model versions, and their links to runs and artifacts."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Select, func, insert, select

from waypost.enums import ModelStages
from waypost.exceptions import StoreError
from waypost.schemas import ModelRead, ModelVersionRead, Page
from waypost.schemas.access import DEFAULT_PROJECT_ID, Visibility
from waypost.store.sql import tables as db
from waypost.store.sql.engine import Sessions, is_conflict
from waypost.store.sql.filtering import Field, FilterSpec
from waypost.store.sql.repositories._common import (
    add_tags,
    in_project,
    insert_row,
    not_found,
    paged,
    row_by_ref,
    tags_for,
    visible,
)

FILTERS = FilterSpec(
    fields={"name": Field("str", db.models.c.name), "created": Field("time", db.models.c.created_at)},
    sorts={"name": db.models.c.name, "created": db.models.c.created_at},
    default_sort="name",
    tag_resource="model",
    id_column=db.models.c.id,
)


def _versions() -> Select[Any]:
    """Model versions with their model's name (``model_name``), as :func:`_version_reads` takes them."""
    mv = db.model_versions
    return select(mv, db.models.c.name.label("model_name")).join(db.models, db.models.c.id == mv.c.model_id)


def _version_reads(s: Connection, rows: Sequence[Any]) -> builtins.list[ModelVersionRead]:
    """Wire schemas of version rows, with their runs and artifact versions (two queries for all)."""
    ids = [r.id for r in rows]
    runs: dict[uuid.UUID, builtins.list[uuid.UUID]] = {i: [] for i in ids}
    arts: dict[uuid.UUID, builtins.list[uuid.UUID]] = {i: [] for i in ids}
    if ids:
        mvr, mva = db.model_version_runs, db.model_version_artifacts
        for vid, run_id in s.execute(
            select(mvr.c.model_version_id, mvr.c.run_id).where(mvr.c.model_version_id.in_(ids))
        ):
            runs[vid].append(run_id)
        links = select(mva.c.model_version_id, mva.c.artifact_version_id).where(mva.c.model_version_id.in_(ids))
        for vid, av in s.execute(links):
            arts[vid].append(av)
    return [
        ModelVersionRead(
            id=row.id,
            model_id=row.model_id,
            model_name=row.model_name,
            name=row.name,
            number=row.number,
            stage=ModelStages(row.stage),
            description=row.description,
            created_at=row.created_at,
            run_ids=runs[row.id],
            artifact_version_ids=arts[row.id],
        )
        for row in rows
    ]


class ModelRepository:
    """The model registry's storage."""

    def __init__(self, sessions: Sessions, default_project: Callable[[], uuid.UUID] | None = None) -> None:
        self._s = sessions
        self._default_project = default_project or (lambda: DEFAULT_PROJECT_ID)

    def get_or_create_version(
        self,
        name: str,
        version: str | None,
        *,
        description: str | None = None,
        tags: Iterable[str] = (),
        project_id: uuid.UUID | None = None,
    ) -> ModelVersionRead:
        """The named version of model ``name`` in ``project_id`` (both created when new); ``None`` makes a new one."""
        project_id = project_id or self._default_project()
        attempts = 10  # each round of racing creators lets at least one through
        for attempt in range(attempts):
            try:
                with self._s.write() as s:
                    model_id = s.scalar(
                        select(db.models.c.id).where(db.models.c.project_id == project_id, db.models.c.name == name)
                    )
                    if model_id is None:
                        model_id = insert_row(s, db.models, name=name, description=description, project_id=project_id)[
                            "id"
                        ]
                    add_tags(s, "model", model_id, tags, project_id)
                    mv = db.model_versions
                    found = None
                    if version is not None:
                        found = s.scalar(select(mv.c.id).where(mv.c.model_id == model_id, mv.c.name == version))
                    if found is None:
                        number = (s.scalar(select(func.max(mv.c.number)).where(mv.c.model_id == model_id)) or 0) + 1
                        found = insert_row(
                            s, mv, model_id=model_id, name=version or str(number), number=number, stage="none"
                        )["id"]
                    return _version_reads(s, s.execute(_versions().where(mv.c.id == found)).all())[0]
            except StoreError as exc:  # another writer created the model or took the number
                if attempt == attempts - 1 or not is_conflict(exc):
                    raise
        raise AssertionError("unreachable")

    def link(
        self, version_id: uuid.UUID, *, run_id: uuid.UUID | None = None, artifact_version_ids: Iterable[uuid.UUID] = ()
    ) -> None:
        """Link a run and/or artifact versions to a model version (idempotent)."""
        mvr, mva = db.model_version_runs, db.model_version_artifacts
        wanted = list(dict.fromkeys(artifact_version_ids))
        with self._s.write() as s:
            if run_id is not None:
                linked = select(mvr.c.run_id).where(mvr.c.model_version_id == version_id, mvr.c.run_id == run_id)
                if s.scalar(linked) is None:
                    s.execute(insert(mvr), [{"model_version_id": version_id, "run_id": run_id}])
            if wanted:
                have = set(
                    s.scalars(
                        select(mva.c.artifact_version_id).where(
                            mva.c.model_version_id == version_id, mva.c.artifact_version_id.in_(wanted)
                        )
                    )
                )
                new = [{"model_version_id": version_id, "artifact_version_id": av} for av in wanted if av not in have]
                if new:
                    s.execute(insert(mva), new)

    def get_version(self, model: str, version: str, *, project_id: uuid.UUID | None = None) -> ModelVersionRead:
        """A version by model name and version name (or number, or a stage name)."""
        with self._s.read() as s:
            mv = db.model_versions
            found = row_by_ref(s, db.models, model, project_id)
            if found is None:
                raise not_found("model", model, "run `waypost model list` to see the models")
            stmt = _versions().where(db.models.c.id == found.id)
            if version == ModelStages.LATEST.value:
                row = s.execute(stmt.order_by(mv.c.number.desc()).limit(1)).first()
            elif version in {m.value for m in ModelStages}:
                row = s.execute(stmt.where(mv.c.stage == version).order_by(mv.c.number.desc()).limit(1)).first()
            else:
                row = s.execute(stmt.where(mv.c.name == version)).first()
                if row is None and version.isdigit():
                    row = s.execute(stmt.where(mv.c.number == int(version))).first()
            if row is None:
                raise not_found("model version", f"{model}:{version}", "run `waypost model list` to see the models")
            return _version_reads(s, [row])[0]

    def list(
        self,
        query: str = "",
        *,
        sort: str | None = None,
        page: int = 1,
        size: int = 50,
        visibility: Visibility | None = None,
        project_id: uuid.UUID | None = None,
    ) -> Page[ModelRead]:
        """Registered models; only those ``visibility`` allows, of ``project_id``."""
        stmt = select(db.models)
        for cond in (visible(db.models, visibility), in_project(db.models, project_id)):
            if cond is not None:
                stmt = stmt.where(cond)
        with self._s.read() as s:
            rows, total = paged(s, stmt, FILTERS, query, sort, page, size)
            tags = tags_for(s, "model", [r.id for r in rows])
            ids = [r.id for r in rows]
            newest = (
                select(db.model_versions.c.model_id, func.max(db.model_versions.c.number).label("n"))
                .where(db.model_versions.c.model_id.in_(ids))
                .group_by(db.model_versions.c.model_id)
                .subquery()
            )
            latest = dict(
                s.execute(
                    select(db.model_versions.c.model_id, db.model_versions.c.name).join(
                        newest,
                        (newest.c.model_id == db.model_versions.c.model_id)
                        & (newest.c.n == db.model_versions.c.number),
                    )
                ).all()
            )
            items = [
                ModelRead(
                    id=r.id,
                    name=r.name,
                    description=r.description,
                    created_at=r.created_at,
                    tags=tags[r.id],
                    latest_version=latest.get(r.id),
                )
                for r in rows
            ]
            return Page(items=items, total=total, page=page, size=size)

    def list_versions(
        self, model: str | uuid.UUID, *, project_id: uuid.UUID | None = None
    ) -> builtins.list[ModelVersionRead]:
        """Every version of a model, newest first."""
        with self._s.read() as s:
            m = row_by_ref(s, db.models, model, project_id)
            if m is None:
                raise not_found("model", model, "run `waypost model list` to see the models")
            mv = db.model_versions
            rows = s.execute(_versions().where(mv.c.model_id == m.id).order_by(mv.c.number.desc())).all()
            return _version_reads(s, rows)
