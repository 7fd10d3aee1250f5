"""A step run's logs: pages of lines, the tail, search, and a live stream."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from waypost.schemas import LogLineRead, LogSearchHit
from waypost.server.deps import ArtifactStoreDep, CurrentUser, StoreDep
from waypost.server.services import logs
from waypost.server.services.events import sse

router = APIRouter(prefix="/runs/{run}/steps/{step}/logs", tags=["logs"])

Lines = Annotated[int, Query(ge=0, le=logs.MAX_LINES)]
_STREAM = {"description": "Server-Sent Events: `line` per log line, then `end`.", "content": {"text/event-stream": {}}}


@router.get("", response_model=list[LogLineRead])
def read_logs(
    run: str,
    step: str,
    store: StoreDep,
    files: ArtifactStoreDep,
    user: CurrentUser,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Lines = 1000,
) -> list[LogLineRead]:
    """Up to `limit` lines from line number `offset`."""
    return logs.read_lines(store, files, run, step, offset, limit)


@router.get("/tail", response_model=list[LogLineRead])
def tail_logs(
    run: str, step: str, store: StoreDep, files: ArtifactStoreDep, user: CurrentUser, n: Lines = 100
) -> list[LogLineRead]:
    """The last `n` lines, oldest first."""
    return logs.tail(store, files, run, step, n)


@router.get("/search", response_model=list[LogSearchHit])
def search_logs(
    run: str,
    step: str,
    store: StoreDep,
    files: ArtifactStoreDep,
    user: CurrentUser,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    context: Annotated[int, Query(ge=0, le=logs.MAX_CONTEXT)] = 0,
    regex: bool = False,
    case_sensitive: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[LogSearchHit]:
    """Lines matching `q` (text, or a regular expression) over the whole log, with context."""
    return logs.search(
        store, files, run, step, q, context=context, regex=regex, case_sensitive=case_sensitive, limit=limit
    )


@router.get("/stream", response_class=StreamingResponse, responses={200: _STREAM})
def stream_logs(
    run: str,
    step: str,
    store: StoreDep,
    files: ArtifactStoreDep,
    user: CurrentUser,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> StreamingResponse:
    """New lines as the step writes them, from `offset`; the stream ends when the step finishes."""
    lines = logs.follow(store, files, run, step, offset)

    def events() -> Iterator[str]:
        for line in lines:
            yield sse("line", line.model_dump_json(), str(line.n))
        yield sse("end", "{}")

    return StreamingResponse(events(), media_type="text/event-stream", headers=_NO_CACHE)


_NO_CACHE = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
