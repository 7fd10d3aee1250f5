"""A step run's logs: pages of lines, the tail, search, the first error, a download and a live stream."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from waypost.schemas import LogLineRead, LogSearchHit
from waypost.server.api.events import NO_CACHE
from waypost.server.deps import ArtifactStoreDep, CurrentUser, StoreDep
from waypost.server.services import logs
from waypost.server.services.events import HEARTBEAT_S, CallerCheck, blocking, sse
from waypost.settings import WaypostSettings

router = APIRouter(prefix="/runs/{run}/steps/{step}/logs", tags=["logs"])

Lines = Annotated[int, Query(ge=0, le=logs.MAX_LINES)]
_STREAM = {
    "description": "Server-Sent Events: `line` per log line, then `end` (with a `reason` when the caller's "
    "credentials stopped being valid).",
    "content": {"text/event-stream": {}},
}
_TOTAL_LINES = "X-Total-Lines"
_SEARCH_CUT = "X-Search-Cut"
_LINES_HEADERS: dict[int | str, dict[str, Any]] = {
    200: {
        "headers": {_TOTAL_LINES: {"description": "How many lines the log holds now.", "schema": {"type": "integer"}}}
    }
}
_HITS_HEADERS: dict[int | str, dict[str, Any]] = {
    200: {
        "headers": {
            "X-Total-Hits": {
                "description": f"Matching lines from `offset` on, counted exactly up to {logs.COUNT_CAP}.",
                "schema": {"type": "integer"},
            },
            "X-More-Hits": {
                "description": "`true` when more lines match than `X-Total-Hits` says.",
                "schema": {"type": "boolean"},
            },
            _SEARCH_CUT: {
                "description": "Only when the search ran out of its time budget: the line it stopped at "
                "(search on with `offset` set to it).",
                "schema": {"type": "integer"},
            },
        }
    }
}


@router.get("", response_model=list[LogLineRead], responses=_LINES_HEADERS)
def read_logs(
    run: str,
    step: str,
    store: StoreDep,
    files: ArtifactStoreDep,
    user: CurrentUser,
    response: Response,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Lines = 1000,
) -> list[LogLineRead]:
    """Up to `limit` lines from line number `offset`; `X-Total-Lines` says how many the log holds."""
    page = logs.read_lines(store, files, user, run, step, offset, limit)
    response.headers[_TOTAL_LINES] = str(page.total)
    return page.lines


@router.get("/tail", response_model=list[LogLineRead], responses=_LINES_HEADERS)
def tail_logs(
    run: str, step: str, store: StoreDep, files: ArtifactStoreDep, user: CurrentUser, response: Response, n: Lines = 100
) -> list[LogLineRead]:
    """The last `n` lines, oldest first; `X-Total-Lines` says how many the log holds."""
    page = logs.tail(store, files, user, run, step, n)
    response.headers[_TOTAL_LINES] = str(page.total)
    return page.lines


@router.get("/search", response_model=list[LogSearchHit], responses=_HITS_HEADERS)
def search_logs(
    run: str,
    step: str,
    store: StoreDep,
    files: ArtifactStoreDep,
    user: CurrentUser,
    request: Request,
    response: Response,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    context: Annotated[int, Query(ge=0, le=logs.MAX_CONTEXT)] = 0,
    regex: bool = False,
    case_sensitive: bool = False,
    offset: Annotated[int, Query(ge=0, description="Search from this line number on.")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[LogSearchHit]:
    """Lines matching `q` (text, or a regular expression) over the whole log, with context.

    The first `limit` hits are returned; `X-Total-Hits` counts all matching lines (from
    `offset` on, exactly up to a cap; `X-More-Hits` is `true` past it). Text search is
    case-insensitive unless `case_sensitive`. Regexes use RE2 syntax (no backreferences or
    lookaround). A search stops after the server's `log_search_timeout_s`: with hits it
    answers them and names the line it stopped at in `X-Search-Cut`; without, it is a 422.
    """
    settings: WaypostSettings = request.app.state.settings
    found = logs.search(
        store,
        files,
        user,
        run,
        step,
        q,
        offset=offset,
        context=context,
        regex=regex,
        case_sensitive=case_sensitive,
        limit=limit,
        budget_s=settings.server.log_search_timeout_s,
    )
    response.headers["X-Total-Hits"] = str(found.total)
    response.headers["X-More-Hits"] = "true" if found.more else "false"
    if found.cut_at is not None:
        response.headers[_SEARCH_CUT] = str(found.cut_at)
    return found.hits


@router.get("/first-error", response_model=LogLineRead | None)
def first_error(run: str, step: str, store: StoreDep, files: ArtifactStoreDep, user: CurrentUser) -> LogLineRead | None:
    """The first line written to stderr or logged at ERROR or above; null when there is none."""
    return logs.first_error(store, files, user, run, step)


@router.get(
    "/download",
    response_class=StreamingResponse,
    responses={200: {"description": "The whole log as text.", "content": {"text/plain": {}}}},
)
def download_logs(
    run: str, step: str, store: StoreDep, files: ArtifactStoreDep, user: CurrentUser
) -> StreamingResponse:
    """The whole log as a plain-text attachment, one message per line."""
    name, body = logs.download(store, files, user, run, step)
    return StreamingResponse(
        body,
        media_type="text/plain; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
        },
    )


@router.get("/stream", response_class=StreamingResponse, responses={200: _STREAM})
async def stream_logs(
    run: str,
    step: str,
    request: Request,
    store: StoreDep,
    files: ArtifactStoreDep,
    user: CurrentUser,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> StreamingResponse:
    """New lines as the step writes them, from `offset`; the stream ends when the step finishes.

    It also ends (with `end` and a `reason`) once the caller's session or API key stops being valid.
    """
    # An unknown step is a 404 now; the logs are read from the store its run wrote them to.
    found, files, uri = await blocking(logs.log_uri, store, files, user, run, step)
    settings: WaypostSettings = request.app.state.settings
    check = CallerCheck(request, store, settings.server.stream_auth_check_s)

    async def events() -> AsyncIterator[str]:
        beat = time.monotonic()
        async for line in logs.follow(store, files, found.id, uri, offset):
            if not await check.allowed():
                yield sse("end", json.dumps({"reason": check.reason}))
                return
            if line is not None:
                yield sse("line", line.model_dump_json(), str(line.n))
            elif time.monotonic() - beat >= HEARTBEAT_S:
                beat = time.monotonic()
                yield ": heartbeat\n\n"
        yield sse("end", "{}")

    return StreamingResponse(events(), media_type="text/event-stream", headers=NO_CACHE)
