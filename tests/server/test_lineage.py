"""Lineage across three chained runs made by real pipelines.

Run A makes the raw data. Run B (its data step served from A's cache) trains a model on A's
data. Run C (data and training served from the cache) evaluates B's model. So B's model has
A's data upstream and C's evaluation downstream, and C's report traces back to A's data.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import pytest
from _api_helpers import share_stores
from fastapi.testclient import TestClient

from waypost import pipeline, step
from waypost.server.services import lineage
from waypost.settings import WaypostSettings
from waypost.store.sql.store import SqlStore

API = "/api/v1"


@step
def load_raw() -> Annotated[list[int], "raw_data"]:
    return [3, 1, 2]


@step
def train(data: list[int]) -> Annotated[dict[str, float], "model"]:
    return {"mean": sum(data) / len(data)}


@step
def evaluate(model: dict[str, float]) -> Annotated[str, "report"]:
    return f"mean is {model['mean']}"


@pipeline
def ingest() -> None:
    load_raw()


@pipeline
def training() -> None:
    train(load_raw())


@pipeline
def evaluation() -> None:
    evaluate(train(load_raw()))


def _versions(client: TestClient, run_id: object) -> dict[str, str]:
    items = client.get(f"{API}/artifact-versions", params={"q": f"run:{run_id}"}).json()["items"]
    return {v["name"]: v["id"] for v in items}


def _steps(client: TestClient, run_id: object) -> dict[str, dict[str, Any]]:
    items = client.get(f"{API}/runs/{run_id}/steps", params={"size": 100}).json()["items"]
    return {s["name"]: s for s in items}


def _graph(client: TestClient, version_id: str, **params: int) -> dict[str, Any]:
    response = client.get(f"{API}/artifact-versions/{version_id}/lineage", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def chain(monkeypatch: pytest.MonkeyPatch, server_settings: WaypostSettings, client: TestClient) -> dict[str, Any]:
    share_stores(monkeypatch, server_settings)
    a, b, c = ingest(), training(), evaluation()
    return {
        "runs": (a, b, c),
        "raw": _versions(client, a.id)["raw_data"],
        "model": _versions(client, b.id)["model"],
        "report": _versions(client, c.id)["report"],
        "steps": {run.name: _steps(client, run.id) for run in (a, b, c)},
    }


def test_both_sides_of_the_middle_artifact(client: TestClient, chain: dict[str, Any]) -> None:
    a, b, c = chain["runs"]
    graph = _graph(client, chain["model"], up=1, down=1)
    nodes = {n["id"]: n for n in graph["nodes"]}
    edges = {(e["source"], e["target"]) for e in graph["edges"]}
    assert graph["root"] == chain["model"]
    assert graph["nodes"][0]["id"] == chain["model"]
    assert graph["truncated"] is False

    model = nodes[chain["model"]]
    assert (model["kind"], model["name"], model["version"], model["run_id"]) == ("artifact", "model", 1, str(b.id))
    assert model["run_name"] == b.name
    assert model["data_type"] == "builtins.dict"

    # Up one step: the training step of B (and C's cached copy of it), reading A's data.
    b_train = chain["steps"][b.name]["train"]
    c_train = chain["steps"][c.name]["train"]
    c_eval = chain["steps"][c.name]["evaluate"]
    assert (b_train["id"], chain["model"]) in edges
    assert (chain["raw"], b_train["id"]) in edges
    assert (c_train["id"], chain["model"]) in edges  # a cache hit links the same version as its output
    step = nodes[b_train["id"]]
    assert (step["kind"], step["step"], step["status"], step["run_id"]) == ("step", "train", "completed", str(b.id))
    assert nodes[chain["raw"]]["run_id"] == str(a.id)

    # Down one step: C's evaluation read it and made the report.
    assert (chain["model"], c_eval["id"]) in edges
    assert (c_eval["id"], chain["report"]) in edges
    assert nodes[chain["report"]]["run_name"] == c.name

    # One hop stops there: the data's own producer is two steps up.
    a_load = chain["steps"][a.name]["load_raw"]
    assert a_load["id"] not in nodes
    assert a_load["id"] in {n["id"] for n in _graph(client, chain["model"], up=2, down=0)["nodes"]}


def test_trace_back_from_the_last_output_reaches_the_raw_input(client: TestClient, chain: dict[str, Any]) -> None:
    a, _, c = chain["runs"]
    graph = _graph(client, chain["report"], up=10, down=0)
    nodes = {n["id"]: n for n in graph["nodes"]}
    edges = {(e["source"], e["target"]) for e in graph["edges"]}
    a_load = chain["steps"][a.name]["load_raw"]["id"]
    assert chain["raw"] in nodes
    assert (a_load, chain["raw"]) in edges
    assert nodes[a_load]["run_name"] == a.name
    # Nothing downstream was asked for: no consumer of the report, and no edge leaves a node not in the graph.
    assert all(e[0] in nodes and e[1] in nodes for e in edges)
    down_only = _graph(client, chain["report"], up=0, down=5)
    assert [n["id"] for n in down_only["nodes"]] == [chain["report"]]
    assert down_only["edges"] == []
    # From the raw data, down reaches C's report through B's model.
    down = {n["id"] for n in _graph(client, chain["raw"], up=0, down=5)["nodes"]}
    assert {chain["model"], chain["report"], chain["steps"][c.name]["evaluate"]["id"]} <= down


def test_a_few_queries_per_hop_and_the_node_limit(
    client: TestClient, chain: dict[str, Any], server_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    original = server_store.artifacts.links

    def counted(kind: str, **ids: Any) -> Any:
        calls.append(kind)
        return original(kind, **ids)

    monkeypatch.setattr(server_store.artifacts, "links", counted)
    lineage.lineage(server_store, uuid.UUID(chain["report"]), up=10, down=10)
    # Three steps up (evaluate, train, load_raw), two link queries each, and an empty step out.
    assert len(calls) <= 2 * 3 + 2

    monkeypatch.setattr(lineage, "MAX_NODES", 3)
    small = lineage.lineage(server_store, uuid.UUID(chain["report"]), up=10, down=10)
    assert small.truncated is True
    assert len(small.nodes) == 3


def test_unknown_version_and_bad_hops(client: TestClient) -> None:
    missing = client.get(f"{API}/artifact-versions/00000000-0000-0000-0000-000000000000/lineage")
    assert missing.status_code == 404
    assert client.get(f"{API}/artifact-versions/not-a-uuid/lineage").status_code == 422
    assert client.get(f"{API}/artifact-versions/00000000-0000-0000-0000-000000000000/lineage?up=-1").status_code == 422
