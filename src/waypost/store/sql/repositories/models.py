"""Models and model versions, and their links to runs and artifacts."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from waypost.enums import ModelStages
from waypost.exceptions import StoreError
from waypost.schemas import ModelRead, ModelVersionRead, Page
from waypost.store.sql.engine import Sessions, is_conflict
from waypost.store.sql.filtering import Field, FilterSpec
from waypost.store.sql.orm import Model, ModelVersion, ModelVersionArtifact, ModelVersionRun
from waypost.store.sql.repositories._common import add_tags, not_found, paged, parse_id, tags_for

FILTERS = FilterSpec(
    fields={"name": Field("str", Model.name), "created": Field("time", Model.created_at)},
    sorts={"name": Model.name, "created": Model.created_at},
    default_sort="name",
    tag_resource="model",
    id_column=Model.id,
)


def _version_read(s: Session, row: ModelVersion) -> ModelVersionRead:
    runs = list(s.scalars(select(ModelVersionRun.run_id).where(ModelVersionRun.model_version_id == row.id)))
    arts = list(
        s.scalars(
            select(ModelVersionArtifact.artifact_version_id).where(ModelVersionArtifact.model_version_id == row.id)
        )
    )
    return ModelVersionRead(
        id=row.id,
        model_id=row.model_id,
        model_name=row.model.name,
        name=row.name,
        number=row.number,
        stage=ModelStages(row.stage),
        description=row.description,
        created_at=row.created_at,
        run_ids=runs,
        artifact_version_ids=arts,
    )


class ModelRepository:
    """The model registry's storage."""

    def __init__(self, sessions: Sessions) -> None:
        self._s = sessions

    def get_or_create_version(
        self, name: str, version: str | None, *, description: str | None = None, tags: Iterable[str] = ()
    ) -> ModelVersionRead:
        """The named version of model ``name`` (both created when new); ``None`` makes a new numbered one."""
        attempts = 10  # each round of racing creators lets at least one through
        for attempt in range(attempts):
            try:
                with self._s.write() as s:
                    model = s.scalar(select(Model).where(Model.name == name))
                    if model is None:
                        model = Model(name=name, description=description)
                        s.add(model)
                        s.flush()
                    add_tags(s, "model", model.id, tags)
                    row = None
                    if version is not None:
                        row = s.scalar(
                            select(ModelVersion).where(ModelVersion.model_id == model.id, ModelVersion.name == version)
                        )
                    if row is None:
                        number = (
                            s.scalar(select(func.max(ModelVersion.number)).where(ModelVersion.model_id == model.id))
                            or 0
                        ) + 1
                        row = ModelVersion(
                            model_id=model.id, model=model, name=version or str(number), number=number, stage="none"
                        )
                        s.add(row)
                        s.flush()
                    return _version_read(s, row)
            except StoreError as exc:  # another writer created the model or took the number
                if attempt == attempts - 1 or not is_conflict(exc):
                    raise
        raise AssertionError("unreachable")

    def link(
        self, version_id: uuid.UUID, *, run_id: uuid.UUID | None = None, artifact_version_ids: Iterable[uuid.UUID] = ()
    ) -> None:
        """Link a run and/or artifact versions to a model version (idempotent)."""
        with self._s.write() as s:
            if run_id is not None and s.get(ModelVersionRun, (version_id, run_id)) is None:
                s.add(ModelVersionRun(model_version_id=version_id, run_id=run_id))
            for av in artifact_version_ids:
                if s.get(ModelVersionArtifact, (version_id, av)) is None:
                    s.add(ModelVersionArtifact(model_version_id=version_id, artifact_version_id=av))

    def get_version(self, model: str, version: str) -> ModelVersionRead:
        """A version by model name and version name (or number, or a stage name)."""
        with self._s.read() as s:
            stmt = select(ModelVersion).join(Model).where(Model.name == model)
            if version == ModelStages.LATEST.value:
                row = s.scalar(stmt.order_by(ModelVersion.number.desc()).limit(1))
            elif version in {m.value for m in ModelStages}:
                row = s.scalar(stmt.where(ModelVersion.stage == version).order_by(ModelVersion.number.desc()).limit(1))
            else:
                row = s.scalar(stmt.where(ModelVersion.name == version))
                if row is None and version.isdigit():
                    row = s.scalar(stmt.where(ModelVersion.number == int(version)))
            if row is None:
                raise not_found("model version", f"{model}:{version}", "run `waypost model list` to see the models")
            return _version_read(s, row)

    def list(self, query: str = "", *, sort: str | None = None, page: int = 1, size: int = 50) -> Page[ModelRead]:
        """Registered models."""
        with self._s.read() as s:
            rows, total = paged(s, select(Model), FILTERS, query, sort, page, size)
            tags = tags_for(s, "model", [r.id for r in rows])
            ids = [r.id for r in rows]
            newest = (
                select(ModelVersion.model_id, func.max(ModelVersion.number).label("n"))
                .where(ModelVersion.model_id.in_(ids))
                .group_by(ModelVersion.model_id)
                .subquery()
            )
            latest = dict(
                s.execute(
                    select(ModelVersion.model_id, ModelVersion.name).join(
                        newest, (newest.c.model_id == ModelVersion.model_id) & (newest.c.n == ModelVersion.number)
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

    def list_versions(self, model: str | uuid.UUID) -> builtins.list[ModelVersionRead]:
        """Every version of a model, newest first."""
        mid = parse_id(model)
        with self._s.read() as s:
            m = s.get(Model, mid) if mid else s.scalar(select(Model).where(Model.name == model))
            if m is None:
                raise not_found("model", model, "run `waypost model list` to see the models")
            rows = s.scalars(
                select(ModelVersion).where(ModelVersion.model_id == m.id).order_by(ModelVersion.number.desc())
            )
            return [_version_read(s, r) for r in rows]
