"""The filter keys of artifacts and artifact versions, and the artifact search box's suggestions.

``pipeline:NAME`` keeps artifacts with a version produced by a run of that pipeline.
``type:X`` keeps those with a version whose data type is ``X``, matched without regard
to case as the full dotted name (``pandas.core.frame.DataFrame``), its tail
(``DataFrame``, ``frame.DataFrame``) or its package and class (``pandas.DataFrame``);
``*`` is a wildcard, ``type=X`` the exact full name, ``type~X`` contains.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, func, not_, or_, select

from waypost.exceptions import FilterSyntaxError
from waypost.store.filters import Term
from waypost.store.sql import tables as db
from waypost.store.sql.filtering import Condition, Field, FilterSpec, _escape, _like, compare, starts_with

#: What the artifact search box can complete.
SUGGEST_KEYS = ("pipeline", "type", "tag")
MAX_SUGGESTIONS = 50
#: Types are suggested from this many newest versions: data_type has no index, and a
#: keystroke must not read every version ever saved.
_TYPE_SAMPLE = 10_000


def type_matches(column: Any, value: str) -> Condition:
    """``column`` (a dotted type name) is ``value``, ends with ``.value``, or is ``pkg.….Name`` for ``pkg.Name``."""
    lowered, v = func.lower(column), value.lower()
    if "*" in v:
        return lowered.like(_like(v), escape="\\")
    options = [lowered == v, lowered.like(f"%.{_escape(v)}", escape="\\")]
    head, _, tail = v.partition(".")
    if tail and "." not in tail:
        options.append(lowered.like(f"{_escape(head)}.%.{_escape(tail)}", escape="\\"))
    return or_(*options)


def _type_condition(column: Any, term: Term) -> Condition:
    if term.op in (">", ">=", "<", "<="):
        raise FilterSyntaxError(f"'{term.op}' compares numbers and times, not 'type'; use type:DataFrame.")
    if term.op == "~":
        return compare(Field("str", column), term)
    if term.op == "=":
        return column.in_(term.values)  # type: ignore[no-any-return]  # untyped column attribute
    if term.op == "!=":
        return not_(type_matches(column, term.values[0]))
    return or_(*[type_matches(column, v) for v in term.values])


def _artifact_type(term: Term) -> Condition:
    sub = select(db.artifact_versions.c.artifact_id).where(_type_condition(db.artifact_versions.c.data_type, term))
    return db.artifacts.c.id.in_(sub)


def _producing_runs(term: Term) -> Any:
    """Ids of runs of the pipelines ``term`` names (the pipeline-name rules of runs: exact, ``*``, ``~``)."""
    inner = compare(Field("str", db.pipelines.c.name), Term("pipeline", term.op, term.values))
    return (
        select(db.pipeline_runs.c.id)
        .join(db.pipelines, db.pipelines.c.id == db.pipeline_runs.c.pipeline_id)
        .where(inner)
    )


def _artifact_pipeline(term: Term) -> Condition:
    sub = select(db.artifact_versions.c.artifact_id).where(
        db.artifact_versions.c.producer_run_id.in_(_producing_runs(term))
    )
    return db.artifacts.c.id.in_(sub)


def _artifact_tag(term: Term) -> Condition:
    """Tags are put on versions (``add_output_tags``): an artifact carries those of its versions."""
    if term.op not in (":", "="):
        raise FilterSyntaxError("Tags match by name only; write tag:NAME (or tag:a,b for either).")
    tagged = (
        select(db.tag_links.c.resource_id)
        .join(db.tags, db.tags.c.id == db.tag_links.c.tag_id)
        .where(db.tag_links.c.resource_type == "artifact_version", db.tags.c.name.in_(term.values))
    )
    return db.artifacts.c.id.in_(
        select(db.artifact_versions.c.artifact_id).where(db.artifact_versions.c.id.in_(tagged))
    )


def _version_pipeline(term: Term) -> Condition:
    return db.artifact_versions.c.producer_run_id.in_(_producing_runs(term))


FILTERS = FilterSpec(
    fields={
        "name": Field("str", db.artifacts.c.name),
        "created": Field("time", db.artifacts.c.created_at),
        "pipeline": Field("custom", custom=_artifact_pipeline),
        "type": Field("custom", custom=_artifact_type),
        "tag": Field("custom", custom=_artifact_tag),
    },
    sorts={
        "name": db.artifacts.c.name,
        "created": db.artifacts.c.created_at,
        "versions": db.artifacts.c.latest_version,
    },
    default_sort="-created",
    id_column=db.artifacts.c.id,
)
VERSION_FILTERS = FilterSpec(
    fields={
        "name": Field("str", db.artifacts.c.name),
        "type": Field("custom", custom=lambda term: _type_condition(db.artifact_versions.c.data_type, term)),
        "pipeline": Field("custom", custom=_version_pipeline),
        "materializer": Field("str", db.artifact_versions.c.materializer),
        "hash": Field("str", db.artifact_versions.c.content_hash),
        "size": Field("num", db.artifact_versions.c.size),
        "version": Field("num", db.artifact_versions.c.version),
        "created": Field("time", db.artifact_versions.c.created_at),
        "run": Field("uuid", db.artifact_versions.c.producer_run_id),
    },
    sorts={
        "created": db.artifact_versions.c.created_at,
        "version": db.artifact_versions.c.version,
        "size": db.artifact_versions.c.size,
    },
    default_sort="-created",
    metadata_column=db.metadata_entries.c.artifact_version_id,
    tag_resource="artifact_version",
    id_column=db.artifact_versions.c.id,
)


def suggest(s: Connection, key: str, prefix: str, limit: int, scope: Sequence[Any] = ()) -> list[str]:
    """Known values of artifact filter key ``key`` for the search box, alphabetically (any case).

    ``pipeline``: pipelines that produced an artifact, by name prefix. ``type``: data types
    of recent versions that contain ``prefix`` (people type the class name, not the module).
    ``tag``: tags some artifact version carries, by prefix. ``scope``: conditions on
    ``artifacts`` keeping those the caller sees; values then come from their versions only.
    """
    seen = select(db.artifacts.c.id).where(*scope) if scope else None
    if key not in SUGGEST_KEYS:
        raise FilterSyntaxError(f"Cannot suggest values for '{key}'; use one of: {', '.join(SUGGEST_KEYS)}.")
    if not 1 <= limit <= MAX_SUGGESTIONS:
        raise FilterSyntaxError(f"Suggestion limit {limit} is out of range; use 1 to {MAX_SUGGESTIONS}.")
    if key == "type":
        recent = (
            select(db.artifact_versions.c.data_type)
            .order_by(db.artifact_versions.c.created_at.desc())
            .limit(_TYPE_SAMPLE)
        )
        if seen is not None:
            recent = recent.where(db.artifact_versions.c.artifact_id.in_(seen))
        types = recent.subquery()
        stmt = (
            select(types.c.data_type)
            .where(func.lower(types.c.data_type).like(f"%{_escape(prefix.lower())}%", escape="\\"))
            .distinct()
        )
        return sorted(s.scalars(stmt), key=lambda t: (t.lower(), t))[:limit]
    if key == "pipeline":
        produced = (
            select(db.pipeline_runs.c.id)
            .join(db.artifact_versions, db.artifact_versions.c.producer_run_id == db.pipeline_runs.c.id)
            .where(db.pipeline_runs.c.pipeline_id == db.pipelines.c.id)
        )
        if seen is not None:
            produced = produced.where(db.artifact_versions.c.artifact_id.in_(seen))
        stmt = select(db.pipelines.c.name).where(starts_with(db.pipelines.c.name, prefix), produced.exists())
        return list(s.scalars(stmt.order_by(func.lower(db.pipelines.c.name), db.pipelines.c.name).limit(limit)))
    used = select(db.tag_links.c.tag_id).where(
        and_(db.tag_links.c.tag_id == db.tags.c.id, db.tag_links.c.resource_type == "artifact_version")
    )
    if seen is not None:
        versions = select(db.artifact_versions.c.id).where(db.artifact_versions.c.artifact_id.in_(seen))
        used = used.where(db.tag_links.c.resource_id.in_(versions))
    stmt = select(db.tags.c.name).where(starts_with(db.tags.c.name, prefix), used.exists())
    return list(s.scalars(stmt.order_by(func.lower(db.tags.c.name), db.tags.c.name).limit(limit)))
