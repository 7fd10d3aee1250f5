"""Cleanup: which old runs, artifact versions and stored files may go, and deleting exactly those.

A plan is computed from the filter, a cut-off time and what the caller may see and delete. Its
token is a digest of the filter, the cut-off and every id and location in it: a confirmation
recomputes the plan in the deleting transaction and deletes it only when the digest still matches,
so what goes is exactly what was previewed. Files are the caller's to remove, after the commit.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, delete, func, select

from waypost.enums import ExecutionStatus
from waypost.exceptions import ConflictError
from waypost.schemas.access import Visibility
from waypost.schemas.cleanup import (
    PREVIEW_RUNS,
    CleanupConfirm,
    CleanupFilter,
    CleanupKept,
    CleanupPreview,
    CleanupResult,
    CleanupRun,
)
from waypost.store.sql import tables as db
from waypost.store.sql.engine import Sessions
from waypost.store.sql.repositories._common import not_found, row_by_ref, visible
from waypost.store.sql.repositories.metadata import key_stats_kept
from waypost.store.sql.tables import utcnow

_CHUNK = 500
_ACTIVE = (ExecutionStatus.INITIALIZING.value, ExecutionStatus.RUNNING.value)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: A preview's token confirms a cleanup for this long.
TOKEN_TTL = timedelta(hours=1)
#: Removes stored locations; answers how many went, the bytes they held and those that could not go.
FileRemover = Callable[[list[str]], tuple[int, int, list[str]]]


def _chunks(ids: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _where(*conds: Any) -> list[Any]:
    return [c for c in conds if c is not None]


@dataclass
class CleanupScope:
    """What a caller may see and delete (None: everything, as with a local database)."""

    read: Visibility | None = None
    delete_runs: Visibility | None = None
    delete_artifacts: Visibility | None = None
    #: Only this project's runs (None: every project the rest allows).
    project_id: uuid.UUID | None = None


@dataclass
class CleanupPlan:
    """The runs, artifact versions and stored locations one cleanup deletes, and what it keeps."""

    cutoff: datetime
    runs: list[uuid.UUID]
    versions: list[uuid.UUID]
    files: list[str]
    bytes: int
    kept: CleanupKept
    matches_everything: bool
    token: str = ""
    listed: list[CleanupRun] = field(default_factory=list)


def _digest(f: CleanupFilter, cutoff: datetime, runs: Iterable[uuid.UUID], versions: Iterable[uuid.UUID]) -> str:
    h = hashlib.sha256()
    wanted = {"older_than": f.older_than, "keep": sorted(set(f.keep_tags)), "pipeline": f.pipeline}
    h.update(json.dumps(wanted, sort_keys=True).encode())
    h.update(cutoff.isoformat().encode())
    for ids in (runs, versions):
        h.update(b"|")
        for i in sorted(ids):
            h.update(i.bytes)
    return h.hexdigest()[:40]


def make_token(plan: CleanupPlan, f: CleanupFilter) -> str:
    """``<cut-off in microseconds>.<digest>``: the cut-off travels in the token, so a confirmation reuses it."""
    micros = (plan.cutoff - _EPOCH) // timedelta(microseconds=1)  # exact: no float on the way
    return f"{micros}.{_digest(f, plan.cutoff, plan.runs, plan.versions)}"


def token_cutoff(token: str) -> datetime:
    """The cut-off a token carries; a ConflictError for a token that is not a preview's or has expired."""
    head, sep, _ = token.partition(".")
    try:
        if not sep or not head.isascii() or not head.isdigit():
            raise ValueError(token)
        return _EPOCH + timedelta(microseconds=int(head))
    except (ValueError, OverflowError):
        raise ConflictError(
            "The confirmation token is not one a cleanup preview gave; preview again and confirm that."
        ) from None


def _ids(c: Connection, stmt: Any, ids: list[uuid.UUID]) -> set[Any]:
    """The first column of ``stmt(chunk)`` over ``ids`` in chunks."""
    out: set[Any] = set()
    for chunk in _chunks(ids):
        out.update(c.execute(stmt(chunk)).scalars())
    return out


