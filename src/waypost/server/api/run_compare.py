"""Runs side by side: GET /runs/compare?runs=RUN,RUN,..."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from waypost.schemas.run_compare import LOWER_IS_BETTER_WORDS, MAX_COMPARED_RUNS, RunComparison
from waypost.server.deps import ActiveProject, CurrentUser, StoreDep
from waypost.server.services import run_compare

router = APIRouter(prefix="/runs", tags=["runs"])

Runs = Annotated[
    str,
    Query(
        min_length=1,
        max_length=20_000,
        description=(
            f"Comma-separated runs to compare (1 to {MAX_COMPARED_RUNS}): ids or names, in the columns' order "
            "(duplicates dropped); the first is the baseline. Runs unknown or hidden from you are listed in "
            "`missing`."
        ),
    ),
]
Keys = Annotated[
    str,
    Query(
        max_length=4000,
        description="Comma-separated metric keys (a whole key such as `evaluate.loss`, or its last part) to rank "
        "this way, overriding the default.",
    ),
]


_ABOUT = (
    "Runs side by side: a row per run fact, parameter, metric, metadata key, step, output and snapshot fact.\n\n"
    "Each row holds a value per run (null where a run has none), its kind (`mixed` when the runs disagree, e.g. a "
    "number in one run and text in another: no best then), whether the values differ, and for metrics and the "
    "duration the index of the best run. Higher is better unless the key's last part contains one of "
    f"{', '.join(LOWER_IS_BETTER_WORDS)}; `lower=` and `higher=` override it. No run, or more than "
    f"{MAX_COMPARED_RUNS}, is a 422."
)


@router.get("/compare", response_model=RunComparison, description=_ABOUT)
def compare_runs(
    store: StoreDep, user: CurrentUser, project: ActiveProject, runs: Runs, lower: Keys = "", higher: Keys = ""
) -> Response:
    """Runs side by side, in the order asked; runs unknown or hidden from the caller are listed in ``missing``.

    A hundred runs by hundreds of attributes: the answer is written by pydantic's own serializer,
    not validated a second time and encoded in Python by the framework (a tenth of the time).
    """
    found = run_compare.compare_runs(store, user, runs, lower=lower, higher=higher, project=project)
    return Response(found.model_dump_json(), media_type="application/json")
