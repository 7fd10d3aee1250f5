"""The metadata explorer through the real app, on SQLite, PostgreSQL and MariaDB: GET /metadata/keys (kinds, types,
counts, ranges, times; filters, sorts, pages; only what the caller may read) and GET /metadata/history, with the
per-project key summary checked against a recount from the entries after real pipeline runs and after deletes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import pytest
from _access_world import World as AccessWorld
from _access_world import build
from fastapi.testclient import TestClient
from server_support import ADMIN_PASSWORD, assert_one_line, store_databases
from sqlalchemy import select

from waypost import Model, log_metadata, pipeline, step
from waypost.enums import ExecutionStatus
from waypost.execution import runtime
from waypost.schemas.access import DEFAULT_PROJECT_ID
from waypost.server.app import create_app
from waypost.settings import load_settings
from waypost.store.sql import tables as db
from waypost.store.sql.repositories.metadata import rebuild_key_stats
from waypost.store.sql.repositories.metadata_explorer import MetadataExplorerRepository, Readable
from waypost.store.sql.store import SqlStore
from waypost.testing.factories import make_metadata, make_run, make_step_run

API = "/api/v1"


@step
def explore_train(lr: float) -> Annotated[list[int], "explore_rows"]:
    log_metadata(metadata={"loss": lr * 2, "optimizer": "adam"})  # the step's
    log_metadata(metadata={"rows": 3}, infer_artifact=True)  # its output's
    log_metadata(metadata={"auc": 0.5 + lr}, infer_model=True)  # the run's model version's
    return [1, 2, 3]


@pipeline(enable_cache=False, model=Model(name="explore_model"))
def explore_pipe(lr: float = 0.1) -> None:
    explore_train(lr)


@dataclass
class World:
    """The access world (projects default, alpha, vision; users vic, dev, nobody) plus two real runs of explore_pipe."""

    store: SqlStore
    access: AccessWorld
    admin: TestClient
    runs: list[uuid.UUID]


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mysql", marks=pytest.mark.mysql),
    ]
)
def world(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    dbs = store_databases()
    backend: str = request.param
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'server.db'}"
    else:
        url = dbs.create_postgres_database() if backend == "postgres" else dbs.create_mysql_database()
    settings = load_settings(store={"url": url}, artifact_store={"uri": str(tmp_path / "artifacts")})
    store = SqlStore(settings.store_url)
    try:
        store.users.create("admin", password=ADMIN_PASSWORD, is_admin=True)
        from waypost.artifacts.store import ArtifactStore

        app = create_app(settings, store, ArtifactStore(settings.artifact_store_uri))
        access = build(store, app)
        # Real runs write through their own local store on the same database.
        monkeypatch.setenv("WAYPOST_STORE__URL", url)
        monkeypatch.setenv("WAYPOST_ARTIFACT_STORE__URI", str(tmp_path / "artifacts"))
        runtime.reset()
        runs = [explore_pipe.with_options(run_name=f"explore-{i}")(lr=lr).id for i, lr in enumerate((0.1, 0.3))]
        runtime.reset()
        with access.client("admin") as admin:
            yield World(store, access, admin, runs)
    finally:
        runtime.reset()
        store.close()
        if backend == "postgres":
            dbs.drop_postgres_database(url)
        elif backend == "mysql":
            dbs.drop_mysql_database(url)


def _keys(c: TestClient, **params: Any) -> dict[str, Any]:
    r = c.get(f"{API}/metadata/keys", params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _by_key(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["key"]: item for item in body["items"]}


def _summary(store: SqlStore) -> set[tuple[Any, ...]]:
    t = db.metadata_key_stats
    with store.sessions.read() as c:
        return {tuple(r) for r in c.execute(select(t))}


class _UndoError(Exception):
    """Rolls the recount's transaction back."""