def _pairs(c: Connection, stmt: Any, ids: list[Any]) -> list[tuple[Any, Any]]:
    out: list[tuple[Any, Any]] = []
    for chunk in _chunks(ids):
        out.extend((a, b) for a, b in c.execute(stmt(chunk)))
    return out


def _tagged(c: Connection, resource_type: str, ids: list[uuid.UUID], names: list[str]) -> set[uuid.UUID]:
    if not names or not ids:
        return set()
    link, tag = db.tag_links, db.tags
    return _ids(
        c,
        lambda chunk: (
            select(link.c.resource_id)
            .join(tag, tag.c.id == link.c.tag_id)
            .where(link.c.resource_type == resource_type, link.c.resource_id.in_(chunk), tag.c.name.in_(names))
        ),
        ids,
    )


def plan(
    c: Connection, f: CleanupFilter, cutoff: datetime, scope: CleanupScope, pipeline_id: uuid.UUID | None
) -> CleanupPlan:
    """What a cleanup with filter ``f`` and ``cutoff`` deletes, for a caller of ``scope`` (reads only)."""
    run = db.pipeline_runs
    keep = sorted(set(f.keep_tags))
    base = _where(
        visible(run, scope.read),
        None if scope.project_id is None else run.c.project_id == scope.project_id,
        None if pipeline_id is None else run.c.pipeline_id == pipeline_id,
    )
    reached = c.execute(
        select(run.c.id, run.c.status).where(*base, run.c.created_at < cutoff).order_by(run.c.created_at, run.c.id)
    ).all()
    reached_ids = [r.id for r in reached]
    may_delete = scope.delete_runs
    permitted = (
        set(reached_ids)
        if may_delete is None or may_delete.everything
        else _ids(c, lambda chunk: select(run.c.id).where(run.c.id.in_(chunk), visible(run, may_delete)), reached_ids)
    )
    active = {r.id for r in reached if r.status in _ACTIVE}
    tagged = _tagged(c, "run", reached_ids, keep) - active
    mvr = db.model_version_runs
    producers = (
        _ids(
            c,
            lambda chunk: select(mvr.c.run_id).where(mvr.c.run_id.in_(chunk), mvr.c.role == "producer"),
            reached_ids,
        )
        - active
        - tagged
    )
    refused = set(reached_ids) - permitted - active - tagged - producers
    gone_runs = [i for i in reached_ids if i not in active | tagged | producers | refused]
    gone = set(gone_runs)

    # Artifact versions the deleted runs produced or touched, unless something kept still needs them.
    sr, sra, av = db.step_runs, db.step_run_artifacts, db.artifact_versions
    runs_list = gone_runs
    touched = _pairs(
        c,
        lambda chunk: (
            select(sra.c.artifact_version_id, sr.c.run_id)
            .join(sr, sr.c.id == sra.c.step_run_id)
            .where(sr.c.run_id.in_(chunk))
        ),
        runs_list,
    )
    produced = _ids(c, lambda chunk: select(av.c.id).where(av.c.producer_run_id.in_(chunk)), runs_list)
    candidates = sorted({v for v, _ in touched} | produced)
    users = _pairs(
        c,
        lambda chunk: (
            select(sra.c.artifact_version_id, sr.c.run_id)
            .join(sr, sr.c.id == sra.c.step_run_id)
            .where(sra.c.artifact_version_id.in_(chunk))
        ),
        candidates,
    )
    producers_of = _pairs(c, lambda chunk: select(av.c.id, av.c.producer_run_id).where(av.c.id.in_(chunk)), candidates)
    used_by_kept = {v for v, r in users if r not in gone} | {
        v for v, r in producers_of if r is not None and r not in gone
    }
    mva = db.model_version_artifacts
    linked = (
        _ids(c, lambda chunk: select(mva.c.artifact_version_id).where(mva.c.artifact_version_id.in_(chunk)), candidates)
        - used_by_kept
    )
    versions_tagged = _tagged(c, "artifact_version", candidates, keep) - used_by_kept - linked
    art = db.artifacts
    a_scope = scope.delete_artifacts
    a_permitted = (
        set(candidates)
        if a_scope is None or a_scope.everything
        else _ids(
            c,
            lambda chunk: (
                select(av.c.id).join(art, art.c.id == av.c.artifact_id).where(av.c.id.in_(chunk), visible(art, a_scope))
            ),
            candidates,
        )
    )
    v_refused = set(candidates) - a_permitted - used_by_kept - linked - versions_tagged
    gone_versions = [v for v in candidates if v not in used_by_kept | linked | versions_tagged | v_refused]

    files, size = _files(c, gone_versions, gone_runs)
    scope_total = c.scalar(
        select(func.count())
        .select_from(run)
        .where(*base, *_where(None if may_delete is None else visible(run, may_delete)))
    )
    kept = CleanupKept(
        runs_tagged=len(tagged),
        runs_active=len(active),
        runs_model_version=len(producers),
        runs_not_permitted=len(refused),
        versions_used_by_kept_runs=len(used_by_kept),
        versions_linked_to_models=len(linked),
        versions_tagged=len(versions_tagged),
        versions_not_permitted=len(v_refused),
    )
    return CleanupPlan(
        cutoff=cutoff,
        runs=gone_runs,
        versions=gone_versions,
        files=files,
        bytes=size,
        kept=kept,
        matches_everything=bool(gone_runs) and len(gone_runs) == (scope_total or 0),
    )


