"""GET /models/{model}/compare on SQLite and PostgreSQL: metrics (mixed types, missing values, the best marked
by the model's directions), parameters and snapshot of the run that made each version, metadata, artifacts,
unknown versions, one-line 422s, and a fixed number of queries for 2 versions or 50."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from _access_world import person
from fastapi.testclient import TestClient
from server_support import ADMIN_PASSWORD, BASE_URL, assert_one_line, store_databases
from sqlalchemy import event

from waypost.artifacts.store import ArtifactStore
from waypost.enums import ExecutionStatus
from waypost.schemas import RunCreate
from waypost.schemas.models import ModelUpdate
from waypost.server.app import create_app
from waypost.settings import load_settings
from waypost.store.sql.store import SqlStore
from waypost.testing.factories import make_metadata, make_pipeline, make_run, make_spec, make_step_run

API = "/api/v1"


@dataclass
class World:
    """Model ``iris``: versions 1-3 made by runs with parameters, version 4 without a run; version 2 in production."""

    store: SqlStore
    admin: TestClient
    stranger: TestClient
    versions: dict[int, uuid.UUID]


def _seed(store: SqlStore) -> dict[int, uuid.UUID]:
    versions = {n: store.models.get_or_create_version("iris", None).id for n in (1, 2, 3, 4)}
    store.models.update("iris", ModelUpdate(metric_directions={"loss": "lower"}))
    pipe = make_pipeline(store, "train_iris")
    for n, steps, lr in ((1, ("load", "train"), 0.1), (2, ("load", "train"), 0.1), (3, ("load", "fit"), 0.01)):
        spec = make_spec(pipe.name, steps)
        spec.steps[1].parameters = {"lr": lr}
        snapshot = store.pipelines.snapshot(pipe.id, spec)
        run = store.runs.create(
            RunCreate(
                name=f"made-{n}",
                pipeline_id=pipe.id,
                snapshot_id=snapshot.id,
                status=ExecutionStatus.COMPLETED,
                parameters={"epochs": 10 * n, "seed": 7},
                model_version_id=versions[n],
            )
        )
        _, outputs = make_step_run(store, store.runs.get(run.id), "train", outputs={"output": "iris_model"})
        store.models.link(versions[n], artifact_version_ids=[outputs["output"].id])
    make_metadata(store, model_version_id=versions[1], accuracy=0.81, loss=0.5, f1=0.7, data_validation="pass")
    make_metadata(store, model_version_id=versions[1], accuracy=0.83)  # logged again: the latest wins
    make_metadata(store, model_version_id=versions[2], accuracy=0.9, f1="n/a", data_validation="pass")
    make_metadata(store, model_version_id=versions[3], accuracy=0.95, loss=0.2, data_validation="fail")
    store.models.set_stage("iris", "2", "production")
    return versions


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    db = store_databases()
    backend: str = request.param
    url = f"sqlite:///{tmp_path / 'server.db'}" if backend == "sqlite" else db.create_postgres_database()
    settings = load_settings(store={"url": url}, artifact_store={"uri": str(tmp_path / "artifacts")})
    store = SqlStore(settings.store_url)
    try:
        admin = store.users.create("admin", password=ADMIN_PASSWORD, is_admin=True)
        person(store, "nobody")
        versions = _seed(store)
        app = create_app(settings, store, ArtifactStore(settings.artifact_store_uri))

        def client(user: uuid.UUID) -> TestClient:
            key = store.auth.create_api_key(user, "tests").key
            return TestClient(app, base_url=BASE_URL, headers={"Authorization": f"Bearer {key}"})

        with client(admin.id) as a, client(store.users.get("nobody").id) as n:
            yield World(store, a, n, versions)
    finally:
        store.close()
        if backend == "postgres":
            db.drop_postgres_database(url)


def _compare(w: World, versions: str, model: str = "iris") -> dict[str, Any]:
    r = w.admin.get(f"{API}/models/{model}/compare", params={"versions": versions})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _rows(body: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(row["section"], row["key"]): row for row in body["rows"]}


def test_metrics_side_by_side_with_the_best_marked(world: World) -> None:
    body = _compare(world, "1,2,3")
    assert [v["number"] for v in body["versions"]] == [1, 2, 3]
    assert body["versions"][1]["stage"] == "production"
    assert body["versions"][0]["run"]["name"] == "made-1"
    assert body["metric_directions"] == {"loss": "lower"}
    rows = _rows(body)
    accuracy = rows["metrics", "accuracy"]
    assert (accuracy["values"], accuracy["differs"], accuracy["best"]) == ([0.83, 0.9, 0.95], True, 2)
    loss = rows["metrics", "loss"]  # lower is better; version 2 has none
    assert (loss["values"], loss["best"]) == ([0.5, None, 0.2], 2)
    f1 = rows["metrics", "f1"]  # a number on one version, text on another: still a metric, no best of one number
    assert (f1["values"], f1["differs"], f1["best"]) == ([0.7, "n/a", None], True, None)
    validation = rows["metadata", "data_validation"]
    assert (validation["values"], validation["differs"], validation["best"]) == (["pass", "pass", "fail"], True, None)
    assert _rows(_compare(world, "1,2"))["metadata", "data_validation"]["differs"] is False
    assert [r["section"] for r in body["rows"]] == sorted(
        (r["section"] for r in body["rows"]), key=["metrics", "parameters", "metadata", "artifacts", "snapshot"].index
    )


def test_parameters_snapshot_and_artifacts_of_the_runs_that_made_them(world: World) -> None:
    rows = _rows(_compare(world, "1,2,3,4"))
    assert rows["parameters", "epochs"]["values"] == [10, 20, 30, None]
    assert (rows["parameters", "seed"]["values"], rows["parameters", "seed"]["differs"]) == ([7, 7, 7, None], True)
    assert rows["parameters", "train.lr"]["values"] == [0.1, 0.1, None, None]
    assert rows["parameters", "fit.lr"]["values"] == [None, None, 0.01, None]
    assert rows["snapshot", "pipeline"]["values"] == ["train_iris", "train_iris", "train_iris", None]
    assert rows["snapshot", "steps"]["values"] == [["load", "train"], ["load", "train"], ["load", "fit"], None]
    hashes = rows["snapshot", "structure hash"]["values"]
    assert hashes[0] == hashes[1] != hashes[2]
    assert len(hashes[0]) == 64
    model = rows["artifacts", "iris_model"]
    assert [v and v["version"] for v in model["values"]] == [1, 2, 3, None]
    assert model["values"][0]["data_type"] == "builtins.int"
    assert model["values"][0]["size"] > 0
    assert model["differs"] is True
    same = _rows(_compare(world, "1,2"))
    assert same["snapshot", "structure hash"]["differs"] is False
    assert same["parameters", "epochs"]["differs"] is True


def test_versions_by_name_number_or_stage_and_unknown_ones_listed(world: World) -> None:
    body = _compare(world, "production, 3 ,nope,1,2,99")
    assert [v["number"] for v in body["versions"]] == [2, 3, 1]  # production is version 2: named twice, kept once
    assert body["unknown"] == ["nope", "99"]
    assert [v["number"] for v in _compare(world, f"latest,{world.versions[1]}")["versions"]] == [4, 1]


def test_fewer_than_two_versions_or_more_than_fifty_are_one_line_422s(world: World) -> None:
    for versions in ("1", "1,1", "1,nope", "nope,nada", ",", ",".join(str(n) for n in range(51))):
        r = world.admin.get(f"{API}/models/iris/compare", params={"versions": versions})
        assert_one_line(r, 422)
    assert "nope" in world.admin.get(f"{API}/models/iris/compare?versions=1,nope").json()["detail"]
    assert_one_line(world.admin.get(f"{API}/models/iris/compare"), 422)


def test_unknown_and_hidden_models_are_one_line_404s(world: World) -> None:
    missing = world.admin.get(f"{API}/models/nope/compare?versions=1,2")
    assert_one_line(missing, 404)
    hidden = world.stranger.get(f"{API}/models/iris/compare?versions=1,2")
    assert_one_line(hidden, 404)
    assert hidden.json()["detail"] == missing.json()["detail"].replace("nope", "iris")
    world.store.access.grant("Viewer", user="nobody", project="default/default")
    assert world.stranger.get(f"{API}/models/iris/compare?versions=1,2").status_code == 200


def test_fifty_versions_take_the_queries_two_do(world: World) -> None:
    """No query per version: 50 versions with 20 metrics and a run each cost what 2 do."""
    pipe = make_pipeline(world.store, "more")
    for n in range(5, 51):
        version = world.store.models.get_or_create_version("iris", None)
        make_metadata(world.store, model_version_id=version.id, **{f"m{i:02}": n + i / 100 for i in range(20)})
        make_run(world.store, pipe, model_version_id=version.id, parameters={"n": n})

    def statements(versions: str) -> int:
        seen: list[str] = []

        def count(*args: object) -> None:
            seen.append(str(args[2]))

        engine = world.store.sessions.engines.read
        event.listen(engine, "before_cursor_execute", count)
        try:
            body = _compare(world, versions)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert len(body["versions"]) == len(versions.split(","))
        return len(seen)

    statements("1,2")  # the first request of a client may warm caches (its key, its access)
    small, large = statements("1,2"), statements(",".join(str(n) for n in range(1, 51)))
    assert large == small, (small, large)
    rows = _rows(_compare(world, ",".join(str(n) for n in range(1, 51))))
    assert rows["metrics", "m19"]["values"][-1] == 50.19
    assert rows["metrics", "m19"]["best"] == 49
    assert rows["parameters", "n"]["values"][-1] == 50
