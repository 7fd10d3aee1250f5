"""The runs list's parameter and metadata columns, and CSV export of every matching run.

Mounted before the ``/runs/{run}`` routes, which would otherwise take ``columns`` and
``export`` for run names.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from waypost.schemas.runs import RunColumnKeys, RunSummary
from waypost.server.api._params import Filter
from waypost.server.deps import ActiveProject, CurrentUser, StoreDep
from waypost.server.services import run_columns
from waypost.server.services.run_columns import BUILTIN_COLUMNS
from waypost.store.sql.repositories.run_columns import MAX_COLUMN_KEYS

router = APIRouter(prefix="/runs", tags=["runs"])

#: Also taken by ``GET /runs`` (see ``waypost.server.api.runs``).
Columns = Annotated[
    str,
    Query(
        max_length=8000,
        description=(
            "Comma-separated column keys whose values each run's `columns` holds: `param.NAME` (a pipeline "
            "parameter), `step.STEP.NAME` (a step's parameter), `metadata.KEY` (metadata of the run or its steps, "
            f"the latest where several steps logged it). At most {MAX_COLUMN_KEYS}."
        ),
    ),
]
ExportColumns = Annotated[
    str,
    Query(
        max_length=8000,
        description=(
            f"Comma-separated columns in order: any of {', '.join(f'`{c}`' for c in BUILTIN_COLUMNS)} and column keys "
            "as in `GET /runs?columns=`. Empty: the built-in columns. The run's id always comes first."
        ),
    ),
]
ExportSort = Annotated[str | None, Query(max_length=64, description="A sort key, as `GET /runs` takes.")]


@router.get("/columns", response_model=RunColumnKeys)
def column_keys(store: StoreDep, user: CurrentUser, project: ActiveProject, q: Filter = "") -> RunColumnKeys:
    """The parameter names and metadata keys the runs list can show as columns.

    Gathered from the newest runs matching ``q`` (at most a few hundred), alphabetically.
    """
    return run_columns.keys(store, user, q, project)


@router.get("/{run}/summary", response_model=RunSummary)
def run_summary(run: str, store: StoreDep, user: CurrentUser, project: ActiveProject) -> RunSummary:
    """A run's metadata (run and step metadata, the latest value per key) and model version, for its header."""
    return run_columns.summary(store, user, run, project)


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "Every matching run, one CSV row each."}},
)
def export_runs(
    store: StoreDep,
    user: CurrentUser,
    project: ActiveProject,
    q: Filter = "",
    sort: ExportSort = None,
    columns: ExportColumns = "",
) -> StreamingResponse:
    """Every run matching ``q`` as CSV, in ``sort`` order, read and sent a thousand rows at a time.

    Fields that a spreadsheet would run as formulas get a leading single quote. A filter
    matching more than a million runs is refused with a 400: narrow it.
    """
    export = run_columns.Export(store, user, q, sort, columns, project)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return StreamingResponse(
        export.lines(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="waypost-runs-{stamp}.csv"',
            "X-Total-Count": str(export.total),
            "Cache-Control": "no-store",
        },
    )