def _recounted(store: SqlStore) -> set[tuple[Any, ...]]:
    """The summary as counted afresh from every entry (in a transaction rolled back after)."""
    out: set[tuple[Any, ...]] = set()
    try:
        with store.sessions.write() as c:
            rebuild_key_stats(c)
            out = {tuple(r) for r in c.execute(select(db.metadata_key_stats))}
            raise _UndoError
    except _UndoError:
        pass
    return out


def _assert_summary_right(store: SqlStore) -> None:
    kept, fresh = _summary(store), _recounted(store)
    assert kept == fresh, f"kept only: {kept - fresh}; recount only: {fresh - kept}"


def test_keys_of_real_runs_with_kinds_types_counts_and_ranges(world: World) -> None:
    keys = _by_key(_keys(world.admin))
    assert set(keys) == {"acc_d", "acc_a", "acc_v", "loss", "optimizer", "rows", "auc"}
    loss = keys["loss"]
    assert (loss["count"], loss["entities"], loss["types"]) == (2, {"step": 2}, {"float": 2})
    assert (loss["min"], loss["max"]) == pytest.approx((0.2, 0.6))
    assert loss["first_seen"] < loss["last_seen"]
    assert keys["optimizer"]["types"] == {"str": 2}
    assert (keys["optimizer"]["min"], keys["optimizer"]["max"]) == (None, None)
    assert keys["rows"]["entities"] == {"artifact_version": 2}
    assert (keys["rows"]["min"], keys["rows"]["max"]) == (3, 3)
    assert keys["auc"]["entities"] == {"model_version": 2}
    assert keys["acc_a"]["entities"] == {"run": 1}
    _assert_summary_right(world.store)


def test_mixed_types_and_more_entries_add_up(world: World) -> None:
    run = world.access.data["d"].run_id
    make_metadata(world.store, run_id=run, acc_d="high")  # text where the others logged a number
    make_metadata(world.store, run_id=run, acc_d=True)
    make_metadata(world.store, run_id=run, acc_d=7)
    acc = _by_key(_keys(world.admin))["acc_d"]
    assert acc["count"] == 4
    assert acc["types"] == {"float": 1, "str": 1, "bool": 1, "int": 1}
    assert (acc["min"], acc["max"]) == (0.5, 7)  # the bool's 1 is no number of the range
    _assert_summary_right(world.store)


def test_each_caller_sees_the_keys_of_what_they_may_read(world: World) -> None:
    with world.access.client("vic") as vic, world.access.client("dev") as dev, world.access.client("nobody") as nobody:
        assert set(_by_key(_keys(vic))) == {"acc_a"}
        assert set(_by_key(_keys(dev))) == {"acc_v"}
        assert _keys(nobody)["items"] == []
        assert _keys(nobody, q="status:completed")["items"] == []
        assert set(_by_key(_keys(vic, q="status:completed"))) == {"acc_a"}
        assert_one_line(vic.get(f"{API}/metadata/keys", params={"project": "ml/vision"}), 404)
        # A run shared with nobody on its own: its keys, and no more.
        world.store.access.share("run", world.access.data["v"].run_id, user="nobody")
        assert set(_by_key(_keys(nobody))) == {"acc_v"}
        assert set(_by_key(_keys(nobody, q="pipeline:pipe-v"))) == {"acc_v"}
    assert set(_by_key(_keys(world.admin, project="default/alpha"))) == {"acc_a"}
    assert _keys(world.admin, q=" ")["from_summary"] is True  # a blank filter is none


def test_deleting_runs_keeps_the_summary_right(world: World) -> None:
    first, second = world.runs
    assert world.admin.delete(f"{API}/runs/{second}").status_code == 204
    keys = _by_key(_keys(world.admin))
    assert (keys["loss"]["count"], keys["loss"]["max"]) == (1, pytest.approx(0.2))
    # The artifact version outlives its run, and so does its metadata's owner, but the entry went with the run.
    assert keys["rows"]["count"] == 1
    _assert_summary_right(world.store)
    r = world.admin.post(f"{API}/runs/delete", json={"ids": [str(first), str(world.access.data["a"].run_id)]})
    assert r.status_code == 200, r.text
    keys = _by_key(_keys(world.admin))
    assert not {"loss", "optimizer", "acc_a"} & set(keys)
    _assert_summary_right(world.store)


