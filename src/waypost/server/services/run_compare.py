"""Comparing runs side by side (run:read): only runs the caller may read take part."""

from __future__ import annotations

from waypost.schemas.run_compare import RunComparison
from waypost.server import scopes
from waypost.server.deps import Principal
from waypost.store.sql.repositories.run_compare import RunCompareRepository, parse_directions, split_run_refs
from waypost.store.sql.store import SqlStore


def compare_runs(
    store: SqlStore,
    caller: Principal,
    runs: str,
    *,
    lower: str = "",
    higher: str = "",
    project: str | None = None,
) -> RunComparison:
    """Runs ``runs`` (comma-separated ids or names) side by side, in the order asked (run:read).

    Runs the caller may not read are reported in ``missing`` exactly as unknown ones are, so a
    comparison never tells that a hidden run exists. Names are looked for in ``project`` when given.
    """
    refs = split_run_refs(runs)
    directions = parse_directions(lower, higher)
    project_id = store.access.get_project(project).id if project is not None else None
    return RunCompareRepository(store.sessions).compare(
        refs, visibility=scopes.visibility(caller, "run"), project_id=project_id, directions=directions
    )
