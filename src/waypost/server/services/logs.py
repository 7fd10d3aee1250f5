"""A step run's stored logs: pages of lines, the tail, search over the whole log, and follow."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fastapi import HTTPException, status

from waypost.artifacts.store import ArtifactStore
from waypost.execution import logs
from waypost.schemas import LogLineRead, LogSearchHit, StepRunRead
from waypost.server.services._files import checked_uri
from waypost.server.services.steps import get_step_or_404
from waypost.store.sql.store import SqlStore

MAX_LINES = 10_000
"""The most lines one request returns."""
MAX_CONTEXT = 50
FOLLOW_POLL_S = 0.5


def log_uri(store: SqlStore, files: ArtifactStore, run: str, step: str) -> tuple[StepRunRead, str | None]:
    """The step run and its checked log location (None when it stored no logs)."""
    found = get_step_or_404(store, run, step)
    return found, checked_uri(files, found.log_uri) if found.log_uri else None


def read_lines(
    store: SqlStore, files: ArtifactStore, run: str, step: str, offset: int, limit: int
) -> list[LogLineRead]:
    """Up to ``limit`` lines from line number ``offset``."""
    _, uri = log_uri(store, files, run, step)
    return [_line(x) for x in logs.read_lines(files, uri, offset, limit)] if uri else []


def tail(store: SqlStore, files: ArtifactStore, run: str, step: str, n: int) -> list[LogLineRead]:
    """The last ``n`` lines, oldest first."""
    _, uri = log_uri(store, files, run, step)
    return [_line(x) for x in logs.tail(files, uri, n)] if uri else []


def search(
    store: SqlStore,
    files: ArtifactStore,
    run: str,
    step: str,
    q: str,
    *,
    context: int,
    regex: bool,
    case_sensitive: bool,
    limit: int,
) -> list[LogSearchHit]:
    """Matching lines over the whole log, each with ``context`` lines around it."""
    if regex:
        try:
            re.compile(q)
        except re.error as exc:
            raise HTTPException(
                status.HTTP_400_BAD_REQUEST, f"'{q[:80]}' is not a regular expression ({exc}); fix it or drop regex."
            ) from None
    _, uri = log_uri(store, files, run, step)
    if not uri:
        return []
    hits = logs.search(files, uri, q, limit=limit, context=context, case_sensitive=case_sensitive, regex=regex)
    return [
        LogSearchHit(
            line=_line(h["line"]), before=[_line(x) for x in h["before"]], after=[_line(x) for x in h["after"]]
        )
        for h in hits
    ]


def follow(store: SqlStore, files: ArtifactStore, run: str, step: str, offset: int) -> Iterator[LogLineRead]:
    """Lines from ``offset`` on as they are stored, until the step run finishes (blocking).

    The step is looked up now, so an unknown one is a 404 before any line is streamed.
    """
    found, uri = log_uri(store, files, run, step)

    def finished() -> bool:
        return store.steps.get_by_id(found.id).status.is_finished

    def lines() -> Iterator[LogLineRead]:
        if uri is not None:
            for line in logs.follow(files, uri, offset, FOLLOW_POLL_S, finished):
                yield _line(line)

    return lines()


def _line(raw: dict[str, Any]) -> LogLineRead:
    return LogLineRead.model_validate(raw)
