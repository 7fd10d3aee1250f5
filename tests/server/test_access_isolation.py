"""Isolation between workspaces and projects on every list and get route (issue 10).

Three projects in two workspaces (see ``_access_world``): an organization Admin sees all of
them, ``vic`` (Viewer of default/alpha) only alpha, ``dev`` (Developer of workspace ml) only
ml/vision, ``nobody`` nothing. Lists and their totals hold only what each may see; a hidden
resource answers the 404 of a missing one, word for word; a Viewer's change is a 403 naming
the permission and the project; a shared run opens to its one user, steps and logs included.
The list isolation runs on SQLite here and on PostgreSQL and MariaDB when they are reachable.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator

import pytest
from _access_world import World, build
from fastapi import FastAPI
from fastapi.testclient import TestClient
from server_support import assert_one_line, store_databases

from waypost.artifacts.store import ArtifactStore
from waypost.schemas.access import Visibility
from waypost.server.app import create_app
from waypost.server.services.events import Event, Readable
from waypost.settings import WaypostSettings
from waypost.store.sql.store import SqlStore

API = "/api/v1"
#: Who sees which projects' data (by tag).
SEES = {"admin": {"d", "a", "v"}, "vic": {"a"}, "dev": {"v"}, "nobody": set()}


@pytest.fixture
def world(server_store: SqlStore, server_app: FastAPI, admin_user_id: str) -> World:
    return build(server_store, server_app)


def _names(r: object, key: str = "name") -> tuple[set[str], int]:
    assert r.status_code == 200, r.text  # type: ignore[attr-defined]
    body = r.json()  # type: ignore[attr-defined]
    return {item[key] for item in body["items"]}, body["total"]


def _suggested(c: TestClient, path: str, key: str, prefix: str = "") -> set[str]:
    r = c.get(f"{API}/{path}/suggest", params={"key": key, "prefix": prefix, "limit": 50})
    assert r.status_code == 200, r.text
    return set(r.json()["values"])


def check_lists(world: World, who: str) -> None:
    """Every list route, and its total, holds exactly what ``who`` may see."""
    tags = SEES[who]
    with world.client(who) as c:
        for path, expected in (
            ("runs", {f"run-{t}" for t in tags}),
            ("pipelines", {f"pipe-{t}" for t in tags}),
            ("artifacts", {f"pipe-{t}::train::output" for t in tags}),
            ("models", {f"model-{t}" for t in tags}),
        ):
            names, total = _names(c.get(f"{API}/{path}"))
            assert (names, total) == (expected, len(expected)), (who, path)
        versions, total = _names(c.get(f"{API}/artifact-versions"))
        assert (versions, total) == ({f"pipe-{t}::train::output" for t in tags}, len(tags))
        # Runs with columns, sorted by metadata, their column catalogue and the CSV export.
        runs, total = _names(c.get(f"{API}/runs", params={"sort": "-metadata.acc_v", "columns": "metadata.acc_d"}))
        assert (runs, total) == ({f"run-{t}" for t in tags}, len(tags))
        keys = c.get(f"{API}/runs/columns").json()["metadata"]
        assert set(keys) == {f"metadata.acc_{t}" for t in tags}
        export = c.get(f"{API}/runs/export", params={"columns": "name"})
        rows = list(csv.reader(io.StringIO(export.text)))[1:]
        assert {row[1] for row in rows} == {f"run-{t}" for t in tags}
        assert export.headers["X-Total-Count"] == str(len(tags))
        # Suggestions come from visible rows only.
        assert _suggested(c, "runs", "user") == {f"owner-{t}" for t in tags}
        assert _suggested(c, "runs", "pipeline") == {f"pipe-{t}" for t in tags}
        assert _suggested(c, "runs", "tag") == {f"tag-{t}" for t in tags}
        assert _suggested(c, "runs", "metadata", "acc") == {f"acc_{t}" for t in tags}
        assert _suggested(c, "artifacts", "pipeline") == {f"pipe-{t}" for t in tags}
        assert _suggested(c, "artifacts", "tag") == {f"vtag-{t}" for t in tags}
        assert _suggested(c, "artifacts", "type") == ({"builtins.int"} if tags else set())


@pytest.mark.parametrize("who", sorted(SEES))
def test_every_list_shows_only_what_the_caller_may_see(world: World, who: str) -> None:
    check_lists(world, who)


def test_a_named_project_narrows_lists_and_a_hidden_one_is_not_found(world: World) -> None:
    with world.client("admin") as admin, world.client("vic") as vic:
        assert _names(admin.get(f"{API}/runs", params={"project": "ml/vision"})) == ({"run-v"}, 1)
        assert _names(admin.get(f"{API}/runs", headers={"X-Waypost-Project": "default/alpha"})) == ({"run-a"}, 1)
        assert _names(vic.get(f"{API}/models", params={"project": "default/alpha"})) == ({"model-a"}, 1)
        unknown = admin.get(f"{API}/runs", params={"project": "ml/nope"})
        assert_one_line(unknown, 404)
        hidden = vic.get(f"{API}/runs", params={"project": "ml/vision"})
        assert_one_line(hidden, 404)
        assert hidden.json()["detail"].replace("ml/vision", "X") == unknown.json()["detail"].replace("ml/nope", "X")


def _get_routes(world: World, tag: str) -> list[str]:
    """Every get route on project ``tag``'s data, by id."""
    d = world.data[tag]
    run, step, version = d.run_id, "train", d.version_id
    return [
        f"/runs/{run}",
        f"/runs/{run}/summary",
        f"/runs/{run}/graph",
        f"/runs/{run}/steps",
        f"/runs/{run}/steps/{step}",
        f"/runs/{run}/steps/{step}/logs",
        f"/runs/{run}/steps/{step}/logs/tail",
        f"/runs/{run}/steps/{step}/logs/first-error",
        f"/runs/{run}/steps/{step}/logs/search?q=x",
        f"/metadata?run_id={run}",
        f"/metadata?step_run_id={d.step_id}",
        f"/metadata?artifact_version_id={version}",
        f"/metadata?model_version_id={d.model_version_id}",
        f"/pipelines/{d.pipeline_id}",
        f"/pipelines/{d.pipeline_id}/snapshots",
        f"/pipelines/{d.pipeline_id}/snapshots/{d.snapshot_id}",
        f"/snapshots/{d.snapshot_id}",
        f"/step-runs/{d.step_id}",
        f"/artifacts/{d.artifact_id}",
        f"/artifacts/{d.artifact_id}/versions",
        f"/artifact-versions/{version}",
        f"/artifact-versions/{version}/consumers",
        f"/artifact-versions/{version}/lineage",
        f"/models/{d.model_id}/versions",
        f"/models/{d.model_id}/versions/latest",
    ]


