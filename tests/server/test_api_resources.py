"""Runs, steps, pipelines, artifacts, metadata and models over the API, after real runs."""

from __future__ import annotations

import uuid

import pytest
from _api_helpers import run_numbers, share_stores
from fastapi.testclient import TestClient

from waypost.schemas import RunRead
from waypost.settings import WaypostSettings

API = "/api/v1"


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch, server_settings: WaypostSettings, client: TestClient) -> list[RunRead]:
    """Three finished runs of one pipeline, recorded in the store the app serves."""
    share_stores(monkeypatch, server_settings)
    return [run_numbers(count=n) for n in (1, 2, 3)]


def _one_line_error(response: object, status: int) -> str:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    detail = response.json()["detail"]  # type: ignore[attr-defined]
    assert isinstance(detail, str)
    assert "\n" not in detail
    assert detail
    return detail


def test_runs_list_page_sort_filter_and_get(client: TestClient, runs: list[RunRead]) -> None:
    page = client.get(f"{API}/runs", params={"size": 2, "page": 1}).json()
    assert page["total"] == 3
    assert len(page["items"]) == 2
    assert page["size"] == 2
    assert page["items"][0]["id"] == str(runs[-1].id)  # newest first
    second = client.get(f"{API}/runs", params={"size": 2, "page": 2}).json()
    assert [r["id"] for r in second["items"]] == [str(runs[0].id)]
    oldest = client.get(f"{API}/runs", params={"sort": "created"}).json()
    assert oldest["items"][0]["id"] == str(runs[0].id)
    done = client.get(f"{API}/runs", params={"q": "status:completed pipeline:numbers_pipeline tag:nightly"}).json()
    assert done["total"] == 3
    assert client.get(f"{API}/runs", params={"q": "status:failed"}).json()["total"] == 0
    by_id = client.get(f"{API}/runs/{runs[0].id}").json()
    by_name = client.get(f"{API}/runs/{runs[0].name}").json()
    assert by_id["id"] == by_name["id"] == str(runs[0].id)
    assert by_id["step_counts"] == {"completed": 2}


def test_bad_input_answers_one_line_4xx(client: TestClient, runs: list[RunRead]) -> None:
    _one_line_error(client.get(f"{API}/runs", params={"q": "status:"}), 400)
    _one_line_error(client.get(f"{API}/runs", params={"q": "colour:red"}), 400)
    _one_line_error(client.get(f"{API}/runs", params={"sort": "nonsense"}), 400)
    _one_line_error(client.get(f"{API}/runs", params={"size": 100_000}), 422)
    _one_line_error(client.get(f"{API}/runs", params={"page": 0}), 422)
    _one_line_error(client.get(f"{API}/runs/{uuid.uuid4()}"), 404)
    _one_line_error(client.get(f"{API}/runs/no-such-run"), 404)
    _one_line_error(client.get(f"{API}/runs/{runs[0].id}/steps/nope"), 404)
    _one_line_error(client.get(f"{API}/pipelines/nope"), 404)
    _one_line_error(client.get(f"{API}/artifacts/nope"), 404)
    _one_line_error(client.get(f"{API}/artifact-versions/{uuid.uuid4()}"), 404)
    _one_line_error(client.get(f"{API}/models/nope/versions"), 404)
    _one_line_error(client.get(f"{API}/models/numbers_model/versions/99"), 404)
    _one_line_error(client.get(f"{API}/metadata"), 400)
    _one_line_error(client.get(f"{API}/runs/{runs[0].id}/steps", params={"q": "colour:red"}), 400)


def test_patch_tags_and_delete_a_run(client: TestClient, runs: list[RunRead]) -> None:
    r = client.patch(f"{API}/runs/{runs[0].id}", json={"add_tags": ["keep", "best"]})
    assert r.status_code == 200, r.text
    assert r.json()["tags"] == ["best", "keep", "nightly"]
    assert client.get(f"{API}/runs", params={"q": "tag:best"}).json()["total"] == 1
    _one_line_error(client.patch(f"{API}/runs/{runs[0].id}", json={"add_tags": "x"}), 422)
    assert client.delete(f"{API}/runs/{runs[1].id}").status_code == 204
    _one_line_error(client.get(f"{API}/runs/{runs[1].id}"), 404)
    _one_line_error(client.delete(f"{API}/runs/{runs[1].id}"), 404)
    assert client.get(f"{API}/runs").json()["total"] == 2


def test_steps_of_a_run(client: TestClient, runs: list[RunRead]) -> None:
    steps = client.get(f"{API}/runs/{runs[0].name}/steps").json()
    assert [s["name"] for s in steps["items"]] == ["make_numbers", "report"]
    assert steps["total"] == 2
    only = client.get(f"{API}/runs/{runs[0].id}/steps", params={"q": "name:report status:completed"}).json()
    assert [s["name"] for s in only["items"]] == ["report"]
    one = client.get(f"{API}/runs/{runs[0].id}/steps/make_numbers").json()
    assert one["status"] == "completed"
    assert "numbers" in one["outputs"]
    # a step of another run is not found under this one
    _one_line_error(client.get(f"{API}/runs/{runs[1].id}/steps/{one['id']}"), 404)


