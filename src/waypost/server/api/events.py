"""Server-Sent Events of run and step status changes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from waypost.server.deps import CurrentUser, StoreDep
from waypost.server.services.events import HEARTBEAT_S, POLL_S, StatusWatcher, encode

router = APIRouter(tags=["events"])

_STREAM = {
    "description": "Server-Sent Events: `run` and `step` with the record as JSON; a comment every 15 s.",
    "content": {"text/event-stream": {}},
}


@router.get("/events", response_class=StreamingResponse, responses={200: _STREAM})
async def stream_events(request: Request, store: StoreDep, user: CurrentUser) -> StreamingResponse:
    """Status changes of runs and steps from now on, until the client goes away."""
    watcher = StatusWatcher(store)
    await run_in_threadpool(watcher.poll)  # learn the current state before answering

    async def events() -> AsyncIterator[str]:
        yield "retry: 2000\n\n"
        beat = time.monotonic()
        while not await request.is_disconnected():
            for kind, item in await run_in_threadpool(watcher.poll):
                yield encode(kind, item)
            if time.monotonic() - beat >= HEARTBEAT_S:
                beat = time.monotonic()
                yield ": heartbeat\n\n"
            await asyncio.sleep(POLL_S)

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )
