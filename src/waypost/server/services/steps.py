"""Step runs of a pipeline run."""

from __future__ import annotations

from fastapi import HTTPException, status

from waypost.exceptions import FilterSyntaxError
from waypost.schemas import Page, StepRunRead
from waypost.server.services._common import or_404, page_of
from waypost.server.services.runs import get_run_or_404
from waypost.store.filters import Term, parse
from waypost.store.sql.store import SqlStore

_KEYS = ("name", "status", "step")


def get_step_or_404(store: SqlStore, run_ref: str, step: str) -> StepRunRead:
    """A step run of run ``run_ref`` by invocation name (or step run id)."""
    run = get_run_or_404(store, run_ref)
    found = or_404(lambda: store.steps.get(run.id, step))
    if found.run_id != run.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Run '{run_ref}' has no step '{step}'; list its steps.")
    return found


def list_steps(store: SqlStore, run_ref: str, q: str, page: int, size: int) -> Page[StepRunRead]:
    """A run's step runs in start order, filtered by ``name``, ``step`` and ``status`` terms."""
    run = get_run_or_404(store, run_ref)
    terms = parse(q)
    for term in terms:
        if term.key not in _KEYS:
            raise FilterSyntaxError(f"Steps cannot be filtered by '{term.key}'; use one of {', '.join(_KEYS)}.")
    steps = [s for s in store.steps.list(run.id) if all(_holds(t, s) for t in terms)]
    return page_of(steps, page, size)


def _holds(term: Term, step: StepRunRead) -> bool:
    value = {"name": step.name, "step": step.step_name, "status": step.status.value}[term.key]
    if term.op == "~":
        hit = any(v.casefold() in value.casefold() for v in term.values)
    elif term.op in (":", "="):
        hit = value in term.values
    elif term.op == "!=":
        hit = value not in term.values
    else:
        raise FilterSyntaxError(f"'{term}' compares text with '{term.op}'; use ':', '!=' or '~' for steps.")
    return hit != term.negate
