"""Live status changes of runs and steps, found by polling the store, as Server-Sent Events.

Streams stay open for hours, so they hold no request thread: they are async generators
that sleep with ``await``, and the short blocking reads they need (a poll of the store, a
page of log lines, a look at the caller's credentials) run on a few threads of their own
(:func:`blocking`), never on the threads that serve requests. All ``/events`` streams
share one :class:`EventHub`, which polls the store once per interval however many listen.
Each stream re-checks its caller's session or API key every few seconds
(:class:`CallerCheck`) and ends once it is gone: logged out, revoked or deactivated.
Each stream gets only the changes of runs its caller may read (:class:`Event` says whose
run, project and workspace each one is; the stream's filter decides, see ``api/events.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar, cast

from fastapi import HTTPException, Request
from pydantic import BaseModel

from waypost.enums import ExecutionStatus
from waypost.exceptions import NotFoundError, WaypostError
from waypost.schemas import MAX_PAGE_SIZE, RunRead, StepRunRead
from waypost.schemas.access import DEFAULT_PROJECT_ID, Visibility
from waypost.server.deps import Principal, authenticate
from waypost.store.sql.store import SqlStore

POLL_S = 0.5
HEARTBEAT_S = 15.0
STREAM_THREADS = 4
"""Threads all streams share for their blocking reads (request threads are never used)."""
BACKLOG = 1000
"""Events a listener may fall behind by before its stream is ended (the client reconnects)."""
T = TypeVar("T")
log = logging.getLogger("waypost.server")
_executor: ThreadPoolExecutor | None = None
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
        self._projects: dict[uuid.UUID, uuid.UUID] = {}
        self._workspaces: dict[uuid.UUID, uuid.UUID | None] = {}

    def where(self, run_id: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID | None]:
        """The project and workspace of a run the last poll saw (no query: the poll looked them up)."""
        project_id = self._projects.get(run_id, DEFAULT_PROJECT_ID)
        return project_id, self._workspaces.get(project_id)

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
        projects = {rid: run.project_id or DEFAULT_PROJECT_ID for rid, run in seen.items()}
        for project_id in set(projects.values()) - self._workspaces.keys():  # before the state moves on:
            self._workspaces[project_id] = self._store.access.project_workspace(project_id)  # a failure loses nothing
        self._runs = {rid: run.status for rid, run in seen.items()}
        self._projects = projects
        self._steps = steps
        self._since = now
        if not self._primed:
            self._primed = True
            return []
        return events


@dataclass(frozen=True)
class Event:
    """One encoded status change, with where its run lives (for each stream's filter)."""

    text: str
    run_id: uuid.UUID
    project_id: uuid.UUID
    workspace_id: uuid.UUID | None


#: Whether a stream sends an event: its caller may read the run.
EventFilter = Callable[[Event], bool]


class Readable:
    """A stream's filter: the events of runs ``visibility`` allows (of ``project_id`` when given).

    ``visibility`` is replaced when the stream re-checks its caller (:class:`CallerCheck`), so a
    grant revoked or a share withdrawn stops the events within one check, without a reconnect.
    """

    __slots__ = ("project_id", "visibility")

    def __init__(self, visibility: Visibility, project_id: uuid.UUID | None = None) -> None:
        self.visibility = visibility
        self.project_id = project_id

    def __call__(self, event: Event) -> bool:
        if self.project_id is not None and event.project_id != self.project_id:
            return False
        visibility = self.visibility
        return (
            visibility.everything
            or event.project_id in visibility.project_ids
            or event.workspace_id in visibility.workspace_ids
            or event.run_id in visibility.shared_ids
        )


def encode(kind: str, item: BaseModel) -> str:
    """The SSE text of one status change."""
    if isinstance(item, StepRunRead):
        return sse(kind, item.model_dump_json(exclude=_STEP_EXCLUDE))
    assert isinstance(item, RunRead)
    return sse(kind, item.model_dump_json())


async def blocking(fn: Callable[..., T], *args: object) -> T:
    """Run a short blocking call for a stream on the streams' own threads."""
    global _executor
    if _executor is None:  # created on first use: importing the server starts no threads
        _executor = ThreadPoolExecutor(STREAM_THREADS, thread_name_prefix="waypost-stream")
    return await asyncio.get_running_loop().run_in_executor(_executor, functools.partial(fn, *args))


class CallerCheck:
    """Whether a stream's caller still may read: their session or API key looked up again now and then."""

    def __init__(
        self, request: Request, store: SqlStore, every_s: float, on_access: Callable[[Principal], None] | None = None
    ) -> None:
        self._request = request
        self._store = store
        self._every_s = every_s
        self._next = time.monotonic() + every_s
        self._on_access = on_access
        self.reason = ""

    async def allowed(self) -> bool:
        """False once the session ended, the key was revoked or expired, or the user was deactivated.

        Each check also reads the caller's permissions again and hands them to ``on_access``.
        """
        if time.monotonic() < self._next:
            return True
        self._next = time.monotonic() + self._every_s
        try:
            caller = await blocking(authenticate, self._request, self._store)
        except HTTPException as exc:
            self.reason = str(exc.detail)
            return False
        except WaypostError as exc:  # the store is unreachable for a moment: check again next time
            log.warning("A stream could not re-check its caller: %s", exc)
            return True
        if self._on_access is not None:
            self._on_access(caller)
        return True


class EventHub:
    """One :class:`StatusWatcher` for every ``/events`` stream of an app, polling while any listens."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store
        self._listeners: dict[asyncio.Queue[Event | None], EventFilter] = {}
        self._task: asyncio.Task[None] | None = None
        self._watcher: StatusWatcher | None = None
        self._lock = asyncio.Lock()
        self._loop = asyncio.get_running_loop()

    @classmethod
    def of(cls, request: Request) -> EventHub:
        """The hub of the request's app (made on first use, and again for another event loop)."""
        hub: EventHub | None = getattr(request.app.state, "event_hub", None)
        if hub is None or hub._loop is not asyncio.get_running_loop():  # an app served again (tests)
            hub = request.app.state.event_hub = cls(request.app.state.store)
        return hub

    @property
    def listeners(self) -> int:
        """How many streams listen now."""
        return len(self._listeners)

    async def subscribe(self, allows: EventFilter) -> asyncio.Queue[Event | None]:
        """A queue of the events ``allows`` passes from now on; ``None`` in it means the stream must end."""
        async with self._lock:
            if self._task is None or self._task.done():
                watcher = StatusWatcher(self._store)
                await blocking(watcher.poll)  # learn the current state: events are the changes after it
                self._watcher = watcher
                self._task = asyncio.create_task(self._run())
            queue: asyncio.Queue[Event | None] = asyncio.Queue()
            self._listeners[queue] = allows
            return queue

    def unsubscribe(self, queue: asyncio.Queue[Event | None]) -> None:
        """Stop sending to ``queue``; the polling stops with the last listener."""
        self._listeners.pop(queue, None)

    @staticmethod
    def _events(watcher: StatusWatcher, found: list[tuple[str, BaseModel]]) -> list[Event]:
        """The changes encoded, each with its run's project and workspace."""
        out = []
        for kind, item in found:
            run_id = item.run_id if isinstance(item, StepRunRead) else cast(RunRead, item).id
            out.append(Event(encode(kind, item), run_id, *watcher.where(run_id)))
        return out

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(POLL_S)
            if not self._listeners or self._watcher is None:
                return
            watcher = self._watcher
            try:
                found = await blocking(watcher.poll)
            except Exception as exc:  # a locked or unreachable database must not end every stream
                log.warning("Polling for status events failed: %s", exc)
                continue
            events = self._events(watcher, found)
            for queue, allows in list(self._listeners.items()):
                if queue.qsize() > BACKLOG:  # a client that stopped reading: end its stream
                    self._listeners.pop(queue, None)
                    queue.put_nowait(None)
                    continue
                for event in events:
                    if allows(event):
                        queue.put_nowait(event)
