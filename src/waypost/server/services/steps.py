"""Step runs of a pipeline run."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, status

from waypost.enums import ExecutionStatus
from waypost.exceptions import FilterSyntaxError
from waypost.schemas import GraphInput, GraphOutput, GraphStep, Page, RunGraph, StepRunRead
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


def run_graph(store: SqlStore, run_ref: str) -> RunGraph:
    """A run's DAG: every planned step of its snapshot, with how far each got and what it read and wrote."""
    run = get_run_or_404(store, run_ref)
    spec = store.pipelines.get_snapshot(run.snapshot_id).spec
    rows, links = store.steps.graph_rows(run.id)
    by_name = {r.name: r for r in rows}
    versions: dict[tuple[str, str, str], Any] = {}
    id_to_name = {r.id: r.name for r in rows}
    for link in links:
        versions[(id_to_name[link.step_run_id], link.kind, link.name)] = link
    out: list[GraphStep] = []
    for planned in spec.get("steps", []):
        name = planned["name"]
        row = by_name.get(name)
        inputs = [
            GraphInput(
                name=key,
                step=inp["step"],
                output=inp["output"],
                version_id=(v.id if (v := versions.get((name, "input", key))) else None),
            )
            for key, inp in planned.get("inputs", {}).items()
        ]
        outputs = []
        for o in planned.get("outputs", []):
            v = versions.get((name, "output", o["name"]))
            outputs.append(
                GraphOutput(
                    name=o["name"],
                    data_type=o.get("data_type", ""),
                    version_id=v.id if v else None,
                    artifact_name=v.artifact if v else o.get("artifact_name"),
                    version=v.version if v else None,
                )
            )
        out.append(
            GraphStep(
                name=name,
                step_name=planned.get("step_name", name),
                status=ExecutionStatus(row.status) if row else None,
                started_at=row.started_at if row else None,
                ended_at=row.ended_at if row else None,
                cache_miss_reason=row.cache_miss_reason if row else None,
                error_type=row.error_type if row else None,
                after=list(planned.get("after", [])),
                inputs=inputs,
                outputs=outputs,
            )
        )
    return RunGraph(run_id=run.id, status=run.status, started_at=run.started_at, ended_at=run.ended_at, steps=out)
