"""A model version's page and a model's stage status over HTTP, on SQLite, PostgreSQL and MariaDB:
runs by role (producer, attached, consumer), artifact versions by role, link counts, version tags,
and which runs consumed each stage's holder lately and how they fared."""

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

from waypost.artifacts.store import ArtifactStore
from waypost.enums import ExecutionStatus
from waypost.schemas import RunCreate
from waypost.server.app import create_app
from waypost.settings import load_settings
from waypost.store.sql.store import SqlStore
from waypost.testing.factories import make_artifact_version, make_pipeline, make_spec

API = "/api/v1"


@dataclass
class World:
    store: SqlStore
    admin: TestClient
    viewer: TestClient
    stranger: TestClient
    runs: dict[str, uuid.UUID]
    artifacts: dict[str, uuid.UUID]


def _seed(store: SqlStore) -> tuple[dict[str, uuid.UUID], dict[str, uuid.UUID]]:
    v1 = store.models.get_or_create_version("iris", "1.0", tags=["baseline"])
    v2 = store.models.get_or_create_version("iris", "2.0")
    pipe = make_pipeline(store, "train_iris")
    serve = make_pipeline(store, "serve_iris")
    train_snap = store.pipelines.snapshot(pipe.id, make_spec(pipe.name))
    serve_snap = store.pipelines.snapshot(serve.id, make_spec(serve.name))
    runs: dict[str, uuid.UUID] = {}
    plan = [
        ("train-1", pipe.id, train_snap.id, v1.id, None, ExecutionStatus.COMPLETED),
        ("evaluate-1", pipe.id, train_snap.id, v1.id, None, ExecutionStatus.COMPLETED),
        ("train-2", pipe.id, train_snap.id, v2.id, None, ExecutionStatus.COMPLETED),
        ("serve-a", serve.id, serve_snap.id, v1.id, "production", ExecutionStatus.COMPLETED),
        ("serve-b", serve.id, serve_snap.id, v1.id, "production", ExecutionStatus.FAILED),
        ("serve-c", serve.id, serve_snap.id, v1.id, "production", ExecutionStatus.COMPLETED),
    ]
    for name, pipeline_id, snap, version, stage, status in plan:
        run = RunCreate(
            name=name,
            pipeline_id=pipeline_id,
            snapshot_id=snap,
            status=status,
            model_version_id=version,
            model_stage=stage,
        )
        runs[name] = store.runs.create(run).id
    typed = {
        "model": ("clf", "sklearn.ensemble._forest.RandomForestClassifier"),
        "data": ("features", "pandas.core.frame.DataFrame"),
        "score": ("score", "builtins.float"),
        "endpoint": ("endpoint", "builtins.dict"),
    }
    made = store.artifacts.register(
        [make_artifact_version(name).model_copy(update={"data_type": t}) for name, t in typed.values()]
    )
    artifacts = {key: av.id for key, av in zip(typed, made, strict=True)}
    store.models.link(v1.id, artifact_version_ids=[artifacts["model"], artifacts["data"], artifacts["score"]])
    store.models.link(v1.id, roles={artifacts["endpoint"]: "deployment"})
    store.models.set_stage("iris", "1.0", "production")
    return runs, artifacts


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ]
)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    db = store_databases()
    backend: str = request.param
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'server.db'}"
    else:
        url = db.create_postgres_database() if backend == "postgres" else db.create_mysql_database()
    settings = load_settings(store={"url": url}, artifact_store={"uri": str(tmp_path / "artifacts")})
    store = SqlStore(settings.store_url)
    try:
        admin = store.users.create("admin", password=ADMIN_PASSWORD, is_admin=True)
        person(store, "vera")
        store.access.grant("Viewer", user="vera", project="default/default")
        person(store, "nobody")
        runs, artifacts = _seed(store)
        app = create_app(settings, store, ArtifactStore(settings.artifact_store_uri))

        def client(user: uuid.UUID) -> TestClient:
            key = store.auth.create_api_key(user, "tests").key
            return TestClient(app, base_url=BASE_URL, headers={"Authorization": f"Bearer {key}"})

        with (
            client(admin.id) as a,
            client(store.users.get("vera").id) as v,
            client(store.users.get("nobody").id) as n,
        ):
            yield World(store, a, v, n, runs, artifacts)
    finally:
        store.close()
        if backend == "postgres":
            db.drop_postgres_database(url)
        elif backend == "mysql":
            db.drop_mysql_database(url)


