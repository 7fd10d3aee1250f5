"""GET /api/v1/runs/suggest: the values the dashboard's search box offers, and the new run sorts over HTTP."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from waypost.enums import ExecutionStatus
from waypost.store.sql.repositories._common import add_tags
from waypost.store.sql.store import SqlStore
from waypost.testing import make_metadata, make_pipeline, make_run

SUGGEST = "/api/v1/runs/suggest"


@pytest.fixture
def seeded(server_store: SqlStore) -> SqlStore:
    """Two pipelines, tagged runs and run metadata; a tag only an artifact carries."""
    train = make_pipeline(server_store, "Train_model")
    etl = make_pipeline(server_store, "etl-daily")
    a = make_run(server_store, train, tags=["prod", "Nightly"])
    b = make_run(server_store, etl, tags=["prod"])
    make_metadata(server_store, run_id=a.id, accuracy=0.9, Loss=0.1)
    make_metadata(server_store, run_id=b.id, accuracy=0.8, auc=0.7)
    with server_store.sessions.write_conn() as c:  # a tag on something that is not a run
        add_tags(c, "artifact_version", uuid.uuid4(), ["artifact-only"])
    return server_store


def values(client: TestClient, **params: object) -> list[str]:
    r = client.get(SUGGEST, params=params)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["key"] == params["key"]
    return list(body["values"])


def test_pipeline_names_by_case_insensitive_prefix(client: TestClient, seeded: SqlStore) -> None:
    assert values(client, key="pipeline", prefix="TRAIN") == ["Train_model"]
    assert values(client, key="pipeline", prefix="") == ["etl-daily", "Train_model"]  # alphabetical, any case
    assert values(client, key="pipeline", prefix="nope") == []


def test_like_wildcards_in_the_prefix_are_literal(client: TestClient, seeded: SqlStore) -> None:
    assert values(client, key="pipeline", prefix="%") == []
    assert values(client, key="pipeline", prefix="train_") == ["Train_model"]
    assert values(client, key="pipeline", prefix="trai_") == []


def test_tags_are_only_those_runs_carry(client: TestClient, seeded: SqlStore) -> None:
    assert values(client, key="tag", prefix="") == ["Nightly", "prod"]
    assert values(client, key="tag", prefix="art") == []
    assert values(client, key="tag", prefix="n") == ["Nightly"]


def test_status_user_stack(client: TestClient, seeded: SqlStore) -> None:
    assert values(client, key="status", prefix="C") == ["cached", "completed", "crashed"]
    assert values(client, key="user", prefix="AD") == []  # only users who ran something (admin ran nothing)
    assert values(client, key="stack", prefix="zz") == []


def test_metadata_suggests_keys_distinctly(client: TestClient, seeded: SqlStore) -> None:
    assert values(client, key="metadata", prefix="") == ["accuracy", "auc", "Loss"]
    assert values(client, key="metadata", prefix="a") == ["accuracy", "auc"]
    assert values(client, key="metadata", prefix="l") == ["Loss"]


def test_limit_bounds_the_answer(client: TestClient, seeded: SqlStore) -> None:
    assert values(client, key="metadata", prefix="", limit=1) == ["accuracy"]
    assert client.get(SUGGEST, params={"key": "tag", "limit": 51}).status_code == 422
    assert client.get(SUGGEST, params={"key": "tag", "limit": 0}).status_code == 422


def test_unknown_key_is_a_one_line_400_listing_the_keys(client: TestClient) -> None:
    r = client.get(SUGGEST, params={"key": "colour"})
    assert r.status_code == 400
    detail = r.json()["detail"]
    assert "\n" not in detail
    for key in ("pipeline", "status", "tag", "user", "stack", "metadata"):
        assert key in detail


def test_suggest_needs_credentials(anon_client: TestClient) -> None:
    assert anon_client.get(SUGGEST, params={"key": "tag"}).status_code == 401


def test_runs_sort_by_duration_and_pipeline_over_http(client: TestClient, server_store: SqlStore) -> None:
    t0 = datetime.now(UTC) - timedelta(hours=1)
    zed, abe = make_pipeline(server_store, "zed"), make_pipeline(server_store, "abe")
    short = make_run(server_store, zed, status=ExecutionStatus.RUNNING)
    long = make_run(server_store, abe, status=ExecutionStatus.RUNNING)
    going = make_run(server_store, abe, status=ExecutionStatus.RUNNING)
    server_store.runs.set_status(short.id, ExecutionStatus.COMPLETED, started_at=t0, ended_at=t0 + timedelta(seconds=5))
    server_store.runs.set_status(long.id, ExecutionStatus.FAILED, started_at=t0, ended_at=t0 + timedelta(minutes=5))

    def ids(sort: str) -> list[str]:
        r = client.get("/api/v1/runs", params={"sort": sort})
        assert r.status_code == 200, r.text
        return [item["id"] for item in r.json()["items"]]

    assert ids("duration") == [str(short.id), str(long.id), str(going.id)]
    assert ids("-duration") == [str(long.id), str(short.id), str(going.id)]
    assert ids("pipeline") == [str(going.id), str(long.id), str(short.id)]
    assert ids("-pipeline") == [str(short.id), str(going.id), str(long.id)]
    r = client.get("/api/v1/runs", params={"sort": "colour"})
    assert r.status_code == 400
    assert "duration" in r.json()["detail"]
    assert "pipeline" in r.json()["detail"]


def test_the_schema_lists_the_sort_keys(client: TestClient) -> None:
    params = client.get("/openapi.json").json()["paths"]["/api/v1/runs"]["get"]["parameters"]
    sort = next(p for p in params if p["name"] == "sort")
    assert "`duration`" in sort["description"]
    assert "`pipeline`" in sort["description"]
