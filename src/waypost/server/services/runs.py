"""Pipeline runs."""

from __future__ import annotations

from fastapi import HTTPException, status
from pydantic import BaseModel, Field

from waypost.schemas import Page, RunRead, RunUpdate
from waypost.server.services._common import or_404
from waypost.store.sql.store import SqlStore


def get_run_or_404(store: SqlStore, ref: str) -> RunRead:
    """A run by id or name."""
    return or_404(lambda: store.runs.get(ref))


def list_runs(store: SqlStore, q: str, sort: str | None, page: int, size: int) -> Page[RunRead]:
    """Runs matching the filter ``q``, newest first by default."""
    return store.runs.list(q, sort=sort, page=page, size=size)


class RunSuggestions(BaseModel):
    """Values the search box can offer for one filter key."""

    key: str
    values: list[str] = Field(description="Distinct known values beginning with the prefix, alphabetically.")


def suggest(store: SqlStore, key: str, prefix: str, limit: int) -> RunSuggestions:
    """Known values of filter key ``key`` beginning with ``prefix``."""
    return RunSuggestions(key=key, values=store.runs.suggest(key, prefix, limit))


def update_run(store: SqlStore, ref: str, change: RunUpdate) -> RunRead:
    """Attach tags to a run; return it as it now is."""
    run = get_run_or_404(store, ref)
    if change.add_tags:
        store.runs.add_tags(run.id, change.add_tags)
    return get_run_or_404(store, str(run.id))


def delete_run(store: SqlStore, ref: str, *, force: bool = False) -> None:
    """Delete a finished run and its step runs; a run still going must be stopped first, unless ``force``."""
    run = get_run_or_404(store, ref)
    if not run.status.is_finished and not force:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"Run '{run.name}' is {run.status.value}; stop it before deleting it (or pass force=true).",
        )
    or_404(lambda: store.runs.delete(run.id))
