"""The API's answers when a filter is too big or its query runs past the statement time limit."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from server_support import assert_one_line
from sqlalchemy import insert

from waypost.settings import WaypostSettings, load_settings
from waypost.store import filters
from waypost.store.sql.store import SqlStore
from waypost.store.sql.tables import pipeline_runs
from waypost.store.sql.timeouts import limit_statements
from waypost.testing import make_pipeline, make_run

RUNS = "/api/v1/runs"


@pytest.fixture
def server_settings(tmp_path: Path) -> Iterator[WaypostSettings]:
    """A limit so short that only statements long enough for SQLite's progress handler meet it.

    The handler looks at the clock every 20,000 virtual-machine steps: look-ups by index
    (the caller's API key) finish before its first call, a scan of thousands of runs does not.
    """
    yield load_settings(
        store={"url": f"sqlite:///{tmp_path / 'server.db'}"},
        artifact_store={"uri": str(tmp_path / "artifacts")},
        server={"query_timeout_s": 1e-6, "filter_max_chars": 500, "filter_max_terms": 10},
    )
    filters.set_limits(1000, 30)  # the defaults, for the tests after this one


def bulk_runs(store: SqlStore, n: int) -> None:
    """``n`` runs in one statement."""
    pipe = make_pipeline(store, "bulk")
    template = make_run(store, pipe)  # for its snapshot
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [
        {
            "id": uuid.uuid4(),
            "name": f"bulk-{i:05d}",
            "pipeline_id": pipe.id,
            "snapshot_id": template.snapshot_id,
            "status": "completed",
            "config": {},
            "parameters": {},
            "orchestrator": "local",
            "created_at": start + timedelta(seconds=i),
        }
        for i in range(n)
    ]
    with store.sessions.write_conn() as c:
        c.execute(insert(pipeline_runs), rows)


def test_a_query_past_the_time_limit_is_a_one_line_503(client: TestClient, server_store: SqlStore) -> None:
    limit_statements(server_store.engines, 30)  # seeding is one long statement
    bulk_runs(server_store, 20_000)
    limit_statements(server_store.engines, 1e-6)
    r = client.get(RUNS, params={"q": "name~no-such-run"})
    assert_one_line(r, 503)
    assert "took longer than 1e-06 s" in r.json()["detail"]
    assert "narrow the filter" in r.json()["detail"]
    assert client.get("/api/v1/health").status_code == 200  # the server goes on


def test_a_filter_over_the_limits_is_a_one_line_400(client: TestClient) -> None:
    long = client.get(RUNS, params={"q": "name~" + "x" * 600})
    assert_one_line(long, 400)
    assert "over the limit of 500" in long.json()["detail"]
    many = client.get(RUNS, params={"q": " ".join(f"w{i}" for i in range(11))})
    assert_one_line(many, 400)
    assert "more than 10 terms" in many.json()["detail"]
    artifacts = client.get("/api/v1/artifacts", params={"q": "name:" + ",".join("abcdefghijk")})
    assert_one_line(artifacts, 400)
    assert "more than 10 terms" in artifacts.json()["detail"]