def test_run_graph_draws_every_planned_step_with_its_artifacts(client: TestClient, runs: list[RunRead]) -> None:
    graph = client.get(f"{API}/runs/{runs[0].name}/graph").json()
    assert graph["run_id"] == str(runs[0].id)
    assert graph["status"] == "completed"
    steps = {s["name"]: s for s in graph["steps"]}
    assert list(steps) == ["make_numbers", "report"]
    made = steps["make_numbers"]["outputs"][0]
    assert made["name"] == "numbers"
    assert made["version_id"] is not None
    assert made["version"] >= 1
    read = steps["report"]["inputs"][0]
    assert (read["step"], read["output"]) == ("make_numbers", "numbers")
    assert read["version_id"] == made["version_id"]  # the edge carries the artifact it moved
    assert all(s["status"] == "completed" and s["started_at"] and s["ended_at"] for s in steps.values())
    _one_line_error(client.get(f"{API}/runs/{uuid.uuid4()}/graph"), 404)


def test_pipelines_and_snapshots(client: TestClient, runs: list[RunRead]) -> None:
    page = client.get(f"{API}/pipelines", params={"q": "name:numbers_pipeline"}).json()
    assert page["total"] == 1
    assert page["items"][0]["run_count"] == 3
    pipe = client.get(f"{API}/pipelines/numbers_pipeline").json()
    assert client.get(f"{API}/pipelines/{pipe['id']}").json()["name"] == "numbers_pipeline"
    snaps = client.get(f"{API}/pipelines/numbers_pipeline/snapshots").json()
    assert snaps["total"] == 1
    snap = client.get(f"{API}/pipelines/numbers_pipeline/snapshots/{snaps['items'][0]['id']}").json()
    assert snap["id"] == str(runs[0].snapshot_id)
    assert [s["name"] for s in snap["spec"]["steps"]] == ["make_numbers", "report"]
    _one_line_error(client.get(f"{API}/pipelines/numbers_pipeline/snapshots/{uuid.uuid4()}"), 404)


def test_artifacts_versions_and_consumers(client: TestClient, runs: list[RunRead]) -> None:
    arts = client.get(f"{API}/artifacts", params={"q": "name:numbers"}).json()
    assert arts["total"] == 1
    assert arts["items"][0]["latest_version"] == 3
    art = client.get(f"{API}/artifacts/numbers").json()
    versions = client.get(f"{API}/artifacts/numbers/versions", params={"size": 2}).json()
    assert versions["total"] == 3
    assert [v["version"] for v in versions["items"]] == [3, 2]
    assert client.get(f"{API}/artifacts/{art['id']}/versions", params={"q": "version<2"}).json()["total"] == 1
    all_versions = client.get(f"{API}/artifact-versions", params={"q": f"run:{runs[0].id}"}).json()
    assert sorted(v["name"] for v in all_versions["items"]) == ["numbers", "report_html"]
    latest = client.get(f"{API}/artifact-versions/numbers").json()
    first = client.get(f"{API}/artifact-versions/numbers:1").json()
    assert latest["version"] == 3
    assert first["version"] == 1
    assert client.get(f"{API}/artifact-versions/{first['id']}").json()["id"] == first["id"]
    consumers = client.get(f"{API}/artifact-versions/{first['id']}/consumers").json()
    assert [s["name"] for s in consumers["items"]] == ["report"]
    assert consumers["items"][0]["run_id"] == str(runs[0].id)


def test_metadata_and_models(client: TestClient, runs: list[RunRead]) -> None:
    md = client.get(f"{API}/metadata", params={"run_id": str(runs[0].id)}).json()
    assert {(m["key"], m["value"]) for m in md["items"]} >= {("accuracy", 0.93)}
    assert client.get(f"{API}/runs", params={"q": "metadata.accuracy>0.9"}).json()["total"] == 3
    models = client.get(f"{API}/models").json()
    assert [m["name"] for m in models["items"]] == ["numbers_model"]
    versions = client.get(f"{API}/models/numbers_model/versions").json()
    assert versions["total"] == 3
    assert versions["items"][0]["number"] == 3
    assert client.get(f"{API}/models/numbers_model/versions/latest").json()["number"] == 3
    assert client.get(f"{API}/models/numbers_model/versions/1").json()["number"] == 1


def test_openapi_is_built_from_the_schemas(client: TestClient) -> None:
    doc = client.get("/openapi.json")
    if doc.status_code == 404:
        doc = client.get(f"{API}/openapi.json")
    assert doc.status_code == 200, doc.text
    spec = doc.json()
    schemas = spec["components"]["schemas"]
    for name in ("RunRead", "StepRunRead", "ArtifactVersionRead", "LogLineRead", "ModelVersionRead"):
        assert name in schemas
    assert "/api/v1/runs/{run}/steps/{step}/logs/search" in spec["paths"]


def test_every_route_of_mine_refuses_anonymous_callers(anon_client: TestClient) -> None:
    some = uuid.uuid4()
    for path in (
        "/runs",
        f"/runs/{some}",
        f"/runs/{some}/steps",
        f"/runs/{some}/steps/x/logs",
        f"/runs/{some}/steps/x/logs/stream",
        "/pipelines",
        "/artifacts",
        f"/artifact-versions/{some}/download",
        f"/artifact-versions/{some}/visualizations/0",
        "/metadata",
        "/models",
        "/events",
    ):
        assert anon_client.get(f"{API}{path}").status_code == 401, path
    assert anon_client.delete(f"{API}/runs/{some}").status_code == 401
