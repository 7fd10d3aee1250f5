"""Pipeline runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from waypost.schemas import Page, RunRead, RunUpdate
from waypost.server.api._params import Filter, PageNo, Size
from waypost.server.api.run_columns import Columns
from waypost.server.deps import CurrentUser, StoreDep, require
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
    q: Filter = "",
    sort: RunSort = None,
    page: PageNo = 1,
    size: Size = 50,
    columns: Columns = "",
) -> Page[RunRead]:
    """Runs matching the filter, newest first by default; ``columns`` adds parameter and metadata values."""
    keys = run_columns.column_keys(columns)  # a bad key is a 400 before the list is read
    if run_columns.sorts_by_metadata(sort):
        listed = run_columns.list_sorted_by_metadata(store, q, sort, page, size)
    else:
        listed = runs.list_runs(store, q, sort, page, size)
    return run_columns.with_columns(store, listed, keys)


@router.get("/suggest", response_model=RunSuggestions)
def suggest(
    store: StoreDep, user: CurrentUser, key: SuggestKey, prefix: Prefix = "", limit: Limit = 20
) -> RunSuggestions:
    """Known values of a filter key that begin with ``prefix``, alphabetically, for the search box.

    ``metadata`` completes metadata keys (for ``metadata.KEY>VALUE``); ``tag`` offers tags
    some run carries.
    """
    return runs.suggest(store, key, prefix, limit)


@router.get("/{run}", response_model=RunRead)
def get_run(run: str, store: StoreDep, user: CurrentUser) -> RunRead:
    """A run by id or name."""
    return runs.get_run_or_404(store, run)


@router.patch("/{run}", response_model=RunRead, dependencies=[Depends(require("write"))])
def update_run(run: str, change: RunUpdate, store: StoreDep) -> RunRead:
    """Attach tags to a run."""
    return runs.update_run(store, run, change)


@router.delete("/{run}", status_code=status.HTTP_204_NO_CONTENT, dependencies=[Depends(require("write"))])
def delete_run(run: str, store: StoreDep, force: bool = False) -> None:
    """Delete a finished run and its step runs (its artifacts stay); ``force`` deletes one still going too."""
    runs.delete_run(store, run, force=force)
