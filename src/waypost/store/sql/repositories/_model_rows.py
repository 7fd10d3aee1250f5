"""Finding models and versions, and turning their rows into wire schemas (shared by the model repositories)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, Select, func, select

from waypost.enums import ModelStages
from waypost.exceptions import NotFoundError
from waypost.schemas import ModelRead, ModelVersionRead
from waypost.schemas.models import MODEL_CARD_SECTIONS
from waypost.store import model_stages as rules
from waypost.store.sql import tables as db
from waypost.store.sql.repositories._common import not_found, parse_id, row_by_ref, tags_for

LIST_MODELS = "run `waypost model list` to see the models"


def versions_select() -> Select[Any]:
    """Model versions with their model's name (``model_name``), as :func:`version_reads` takes them."""
    mv = db.model_versions
    return select(mv, db.models.c.name.label("model_name")).join(db.models, db.models.c.id == mv.c.model_id)


def version_reads(s: Connection, rows: Sequence[Any]) -> list[ModelVersionRead]:
    """Wire schemas of version rows, with their runs, artifact versions and tags (three queries for all)."""
    ids = [r.id for r in rows]
    runs: dict[uuid.UUID, list[uuid.UUID]] = {i: [] for i in ids}
    arts: dict[uuid.UUID, list[uuid.UUID]] = {i: [] for i in ids}
    if ids:
        mvr, mva = db.model_version_runs, db.model_version_artifacts
        for vid, run_id in s.execute(
            select(mvr.c.model_version_id, mvr.c.run_id).where(mvr.c.model_version_id.in_(ids))
        ):
            runs[vid].append(run_id)
        links = select(mva.c.model_version_id, mva.c.artifact_version_id).where(mva.c.model_version_id.in_(ids))
        for vid, av in s.execute(links):
            arts[vid].append(av)
    tags = tags_for(s, "model_version", ids)
    return [
        ModelVersionRead(
            id=row.id,
            model_id=row.model_id,
            model_name=row.model_name,
            name=row.name,
            number=row.number,
            stage=ModelStages(row.stage),
            stage_since=row.stage_since,
            description=row.description,
            created_at=row.created_at,
            run_ids=runs[row.id],
            artifact_version_ids=arts[row.id],
            tags=tags[row.id],
        )
        for row in rows
    ]


def version_read(s: Connection, version_id: uuid.UUID) -> ModelVersionRead:
    """One version as its wire schema."""
    rows = s.execute(versions_select().where(db.model_versions.c.id == version_id)).all()
    return version_reads(s, rows)[0]


def model_reads(s: Connection, rows: Sequence[Any]) -> list[ModelRead]:
    """Wire schemas of model rows: tags, latest version, version count and stage holders (four queries for all)."""
    ids = [r.id for r in rows]
    tags = tags_for(s, "model", ids)
    mv = db.model_versions
    counts: dict[uuid.UUID, tuple[int, int]] = {}
    latest: dict[uuid.UUID, str] = {}
    holders: dict[uuid.UUID, dict[str, str]] = {i: {} for i in ids}
    if ids:
        sizes = select(mv.c.model_id, func.count(), func.max(mv.c.number)).where(mv.c.model_id.in_(ids))
        for model_id, n, top in s.execute(sizes.group_by(mv.c.model_id)):
            counts[model_id] = (n, top)
        newest = [(model_id, top) for model_id, (_, top) in counts.items()]
        if newest:
            for model_id, number, name in s.execute(
                select(mv.c.model_id, mv.c.number, mv.c.name).where(
                    mv.c.model_id.in_([m for m, _ in newest]), mv.c.number.in_({n for _, n in newest})
                )
            ):
                if counts[model_id][1] == number:
                    latest[model_id] = name
        exclusive = [stage.value for stage in rules.EXCLUSIVE]
        for model_id, held, name in s.execute(
            select(mv.c.model_id, mv.c.stage, mv.c.name)
            .where(mv.c.model_id.in_(ids), mv.c.stage.in_(exclusive))
            .order_by(mv.c.number)  # were there ever two, the newest is named
        ):
            holders[model_id][held] = name
    return [
        ModelRead(
            id=r.id,
            name=r.name,
            description=r.description,
            created_at=r.created_at,
            tags=tags[r.id],
            latest_version=latest.get(r.id),
            version_count=counts.get(r.id, (0, 0))[0],
            stages=holders[r.id],
            metric_directions=r.metric_directions or {},
            **{section: getattr(r, section) for section in MODEL_CARD_SECTIONS},
        )
        for r in rows
    ]


def model_row(s: Connection, model: str | uuid.UUID, project_id: uuid.UUID | None) -> Row[Any]:
    """The model ``model`` (an id or a name), else a one-line NotFoundError."""
    found = row_by_ref(s, db.models, model, project_id)
    if found is None:
        raise not_found("model", model, LIST_MODELS)
    return found


def version_row(s: Connection, model: Row[Any], ref: str, *, lock: bool = False) -> Row[Any]:
    """A version of ``model`` by id, stage (``production``, ``latest`` …), name or number; else a NotFoundError.

    ``lock``: a locking read (``FOR UPDATE``), for a write transaction that holds the model's lock.
    """
    mv = db.model_versions
    stmt = select(mv).where(mv.c.model_id == model.id)
    if lock:
        stmt = stmt.with_for_update()
    ref = str(ref)
    rid = parse_id(ref)
    row: Row[Any] | None
    if rid is not None:
        row = s.execute(stmt.where(mv.c.id == rid)).first()
    elif ref == ModelStages.LATEST.value:
        row = s.execute(stmt.order_by(mv.c.number.desc()).limit(1)).first()
    elif rules.is_stage_name(ref):
        row = s.execute(stmt.where(mv.c.stage == ref).order_by(mv.c.number.desc()).limit(1)).first()
    else:
        row = s.execute(stmt.where(mv.c.name == ref)).first()
        if row is None and ref.isdigit():
            row = s.execute(stmt.where(mv.c.number == int(ref))).first()
    if row is None:
        if ref == ModelStages.LATEST.value:
            what = "no versions yet"
        elif rules.is_stage_name(ref):
            what = f"no version in {ref}"
        else:
            what = f"no version '{ref}'"
        raise NotFoundError(f"Model '{model.name}' has {what}; {versions_hint(model.name)}.")
    return row


def versions_hint(model: str) -> str:
    """How to see a model's versions (the end of a not-found message)."""
    return f"run `waypost model versions {model}` to see its versions"