def _files(c: Connection, versions: list[uuid.UUID], runs: list[uuid.UUID]) -> tuple[list[str], int]:
    """Stored locations of ``versions`` and of the logs of ``runs`` that nothing kept shares; the versions' bytes."""
    av, sr = db.artifact_versions, db.step_runs
    rows = _pairs(c, lambda chunk: select(av.c.uri, av.c.size).where(av.c.id.in_(chunk)), versions)
    size = sum(int(s or 0) for _, s in rows)
    gone_v, gone_r = set(versions), set(runs)
    uris = sorted({u for u, _ in rows})
    shared = {
        u
        for u, vid in _pairs(c, lambda chunk: select(av.c.uri, av.c.id).where(av.c.uri.in_(chunk)), uris)
        if vid not in gone_v
    }
    logs = sorted(
        _ids(c, lambda chunk: select(sr.c.log_uri).where(sr.c.run_id.in_(chunk), sr.c.log_uri.is_not(None)), runs)
    )
    # A cached step run points at the log of the run it came from: that log stays while such a step stays.
    shared_logs = {
        u
        for u, rid in _pairs(c, lambda chunk: select(sr.c.log_uri, sr.c.run_id).where(sr.c.log_uri.in_(chunk)), logs)
        if rid not in gone_r
    }
    return sorted((set(uris) - shared) | (set(logs) - shared_logs)), size


def _listed(c: Connection, runs: list[uuid.UUID]) -> list[CleanupRun]:
    first = runs[:PREVIEW_RUNS]
    if not first:
        return []
    run, p = db.pipeline_runs, db.pipelines
    rows = {
        r.id: r
        for r in c.execute(
            select(run.c.id, run.c.name, run.c.status, run.c.created_at, p.c.name.label("pipeline_name"))
            .join(p, p.c.id == run.c.pipeline_id)
            .where(run.c.id.in_(first))
        )
    }
    return [
        CleanupRun(
            id=i,
            name=rows[i].name,
            pipeline_name=rows[i].pipeline_name,
            status=ExecutionStatus(rows[i].status),
            created_at=rows[i].created_at,
        )
        for i in first
        if i in rows
    ]


def preview_of(c: Connection, plan_: CleanupPlan, f: CleanupFilter) -> CleanupPreview:
    """The preview of ``plan_``, with its token and, when it reaches every run, a warning."""
    warning = None
    if plan_.matches_everything:
        where = f"of pipeline '{f.pipeline}' " if f.pipeline else ""
        warning = (
            f"This filter matches every run {where}you may delete ({len(plan_.runs)}); "
            "check --older-than and --keep-tag before confirming."
        )
    return CleanupPreview(
        cutoff=plan_.cutoff,
        runs=len(plan_.runs),
        runs_listed=_listed(c, plan_.runs),
        artifact_versions=len(plan_.versions),
        files=len(plan_.files),
        bytes=plan_.bytes,
        kept=plan_.kept,
        matches_everything=plan_.matches_everything,
        warning=warning,
        token=make_token(plan_, f),
    )