def _missing(path: str, world: World, tag: str) -> str:
    """``path`` with every id of project ``tag`` swapped for a new random one."""
    d = world.data[tag]
    for value in vars(d).values():
        path = path.replace(str(value), str(uuid.uuid5(uuid.NAMESPACE_URL, str(value))))
    return path


def _masked(text: str) -> str:
    for word in text.split("'")[1::2]:  # the quoted refs
        text = text.replace(word, "X")
    return text


@pytest.mark.parametrize(("who", "hidden"), [("vic", "v"), ("vic", "d"), ("dev", "a"), ("nobody", "v")])
def test_a_hidden_resource_answers_as_a_missing_one(world: World, who: str, hidden: str) -> None:
    with world.client(who) as c:
        for path in _get_routes(world, hidden):
            r = c.get(API + path)
            assert r.status_code == 404, (who, path, r.status_code, r.text[:200])
            missing = c.get(API + _missing(path, world, hidden))
            assert missing.status_code == 404, (path, missing.text)
            assert _masked(r.json()["detail"]) == _masked(missing.json()["detail"]), path
            assert r.headers.get("X-Waypost-Error") == missing.headers.get("X-Waypost-Error")
        for path in _get_routes(world, next(iter(SEES[who])) if SEES[who] else "d"):
            if SEES[who]:
                r = c.get(API + path)
                assert r.status_code == 200, (who, path, r.text[:200])


def test_hidden_names_are_not_found_either(world: World) -> None:
    with world.client("vic") as vic:
        assert vic.get(f"{API}/runs/run-a").status_code == 200
        for path in (
            "/runs/run-v",
            "/pipelines/pipe-v",
            "/artifacts/pipe-v::train::output",
            "/models/model-v/versions",
        ):
            assert_one_line(vic.get(API + path), 404)
        assert_one_line(vic.get(f"{API}/artifact-versions/pipe-v::train::output:1"), 404)


