"""A model version's page and a model's stage status: linked runs and artifact versions by role, version
tags, and the runs that consumed each stage's holder lately."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection, Select, and_, delete, func, select

from waypost.enums import ExecutionStatus, ModelStages
from waypost.schemas import Page
from waypost.schemas.access import Visibility
from waypost.schemas.model_links import (
    ModelStageStatus,
    StageHolderStatus,
    VersionArtifactLink,
    VersionLinkCounts,
    VersionRunLink,
)
from waypost.store.filters import check_page
from waypost.store.model_links import ARTIFACT_ROLES, RUN_ROLES
from waypost.store.sql import tables as db
from waypost.store.sql.engine import Sessions
from waypost.store.sql.repositories._common import add_tags, tags_for, visible

#: How many of a stage holder's latest consumer runs the status shows.
RECENT_CONSUMERS = 10

_MVR, _MVA, _RUN, _AV = db.model_version_runs, db.model_version_artifacts, db.pipeline_runs, db.artifact_versions
_FAILED = (ExecutionStatus.FAILED.value, ExecutionStatus.CRASHED.value, ExecutionStatus.STOPPED.value)


def _where(*conds: Any) -> list[Any]:
    return [c for c in conds if c is not None]


def _runs_select(version_ids: Any, role: str | None, visibility: Visibility | None) -> Select[Any]:
    """Runs linked to ``version_ids`` (of ``role``), newest first, with their pipeline's and user's names."""
    stmt = (
        select(
            _MVR.c.model_version_id,
            _MVR.c.role,
            _MVR.c.via_stage,
            _RUN.c.id,
            _RUN.c.name,
            _RUN.c.status,
            _RUN.c.created_at,
            _RUN.c.ended_at,
            db.pipelines.c.name.label("pipeline_name"),
            db.users.c.name.label("user_name"),
        )
        .join(_RUN, _RUN.c.id == _MVR.c.run_id)
        .outerjoin(db.pipelines, db.pipelines.c.id == _RUN.c.pipeline_id)
        .outerjoin(db.users, db.users.c.id == _RUN.c.user_id)
        .where(*_where(version_ids, None if role is None else _MVR.c.role == role, visible(_RUN, visibility)))
    )
    return stmt.order_by(_RUN.c.created_at.desc(), _RUN.c.id.desc())


def _run_link(row: Any) -> VersionRunLink:
    return VersionRunLink(
        id=row.id,
        name=row.name,
        status=ExecutionStatus(row.status),
        role=row.role,
        via_stage=row.via_stage,
        pipeline_name=row.pipeline_name,
        user_name=row.user_name,
        created_at=row.created_at,
        ended_at=row.ended_at,
    )


def _artifacts_from(visibility: Visibility | None) -> tuple[Any, list[Any]]:
    joined = _MVA.join(_AV, _AV.c.id == _MVA.c.artifact_version_id).join(
        db.artifacts, db.artifacts.c.id == _AV.c.artifact_id
    )
    return joined, _where(visible(db.artifacts, visibility))


class ModelLinksRepository:
    """Reads of a version's links by role, and the tags of versions."""

    def __init__(self, sessions: Sessions) -> None:
        self._s = sessions

    def counts(
        self, version_id: uuid.UUID, *, runs: Visibility | None = None, artifacts: Visibility | None = None
    ) -> VersionLinkCounts:
        """How many runs (of those ``runs`` allows) and artifact versions of each role the version has."""
        with self._s.read() as s:
            run_rows = s.execute(
                select(_MVR.c.role, func.count())
                .join(_RUN, _RUN.c.id == _MVR.c.run_id)
                .where(*_where(_MVR.c.model_version_id == version_id, visible(_RUN, runs)))
                .group_by(_MVR.c.role)
            ).all()
            joined, scope = _artifacts_from(artifacts)
            art_rows = s.execute(
                select(_MVA.c.role, func.count())
                .select_from(joined)
                .where(_MVA.c.model_version_id == version_id, *scope)
                .group_by(_MVA.c.role)
            ).all()
        run_counts = dict.fromkeys(RUN_ROLES, 0) | {r: int(n) for r, n in run_rows if r in RUN_ROLES}
        art_counts = dict.fromkeys(ARTIFACT_ROLES, 0) | {r: int(n) for r, n in art_rows if r in ARTIFACT_ROLES}
        return VersionLinkCounts.model_validate({"runs": run_counts, "artifacts": art_counts})

    def runs(
        self,
        version_id: uuid.UUID,
        *,
        role: str | None = None,
        visibility: Visibility | None = None,
        page: int = 1,
        size: int = 50,
    ) -> Page[VersionRunLink]:
        """Runs linked to the version (of ``role``; those ``visibility`` allows), newest first."""
        check_page(page, size)
        stmt = _runs_select(_MVR.c.model_version_id == version_id, role, visibility)
        with self._s.read() as s:
            total = s.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
            rows = s.execute(stmt.limit(size).offset((page - 1) * size)).all()
        return Page[VersionRunLink](items=[_run_link(r) for r in rows], total=total, page=page, size=size)

    def artifacts(
        self,
        version_id: uuid.UUID,
        *,
        role: str | None = None,
        name: str | None = None,
        visibility: Visibility | None = None,
        page: int = 1,
        size: int = 50,
    ) -> Page[VersionArtifactLink]:
        """Artifact versions linked to the version (of ``role``, named ``name``; those ``visibility`` allows),
        by role, then name, then newest version first."""
        check_page(page, size)
        joined, scope = _artifacts_from(visibility)
        conds = [
            _MVA.c.model_version_id == version_id,
            *scope,
            *_where(
                None if role is None else _MVA.c.role == role,
                None if name is None else db.artifacts.c.name == name,
            ),
        ]
        stmt = (
            select(
                _MVA.c.role,
                _AV,
                db.artifacts.c.name.label("artifact_name"),
                _RUN.c.name.label("run_name"),
            )
            .select_from(joined.outerjoin(_RUN, _RUN.c.id == _AV.c.producer_run_id))
            .where(*conds)
        )
        with self._s.read() as s:
            total = s.scalar(select(func.count()).select_from(joined).where(*conds)) or 0
            rows = s.execute(
                stmt.order_by(_MVA.c.role, db.artifacts.c.name, _AV.c.version.desc())
                .limit(size)
                .offset((page - 1) * size)
            ).all()
        items = [
            VersionArtifactLink(
                id=r.id,
                artifact_id=r.artifact_id,
                name=r.artifact_name,
                version=r.version,
                role=r.role,
                data_type=r.data_type,
                size=r.size,
                content_hash=r.content_hash,
                visualizations=r.visualizations or [],
                producer_run_id=r.producer_run_id,
                producer_run_name=r.run_name,
                created_at=r.created_at,
            )
            for r in rows
        ]
        return Page[VersionArtifactLink](items=items, total=total, page=page, size=size)

    def stage_status(
        self, model_id: uuid.UUID, *, visibility: Visibility | None = None, recent: int = RECENT_CONSUMERS
    ) -> ModelStageStatus:
        """Per stage (production, staging, latest): its holder, since when, and its latest consumer runs.

        Four queries whatever the number of versions and runs.
        """
        mv = db.model_versions
        with self._s.read() as s:
            name = s.scalar(select(db.models.c.name).where(db.models.c.id == model_id)) or ""
            holders = s.execute(
                select(mv.c.id, mv.c.name, mv.c.number, mv.c.stage, mv.c.stage_since, mv.c.created_at).where(
                    mv.c.model_id == model_id,
                    mv.c.stage.in_([ModelStages.PRODUCTION.value, ModelStages.STAGING.value]),
                )
            ).all()
            newest = s.execute(
                select(mv.c.id, mv.c.name, mv.c.number, mv.c.stage, mv.c.stage_since, mv.c.created_at)
                .where(mv.c.model_id == model_id)
                .order_by(mv.c.number.desc())
                .limit(1)
            ).first()
            by_stage: dict[str, Any] = {h.stage: h for h in holders}
            if newest is not None:
                by_stage[ModelStages.LATEST.value] = newest
            ids = sorted({h.id for h in by_stage.values()})
            consumers = _consumers(s, ids, visibility, recent)
        stages = []
        for stage in (ModelStages.PRODUCTION.value, ModelStages.STAGING.value, ModelStages.LATEST.value):
            holder = by_stage.get(stage)
            if holder is None:
                stages.append(StageHolderStatus(stage=stage))
                continue
            total, runs = consumers.get(holder.id, (0, []))
            stages.append(
                StageHolderStatus(
                    stage=stage,
                    version_id=holder.id,
                    version=holder.name,
                    number=holder.number,
                    since=holder.created_at if stage == ModelStages.LATEST.value else holder.stage_since,
                    consumers=total,
                    recent=runs,
                    recent_succeeded=sum(1 for r in runs if r.status.is_successful),
                    recent_failed=sum(1 for r in runs if r.status.value in _FAILED),
                )
            )
        return ModelStageStatus(model_id=model_id, model_name=name, stages=stages)

    def change_tags(
        self, version_id: uuid.UUID, project_id: uuid.UUID, *, add: list[str], remove: list[str]
    ) -> list[str]:
        """Put ``add`` on the version and take ``remove`` off it; the version's tags after."""
        with self._s.write_conn() as c:
            add_tags(c, "model_version", version_id, add, project_id)
            gone = [t.strip() for t in remove if t.strip() and t.strip() not in add]
            if gone:
                tag_ids = select(db.tags.c.id).where(db.tags.c.project_id == project_id, db.tags.c.name.in_(gone))
                c.execute(
                    delete(db.tag_links).where(
                        and_(
                            db.tag_links.c.resource_type == "model_version",
                            db.tag_links.c.resource_id == version_id,
                            db.tag_links.c.tag_id.in_(tag_ids),
                        )
                    )
                )
            return tags_for(c, "model_version", [version_id])[version_id]


