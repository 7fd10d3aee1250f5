"""GET /runs/{run}/graph as a run goes: planned steps not yet started, times in UTC, links, and the cheap paths."""

from __future__ import annotations

import gc
from datetime import datetime

import pytest
from _api_helpers import numbers_pipeline, share_stores
from fastapi.testclient import TestClient

from waypost.enums import ExecutionStatus
from waypost.schemas import RunGraph
from waypost.server.services import steps as step_service
from waypost.settings import WaypostSettings
from waypost.store.sql.store import SqlStore
from waypost.testing import make_pipeline, make_run
from waypost.testing.factories import make_step_run, start_step


def test_a_running_run_draws_done_running_and_planned_steps(client: TestClient, server_store: SqlStore) -> None:
    run = make_run(server_store, make_pipeline(server_store))  # load -> train -> evaluate, still running
    load, versions = make_step_run(server_store, run, "load")
    start_step(server_store, run, "train", inputs={"x": versions["output"].id})

    graph = client.get(f"/api/v1/runs/{run.id}/graph").json()
    steps = {s["name"]: s for s in graph["steps"]}
    assert list(steps) == ["load", "train", "evaluate"]  # the snapshot's order
    assert steps["load"]["status"] == "completed"
    assert steps["train"]["status"] == "running"
    assert steps["evaluate"]["status"] is None
    assert steps["evaluate"]["started_at"] is None
    assert steps["evaluate"]["inputs"] == [{"name": "x", "step": "train", "output": "output", "version_id": None}]

    out = steps["load"]["outputs"][0]
    assert out["version_id"] == str(versions["output"].id)
    assert out["artifact_name"] == versions["output"].name
    assert out["version"] == versions["output"].version
    assert steps["train"]["inputs"][0]["version_id"] == str(versions["output"].id)
    assert steps["train"]["outputs"][0]["version_id"] is None
    assert steps["train"]["outputs"][0]["data_type"] == "builtins.int"

    # times are UTC with an explicit zone, and the same instants the step API gives
    started = datetime.fromisoformat(steps["load"]["started_at"])
    assert started.utcoffset() is not None
    assert started.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert started == load.started_at
    assert datetime.fromisoformat(steps["load"]["ended_at"]) == load.ended_at


def test_the_graph_is_written_as_the_schema_writes_it(client: TestClient, server_store: SqlStore) -> None:
    # The service writes the JSON itself (no validation pass): ids, times and nulls must come
    # out as RunGraph would write them, or the dashboard and API clients see two formats.
    run = make_run(server_store, make_pipeline(server_store))
    _, versions = make_step_run(server_store, run, "load")
    start_step(server_store, run, "train", inputs={"x": versions["output"].id})
    body = client.get(f"/api/v1/runs/{run.id}/graph").content
    assert RunGraph.model_validate_json(body).model_dump_json().encode() == body
    assert b'"version_id":"' + str(versions["output"].id).encode() + b'"' in body


def test_the_graph_follows_the_run_while_its_snapshot_is_cached(client: TestClient, server_store: SqlStore) -> None:
    run = make_run(server_store, make_pipeline(server_store))
    first = client.get(f"/api/v1/runs/{run.id}/graph").json()
    assert [s["status"] for s in first["steps"]] == [None, None, None]
    make_step_run(server_store, run, "load", status=ExecutionStatus.FAILED)
    again = client.get(f"/api/v1/runs/{run.id}/graph").json()
    assert [s["status"] for s in again["steps"]] == ["failed", None, None]
    assert again["steps"][0]["error_type"] == "ValueError"
    assert again["steps"][0]["outputs"][0]["version_id"] is None


def test_the_cycle_collector_is_back_on_after_a_graph(client: TestClient, server_store: SqlStore) -> None:
    run = make_run(server_store, make_pipeline(server_store))
    assert gc.isenabled()
    assert client.get(f"/api/v1/runs/{run.id}/graph").status_code == 200
    assert gc.isenabled()
    gc.disable()  # a caller that had it off keeps it off
    try:
        with step_service._cycle_collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_input_versions_are_the_ones_the_steps_recorded(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, server_settings: WaypostSettings
) -> None:
    """The graph takes a started step's inputs from its upstream outputs: they must match its own links."""
    share_stores(monkeypatch, server_settings)
    fresh = numbers_pipeline.with_options(enable_cache=True)(count=2)
    cached = numbers_pipeline.with_options(enable_cache=True)(count=2)  # every step a cache hit
    assert set(cached.step_counts) == {"cached"}
    for run in (fresh, cached):
        graph = client.get(f"/api/v1/runs/{run.id}/graph").json()
        checked = 0
        for step in graph["steps"]:
            recorded = client.get(f"/api/v1/runs/{run.id}/steps/{step['name']}").json()
            for item in step["inputs"]:
                assert item["version_id"] == recorded["inputs"][item["name"]]
                checked += 1
            for item in step["outputs"]:
                assert item["version_id"] == recorded["outputs"][item["name"]]
        assert checked == 1
