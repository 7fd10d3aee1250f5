"""Models and model versions: their links to runs and artifacts, model cards, stages and stage history."""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Callable, Iterable, Mapping

from sqlalchemy import func, insert, select, update

from waypost.enums import ModelStages
from waypost.exceptions import ParameterError, StoreError
from waypost.schemas import ModelRead, ModelVersionRead, Page
from waypost.schemas.access import DEFAULT_PROJECT_ID, Visibility
from waypost.schemas.model_links import VersionArtifactLink, VersionTagsChange
from waypost.schemas.models import ModelStageTransitionRead, ModelUpdate
from waypost.store import model_stages as rules
from waypost.store.model_links import artifact_role, check_artifact_roles
from waypost.store.sql import tables as db
from waypost.store.sql.engine import Sessions, is_conflict
from waypost.store.sql.filtering import Field, FilterSpec
from waypost.store.sql.repositories._common import add_tags, in_project, insert_row, paged, visible
from waypost.store.sql.repositories._model_rows import (
    model_reads,
    model_row,
    version_reads,
    version_row,
    versions_select,
)
from waypost.store.sql.repositories.model_stages import StageChange, change_stage, list_transitions

FILTERS = FilterSpec(
    fields={"name": Field("str", db.models.c.name), "created": Field("time", db.models.c.created_at)},
    sorts={"name": db.models.c.name, "created": db.models.c.created_at},
    default_sort="name",
    tag_resource="model",
    id_column=db.models.c.id,
)


