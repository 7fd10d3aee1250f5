"""Two runs compared: GET /runs/{run}/diff/{other}; and GET /runs/{run}/last-successful to compare a failed one with."""

from __future__ import annotations

from fastapi import APIRouter

from waypost.schemas import RunRead
from waypost.schemas.run_diff import MAX_CODE_DIFF_LINES, RunDiff
from waypost.server.deps import ActiveProject, CurrentUser, StoreDep
from waypost.server.services import run_diff

router = APIRouter(prefix="/runs", tags=["runs"])

_ABOUT = (
    "How run `other` (after) differs from run `run` (before, the baseline), both by id or name.\n\n"
    "Steps added, removed, re-wired or changed (the code as a unified diff of at most "
    f"{MAX_CODE_DIFF_LINES} lines, parameters, settings), the DAG's edges added and removed, the pipeline "
    "parameters, run configuration and stack that changed (secret values masked), and per step what it did "
    "in each run (cached, executed, failed …) and, when one was served from the cache and the other not, why: "
    "from the recorded cache keys, source hashes, parameters, input content hashes and settings. A run unknown "
    "or hidden from you is a 404."
)


@router.get("/{run}/diff/{other}", response_model=RunDiff, description=_ABOUT)
def diff_runs(run: str, other: str, store: StoreDep, user: CurrentUser, project: ActiveProject) -> RunDiff:
    """How run ``other`` differs from run ``run``."""
    return run_diff.diff_runs(store, user, run, other, project)


@router.get("/{run}/last-successful", response_model=RunRead)
def last_successful_run(run: str, store: StoreDep, user: CurrentUser, project: ActiveProject) -> RunRead:
    """The newest completed run of the same pipeline created before this one (that you may read); 404 if none."""
    return run_diff.last_successful(store, user, run, project)
