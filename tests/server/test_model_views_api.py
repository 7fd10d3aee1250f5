"""The model page's routes on SQLite, PostgreSQL and MariaDB: GET /models/{model}/versions-table (a page of
versions with metric columns, first run, filter, sort, paging, a fixed number of queries) and
GET /models/{model}/metric-series (a metric across versions)."""

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
from waypost.schemas.access import DEFAULT_PROJECT_ID
from waypost.server.app import create_app
from waypost.settings import load_settings
from waypost.store.sql.store import SqlStore
from waypost.testing.factories import make_metadata, make_pipeline, make_run, make_spec

API = "/api/v1"


@dataclass
class World:
    """An app over a store holding model ``iris`` (versions 1-4, metrics on 1-3, version 2 in production)."""

    store: SqlStore
    admin: TestClient
    stranger: TestClient
    versions: dict[int, uuid.UUID]
    runs: dict[str, uuid.UUID]


def _seed(store: SqlStore) -> tuple[dict[int, uuid.UUID], dict[str, uuid.UUID]]:
    admin = store.users.get("admin")
    versions = {n: store.models.get_or_create_version("iris", None).id for n in (1, 2, 3, 4)}
    pipe = make_pipeline(store, "train_iris")
    runs: dict[str, uuid.UUID] = {}
    snapshot = store.pipelines.snapshot(pipe.id, make_spec(pipe.name))
    for name, version in (("made-1", 1), ("made-2", 2), ("used-1", 1)):
        run = RunCreate(
            name=name,
            pipeline_id=pipe.id,
            snapshot_id=snapshot.id,
            status=ExecutionStatus.COMPLETED,
            model_version_id=versions[version],
            user_id=admin.id if name == "made-1" else None,
        )
        runs[name] = store.runs.create(run).id
    make_metadata(store, model_version_id=versions[1], accuracy=0.81, loss=0.5, data_validation="pass")
    make_metadata(store, model_version_id=versions[1], accuracy=0.83)  # logged again: the latest wins
    make_metadata(store, model_version_id=versions[2], accuracy=0.9, epochs=12)
    make_metadata(store, model_version_id=versions[3], accuracy=0.95, loss=0.2)
    make_metadata(store, run_id=runs["made-2"], accuracy=0.1)  # the run's own metadata is not the version's
    store.models.set_stage("iris", "2", "production")
    return versions, runs


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
        person(store, "nobody")
        versions, runs = _seed(store)
        app = create_app(settings, store, ArtifactStore(settings.artifact_store_uri))

        def client(user: uuid.UUID) -> TestClient:
            key = store.auth.create_api_key(user, "tests").key
            return TestClient(app, base_url=BASE_URL, headers={"Authorization": f"Bearer {key}"})

        with client(admin.id) as a, client(store.users.get("nobody").id) as n:
            yield World(store, a, n, versions, runs)
    finally:
        store.close()
        if backend == "postgres":
            db.drop_postgres_database(url)
        elif backend == "mysql":
            db.drop_mysql_database(url)