def delete_plan(c: Connection, plan_: CleanupPlan) -> None:
    """Delete the plan's rows (their tags too); step runs, links and metadata go by cascade (the key summary kept)."""
    with key_stats_kept(c, run_ids=plan_.runs, artifact_version_ids=plan_.versions):
        _delete_rows(c, plan_)


def _delete_rows(c: Connection, plan_: CleanupPlan) -> None:
    link, av, run = db.tag_links, db.artifact_versions, db.pipeline_runs
    for chunk in _chunks(plan_.versions):
        c.execute(delete(link).where(and_(link.c.resource_type == "artifact_version", link.c.resource_id.in_(chunk))))
        c.execute(delete(av).where(av.c.id.in_(chunk)))
    for chunk in _chunks(plan_.runs):
        c.execute(delete(link).where(and_(link.c.resource_type == "run", link.c.resource_id.in_(chunk))))
        c.execute(delete(run).where(run.c.id.in_(chunk)))


class CleanupRepository:
    """Previews and confirmed cleanups of a local database (every project: its user may do anything)."""

    def __init__(self, sessions: Sessions) -> None:
        self._s = sessions

    def pipeline_id(self, c: Connection, ref: str | None, read: Visibility | None = None) -> uuid.UUID | None:
        """The id of pipeline ``ref`` (None for None), among those ``read`` allows."""
        if ref is None:
            return None
        found = row_by_ref(c, db.pipelines, ref)
        if found is None or (
            read is not None
            and not read.everything
            and c.scalar(select(db.pipelines.c.id).where(db.pipelines.c.id == found.id, visible(db.pipelines, read)))
            is None
        ):
            raise not_found("pipeline", ref, "run `waypost pipelines list` to see the pipelines")
        return uuid.UUID(str(found.id))

    def preview(self, f: CleanupFilter, *, scope: CleanupScope | None = None) -> CleanupPreview:
        """What a cleanup with ``f`` deletes now, and the token that confirms it."""
        scope = scope or CleanupScope()
        with self._s.read_conn() as c:
            pid = self.pipeline_id(c, f.pipeline, scope.read)
            return preview_of(c, plan(c, f, utcnow() - f.age, scope, pid), f)

    def delete(self, confirm: CleanupConfirm, *, scope: CleanupScope | None = None) -> CleanupPlan:
        """Delete what the preview of token ``confirm.confirm`` listed, or nothing; the plan deleted.

        Raises:
            ConflictError: the token is not the preview's, has expired, or the set changed since.
        """
        scope = scope or CleanupScope()
        cutoff = token_cutoff(confirm.confirm)
        if utcnow() - (cutoff + confirm.age) > TOKEN_TTL:
            raise ConflictError("The cleanup preview has expired (after an hour); preview again and confirm that.")
        f = CleanupFilter.model_validate(confirm.model_dump(exclude={"confirm"}))
        with self._s.write() as c:
            pid = self.pipeline_id(c, f.pipeline, scope.read)
            found = plan(c, f, cutoff, scope, pid)
            if make_token(found, f) != confirm.confirm:
                raise ConflictError(
                    "What this cleanup would delete changed since the preview (or the token is another "
                    "preview's); preview again and confirm the new token."
                )
            delete_plan(c, found)
        return found

    def apply(self, confirm: CleanupConfirm, remove: FileRemover) -> CleanupResult:
        """Delete the previewed set (see :meth:`delete`), then its files with ``remove``; what it freed."""
        done = self.delete(confirm)
        files, size, failed = remove(done.files)
        return CleanupResult(
            runs=len(done.runs),
            artifact_versions=len(done.versions),
            files=files,
            bytes=size,
            files_failed=failed[:100],
        )
