"""Trivial pipelines for measuring orchestration overhead."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from waypost import Pipeline, pipeline, step
from waypost.store.sql.store import SqlStore
from waypost.store.sql.tables import pipeline_runs


@step
def source() -> int:
    return 1


@step
def inc(x: int) -> int:
    return x + 1


def chain(n: int, salt: int, cached: bool) -> Pipeline:
    @pipeline(name=f"bench_chain_{n}", enable_cache=cached)
    def p(seed: int = salt) -> None:
        v = source.with_options(extra={"salt": seed})()
        for _ in range(n - 1):
            v = inc(v)

    return p


def fan(width: int, salt: int, cached: bool) -> Pipeline:
    @step
    def gather(**parts: int) -> int:
        return sum(parts.values())

    @pipeline(name=f"bench_fan_{width}", enable_cache=cached)
    def p(seed: int = salt) -> None:
        root = source.with_options(extra={"salt": seed})()
        outs = [inc(root) for _ in range(width)]
        gather(**{f"x{i}": o for i, o in enumerate(outs)})

    return p


def insert_runs(store: SqlStore, n: int, pipeline_id: uuid.UUID, snapshot_id: uuid.UUID) -> None:
    """Bulk-insert ``n`` finished runs (one a minute, mixed statuses) with Core, in batches."""
    start = datetime.now(UTC) - timedelta(minutes=n + 10)
    for lo in range(0, n, 20_000):
        rows = [
            {
                "id": uuid.uuid4(),
                "name": f"bench-run-{i}",
                "pipeline_id": pipeline_id,
                "snapshot_id": snapshot_id,
                "status": ("completed", "failed", "cached")[i % 3],
                "config": {},
                "parameters": {"i": i},
                "orchestrator": "local",
                "created_at": start + timedelta(seconds=i * 60),
                "started_at": start + timedelta(seconds=i * 60),
                "ended_at": start + timedelta(seconds=i * 60 + 5),
            }
            for i in range(lo, min(n, lo + 20_000))
        ]
        with store.sessions.write() as s:
            s.execute(insert(pipeline_runs), rows)
