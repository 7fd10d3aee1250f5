"""Live status changes of runs and steps, found by polling the store, as Server-Sent Events."""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel

from waypost.enums import ExecutionStatus
from waypost.exceptions import NotFoundError
from waypost.schemas import MAX_PAGE_SIZE, RunRead, StepRunRead
from waypost.store.sql.store import SqlStore

POLL_S = 0.5
HEARTBEAT_S = 15.0
_OVERLAP = timedelta(seconds=2)  # writers' clocks and commit delays: look back a little further
_STEP_EXCLUDE = {"source_code", "resource_samples", "cache_components"}  # bulky, and never change


def sse(event: str, data: str, event_id: str | None = None) -> str:
    """One Server-Sent Event; ``data`` is one line of JSON."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {data}\n\n"


class StatusWatcher:
    """Finds run and step status changes since the last poll, with indexed look-ups only.

    Each poll reads the active runs (by the status index), the runs created since the last
    poll (by the creation-time index), and again by id the runs that were active last time
    and are not any more; then the steps of runs that are active or changed. The first poll
    only learns the current state: events are the changes after it.
    """

    def __init__(self, store: SqlStore) -> None:
        self._store = store
        self._runs: dict[uuid.UUID, ExecutionStatus] = {}
        self._steps: dict[uuid.UUID, dict[uuid.UUID, ExecutionStatus]] = {}
        self._since = datetime.now(UTC)
        self._primed = False

    def poll(self) -> list[tuple[str, BaseModel]]:
        """``("run", RunRead)`` and ``("step", StepRunRead)`` for each status that changed."""
        now = datetime.now(UTC)
        runs = self._store.runs
        seen = {r.id: r for r in runs.list("status:initializing,running", size=MAX_PAGE_SIZE).items}
        since = (self._since - _OVERLAP).isoformat()
        seen.update((r.id, r) for r in runs.list(f"created>={since}", size=MAX_PAGE_SIZE).items)
        for rid, status in self._runs.items():
            if rid not in seen and not status.is_finished:
                with contextlib.suppress(NotFoundError):  # deleted meanwhile
                    seen[rid] = runs.get(rid)
        events: list[tuple[str, BaseModel]] = []
        steps: dict[uuid.UUID, dict[uuid.UUID, ExecutionStatus]] = {}
        for run in seen.values():
            changed = self._runs.get(run.id) != run.status
            known = self._steps.get(run.id, {})
            if changed or not run.status.is_finished or run.id not in self._steps:
                steps[run.id] = {}
                for step in self._store.steps.list(run.id):
                    steps[run.id][step.id] = step.status
                    if known.get(step.id) != step.status:
                        events.append(("step", step))
            else:
                steps[run.id] = known
            if changed:  # after its steps: a run ends after the steps that end it
                events.append(("run", run))
        self._runs = {rid: run.status for rid, run in seen.items()}
        self._steps = steps
        self._since = now
        if not self._primed:
            self._primed = True
            return []
        return events


def encode(kind: str, item: BaseModel) -> str:
    """The SSE text of one status change."""
    if isinstance(item, StepRunRead):
        return sse(kind, item.model_dump_json(exclude=_STEP_EXCLUDE))
    assert isinstance(item, RunRead)
    return sse(kind, item.model_dump_json())
