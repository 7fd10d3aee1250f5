"""The dashboard's server paths on PostgreSQL and MariaDB: the run graph, suggestions and the new run sorts.

Reuses test_routes_db's module fixture (a fresh database per module, real runs recorded
through the SDK); skipped, with the reason shown, where a server is not reachable.
"""

from __future__ import annotations

from datetime import datetime

import pytest
import test_routes_db
from fastapi.testclient import TestClient
from test_routes_db import Served

from waypost.schemas import RunGraph

API = "/api/v1"
served = test_routes_db.served  # the module fixture, reused (it makes its own database for this module)


@pytest.fixture
def client(served: Served) -> TestClient:
    return served.client(Authorization=f"Bearer {served.key}")


def test_graph(client: TestClient, served: Served) -> None:
    first = served.runs[0]
    graph = client.get(f"{API}/runs/{first.id}/graph").json()
    steps = {s["name"]: s for s in graph["steps"]}
    assert list(steps) == ["make_numbers", "report"]
    made, read = steps["make_numbers"]["outputs"][0], steps["report"]["inputs"][0]
    assert made["version_id"] is not None
    assert read["version_id"] == made["version_id"]
    assert made["artifact_name"] == "numbers"
    started = datetime.fromisoformat(steps["report"]["started_at"])
    assert started.utcoffset() is not None
    one = client.get(f"{API}/runs/{first.id}/steps/report").json()
    assert started == datetime.fromisoformat(one["started_at"])
    # written by the service from the driver's values: exactly what the schema would write
    body = client.get(f"{API}/runs/{first.id}/graph").content
    assert RunGraph.model_validate_json(body).model_dump_json().encode() == body


def test_suggestions(client: TestClient) -> None:
    def values(key: str, prefix: str) -> list[str]:
        r = client.get(f"{API}/runs/suggest", params={"key": key, "prefix": prefix})
        assert r.status_code == 200, r.text
        return list(r.json()["values"])

    assert values("pipeline", "NUMBERS") == ["numbers_pipeline"]
    assert values("tag", "night") == ["nightly"]
    assert values("metadata", "Acc") == ["accuracy"]
    assert values("user", "adm") == []  # only users who ran something are suggested; admin ran nothing
    assert client.get(f"{API}/runs/suggest", params={"key": "nope"}).status_code == 400


def test_sorts(client: TestClient, served: Served) -> None:
    ids = {str(r.id) for r in served.runs}
    for sort in ("duration", "-duration", "pipeline", "-pipeline"):
        r = client.get(f"{API}/runs", params={"sort": sort})
        assert r.status_code == 200, r.text
        assert {item["id"] for item in r.json()["items"]} == ids
    by_duration = [item["id"] for item in client.get(f"{API}/runs", params={"sort": "duration"}).json()["items"]]
    reverse = [item["id"] for item in client.get(f"{API}/runs", params={"sort": "-duration"}).json()["items"]]
    assert by_duration == list(reversed(reverse))