def _get(client: TestClient, path: str, **params: Any) -> Any:
    r = client.get(f"{API}{path}", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def test_runs_are_grouped_by_how_they_relate_to_the_version(world: World) -> None:
    counts = _get(world.admin, "/models/iris/versions/1.0/link-counts")
    assert counts["runs"] == {"producer": 1, "attached": 1, "consumer": 3}
    assert counts["artifacts"] == {"model": 1, "data": 1, "deployment": 1, "other": 1}
    made = _get(world.admin, "/models/iris/versions/1.0/runs", role="producer")["items"]
    assert [r["name"] for r in made] == ["train-1"]
    assert made[0]["pipeline_name"] == "train_iris"
    attached = _get(world.admin, "/models/iris/versions/1.0/runs", role="attached")["items"]
    assert [r["name"] for r in attached] == ["evaluate-1"]
    consumers = _get(world.admin, "/models/iris/versions/1.0/runs", role="consumer", size=2)
    assert consumers["total"] == 3
    assert [(r["name"], r["via_stage"]) for r in consumers["items"]] == [
        ("serve-c", "production"),
        ("serve-b", "production"),
    ]
    # The version is found by stage too; version 2.0 has only the run that made it.
    assert _get(world.admin, "/models/iris/versions/production/link-counts") == counts
    assert _get(world.admin, "/models/iris/versions/2.0/link-counts")["runs"] == {
        "producer": 1,
        "attached": 0,
        "consumer": 0,
    }


def test_artifacts_come_by_role_with_their_type_deciding_unless_told(world: World) -> None:
    page = _get(world.admin, "/models/iris/versions/1.0/artifacts")
    assert [(a["role"], a["name"]) for a in page["items"]] == [
        ("data", "features"),
        ("deployment", "endpoint"),
        ("model", "clf"),
        ("other", "score"),
    ]
    models = _get(world.admin, "/models/iris/versions/1.0/artifacts", role="model")["items"]
    assert [a["id"] for a in models] == [str(world.artifacts["model"])]
    # Linking again with a role moves the link; nothing is duplicated.
    world.store.models.link(world.store.models.get_version("iris", "1.0").id, roles={world.artifacts["score"]: "data"})
    again = _get(world.admin, "/models/iris/versions/1.0/link-counts")["artifacts"]
    assert again == {"model": 1, "data": 2, "deployment": 1, "other": 0}


def test_stage_status_shows_each_holder_and_how_its_consumers_fared(world: World) -> None:
    status = _get(world.admin, "/models/iris/stage-status")
    stages = {s["stage"]: s for s in status["stages"]}
    assert list(stages) == ["production", "staging", "latest"]
    prod = stages["production"]
    assert (prod["version"], prod["consumers"], prod["recent_succeeded"], prod["recent_failed"]) == ("1.0", 3, 2, 1)
    assert [r["name"] for r in prod["recent"]] == ["serve-c", "serve-b", "serve-a"]
    assert prod["since"] is not None
    assert stages["staging"]["version"] is None
    assert (stages["latest"]["version"], stages["latest"]["consumers"]) == ("2.0", 0)


def test_version_tags_are_added_and_removed_by_those_who_may_update(world: World) -> None:
    assert _get(world.admin, "/models/iris/versions/1.0")["tags"] == ["baseline"]  # from Model(tags=...)
    r = world.admin.patch(
        f"{API}/models/iris/versions/1.0/tags", json={"add": ["prod", "audited"], "remove": ["baseline"]}
    )
    assert r.status_code == 200, r.text
    assert r.json() == ["audited", "prod"]
    assert _get(world.admin, "/models/iris/versions/1.0")["tags"] == ["audited", "prod"]
    table = _get(world.admin, "/models/iris/versions-table")
    assert {v["name"]: v["tags"] for v in table["items"]}["1.0"] == ["audited", "prod"]
    events = _get(world.admin, "/audit-events", q="action:model.version_tagged")["items"]
    assert [e["target"] for e in events] == ["iris:1.0"]
    # A viewer may read the version but not tag it; a stranger cannot see the model at all.
    assert_one_line(world.viewer.patch(f"{API}/models/iris/versions/1.0/tags", json={"add": ["x"]}), 403)
    assert _get(world.viewer, "/models/iris/versions/1.0/link-counts")["runs"]["consumer"] == 3
    assert_one_line(world.stranger.get(f"{API}/models/iris/versions/1.0/runs"), 404)
    assert_one_line(world.stranger.get(f"{API}/models/iris/stage-status"), 404)


def test_bad_input_is_one_line(world: World) -> None:
    assert_one_line(world.admin.get(f"{API}/models/iris/versions/9.9/runs"), 404)
    assert_one_line(world.admin.get(f"{API}/models/iris/versions/1.0/runs", params={"role": "trainer"}), 422)
    assert_one_line(world.admin.get(f"{API}/models/iris/versions/1.0/artifacts", params={"role": "weights"}), 422)
    assert_one_line(world.admin.patch(f"{API}/models/iris/versions/1.0/tags", json={"add": [""]}), 422)
    assert_one_line(world.admin.patch(f"{API}/models/iris/versions/1.0/tags", json={"colour": "red"}), 422)