def test_a_viewer_may_not_change_and_a_developer_may(world: World) -> None:
    alpha, vision = world.data["a"], world.data["v"]
    with world.client("vic") as vic, world.client("dev") as dev:
        r = vic.delete(f"{API}/runs/{alpha.run_id}")
        assert_one_line(r, 403)
        assert "'run:delete'" in r.json()["detail"]
        assert "'default/alpha'" in r.json()["detail"]
        r = vic.patch(f"{API}/runs/{alpha.run_id}", json={"add_tags": ["mine"]})
        assert_one_line(r, 403)
        assert "'run:update'" in r.json()["detail"]
        assert_one_line(vic.delete(f"{API}/runs/{vision.run_id}"), 404)  # hidden: not revealed by a 403
        assert dev.patch(f"{API}/runs/{vision.run_id}", json={"add_tags": ["checked"]}).status_code == 200
        assert dev.delete(f"{API}/runs/{vision.run_id}").status_code == 204
    assert world.store.runs.get(alpha.run_id).tags == ["tag-a"]


def test_a_shared_run_opens_to_its_user_with_its_steps_and_logs(world: World) -> None:
    default = world.data["d"]
    run = default.run_id
    with world.client("nobody") as nobody:
        assert_one_line(nobody.get(f"{API}/runs/{run}"), 404)
        world.store.access.share("run", run, role="Viewer", user="nobody")
        assert _names(nobody.get(f"{API}/runs")) == ({"run-d"}, 1)
        for path in (
            f"/runs/{run}",
            f"/runs/{run}/steps",
            f"/runs/{run}/steps/train",
            f"/runs/{run}/steps/train/logs",
            f"/runs/{run}/graph",
            f"/metadata?run_id={run}",
            f"/step-runs/{default.step_id}",
        ):
            assert nobody.get(API + path).status_code == 200, path
        # Only the run: its pipeline, artifacts and the other runs stay hidden.
        assert _names(nobody.get(f"{API}/pipelines")) == (set(), 0)
        assert_one_line(nobody.get(f"{API}/artifact-versions/{default.version_id}"), 404)
        assert_one_line(nobody.get(f"{API}/runs/{world.data['a'].run_id}"), 404)
        assert_one_line(nobody.delete(f"{API}/runs/{run}"), 403)


def test_the_event_stream_filter_passes_only_readable_runs() -> None:
    ws, p1, p2, shared = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    def event(project: uuid.UUID, workspace: uuid.UUID | None = None, run: uuid.UUID | None = None) -> Event:
        return Event("x", run or uuid.uuid4(), project, workspace or uuid.uuid4())

    allows = Readable(Visibility(project_ids=frozenset({p1}), shared_ids=frozenset({shared})))
    assert allows(event(p1))
    assert not allows(event(p2))
    assert allows(event(p2, run=shared))
    in_workspace = Readable(Visibility(workspace_ids=frozenset({ws})))
    assert in_workspace(event(p2, ws))
    assert not in_workspace(event(p2))
    narrowed = Readable(Visibility(everything=True), p1)
    assert narrowed(event(p1))
    assert not narrowed(event(p2))


@pytest.fixture(
    params=[pytest.param("postgres", marks=pytest.mark.postgres), pytest.param("mysql", marks=pytest.mark.mysql)]
)
def server_database_world(
    request: pytest.FixtureRequest, server_settings: WaypostSettings, server_artifact_store: ArtifactStore
) -> Iterator[World]:
    db = store_databases()
    create, drop = {
        "postgres": (db.create_postgres_database, db.drop_postgres_database),
        "mysql": (db.create_mysql_database, db.drop_mysql_database),
    }[request.param]
    url = create()
    store = SqlStore(url)
    try:
        store.users.create("admin", password="an admin password!", is_admin=True)
        yield build(store, create_app(server_settings, store, server_artifact_store))
    finally:
        store.close()
        drop(url)


def test_list_isolation_on_server_databases(server_database_world: World) -> None:
    for who in SEES:
        check_lists(server_database_world, who)
