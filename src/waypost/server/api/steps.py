"""Step runs of a pipeline run."""

from __future__ import annotations

from fastapi import APIRouter, Response

from waypost.schemas import Page, RunGraph, StepRunRead
from waypost.server.api._params import Filter, PageNo, Size
from waypost.server.deps import ActiveProject, CurrentUser, StoreDep
from waypost.server.services import steps

router = APIRouter(prefix="/runs/{run}/steps", tags=["steps"])
graph_router = APIRouter(prefix="/runs/{run}", tags=["steps"])


@router.get("", response_model=Page[StepRunRead])
def list_steps(
    run: str,
    store: StoreDep,
    user: CurrentUser,
    project: ActiveProject,
    q: Filter = "",
    page: PageNo = 1,
    size: Size = 50,
) -> Page[StepRunRead]:
    """A run's step runs in start order; ``q`` takes ``name``, ``step`` and ``status`` terms."""
    return steps.list_steps(store, user, run, q, page, size, project)


@graph_router.get("/graph", response_model=RunGraph)
def get_graph(run: str, store: StoreDep, user: CurrentUser, project: ActiveProject) -> Response:
    """The run's whole DAG in one compact answer: planned steps, their status, timings and artifacts."""
    # Sent as the service wrote it, in RunGraph's shape (which response_model documents): the
    # framework's validation and encoding of a 10,000-step graph took longer than building it.
    return Response(steps.run_graph(store, user, run, project), media_type="application/json")


@router.get("/{step}", response_model=StepRunRead)
def get_step(run: str, step: str, store: StoreDep, user: CurrentUser, project: ActiveProject) -> StepRunRead:
    """A step run by its invocation name (or id)."""
    return steps.get_step_or_404(store, user, run, step, project)
