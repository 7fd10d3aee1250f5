"""Pipeline runs, as the caller may see and change them (see :mod:`waypost.server.scopes`)."""

from __future__ import annotations

import uuid

from fastapi import HTTPException, status
from pydantic import BaseModel, Field

from waypost.exceptions import NotFoundError, StoreError
from waypost.schemas import Page, RunRead, RunUpdate
from waypost.schemas.run_bulk import RunsArchive, RunsDelete
from waypost.schemas.tags import BulkItem, BulkResult
from waypost.server import scopes
from waypost.server.deps import Principal
from waypost.server.services._common import or_404
from waypost.server.services.tags import denied, unknown
from waypost.store.sql.repositories.runs import already_ended
from waypost.store.sql.store import SqlStore


def get_run_or_404(store: SqlStore, caller: Principal, ref: str, project: str | None = None) -> RunRead:
    """A run by id or name the caller may read; hidden ones are not found."""
    found = scopes.readable(store, caller, "run", ref, project)
    return or_404(lambda: store.runs.get(found.id))


def list_runs(
    store: SqlStore, caller: Principal, q: str, sort: str | None, page: int, size: int, project: str | None = None
) -> Page[RunRead]:
    """Runs matching the filter ``q`` that the caller may read, newest first by default."""
    return store.runs.list(
        q,
        sort=sort,
        page=page,
        size=size,
        visibility=scopes.visibility(caller, "run"),
        project_id=scopes.project_filter(store, caller, project),
    )


class RunSuggestions(BaseModel):
    """Values the search box can offer for one filter key."""

    key: str
    values: list[str] = Field(description="Distinct known values beginning with the prefix, alphabetically.")


def suggest(
    store: SqlStore, caller: Principal, key: str, prefix: str, limit: int, project: str | None = None
) -> RunSuggestions:
    """Known values of filter key ``key`` beginning with ``prefix``, from the runs the caller may read."""
    values = store.runs.suggest(
        key,
        prefix,
        limit,
        visibility=scopes.visibility(caller, "run"),
        project_id=scopes.project_filter(store, caller, project),
    )
    return RunSuggestions(key=key, values=values)


def update_run(store: SqlStore, caller: Principal, ref: str, change: RunUpdate, project: str | None = None) -> RunRead:
    """Tag, untag, archive or restore a run (run:update); return it as it now is."""
    found = scopes.changeable(store, caller, "run", ref, "run:update", project=project)
    if change.add_tags or change.remove_tags:
        or_404(lambda: store.tags.change("run", [found.id], add=change.add_tags, remove=change.remove_tags))
    if change.archived is not None:
        store.runs.set_archived([found.id], change.archived)
    return or_404(lambda: store.runs.get(found.id))


def archive_runs(store: SqlStore, caller: Principal, change: RunsArchive) -> tuple[BulkResult, list[str]]:
    """Archive or restore each run the caller may change (run:update); per id ok, denied or unknown.

    Also answers the projects (``workspace/project``) where something changed, for the audit trail.
    """
    ids = list(dict.fromkeys(change.ids))
    found = scopes.readable_many(store, caller, "run", ids)
    allowed = [i for i, f in found.items() if scopes.may(caller, f, "run:update")]
    done = set(store.runs.set_archived(allowed, change.archived)) if allowed else set()
    items = [
        BulkItem(id=i, outcome="ok")
        if i in done
        else denied("run:update", found[i].scope.path, i)
        if i in found and i not in allowed
        else unknown("run", i)
        for i in ids
    ]
    return BulkResult.of(items), sorted({found[i].scope.path for i in done})


def delete_runs(store: SqlStore, caller: Principal, change: RunsDelete) -> tuple[BulkResult, list[RunRead]]:
    """Delete each run the caller may delete (run:delete) that has finished (or any, with ``force``).

    Per id ok, denied (no run:delete, or still going) or unknown; also the runs deleted, as they were.
    """
    ids = list(dict.fromkeys(change.ids))
    found = scopes.readable_many(store, caller, "run", ids)
    runs = {r.id: r for r in store.runs.get_many([i for i in ids if i in found])}
    verdict: dict[uuid.UUID, BulkItem] = {}
    for i in ids:
        run = runs.get(i)
        if run is None:
            verdict[i] = unknown("run", i)
        elif not scopes.may(caller, found[i], "run:delete"):
            verdict[i] = denied("run:delete", found[i].scope.path, i)
        elif not run.status.is_finished and not change.force:
            detail = f"Run '{run.name}' is {run.status.value}; stop it before deleting it (or pass force=true)."
            verdict[i] = BulkItem(id=i, outcome="denied", detail=detail)
    wanted = [i for i in ids if i not in verdict]
    gone = set(store.runs.delete_many(wanted)) if wanted else set()
    items = [verdict.get(i) or (BulkItem(id=i, outcome="ok") if i in gone else unknown("run", i)) for i in ids]
    return BulkResult.of(items), [runs[i] for i in ids if i in gone]


def stop_run(
    store: SqlStore, caller: Principal, ref: str, reason: str | None = None, project: str | None = None
) -> tuple[RunRead, str]:
    """Stop an active run and its active steps (run:update); a run that already ended is a 409.

    Its launcher learns of it from its next heartbeat's answer and stops the steps it runs.
    Returns the run as it now is and its project as ``workspace/project``, for the audit trail.
    """
    found = scopes.changeable(store, caller, "run", ref, "run:update", project=project)
    try:
        return store.runs.stop(found.id, reason, by=caller.name), found.scope.path
    except NotFoundError:
        raise
    except StoreError:
        run = or_404(lambda: store.runs.get(found.id))
        if not run.status.is_finished:
            raise
        raise HTTPException(status.HTTP_409_CONFLICT, already_ended(run.name, run.status.value)) from None


def delete_run(
    store: SqlStore, caller: Principal, ref: str, *, force: bool = False, project: str | None = None
) -> tuple[RunRead, str]:
    """Delete a finished run and its step runs (run:delete); one still going must be stopped first, unless ``force``.

    Returns the run as it was and its project as ``workspace/project``, for the audit trail.
    """
    found = scopes.changeable(store, caller, "run", ref, "run:delete", project=project)
    run = or_404(lambda: store.runs.get(found.id))
    if not run.status.is_finished and not force:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"Run '{run.name}' is {run.status.value}; stop it before deleting it (or pass force=true).",
        )
    or_404(lambda: store.runs.delete(run.id))
    return run, found.scope.path
