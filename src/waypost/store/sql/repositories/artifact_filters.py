"""The filter keys of artifacts and artifact versions, and the artifact search box's suggestions.

``pipeline:NAME`` keeps artifacts with a version produced by a run of that pipeline.
``type:X`` keeps those with a version whose data type is ``X``, matched without regard
to case as the full dotted name (``pandas.core.frame.DataFrame``), its tail
(``DataFrame``, ``frame.DataFrame``) or its package and class (``pandas.DataFrame``);
``*`` is a wildcard, ``type=X`` the exact full name, ``type~X`` contains.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, not_, or_, select
from sqlalchemy.orm import Session

from waypost.exceptions import FilterSyntaxError
from waypost.store.filters import Term
from waypost.store.sql.filtering import Condition, Field, FilterSpec, _escape, _like, compare, starts_with
from waypost.store.sql.orm import Artifact, ArtifactVersion, MetadataEntry, Pipeline, PipelineRun, Tag, TagLink

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
    sub = select(ArtifactVersion.artifact_id).where(_type_condition(ArtifactVersion.data_type, term))
    return Artifact.id.in_(sub)


def _producing_runs(term: Term) -> Any:
    """Ids of runs of the pipelines ``term`` names (the pipeline-name rules of runs: exact, ``*``, ``~``)."""
    inner = compare(Field("str", Pipeline.name), Term("pipeline", term.op, term.values))
    return select(PipelineRun.id).join(Pipeline, Pipeline.id == PipelineRun.pipeline_id).where(inner)


def _artifact_pipeline(term: Term) -> Condition:
    sub = select(ArtifactVersion.artifact_id).where(ArtifactVersion.producer_run_id.in_(_producing_runs(term)))
    return Artifact.id.in_(sub)


def _artifact_tag(term: Term) -> Condition:
    """Tags are put on versions (``add_output_tags``): an artifact carries those of its versions."""
    if term.op not in (":", "="):
        raise FilterSyntaxError("Tags match by name only; write tag:NAME (or tag:a,b for either).")
    tagged = (
        select(TagLink.resource_id)
        .join(Tag, Tag.id == TagLink.tag_id)
        .where(TagLink.resource_type == "artifact_version", Tag.name.in_(term.values))
    )
    return Artifact.id.in_(select(ArtifactVersion.artifact_id).where(ArtifactVersion.id.in_(tagged)))


def _version_pipeline(term: Term) -> Condition:
    return ArtifactVersion.producer_run_id.in_(_producing_runs(term))


FILTERS = FilterSpec(
    fields={
        "name": Field("str", Artifact.name),
        "created": Field("time", Artifact.created_at),
        "pipeline": Field("custom", custom=_artifact_pipeline),
        "type": Field("custom", custom=_artifact_type),
        "tag": Field("custom", custom=_artifact_tag),
    },
    sorts={"name": Artifact.name, "created": Artifact.created_at, "versions": Artifact.latest_version},
    default_sort="-created",
    id_column=Artifact.id,
)
VERSION_FILTERS = FilterSpec(
    fields={
        "name": Field("str", Artifact.name),
        "type": Field("custom", custom=lambda term: _type_condition(ArtifactVersion.data_type, term)),
        "pipeline": Field("custom", custom=_version_pipeline),
        "materializer": Field("str", ArtifactVersion.materializer),
        "hash": Field("str", ArtifactVersion.content_hash),
        "size": Field("num", ArtifactVersion.size),
        "version": Field("num", ArtifactVersion.version),
        "created": Field("time", ArtifactVersion.created_at),
        "run": Field("uuid", ArtifactVersion.producer_run_id),
    },
    sorts={"created": ArtifactVersion.created_at, "version": ArtifactVersion.version, "size": ArtifactVersion.size},
    default_sort="-created",
    metadata_column=MetadataEntry.artifact_version_id,
    tag_resource="artifact_version",
    id_column=ArtifactVersion.id,
)


def suggest(s: Session, key: str, prefix: str, limit: int) -> list[str]:
    """Known values of artifact filter key ``key`` for the search box, alphabetically (any case).

    ``pipeline``: pipelines that produced an artifact, by name prefix. ``type``: data types
    of recent versions that contain ``prefix`` (people type the class name, not the module).
    ``tag``: tags some artifact version carries, by prefix.
    """
    if key not in SUGGEST_KEYS:
        raise FilterSyntaxError(f"Cannot suggest values for '{key}'; use one of: {', '.join(SUGGEST_KEYS)}.")
    if not 1 <= limit <= MAX_SUGGESTIONS:
        raise FilterSyntaxError(f"Suggestion limit {limit} is out of range; use 1 to {MAX_SUGGESTIONS}.")
    if key == "type":
        recent = select(ArtifactVersion.data_type).order_by(ArtifactVersion.created_at.desc()).limit(_TYPE_SAMPLE)
        types = recent.subquery()
        stmt = (
            select(types.c.data_type)
            .where(func.lower(types.c.data_type).like(f"%{_escape(prefix.lower())}%", escape="\\"))
            .distinct()
        )
        return sorted(s.scalars(stmt), key=lambda t: (t.lower(), t))[:limit]
    if key == "pipeline":
        produced = (
            select(PipelineRun.id)
            .join(ArtifactVersion, ArtifactVersion.producer_run_id == PipelineRun.id)
            .where(PipelineRun.pipeline_id == Pipeline.id)
        )
        stmt = select(Pipeline.name).where(starts_with(Pipeline.name, prefix), produced.exists())
        return list(s.scalars(stmt.order_by(func.lower(Pipeline.name), Pipeline.name).limit(limit)))
    used = select(TagLink.tag_id).where(and_(TagLink.tag_id == Tag.id, TagLink.resource_type == "artifact_version"))
    stmt = select(Tag.name).where(starts_with(Tag.name, prefix), used.exists())
    return list(s.scalars(stmt.order_by(func.lower(Tag.name), Tag.name).limit(limit)))
