"""Pipeline runs."""

from __future__ import annotations

from fastapi import APIRouter, Depends, status

from waypost.schemas import Page, RunRead, RunUpdate
from waypost.server.api._params import Filter, PageNo, Size, Sort
from waypost.server.deps import CurrentUser, StoreDep, require
from waypost.server.services import runs

router = APIRouter(prefix="/runs", tags=["runs"])


@router.get("", response_model=Page[RunRead])
def list_runs(
    store: StoreDep, user: CurrentUser, q: Filter = "", sort: Sort = None, page: PageNo = 1, size: Size = 50
) -> Page[RunRead]:
    """Runs matching the filter, newest first by default."""
    return runs.list_runs(store, q, sort, page, size)


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