def test_cleanup_keeps_the_summary_right(world: World) -> None:
    pipe = world.store.pipelines.get_or_create("short_lived")
    for i in range(2):
        run = make_run(world.store, pipe, name=f"short-{i}", status=ExecutionStatus.COMPLETED)
        step, outputs = make_step_run(world.store, run, "make")
        make_metadata(world.store, run_id=run.id, gone_run=i)
        make_metadata(world.store, run_id=run.id, step_run_id=step.id, gone_step=i, loss=9.0)
        make_metadata(world.store, artifact_version_id=outputs["output"].id, gone_rows=i)  # no run of its own
    assert _by_key(_keys(world.admin))["loss"]["max"] == 9
    body = {"older_than": "0s", "pipeline": "short_lived"}
    preview = world.admin.post(f"{API}/cleanup/preview", json=body).json()
    assert (preview["runs"], preview["artifact_versions"]) == (2, 2), preview
    r = world.admin.post(f"{API}/cleanup", json={**body, "confirm": preview["token"]})
    assert r.status_code == 200, r.text
    keys = _by_key(_keys(world.admin))
    assert not {"gone_run", "gone_step", "gone_rows"} & set(keys)
    assert (keys["loss"]["count"], keys["loss"]["max"]) == (2, pytest.approx(0.6))
    _assert_summary_right(world.store)


def test_history_of_a_key_per_pipeline(world: World) -> None:
    r = world.admin.get(f"{API}/metadata/history", params={"key": "loss"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["truncated"] is False
    points = body["points"]
    assert [p["run_name"] for p in points] == ["explore-0", "explore-1"]  # oldest first
    assert [p["number"] for p in points] == pytest.approx([0.2, 0.6])
    assert {(p["pipeline_name"], p["entity"], p["entity_name"], p["type"]) for p in points} == {
        ("explore_pipe", "step", "explore_train", "float")
    }
    assert [p["run_id"] for p in points] == [str(i) for i in world.runs]
    auc = world.admin.get(f"{API}/metadata/history", params={"key": "auc", "q": "name:explore-1"}).json()
    assert [(p["entity"], p["entity_name"]) for p in auc["points"]] == [("model_version", "explore_model:2")]
    # A filter on metadata itself: its own look-up of entries stays apart from the entries listed.
    high = world.admin.get(f"{API}/metadata/history", params={"key": "loss", "q": "metadata.loss>0.3"}).json()
    assert [p["run_name"] for p in high["points"]] == ["explore-1"]
    keys = _by_key(_keys(world.admin, q="metadata.loss>0.3"))
    assert set(keys) == {"loss", "optimizer", "rows", "auc"}
    assert (keys["loss"]["count"], keys["loss"]["min"]) == (1, pytest.approx(0.6))
    other = world.admin.get(f"{API}/metadata/history", params={"key": "loss", "pipeline": "pipe-a"}).json()
    assert other["points"] == []
    with world.access.client("vic") as vic:
        assert vic.get(f"{API}/metadata/history", params={"key": "loss"}).json()["points"] == []
        assert len(vic.get(f"{API}/metadata/history", params={"key": "acc_a"}).json()["points"]) == 1
    everything = Readable(runs=None, artifacts=None, models=None)
    newest = MetadataExplorerRepository(world.store.sessions).history("loss", everything, limit=1)
    assert newest.truncated is True
    assert [p.run_name for p in newest.points] == ["explore-1"]
    assert DEFAULT_PROJECT_ID  # the runs above went to the default project
