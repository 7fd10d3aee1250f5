"""Server-Sent Events of run and step status changes."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from waypost.server import scopes
from waypost.server.deps import ActiveProject, CurrentUser, Principal, StoreDep
from waypost.server.services.events import HEARTBEAT_S, CallerCheck, Event, EventHub, Readable, blocking, sse
from waypost.settings import WaypostSettings

router = APIRouter(tags=["events"])

_STREAM = {
    "description": "Server-Sent Events: `run` and `step` with the record as JSON; a comment every 15 s; "
    '`end` with `{"reason"}` when the caller\'s session or API key stops being valid.',
    "content": {"text/event-stream": {}},
}
NO_CACHE = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


@router.get("/events", response_class=StreamingResponse, responses={200: _STREAM})
async def stream_events(
    request: Request, store: StoreDep, user: CurrentUser, project: ActiveProject
) -> StreamingResponse:
    """Status changes of the runs (and their steps) the caller may read, from now on (of the request's project).

    The stream lasts until the client goes away or its credentials end.
    """
    project_id = await blocking(scopes.project_filter, store, user, project)
    allows = Readable(scopes.visibility(user, "run"), project_id)
    settings: WaypostSettings = request.app.state.settings
    hub = EventHub.of(request)

    def refresh(caller: Principal) -> None:  # a grant taken back stops the events at the next check
        allows.visibility = scopes.visibility(caller, "run")

    check = CallerCheck(request, store, settings.server.stream_auth_check_s, refresh)

    async def events() -> AsyncIterator[str]:
        queue = await hub.subscribe(allows)  # before the first line: the changes after it are sent
        try:
            yield "retry: 2000\n\n"
            beat = time.monotonic()
            while True:
                event: Event | bool | None
                try:
                    event = await asyncio.wait_for(queue.get(), timeout=1.0)
                except TimeoutError:
                    event = False  # nothing new
                if event is None:  # fell too far behind
                    return
                if isinstance(event, Event):
                    yield event.text
                if not await check.allowed():
                    yield sse("end", json.dumps({"reason": check.reason}))
                    return
                if time.monotonic() - beat >= HEARTBEAT_S:
                    beat = time.monotonic()
                    yield ": heartbeat\n\n"
        finally:
            hub.unsubscribe(queue)

    return StreamingResponse(events(), media_type="text/event-stream", headers=NO_CACHE)