def _consumers(
    s: Connection, version_ids: list[uuid.UUID], visibility: Visibility | None, recent: int
) -> dict[uuid.UUID, tuple[int, list[VersionRunLink]]]:
    """Per version: how many consumer runs it has, and its ``recent`` newest (two queries)."""
    if not version_ids:
        return {}
    conds = _where(_MVR.c.model_version_id.in_(version_ids), _MVR.c.role == "consumer", visible(_RUN, visibility))
    totals: dict[uuid.UUID, int] = dict(
        s.execute(
            select(_MVR.c.model_version_id, func.count())
            .join(_RUN, _RUN.c.id == _MVR.c.run_id)
            .where(*conds)
            .group_by(_MVR.c.model_version_id)
        ).all()
    )
    inner = _runs_select(_MVR.c.model_version_id.in_(version_ids), "consumer", visibility).add_columns(
        func.row_number()
        .over(partition_by=_MVR.c.model_version_id, order_by=(_RUN.c.created_at.desc(), _RUN.c.id.desc()))
        .label("rn")
    )
    ranked = inner.order_by(None).subquery()
    out: dict[uuid.UUID, tuple[int, list[VersionRunLink]]] = {v: (int(n), []) for v, n in totals.items()}
    for row in s.execute(
        select(ranked).where(ranked.c.rn <= recent).order_by(ranked.c.created_at.desc(), ranked.c.id.desc())
    ):
        out.setdefault(row.model_version_id, (0, []))[1].append(_run_link(row))
    return out
