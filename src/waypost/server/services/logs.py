"""A step run's stored logs: pages of lines, the tail, search over the whole log, and follow."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, status

from waypost.artifacts.store import ArtifactStore
from waypost.execution import logs
from waypost.execution.logs import reading
from waypost.execution.logs.patterns import PatternError, compile_regex
from waypost.schemas import LogLineRead, LogSearchHit, StepRunRead
from waypost.server.deps import Principal
from waypost.server.services._files import checked_uri, safe_filename
from waypost.server.services.artifacts import guarded_reads, located
from waypost.server.services.events import blocking
from waypost.server.services.runs import get_run_or_404
from waypost.server.services.steps import get_step_or_404
from waypost.store.sql.store import SqlStore

MAX_LINES = 10_000
"""The most lines one request returns."""
MAX_CONTEXT = 50
FOLLOW_POLL_S = 0.5
COUNT_CAP = reading.COUNT_CAP


@dataclass
class Page:
    """Lines and the number of lines the log holds now."""

    lines: list[LogLineRead]
    total: int


@dataclass
class Found:
    """Search hits and how many lines match (exactly up to :data:`COUNT_CAP`; ``more`` past it).

    ``cut_at`` is the line a search stopped at when its time budget ran out (None when it finished).
    """

    hits: list[LogSearchHit]
    total: int
    more: bool
    cut_at: int | None = None


def log_uri(
    store: SqlStore, files: ArtifactStore, caller: Principal, run: str, step: str
) -> tuple[StepRunRead, ArtifactStore, str | None]:
    """The step run, the store holding its logs (its run's), and its checked log location (None: no logs)."""
    found = get_step_or_404(store, caller, run, step)
    if not found.log_uri:
        return found, files, None
    held = located(store, files, found.log_uri, lambda: _workspace_of(store, found.run_id))
    return found, held, checked_uri(held, found.log_uri)


def _workspace_of(store: SqlStore, run_id: uuid.UUID) -> uuid.UUID | None:
    """The workspace of a run's project (asked only when the server's own store does not hold its logs)."""
    project_id = store.runs.get(run_id).project_id
    return store.access.get_project(project_id).workspace_id if project_id is not None else None


def read_lines(
    store: SqlStore, files: ArtifactStore, caller: Principal, run: str, step: str, offset: int, limit: int
) -> Page:
    """Up to ``limit`` lines from line number ``offset``."""
    _, files, uri = log_uri(store, files, caller, run, step)
    if not uri:
        return Page([], 0)
    with guarded_reads(files):
        return Page([_line(x) for x in logs.read_lines(files, uri, offset, limit)], logs.count_lines(files, uri))


def tail(store: SqlStore, files: ArtifactStore, caller: Principal, run: str, step: str, n: int) -> Page:
    """The last ``n`` lines, oldest first."""
    _, files, uri = log_uri(store, files, caller, run, step)
    if not uri:
        return Page([], 0)
    with guarded_reads(files):
        lines = [_line(x) for x in logs.tail(files, uri, n)]
        return Page(lines, lines[-1].n + 1 if lines else logs.count_lines(files, uri))


def first_error(store: SqlStore, files: ArtifactStore, caller: Principal, run: str, step: str) -> LogLineRead | None:
    """The first stderr line or ERROR/CRITICAL record."""
    _, files, uri = log_uri(store, files, caller, run, step)
    with guarded_reads(files):
        found = logs.first_error(files, uri) if uri else None
    return _line(found) if found else None


def search(
    store: SqlStore,
    files: ArtifactStore,
    caller: Principal,
    run: str,
    step: str,
    q: str,
    *,
    offset: int = 0,
    context: int,
    regex: bool,
    case_sensitive: bool,
    limit: int,
    budget_s: float,
) -> Found:
    """Matching lines from line ``offset`` on, each with ``context`` lines around it, and their count.

    A regex runs on RE2 (linear time: no pattern can stall a line), and the whole search
    stops after ``budget_s`` seconds. Stopped with hits, it answers them with ``more`` and
    ``cut_at`` (where to search on); stopped before any hit, it is a 422 saying so.
    """
    if regex:
        try:
            compile_regex(q, case_sensitive, require_re2=True)
        except PatternError as exc:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, f"{exc} Fix it, or search without regex.") from None
    _, files, uri = log_uri(store, files, caller, run, step)
    if not uri:
        return Found([], 0, False)
    deadline = time.monotonic() + budget_s  # the budget is the search's: the look-ups above do not count
    with guarded_reads(files):
        found = logs.search_log(
            files,
            uri,
            q,
            offset=offset,
            limit=limit,
            context=context,
            case_sensitive=case_sensitive,
            regex=regex,
            deadline=deadline,
            require_re2=True,
        )
    if found.cut_at is not None and not found.hits:
        raise HTTPException(
            422,
            f"The search found nothing in its {budget_s:g} s budget and stopped at line {found.cut_at}; "
            f"narrow it, or search on from offset={found.cut_at}.",
        )
    hits = [
        LogSearchHit(
            line=_line(h["line"]), before=[_line(x) for x in h["before"]], after=[_line(x) for x in h["after"]]
        )
        for h in found.hits
    ]
    return Found(hits, found.total, found.more or found.cut_at is not None, found.cut_at)


def download(
    store: SqlStore, files: ArtifactStore, caller: Principal, run: str, step: str
) -> tuple[str, Iterator[bytes]]:
    """A file name and the whole log as text, streamed chunk by chunk.

    The step is looked up now, so an unknown one is a 404 before anything is streamed.
    """
    found, files, uri = log_uri(store, files, caller, run, step)
    run_name = get_run_or_404(store, caller, run).name
    name = safe_filename(f"{run_name}-{found.name}", ".log")
    return name, logs.iter_text(files, uri) if uri else iter(())


async def follow(
    store: SqlStore, files: ArtifactStore, step_id: uuid.UUID, uri: str | None, offset: int
) -> AsyncIterator[LogLineRead | None]:
    """Lines from ``offset`` on as they are stored, until the step run finishes; ``None`` after each idle poll.

    It holds no thread while it waits: the reads run on the streams' own threads
    (:func:`~waypost.server.services.events.blocking`). Whether the step finished is asked
    before each read, so the lines stored before it finished are always sent.
    """
    if uri is None:  # the step stores no logs
        return
    while True:
        finished = await blocking(_finished, store, step_id)
        lines = await blocking(logs.read_lines, files, uri, offset)
        for line in lines:
            offset = int(line["n"]) + 1
            yield _line(line)
        if not lines:
            if finished:
                return
            yield None
            await asyncio.sleep(FOLLOW_POLL_S)


def _finished(store: SqlStore, step_id: uuid.UUID) -> bool:
    return store.steps.get_by_id(step_id).status.is_finished


def _line(raw: dict[str, Any]) -> LogLineRead:
    return LogLineRead.model_validate(raw)
