"""Pipeline runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status

from waypost.schemas import Page, RunRead, RunUpdate
from waypost.schemas.run_bulk import RunsArchive, RunsDelete
from waypost.schemas.stacks import StackSnapshot
from waypost.schemas.store_api import RunStop
from waypost.schemas.tags import BulkResult
from waypost.server.api._params import Filter, PageNo, Size
from waypost.server.api.run_columns import Columns
from waypost.server.auth import trail
from waypost.server.deps import ActiveProject, CurrentUser, StoreDep
from waypost.server.services import run_columns, runs
from waypost.server.services.runs import RunSuggestions
from waypost.store.sql.repositories.runs import FILTERS, MAX_SUGGESTIONS, SUGGEST_KEYS

router = APIRouter(prefix="/runs", tags=["runs"])

RunSort = Annotated[
    str | None,
    Query(
        max_length=64,
        description=(
            f"A sort key, one of {', '.join(f'`{k}`' for k in FILTERS.sorts)}; a leading `-` sorts descending. "
            "Ties go newest first. `duration` is ended minus started; runs still going or never started "
            "come last in both directions. `metadata.KEY` sorts by a metadata value (numbers before text; "
            "runs without it last)."
        ),
    ),
]
SuggestKey = Annotated[
    str, Query(max_length=32, description=f"The filter key to complete: {', '.join(f'`{k}`' for k in SUGGEST_KEYS)}.")
]
Prefix = Annotated[str, Query(max_length=255, description="What was typed so far; matched case-insensitively.")]
Limit = Annotated[
    int, Query(ge=1, le=MAX_SUGGESTIONS, description=f"At most this many values, 1 to {MAX_SUGGESTIONS}.")
]


@router.get("", response_model=Page[RunRead])
def list_runs(
    store: StoreDep,
    user: CurrentUser,
    project: ActiveProject,
    q: Filter = "",
    sort: RunSort = None,
    page: PageNo = 1,
    size: Size = 50,
    columns: Columns = "",
) -> Page[RunRead]:
    """Runs matching the filter, newest first by default; ``columns`` adds parameter and metadata values."""
    keys = run_columns.column_keys(columns)  # a bad key is a 400 before the list is read
    if run_columns.sorts_by_metadata(sort):
        listed = run_columns.list_sorted_by_metadata(store, user, q, sort, page, size, project)
    else:
        listed = runs.list_runs(store, user, q, sort, page, size, project)
    return run_columns.with_columns(store, listed, keys)


@router.get("/suggest", response_model=RunSuggestions)
def suggest(
    store: StoreDep,
    user: CurrentUser,
    project: ActiveProject,
    key: SuggestKey,
    prefix: Prefix = "",
    limit: Limit = 20,
) -> RunSuggestions:
    """Known values of a filter key that begin with ``prefix``, alphabetically, for the search box.

    ``metadata`` completes metadata keys (for ``metadata.KEY>VALUE``); ``tag`` offers tags
    some run carries.
    """
    return runs.suggest(store, user, key, prefix, limit, project)


@router.post("/archive", response_model=BulkResult)
def archive_runs(change: RunsArchive, request: Request, store: StoreDep, user: CurrentUser) -> BulkResult:
    """Archive (or restore, with ``archived: false``) up to 500 runs; each needs run:update in its project.

    Archived runs stay whole but lists hide them unless the filter asks (``archived:true``, ``archived:any``).
    Answers per id ok, denied or unknown.
    """
    result, projects = runs.archive_runs(store, user, change)
    if result.ok:
        ids = [str(i.id) for i in result.items if i.outcome == "ok"]
        details = {"archived": change.archived, "ids": ids, "projects": projects}
        trail.record(store, request, user, trail.RUNS_ARCHIVED, f"{result.ok} run(s)", details)
    return result


@router.post("/delete", response_model=BulkResult)
def delete_runs(change: RunsDelete, request: Request, store: StoreDep, user: CurrentUser) -> BulkResult:
    """Delete up to 500 finished runs and their step runs (their artifacts stay); each needs run:delete.

    A run still going is denied unless ``force``. Answers per id ok, denied or unknown.
    """
    result, gone = runs.delete_runs(store, user, change)
    if gone:
        details = {
            "ids": [str(r.id) for r in gone],
            "names": [r.name for r in gone],
            "projects": sorted({str(r.project_id) for r in gone}),
            "force": change.force,
        }
        trail.record(store, request, user, trail.RUNS_DELETED, f"{len(gone)} run(s)", details)
    return result


@router.get("/{run}", response_model=RunRead)
def get_run(run: str, store: StoreDep, user: CurrentUser, project: ActiveProject) -> RunRead:
    """A run by id or name."""
    return runs.get_run_or_404(store, user, run, project)


@router.get("/{run}/stack", response_model=StackSnapshot)
def get_run_stack(run: str, store: StoreDep, user: CurrentUser, project: ActiveProject) -> StackSnapshot:
    """The stack and component configurations the run used, as they were (secret values masked)."""
    found = runs.get_run_or_404(store, user, run, project)
    snapshot = store.runs.stack_snapshot(found.id)
    if snapshot is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"Run '{found.name}' recorded no stack; runs record theirs since stacks exist (Waypost 0.7).",
        )
    return snapshot


@router.patch("/{run}", response_model=RunRead)
def update_run(run: str, change: RunUpdate, store: StoreDep, user: CurrentUser, project: ActiveProject) -> RunRead:
    """Add or remove a run's tags, archive or restore it (needs run:update in its project)."""
    return runs.update_run(store, user, run, change, project)


@router.post("/{run}/stop", response_model=RunRead)
def stop_run(
    run: str, request: Request, store: StoreDep, user: CurrentUser, project: ActiveProject, body: RunStop | None = None
) -> RunRead:
    """Stop a running run and its running steps (needs run:update); its launcher stops them within a heartbeat.

    A run that already ended is a 409.
    """
    stopped, where = runs.stop_run(store, user, run, body.reason if body else None, project)
    details = {"id": str(stopped.id), "project": where, "reason": stopped.status_reason}
    trail.record(store, request, user, trail.RUN_STOPPED, stopped.name, details)
    return stopped


@router.delete("/{run}", status_code=status.HTTP_204_NO_CONTENT)
def delete_run(
    run: str, request: Request, store: StoreDep, user: CurrentUser, project: ActiveProject, force: bool = False
) -> None:
    """Delete a finished run and its step runs (its artifacts stay; needs run:delete); ``force`` deletes one going."""
    gone, where = runs.delete_run(store, user, run, force=force, project=project)
    details = {"id": str(gone.id), "project": where, "status": gone.status.value}
    trail.record(store, request, user, trail.RUN_DELETED, gone.name, details)
