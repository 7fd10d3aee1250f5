"""Live status changes of runs and steps, found by polling the store, as Server-Sent Events.

Streams stay open for hours, so they hold no request thread: they are async generators
that sleep with ``await``, and the short blocking reads they need (a poll of the store, a
page of log lines, a look at the caller's credentials) run on a few threads of their own
(:func:`blocking`), never on the threads that serve requests. All ``/events`` streams
share one :class:`EventHub`, which polls the store once per interval however many listen.
Each stream re-checks its caller's session or API key every few seconds
(:class:`CallerCheck`) and ends once it is gone: logged out, revoked or deactivated.
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
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from fastapi import HTTPException, Request
from pydantic import BaseModel

from waypost.enums import ExecutionStatus
from waypost.exceptions import NotFoundError, WaypostError
from waypost.schemas import MAX_PAGE_SIZE, RunRead, StepRunRead
from waypost.server.deps import authenticate
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


async def blocking(fn: Callable[..., T], *args: object) -> T:
    """Run a short blocking call for a stream on the streams' own threads."""
    global _executor
    if _executor is None:  # created on first use: importing the server starts no threads
        _executor = ThreadPoolExecutor(STREAM_THREADS, thread_name_prefix="waypost-stream")
    return await asyncio.get_running_loop().run_in_executor(_executor, functools.partial(fn, *args))


class CallerCheck:
    """Whether a stream's caller still may read: their session or API key looked up again now and then."""

    def __init__(self, request: Request, store: SqlStore, every_s: float) -> None:
        self._request = request
        self._store = store
        self._every_s = every_s
        self._next = time.monotonic() + every_s
        self.reason = ""

    async def allowed(self) -> bool:
        """False once the session ended, the key was revoked or expired, or the user was deactivated."""
        if time.monotonic() < self._next:
            return True
        self._next = time.monotonic() + self._every_s
        try:
            await blocking(authenticate, self._request, self._store)
        except HTTPException as exc:
            self.reason = str(exc.detail)
            return False
        except WaypostError as exc:  # the store is unreachable for a moment: check again next time
            log.warning("A stream could not re-check its caller: %s", exc)
        return True


class EventHub:
    """One :class:`StatusWatcher` for every ``/events`` stream of an app, polling while any listens."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store
        self._listeners: set[asyncio.Queue[str | None]] = set()
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

    async def subscribe(self) -> asyncio.Queue[str | None]:
        """A queue of encoded events from now on; ``None`` in it means the stream must end."""
        async with self._lock:
            if self._task is None or self._task.done():
                watcher = StatusWatcher(self._store)
                await blocking(watcher.poll)  # learn the current state: events are the changes after it
                self._watcher = watcher
                self._task = asyncio.create_task(self._run())
            queue: asyncio.Queue[str | None] = asyncio.Queue()
            self._listeners.add(queue)
            return queue

    def unsubscribe(self, queue: asyncio.Queue[str | None]) -> None:
        """Stop sending to ``queue``; the polling stops with the last listener."""
        self._listeners.discard(queue)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(POLL_S)
            if not self._listeners or self._watcher is None:
                return
            try:
                found = await blocking(self._watcher.poll)
            except Exception as exc:  # a locked or unreachable database must not end every stream
                log.warning("Polling for status events failed: %s", exc)
                continue
            texts = [encode(kind, item) for kind, item in found]
            for queue in list(self._listeners):
                if queue.qsize() > BACKLOG:  # a client that stopped reading: end its stream
                    self._listeners.discard(queue)
                    queue.put_nowait(None)
                    continue
                for text in texts:
                    queue.put_nowait(text)
