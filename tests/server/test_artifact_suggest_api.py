"""GET /api/v1/artifacts/suggest and the artifacts list's `pipeline:`/`type:` keys over HTTP."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from waypost.store.sql.store import SqlStore
from waypost.testing import make_pipeline, make_run
from waypost.testing.assertions import assert_one_line
from waypost.testing.factories import make_step_run

SUGGEST = "/api/v1/artifacts/suggest"


@pytest.fixture
def seeded(server_store: SqlStore) -> SqlStore:
    make_step_run(server_store, make_run(server_store, make_pipeline(server_store, "Train_model")))
    make_step_run(server_store, make_run(server_store, make_pipeline(server_store, "etl")), "load")
    make_pipeline(server_store, "never-ran")
    return server_store


def test_suggest_pipelines_and_types(client: TestClient, seeded: SqlStore) -> None:
    r = client.get(SUGGEST, params={"key": "pipeline", "prefix": ""})
    assert r.status_code == 200, r.text
    assert r.json() == {"key": "pipeline", "values": ["etl", "Train_model"]}
    assert client.get(SUGGEST, params={"key": "type", "prefix": "INT"}).json()["values"] == ["builtins.int"]


def test_list_filters_by_pipeline_and_type(client: TestClient, seeded: SqlStore) -> None:
    r = client.get("/api/v1/artifacts", params={"q": "pipeline:etl type:int"})
    assert r.status_code == 200, r.text
    assert [a["name"] for a in r.json()["items"]] == ["etl::load::output"]
    assert client.get("/api/v1/artifacts", params={"q": "pipeline:etl type:str"}).json()["items"] == []


@pytest.mark.parametrize(
    ("params", "needle"),
    [({"key": "owner"}, "use one of: pipeline, type, tag"), ({"key": "type", "limit": 0}, "limit")],
)
def test_bad_suggestion_requests_are_4xx_with_one_line(
    client: TestClient, params: dict[str, object], needle: str
) -> None:
    r = client.get(SUGGEST, params=params)
    assert r.status_code in (400, 422), r.text
    detail = r.json()["detail"]
    text = detail if isinstance(detail, str) else str(detail)
    assert needle in text
    if isinstance(detail, str):
        assert_one_line(detail)


def test_bad_type_comparison_is_400(client: TestClient, seeded: SqlStore) -> None:
    r = client.get("/api/v1/artifacts", params={"q": "type>3"})
    assert r.status_code == 400
    assert_one_line(r.json()["detail"])