def _not_a_stage(version: str) -> ParameterError:
    return ParameterError(
        f"'{version}' is a stage, not a version name; name the version (e.g. '1.0.5'), or give a pipeline "
        f"Model(version=ModelStages.{version.upper()}) to use the version that holds it."
    )


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
        """The named version of model ``name`` in ``project_id`` (both created when new); ``None`` makes a new one.

        A stage name (``production``, ``latest`` …) is refused: it names the version holding it, which
        :meth:`get_version` finds; a version is never named after a stage.
        """
        if rules.is_stage_name(version):
            raise _not_a_stage(str(version))
        tags = list(tags)  # put on the model and on the version
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
                    add_tags(s, "model_version", found, tags, project_id)
                    return version_reads(s, s.execute(versions_select().where(mv.c.id == found)).all())[0]
            except StoreError as exc:  # another writer created the model or took the number
                if attempt == attempts - 1 or not is_conflict(exc):
                    raise
        raise AssertionError("unreachable")

    def link(
        self,
        version_id: uuid.UUID,
        *,
        run_id: uuid.UUID | None = None,
        artifact_version_ids: Iterable[uuid.UUID] = (),
        roles: Mapping[uuid.UUID, str] | None = None,
    ) -> None:
        """Link a run and/or artifact versions to a model version (idempotent).

        A run linked here is ``attached`` (a run made by a pipeline of the model is linked when it
        is created, as its producer or a consumer). An artifact version's role is ``roles[id]`` when
        given (a link that exists takes it), else its type's (:func:`artifact_role`).
        """
        mvr, mva = db.model_version_runs, db.model_version_artifacts
        roles = dict(roles or {})
        wanted = list(dict.fromkeys([*artifact_version_ids, *roles]))
        check_artifact_roles(roles.values())
        with self._s.write() as s:
            if run_id is not None:
                linked = select(mvr.c.run_id).where(mvr.c.model_version_id == version_id, mvr.c.run_id == run_id)
                if s.scalar(linked) is None:
                    s.execute(insert(mvr), [{"model_version_id": version_id, "run_id": run_id, "role": "attached"}])
            if not wanted:
                return
            have = dict(
                s.execute(
                    select(mva.c.artifact_version_id, mva.c.role).where(
                        mva.c.model_version_id == version_id, mva.c.artifact_version_id.in_(wanted)
                    )
                ).all()
            )
            new_ids = [av for av in wanted if av not in have]
            types = dict(
                s.execute(
                    select(db.artifact_versions.c.id, db.artifact_versions.c.data_type).where(
                        db.artifact_versions.c.id.in_(new_ids)
                    )
                ).all()
                if new_ids
                else []
            )
            new = [
                {
                    "model_version_id": version_id,
                    "artifact_version_id": av,
                    "role": roles.get(av) or artifact_role(types.get(av, "")),
                }
                for av in new_ids
            ]
            if new:
                s.execute(insert(mva), new)
            for av, role in roles.items():
                if av in have and have[av] != role:
                    s.execute(
                        update(mva)
                        .where(mva.c.model_version_id == version_id, mva.c.artifact_version_id == av)
                        .values(role=role)
                    )

    def version_artifacts(
        self,
        model: str,
        version: str,
        *,
        role: str | None = None,
        name: str | None = None,
        page: int = 1,
        size: int = 50,
        project_id: uuid.UUID | None = None,
    ) -> Page[VersionArtifactLink]:
        """Artifact versions linked to a model's version, of ``role`` and named ``name`` when given."""
        from waypost.store.sql.repositories.model_links import ModelLinksRepository

        found = self.get_version(model, version, project_id=project_id)
        return ModelLinksRepository(self._s).artifacts(found.id, role=role, name=name, page=page, size=size)

    def get_version(self, model: str, version: str, *, project_id: uuid.UUID | None = None) -> ModelVersionRead:
        """A version by model name and version name, number, or stage: ``production`` and ``staging`` are
        their holders, ``latest`` the newest version, ``archived`` and ``none`` the newest version there.
        """
        with self._s.read() as s:
            found = version_row(s, model_row(s, model, project_id), str(version))
            return version_reads(s, s.execute(versions_select().where(db.model_versions.c.id == found.id)).all())[0]

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
        """Registered models with their stage holders; only those ``visibility`` allows, of ``project_id``."""
        stmt = select(db.models)
        for cond in (visible(db.models, visibility), in_project(db.models, project_id)):
            if cond is not None:
                stmt = stmt.where(cond)
        with self._s.read() as s:
            rows, total = paged(s, stmt, FILTERS, query, sort, page, size)
            return Page(items=model_reads(s, rows), total=total, page=page, size=size)

    def get(self, model: str | uuid.UUID, *, project_id: uuid.UUID | None = None) -> ModelRead:
        """A model by id or name: its card, metric directions, stage holders, version count and latest version."""
        with self._s.read() as s:
            return model_reads(s, [model_row(s, model, project_id)])[0]

    def update(self, model: str | uuid.UUID, change: ModelUpdate, *, project_id: uuid.UUID | None = None) -> ModelRead:
        """Change the description, card sections or metric directions that ``change`` sets; return the model."""
        change = ModelUpdate.model_validate(change.model_dump(exclude_unset=True))  # its limits, whoever built it
        values = change.model_dump(exclude_unset=True)
        if values.get("metric_directions", {}) is None:
            del values["metric_directions"]
        with self._s.write() as s:
            found = model_row(s, model, project_id)
            if values:
                s.execute(update(db.models).where(db.models.c.id == found.id).values(**values))
        return self.get(found.id)

    def set_stage(
        self,
        model: str | uuid.UUID,
        version: str,
        stage: ModelStages | str,
        *,
        force: bool = False,
        reason: str | None = None,
        how: str = "manual",
        rule: str | None = None,
        user_id: uuid.UUID | None = None,
        project_id: uuid.UUID | None = None,
    ) -> ModelVersionRead:
        """Put a version (a name, number, id, or a stage's holder) in staging, production, archived or none.

        At most one version holds staging and one production: promoting into one that another
        version holds is a ConflictError naming it, unless ``force`` archives that version (its own
        transition, with the reason "replaced by version X"). Each change records a transition (from,
        to, ``user_id``, ``reason``, ``how``: manual, approval or rule, and the ``rule`` that fired)
        and the version's ``stage_since``, in one transaction. Putting a version in the stage it is in
        changes and records nothing. "latest" or an unknown stage is a ParameterError.
        """
        return self.change_stage(
            model,
            version,
            stage,
            force=force,
            reason=reason,
            how=how,
            rule=rule,
            user_id=user_id,
            project_id=project_id,
        ).version

    def change_stage(
        self,
        model: str | uuid.UUID,
        version: str,
        stage: ModelStages | str,
        *,
        force: bool = False,
        reason: str | None = None,
        how: str = "manual",
        rule: str | None = None,
        user_id: uuid.UUID | None = None,
        project_id: uuid.UUID | None = None,
    ) -> StageChange:
        """:meth:`set_stage`, telling also the stage before and the versions archived to make room (for audits)."""
        return change_stage(
            self._s,
            model,
            version,
            stage,
            force=force,
            reason=reason,
            how=how,
            rule=rule,
            user_id=user_id,
            project_id=project_id,
        )

    def transitions(
        self, model: str | uuid.UUID, *, page: int = 1, size: int = 50, project_id: uuid.UUID | None = None
    ) -> Page[ModelStageTransitionRead]:
        """A model's stage transitions, newest first."""
        return list_transitions(self._s, model, page, size, project_id)

    def change_version_tags(
        self,
        model: str | uuid.UUID,
        version: str,
        *,
        add: Iterable[str] = (),
        remove: Iterable[str] = (),
        project_id: uuid.UUID | None = None,
    ) -> builtins.list[str]:
        """Put ``add`` on a version (a name, number or stage's holder) and take ``remove`` off it; its tags after."""
        from waypost.store.sql.repositories.model_links import ModelLinksRepository

        change = VersionTagsChange(add=builtins.list(add), remove=builtins.list(remove))  # the server's limits
        with self._s.read() as s:
            found = model_row(s, model, project_id)
            version_id = version_row(s, found, str(version)).id
        return ModelLinksRepository(self._s).change_tags(
            version_id, found.project_id, add=change.add, remove=change.remove
        )

    def list_versions(
        self, model: str | uuid.UUID, *, project_id: uuid.UUID | None = None
    ) -> builtins.list[ModelVersionRead]:
        """Every version of a model, newest first."""
        with self._s.read() as s:
            m = model_row(s, model, project_id)
            mv = db.model_versions
            rows = s.execute(versions_select().where(mv.c.model_id == m.id).order_by(mv.c.number.desc())).all()
            return version_reads(s, rows)
