"""Cleanup through the API on SQLite, PostgreSQL and MariaDB: real runs, real files checked on disk.

The world: pipeline ``etl`` (load → train) ran four times long ago and once today.

- ``old``: nothing keeps it; its ``raw`` goes, its ``weights`` carry the keep tag ``prod`` and stay.
- ``tagged``: the run carries ``prod``: it and everything it made stay.
- ``cached_from``: today's run ``fresh`` hit the cache on both its steps, so it links this run's
  versions: the run goes, its versions and their files stay (a kept run references them).
- ``modelled``: its ``weights`` are linked to a model version: the run goes, that version stays.

A preview changes nothing; the cleanup deletes exactly the previewed set, rows first, then files.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import pytest
from _access_world import build, person
from _api_helpers import share_stores
from fastapi.testclient import TestClient
from server_support import ADMIN_PASSWORD, BASE_URL, assert_one_line, store_databases
from sqlalchemy import update

from waypost import pipeline, step
from waypost.artifacts.store import ArtifactStore
from waypost.enums import ExecutionStatus
from waypost.execution import runtime
from waypost.schemas import RunCreate, RunRead
from waypost.server.app import create_app
from waypost.settings import load_settings
from waypost.store.sql import tables as db
from waypost.store.sql.store import SqlStore
from waypost.store.sql.tables import utcnow

API = "/api/v1"
FILTER = {"older_than": "30d", "keep_tags": ["prod"]}


@step
def load(seed: int = 0) -> Annotated[list[int], "raw"]:
    print(f"loading with seed {seed}")
    return [seed, seed + 1, seed + 2] * 1000


@step
def train(raw: list[int]) -> Annotated[dict[str, float], "weights"]:
    return {"w": float(sum(raw))}


@pipeline
def etl(seed: int = 0) -> None:
    train(load(seed=seed))


@dataclass
class World:
    client: TestClient
    store: SqlStore
    files: ArtifactStore
    runs: dict[str, RunRead]
    versions: dict[str, dict[str, Any]]  # "<run>/<output>" -> the version as the API reads it

    def uri(self, key: str) -> str:
        return str(self.versions[key]["uri"])


def _versions(client: TestClient, run: RunRead) -> dict[str, dict[str, Any]]:
    out = {}
    for s in client.get(f"{API}/runs/{run.id}/steps").json()["items"]:
        for name, vid in s["outputs"].items():
            out[name] = client.get(f"{API}/artifact-versions/{vid}").json()
    return out


def _age(store: SqlStore, run_ids: list[uuid.UUID], days: int) -> None:
    """Make runs ``days`` old (what time would do)."""
    runs = db.pipeline_runs
    with store.sessions.write() as c:
        c.execute(update(runs).where(runs.c.id.in_(run_ids)).values(created_at=utcnow() - timedelta(days=days)))


def _build(store: SqlStore, root: Path, url: str, monkeypatch: pytest.MonkeyPatch) -> World:
    settings = load_settings(store={"url": url}, artifact_store={"uri": str(root / "artifacts")})
    admin = store.users.create("admin", password=ADMIN_PASSWORD, is_admin=True)
    key = store.auth.create_api_key(admin.id, "tests").key
    monkeypatch.setenv("WAYPOST_DATA_DIR", str(root / "home"))
    monkeypatch.setenv("WAYPOST_EXECUTION__SHOW_PROGRESS", "false")
    share_stores(monkeypatch, settings)
    runs: dict[str, RunRead] = {}
    runs["old"] = etl.with_options(enable_cache=False)(seed=1)
    runs["tagged"] = etl.with_options(enable_cache=False, tags=["prod"])(seed=2)
    runs["modelled"] = etl.with_options(enable_cache=False)(seed=4)
    runs["cached_from"] = etl.with_options(enable_cache=False)(seed=3)
    runs["fresh"] = etl.with_options(enable_cache=True)(seed=3)
    runtime.reset()
    files = ArtifactStore(settings.artifact_store_uri)
    client = TestClient(
        create_app(settings, store, files), base_url=BASE_URL, headers={"Authorization": f"Bearer {key}"}
    )
    versions = {f"{name}/{out}": v for name, run in runs.items() for out, v in _versions(client, run).items()}
    assert versions["fresh/raw"]["id"] == versions["cached_from/raw"]["id"], "the fresh run hit the cache"
    mv = store.models.get_or_create_version("keeper", None)
    store.models.link(mv.id, artifact_version_ids=[uuid.UUID(versions["modelled/weights"]["id"])])
    r = client.post(
        f"{API}/tags/bulk",
        json={"resource": "artifact_version", "ids": [versions["old/weights"]["id"]], "add": ["prod"]},
    )
    assert r.status_code == 200, r.text
    _age(store, [runs[n].id for n in ("old", "tagged", "modelled", "cached_from")], days=40)
    return World(client, store, files, runs, versions)


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
    store = SqlStore(url)
    try:
        w = _build(store, tmp_path, url, monkeypatch)
        with w.client:
            yield w
    finally:
        store.close()
        if backend != "sqlite":
            (dbs.drop_postgres_database if backend == "postgres" else dbs.drop_mysql_database)(url)


def _counts(store: SqlStore) -> tuple[int, int, int]:
    with store.sessions.read_conn() as c:
        return (
            len(c.execute(db.pipeline_runs.select()).all()),
            len(c.execute(db.artifact_versions.select()).all()),
            len(c.execute(db.step_runs.select()).all()),
        )


def test_cleanup_deletes_exactly_the_unreferenced(world: World) -> None:
    client, runs = world.client, world.runs
    before = _counts(world.store)
    on_disk = {key: os.path.isdir(world.uri(key)) for key in world.versions}
    assert all(on_disk.values())

    r = client.post(f"{API}/cleanup/preview", json=FILTER)
    assert r.status_code == 200, r.text
    preview = r.json()
    assert _counts(world.store) == before, "a preview changes nothing"
    assert {x["name"] for x in preview["runs_listed"]} == {runs[n].name for n in ("old", "modelled", "cached_from")}
    assert preview["runs"] == 3
    assert preview["matches_everything"] is False
    assert preview["warning"] is None
    # old/raw and modelled/raw go; old/weights (tagged), modelled/weights (model), cached_from/* (fresh uses them) stay.
    assert preview["artifact_versions"] == 2
    assert preview["kept"]["runs_tagged"] == 1
    assert preview["kept"]["versions_used_by_kept_runs"] == 2
    assert preview["kept"]["versions_linked_to_models"] == 1
    assert preview["kept"]["versions_tagged"] == 1
    gone_versions = ("old/raw", "modelled/raw")
    assert preview["bytes"] == sum(int(world.versions[k]["size"]) for k in gone_versions)
    logs = [
        s["log_uri"]
        for n in ("old", "modelled")
        for s in client.get(f"{API}/runs/{runs[n].id}/steps").json()["items"]
        if s["log_uri"]
    ]
    written = [u for u in logs if os.path.exists(u)]  # a step that printed nothing wrote no log
    assert written
    assert preview["files"] == len(gone_versions) + len(logs)  # cached_from's logs stay: fresh's cached steps show them

    r = client.post(f"{API}/cleanup", json={**FILTER, "confirm": preview["token"]})
    assert r.status_code == 200, r.text
    freed = r.json()
    assert freed["runs"] == 3
    assert freed["artifact_versions"] == 2
    assert freed["files"] == len(gone_versions) + len(written)
    assert freed["files_failed"] == []
    assert freed["bytes"] >= preview["bytes"] > 0

    for key in world.versions:
        gone = key in gone_versions
        assert os.path.isdir(world.uri(key)) is not gone, key
        status = client.get(f"{API}/artifact-versions/{world.versions[key]['id']}").status_code
        assert status == (404 if gone else 200), key
    assert not any(os.path.exists(u) for u in logs)
    for name, run in runs.items():
        expected = 404 if name in ("old", "modelled", "cached_from") else 200
        assert client.get(f"{API}/runs/{run.id}").status_code == expected, name
    # The kept run still reads its (cached) outputs; lineage of what stayed is whole.
    fresh = {s["name"]: s for s in client.get(f"{API}/runs/{runs['fresh'].id}/steps").json()["items"]}
    assert fresh["load"]["outputs"]["raw"] == world.versions["cached_from/raw"]["id"]
    assert client.get(f"{API}/artifact-versions/{world.versions['cached_from/raw']['id']}/download").status_code == 200
    # The same token again: the set it named is gone, so it no longer matches.
    assert_one_line(client.post(f"{API}/cleanup", json={**FILTER, "confirm": preview["token"]}), 409)
    (event,) = world.store.audit.list(action="cleanup.done").items
    assert event.actor_name == "admin"
    assert event.details is not None
    assert event.details["runs"] == 3
    assert sorted(event.details["run_ids"]) == sorted(str(runs[n].id) for n in ("old", "modelled", "cached_from"))


def test_a_changed_set_or_a_wrong_token_is_refused(world: World) -> None:
    client = world.client
    preview = client.post(f"{API}/cleanup/preview", json=FILTER).json()
    before = _counts(world.store)
    flipped = preview["token"][:-1] + ("0" if preview["token"][-1] != "0" else "1")
    for bad in ("nonsense", flipped, "9" * 40 + ".abc", "²³.abc", "0.abc"):
        assert_one_line(client.post(f"{API}/cleanup", json={**FILTER, "confirm": bad}), 409)
    # Another filter with this preview's token: refused.
    other = {**FILTER, "keep_tags": []}
    assert_one_line(client.post(f"{API}/cleanup", json={**other, "confirm": preview["token"]}), 409)
    # The set changes: the old run gets the keep tag after the preview.
    r = client.patch(f"{API}/runs/{world.runs['old'].id}", json={"add_tags": ["prod"]})
    assert r.status_code == 200, r.text
    assert_one_line(client.post(f"{API}/cleanup", json={**FILTER, "confirm": preview["token"]}), 409)
    assert _counts(world.store) == before, "a refused cleanup deletes nothing"
    assert all(os.path.isdir(world.uri(k)) for k in world.versions)


@pytest.mark.parametrize("world", ["sqlite"], indirect=True)
def test_a_filter_matching_everything_warns(world: World) -> None:
    r = world.client.post(f"{API}/cleanup/preview", json={"older_than": "0s"})
    assert r.status_code == 200, r.text
    preview = r.json()
    assert preview["matches_everything"] is True
    assert "every run" in preview["warning"]
    assert preview["runs"] == 5


@pytest.mark.parametrize("world", ["sqlite"], indirect=True)
def test_bad_input_gets_one_line(world: World) -> None:
    client = world.client
    for body in ({"older_than": "thirty days"}, {"older_than": "30d", "pipeline": "nope"}, {"older_than": "30x"}):
        r = client.post(f"{API}/cleanup/preview", json=body)
        assert r.status_code in (404, 422), r.text
        assert "\n" not in str(r.json()["detail"])
    assert client.post(f"{API}/cleanup", json=FILTER).status_code == 422  # no confirm: nothing happens


@pytest.mark.parametrize("world", ["sqlite"], indirect=True)
def test_a_viewer_may_not_clean_up(world: World) -> None:
    admin = world.client
    vi = person(world.store, "vi")  # an organization Member with no role in any workspace
    assert admin.post(f"{API}/grants", json={"role": "Viewer", "user": "vi"}).status_code == 201
    key = world.store.auth.create_api_key(vi, "t").key
    viewer = TestClient(admin.app, base_url=BASE_URL, headers={"Authorization": f"Bearer {key}"})
    assert viewer.get(f"{API}/runs").json()["total"] == 5, "the viewer sees the runs"
    assert_one_line(viewer.post(f"{API}/cleanup/preview", json=FILTER), 403)
    token = admin.post(f"{API}/cleanup/preview", json=FILTER).json()["token"]
    assert_one_line(viewer.post(f"{API}/cleanup", json={**FILTER, "confirm": token}), 403)
    assert admin.get(f"{API}/runs/{world.runs['old'].id}").status_code == 200


@pytest.mark.parametrize("world", ["sqlite"], indirect=True)
def test_a_pipeline_narrows_the_cleanup(world: World) -> None:
    r = world.client.post(f"{API}/cleanup/preview", json={**FILTER, "pipeline": "etl"})
    assert r.status_code == 200, r.text
    assert r.json()["runs"] == 3


def test_only_the_callers_projects_are_considered(server_store: SqlStore, server_app: Any) -> None:
    world = build(server_store, server_app)
    extra = {}
    for tag, seeded in world.data.items():
        extra[tag] = server_store.runs.create(
            RunCreate(
                name=f"extra-{tag}",
                pipeline_id=seeded.pipeline_id,
                snapshot_id=seeded.snapshot_id,
                status=ExecutionStatus.COMPLETED,
            )
        )
    everything = [s.run_id for s in world.data.values()] + [r.id for r in extra.values()]
    _age(server_store, everything, days=40)
    person(server_store, "alpha-dev")
    server_store.access.grant("Developer", user="alpha-dev", project="default/alpha")

    dev = world.client("dev").post(f"{API}/cleanup/preview", json=FILTER).json()
    assert sorted(r["name"] for r in dev["runs_listed"]) == ["extra-v", "run-v"]
    alpha = world.client("alpha-dev")
    preview = alpha.post(f"{API}/cleanup/preview", json=FILTER).json()
    assert sorted(r["name"] for r in preview["runs_listed"]) == ["extra-a", "run-a"]
    assert preview["matches_everything"] is True  # every run alpha-dev may delete
    r = alpha.post(f"{API}/cleanup", json={**FILTER, "confirm": preview["token"]})
    assert r.status_code == 200, r.text
    assert r.json()["runs"] == 2
    left = {run.name for run in server_store.runs.get_many(everything)}
    assert left == {"run-d", "run-v", "extra-d", "extra-v"}
    assert_one_line(world.client("vic").post(f"{API}/cleanup/preview", json=FILTER), 403)
    assert_one_line(world.client("nobody").post(f"{API}/cleanup/preview", json=FILTER), 403)