def _table(w: World, **params: Any) -> dict[str, Any]:
    r = w.admin.get(f"{API}/models/iris/versions-table", params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _numbers(body: dict[str, Any]) -> list[int]:
    return [v["number"] for v in body["items"]]


def test_a_page_holds_versions_with_their_metrics_and_first_run(world: World) -> None:
    body = _table(world)
    assert (body["model_name"], body["project_id"], body["total"]) == ("iris", str(DEFAULT_PROJECT_ID), 4)
    assert body["owner"] == "admin"
    assert _numbers(body) == [4, 3, 2, 1]
    assert body["metric_keys"] == [
        {"key": "accuracy", "numeric": True},
        {"key": "data_validation", "numeric": False},
        {"key": "epochs", "numeric": True},
        {"key": "loss", "numeric": True},
    ]
    assert body["metrics"] == ["accuracy", "data_validation", "epochs", "loss"]
    rows = {v["number"]: v for v in body["items"]}
    assert rows[1]["metrics"] == {"accuracy": 0.83, "loss": 0.5, "data_validation": "pass"}
    assert rows[2]["metrics"] == {"accuracy": 0.9, "epochs": 12}
    assert rows[4]["metrics"] == {}
    assert (rows[2]["stage"], rows[1]["stage"]) == ("production", "none")
    assert rows[2]["stage_since"] is not None
    first = rows[1]["run"]
    assert (first["id"], first["name"], first["status"], first["pipeline_name"], first["user_name"]) == (
        str(world.runs["made-1"]),
        "made-1",
        "completed",
        "train_iris",
        "admin",
    )
    assert (rows[1]["run_count"], rows[2]["run_count"], rows[3]["run"], rows[3]["run_count"]) == (2, 1, None, 0)
    assert rows[1]["tags"] == []


def test_metric_columns_are_the_keys_asked_for(world: World) -> None:
    body = _table(world, metrics="loss, accuracy,loss,unknown")
    assert body["metrics"] == ["loss", "accuracy", "unknown"]
    rows = {v["number"]: v["metrics"] for v in body["items"]}
    assert rows[1] == {"loss": 0.5, "accuracy": 0.83}
    assert rows[2] == {"accuracy": 0.9}
    none = _table(world, metrics="")
    assert none["metrics"] == []
    assert all(v["metrics"] == {} for v in none["items"])
    assert len(none["metric_keys"]) == 4  # the keys are listed all the same, for the column menu
    too_many = world.admin.get(
        f"{API}/models/iris/versions-table", params={"metrics": ",".join(f"m{i}" for i in range(101))}
    )
    assert_one_line(too_many, 400)
    assert "at most 100" in too_many.json()["detail"]


def test_sorts_filters_and_pages(world: World) -> None:
    assert _numbers(_table(world, sort="-metadata.accuracy")) == [3, 2, 1, 4]
    assert _numbers(_table(world, sort="metadata.accuracy")) == [1, 2, 3, 4]
    assert _numbers(_table(world, sort="metadata.loss")) == [3, 1, 4, 2]  # no loss: last, newest first
    assert _numbers(_table(world, sort="number")) == [1, 2, 3, 4]
    assert _numbers(_table(world, sort="-stage"))[0] == 2
    assert _numbers(_table(world, q="stage:production")) == [2]
    assert _numbers(_table(world, q="metadata.accuracy>0.85")) == [3, 2]
    assert _numbers(_table(world, q="metadata.data_validation:pass")) == [1]
    assert _numbers(_table(world, q="number>=2 -stage:production")) == [4, 3]
    second = _table(world, size=3, page=2)
    assert (_numbers(second), second["total"], second["page"], second["size"]) == ([1], 4, 2, 3)
    for params, fragment in (
        ({"q": "stage:prod"}, "stage"),
        ({"q": "colour:red"}, "colour"),
        ({"sort": "colour"}, "colour"),
        ({"sort": "metadata."}, "metadata.KEY"),
    ):
        r = world.admin.get(f"{API}/models/iris/versions-table", params=params)
        assert_one_line(r, 400)
        assert fragment in r.json()["detail"]


def test_a_metric_across_versions(world: World) -> None:
    r = world.admin.get(f"{API}/models/iris/metric-series", params={"keys": "accuracy,loss"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["keys"] == ["accuracy", "loss"]
    assert [(p["number"], p["name"], p["stage"], p["values"]) for p in body["points"]] == [
        (1, "1", "none", {"accuracy": 0.83, "loss": 0.5}),
        (2, "2", "production", {"accuracy": 0.9}),
        (3, "3", "none", {"accuracy": 0.95, "loss": 0.2}),
    ]
    text = world.admin.get(f"{API}/models/iris/metric-series", params={"keys": "data_validation"}).json()
    assert text["points"] == []  # text values are not charted
    assert_one_line(world.admin.get(f"{API}/models/iris/metric-series", params={"keys": ",".join("abcdefghijk")}), 400)
    assert_one_line(world.admin.get(f"{API}/models/iris/metric-series"), 422)


def test_unknown_and_hidden_models_are_one_line_404s(world: World) -> None:
    for path in ("versions-table", "metric-series?keys=accuracy"):
        missing = world.admin.get(f"{API}/models/nope/{path}")
        assert_one_line(missing, 404)
        assert "nope" in missing.json()["detail"]
        hidden = world.stranger.get(f"{API}/models/iris/{path}")
        assert_one_line(hidden, 404)
        assert hidden.json()["detail"] == missing.json()["detail"].replace("nope", "iris")
    world.store.access.grant("Viewer", user="nobody", project="default/default")
    assert world.stranger.get(f"{API}/models/iris/versions-table").json()["total"] == 4


def test_a_page_takes_the_same_queries_for_five_versions_or_fifty(world: World) -> None:
    """No query per version: a page of 50 versions with 20 metrics each costs what a page of 5 does."""
    for n in range(5, 55):
        version = world.store.models.get_or_create_version("iris", None)
        make_metadata(world.store, model_version_id=version.id, **{f"m{i:02}": n + i / 100 for i in range(20)})
        run = make_run(world.store, model_version_id=version.id)
        assert run.model_version_id == version.id

    def statements(size: int) -> int:
        seen: list[str] = []

        def count(*args: object) -> None:
            seen.append(str(args[2]))

        engine = world.store.sessions.engines.read
        event.listen(engine, "before_cursor_execute", count)
        try:
            body = _table(world, size=size)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert len(body["items"]) == size
        return len(seen)

    statements(1)  # the first request of a client may warm caches (its key, its access)
    # The fewer of two tries: a cache that expires during one (its access, on a loaded machine) adds a query
    # that says nothing about paging; a query per version would add 45.
    small, large = min(statements(5), statements(5)), min(statements(50), statements(50))
    assert large == small, (small, large)
    full = _table(world, size=50)["items"][0]
    assert len(full["metrics"]) == 20
    assert full["run"] is not None
