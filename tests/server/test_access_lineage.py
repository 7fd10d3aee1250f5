"""Lineage and consumers across projects: a caller sees only the steps and versions they may read,
and the walk never passes through a hidden node (issue 10)."""

from __future__ import annotations

import pytest
from _access_world import World, build
from fastapi import FastAPI

from waypost.store.sql.store import SqlStore
from waypost.testing import make_step_run

API = "/api/v1"


@pytest.fixture
def world(server_store: SqlStore, server_app: FastAPI, admin_user_id: str) -> World:
    world = build(server_store, server_app)
    # Vision's run reads alpha's artifact (another workspace's), and writes a report from it.
    store = world.store
    run_v = store.runs.get(world.data["v"].run_id)
    make_step_run(store, run_v, "evaluate", outputs=("report",), inputs={"data": world.data["a"].version_id})
    return world


def _graph(world: World, who: str, version: object, **params: int) -> tuple[set[str], int]:
    with world.client(who) as c:
        r = c.get(f"{API}/artifact-versions/{version}/lineage", params=params)
    assert r.status_code == 200, r.text
    body = r.json()
    names = {f"{n['kind']}:{n['run_name']}/{n['name']}" for n in body["nodes"]}
    return names, len(body["edges"])


def test_consumers_count_only_steps_of_readable_runs(world: World) -> None:
    alpha = world.data["a"].version_id
    with world.client("admin") as c:
        body = c.get(f"{API}/artifact-versions/{alpha}/consumers").json()
    assert [s["name"] for s in body["items"]] == ["evaluate"]
    assert body["total"] == 1
    with world.client("vic") as c:  # Viewer of alpha only: vision's step is not hers to see, nor to count
        r = c.get(f"{API}/artifact-versions/{alpha}/consumers")
    assert r.status_code == 200, r.text
    assert r.json()["items"] == []
    assert r.json()["total"] == 0


def test_lineage_stops_at_what_the_caller_cannot_read(world: World) -> None:
    alpha = world.data["a"].version_id
    report = world.store.artifacts.get_version("pipe-v::evaluate::report").id

    everything, _ = _graph(world, "admin", report, up=3, down=0)
    assert everything == {
        "artifact:run-v/pipe-v::evaluate::report",
        "step:run-v/evaluate",
        "artifact:run-a/pipe-a::train::output",
        "step:run-a/train",
    }
    # dev sees workspace ml: the report and its step, not the alpha artifact it read, nor what made that.
    nodes, edges = _graph(world, "dev", report, up=3, down=0)
    assert nodes == {"artifact:run-v/pipe-v::evaluate::report", "step:run-v/evaluate"}
    assert edges == 1
    # vic sees alpha: downstream of her artifact there is nothing she may read.
    nodes, edges = _graph(world, "vic", alpha, up=0, down=3)
    assert nodes == {"artifact:run-a/pipe-a::train::output"}
    assert edges == 0
    with world.client("vic") as c:  # and the report itself is as missing as one that never existed
        assert c.get(f"{API}/artifact-versions/{report}/lineage").status_code == 404
