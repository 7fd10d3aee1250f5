"""Pipeline runs, as the caller may see and change them (see :mod:`waypost.server.scopes`)."""

from __future__ import annotations

from fastapi import HTTPException, status
from pydantic import BaseModel, Field

from waypost.exceptions import NotFoundError, StoreError
from waypost.schemas import Page, RunRead, RunUpdate
from waypost.server import scopes
from waypost.server.deps import Principal
from waypost.server.services._common import or_404
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
    """Attach tags to a run (run:update); return it as it now is."""
    found = scopes.changeable(store, caller, "run", ref, "run:update", project=project)
    if change.add_tags:
        store.runs.add_tags(found.id, change.add_tags)
    return or_404(lambda: store.runs.get(found.id))


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
