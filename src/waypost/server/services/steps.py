"""Step runs of a pipeline run."""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from fastapi import HTTPException, status
from pydantic_core import to_json

from waypost.exceptions import FilterSyntaxError
from waypost.schemas import Page, RunRead, StepRunRead
from waypost.server.deps import Principal
from waypost.server.services._common import or_404, page_of
from waypost.server.services.runs import get_run_or_404
from waypost.store.filters import Term, parse
from waypost.store.sql.store import SqlStore

_KEYS = ("name", "status", "step")


def get_step_or_404(
    store: SqlStore, caller: Principal, run_ref: str, step: str, project: str | None = None
) -> StepRunRead:
    """A step run of run ``run_ref`` (which the caller may read) by invocation name (or step run id)."""
    run = get_run_or_404(store, caller, run_ref, project)
    found = or_404(lambda: store.steps.get(run.id, step))
    if found.run_id != run.id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Run '{run_ref}' has no step '{step}'; list its steps.")
    return found


def list_steps(
    store: SqlStore, caller: Principal, run_ref: str, q: str, page: int, size: int, project: str | None = None
) -> Page[StepRunRead]:
    """A run's step runs in start order, filtered by ``name``, ``step`` and ``status`` terms."""
    run = get_run_or_404(store, caller, run_ref, project)
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


def run_graph(store: SqlStore, caller: Principal, run_ref: str, project: str | None = None) -> bytes:
    """A run's DAG as JSON in ``RunGraph``'s shape: every planned step, how far each got, what it read and wrote.

    Built for a 10,000-step run (about 0.15 s here, from 1.1 s): the snapshot's drawn
    fields are parsed once per snapshot and not validated (every step's source code went
    through the schema on each request), only the drawn columns are read, and the answer is
    written from the database's own values (see :func:`_graph_json`).
    """
    run = get_run_or_404(store, caller, run_ref, project)
    with _cycle_collector_paused():
        planned = _planned_steps(store, run.snapshot_id)
        rows, links = store.steps.graph_rows(run.id)
        return _graph_json(run, planned, rows, links)


#: A planned step as the graph needs it: name, step name, inputs (key, step, output),
#: outputs (name, data type, artifact name), and the steps it waits for.
Planned = tuple[str, str, tuple[tuple[str, str, str], ...], tuple[tuple[str, str, str | None], ...], list[str]]
_planned_cache: OrderedDict[UUID, tuple[Planned, ...]] = OrderedDict()
_PLANNED_CACHED = 16
_planned_lock = threading.Lock()


def _planned_steps(store: SqlStore, snapshot_id: UUID) -> tuple[Planned, ...]:
    """The drawn fields of a snapshot's steps, kept for the snapshots asked for last.

    A snapshot never changes once written (a different structure is a new snapshot), so
    a run page polling its graph while the run goes on parses the spec, every step's
    source code included, once rather than on every poll.
    """
    with _planned_lock:
        found = _planned_cache.get(snapshot_id)
        if found is not None:
            _planned_cache.move_to_end(snapshot_id)
            return found
    spec = or_404(lambda: store.pipelines.snapshot_spec(snapshot_id))
    planned = tuple(
        (
            p["name"],
            p.get("step_name") or p["name"],
            tuple((key, i["step"], i["output"]) for key, i in (p.get("inputs") or {}).items()),
            tuple((o["name"], o.get("data_type") or "", o.get("artifact_name")) for o in p.get("outputs") or []),
            list(p.get("after") or []),
        )
        for p in spec.get("steps", [])
    )
    with _planned_lock:
        _planned_cache[snapshot_id] = planned
        while len(_planned_cache) > _PLANNED_CACHED:
            _planned_cache.popitem(last=False)
    return planned


def _graph_json(run: RunRead, planned: tuple[Planned, ...], rows: list[Any], links: list[Any]) -> bytes:
    # Plain lists and dicts in RunGraph's field order, encoded once. Validating the 40,000
    # objects of a 10,000-step graph only to serialize them again took 40 % of the request;
    # the values are already what the schema says (the database's statuses and names), and
    # ids and times are written in the schema's own text form (tests/server check that the
    # answer reads back through RunGraph unchanged, on the three databases).
    by_name = {r[0]: r for r in rows}
    written = {(step, name): (_uuid_text(vid), version, artifact) for step, name, vid, version, artifact in links}
    out: list[dict[str, Any]] = []
    for name, step_name, planned_inputs, planned_outputs, after in planned:
        row = by_name.get(name)
        inputs = []
        for key, upstream, output in planned_inputs:
            # A step that started read what its upstream step wrote (see graph_rows).
            v = written.get((upstream, output)) if row is not None else None
            inputs.append({"name": key, "step": upstream, "output": output, "version_id": v and v[0]})
        outputs = []
        for output, data_type, artifact_name in planned_outputs:
            v = written.get((name, output))
            outputs.append(
                {
                    "name": output,
                    "data_type": data_type,
                    "version_id": v and v[0],
                    "artifact_name": v[2] if v else artifact_name,
                    "version": v and v[1],
                }
            )
        if row is None:
            status = started = ended = reason = error = None
        else:
            _, status, started, ended, reason, error = row
        out.append(
            {
                "name": name,
                "step_name": step_name,
                "status": status,
                "started_at": _time_text(started),
                "ended_at": _time_text(ended),
                "cache_miss_reason": reason,
                "error_type": error,
                "after": after,
                "inputs": inputs,
                "outputs": outputs,
            }
        )
    graph = {
        "run_id": str(run.id),
        "status": run.status.value,
        "started_at": _time_text(run.started_at),
        "ended_at": _time_text(run.ended_at),
        "steps": out,
    }
    # pydantic-core's encoder writes the same compact UTF-8 as json.dumps in less than half the time.
    return to_json(graph)


def _uuid_text(value: str | UUID) -> str:
    """An id as the database returned it (32 hex digits, or a UUID where it has the type) in UUID text form."""
    if isinstance(value, str) and len(value) == 32:
        v = value.lower()
        return f"{v[:8]}-{v[8:12]}-{v[12:16]}-{v[16:20]}-{v[20:]}"
    return str(UUID(str(value)))


def _time_text(value: str | datetime | None) -> str | None:
    """A UTC time from the database (SQLite's naive text, a driver's datetime) or a schema, as the API writes it.

    ISO 8601 with "Z", and no fraction when the microseconds are zero: what pydantic writes
    for an aware UTC datetime.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.replace(tzinfo=None).isoformat() + "Z"
    text = value.replace(" ", "T", 1)
    return (text[:-7] if text.endswith(".000000") else text) + "Z"


_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = True


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Hold off Python's cycle collector while a large answer is built.

    Building a 10,000-step graph allocates a few hundred thousand containers; each
    allocation burst set off collections that walked everything alive (the parsed spec
    included), which was over half the request's time. Nothing built here forms cycles, so
    reference counting frees it all; the collector resumes, if it was on, when the last
    builder is done (threads of the server may overlap).
    """
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                # What was built outlives this block (the answer is still to be sent). Left
                # young, the first allocation after enable() would walk all of it (70 ms for
                # a 10,000-step graph); freeze + unfreeze files it with the old objects at
                # once, for the next full collection, by which time it has been freed.
                gc.freeze()
                gc.unfreeze()
                gc.enable()
