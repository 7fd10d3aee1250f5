"""Tags in bulk, archived runs and bulk deletes through the API, per caller and per id.

The organization of ``_access_world``: ``vic`` views default/alpha, ``dev`` develops in workspace
``ml`` (project vision), ``nobody`` holds no role. Each id is answered ok, denied (readable, not
changeable) or unknown (missing or unreadable: the two look alike), and only ok ones change.
"""

from __future__ import annotations

import uuid

import pytest
from _access_world import World, build
from fastapi import FastAPI
from fastapi.testclient import TestClient
from server_support import serve

from waypost.enums import ExecutionStatus
from waypost.exceptions import NotFoundError, StoreError
from waypost.schemas import RunCreate
from waypost.store.rest.store import RestStore
from waypost.store.sql import tables as db
from waypost.store.sql.store import SqlStore

API = "/api/v1"


@pytest.fixture
def world(server_store: SqlStore, server_app: FastAPI) -> World:
    return build(server_store, server_app)


def _outcomes(r: object) -> dict[str, str]:
    assert r.status_code == 200, r.text  # type: ignore[attr-defined]
    return {item["id"]: item["outcome"] for item in r.json()["items"]}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("resource", "field"),
    [
        ("run", "run_id"),
        ("pipeline", "pipeline_id"),
        ("artifact_version", "version_id"),
        ("model_version", "model_version_id"),
    ],
)
def test_bulk_tags_answer_per_id(world: World, resource: str, field: str) -> None:
    ids = {tag: str(getattr(seeded, field)) for tag, seeded in world.data.items()}
    missing = str(uuid.uuid4())
    body = {"resource": resource, "ids": [*ids.values(), missing], "add": ["keep", "fresh"], "remove": ["gone"]}
    dev = world.client("dev")
    assert _outcomes(dev.post(f"{API}/tags/bulk", json=body)) == {
        ids["d"]: "unknown",  # dev sees nothing of workspace default
        ids["a"]: "unknown",
        ids["v"]: "ok",
        missing: "unknown",
    }
    vic = world.client("vic")
    answer = vic.post(f"{API}/tags/bulk", json=body)
    assert _outcomes(answer) == {ids["d"]: "unknown", ids["a"]: "denied", ids["v"]: "unknown", missing: "unknown"}
    denied = next(i for i in answer.json()["items"] if i["outcome"] == "denied")
    assert "default/alpha" in denied["detail"]
    assert answer.json()["ok"] == 0
    assert answer.json()["denied"] == 1

    got = world.store.tags.change(resource, [uuid.UUID(i) for i in ids.values()], add=[], remove=[])
    assert got[uuid.UUID(ids["v"])] == sorted({*got[uuid.UUID(ids["v"])], "fresh", "keep"})
    assert "fresh" not in got[uuid.UUID(ids["a"])], "a denied id is left as it was"
    assert "fresh" not in got[uuid.UUID(ids["d"])]

    # Once nobody develops in workspace default, its two projects' ids change and vision's stays unknown.
    world.store.access.grant("Developer", user="nobody", workspace="default")
    nobody = world.client("nobody")
    again = {"resource": resource, "ids": list(ids.values()), "remove": ["fresh"], "add": ["x"]}
    assert _outcomes(nobody.post(f"{API}/tags/bulk", json=again)) == {
        ids["d"]: "ok",
        ids["a"]: "ok",
        ids["v"]: "unknown",
    }


def test_bulk_tags_bad_input_is_one_line(world: World) -> None:
    admin = world.client("owner-d")
    run = str(world.data["d"].run_id)
    for body in (
        {"resource": "stack", "ids": [run], "add": ["x"]},
        {"resource": "run", "ids": [], "add": ["x"]},
        {"resource": "run", "ids": [str(uuid.uuid4())] * 501, "add": ["x"]},
        {"resource": "run", "ids": [run, str(uuid.uuid4())], "add": ["x"], "exclusive": ["x"]},
        {"resource": "run", "ids": [run], "add": ["  "]},
        {"resource": "run", "ids": ["not-an-id"], "add": ["x"]},
    ):
        r = admin.post(f"{API}/tags/bulk", json=body)
        assert r.status_code == 422, (body, r.text)


def test_archive_hides_runs_until_asked(world: World, client: TestClient) -> None:
    runs = {tag: str(seeded.run_id) for tag, seeded in world.data.items()}
    listed = {item["id"] for item in client.get(f"{API}/runs").json()["items"]}
    assert set(runs.values()) <= listed
    dev = world.client("dev")
    body = {"ids": [runs["v"], runs["a"]], "archived": True}
    assert _outcomes(dev.post(f"{API}/runs/archive", json=body)) == {runs["v"]: "ok", runs["a"]: "unknown"}
    assert client.get(f"{API}/runs/{runs['v']}").json()["archived"] is True

    def ids(q: str) -> set[str]:
        r = client.get(f"{API}/runs", params={"q": q})
        assert r.status_code == 200, r.text
        return {item["id"] for item in r.json()["items"]}

    assert runs["v"] not in ids("")
    assert runs["v"] not in ids("archived:false")
    assert ids("archived:true") == {runs["v"]}
    assert {runs["v"], runs["d"]} <= ids("archived:any")
    assert client.get(f"{API}/runs", params={"q": "archived:true"}).json()["total"] == 1
    assert client.get(f"{API}/runs", params={"q": "archived:maybe"}).status_code == 400
    # PATCH restores one (and takes a tag off in the same change).
    r = client.patch(f"{API}/runs/{runs['v']}", json={"archived": False, "remove_tags": ["tag-v"], "add_tags": ["b"]})
    assert r.status_code == 200, r.text
    assert r.json()["archived"] is False
    assert r.json()["tags"] == ["b"]
    assert runs["v"] in ids("")


def test_bulk_delete_needs_run_delete_and_spares_running_runs(world: World, client: TestClient) -> None:
    store = world.store
    seeded = world.data["v"]
    going = store.runs.create(
        RunCreate(
            name="still-going",
            pipeline_id=seeded.pipeline_id,
            snapshot_id=seeded.snapshot_id,
            status=ExecutionStatus.RUNNING,
        )
    )
    runs = {tag: str(s.run_id) for tag, s in world.data.items()}
    vic = world.client("vic")
    body = {"ids": [runs["a"], runs["v"]]}
    assert _outcomes(vic.post(f"{API}/runs/delete", json=body)) == {runs["a"]: "denied", runs["v"]: "unknown"}
    dev = world.client("dev")
    body = {"ids": [runs["v"], str(going.id), runs["d"]]}
    assert _outcomes(dev.post(f"{API}/runs/delete", json=body)) == {
        runs["v"]: "ok",
        str(going.id): "denied",
        runs["d"]: "unknown",
    }
    assert client.get(f"{API}/runs/{runs['v']}").status_code == 404
    assert client.get(f"{API}/runs/{going.id}").status_code == 200
    assert client.get(f"{API}/runs/{runs['a']}").status_code == 200
    forced = dev.post(f"{API}/runs/delete", json={"ids": [str(going.id)], "force": True})
    assert _outcomes(forced) == {str(going.id): "ok"}
    events = store.audit.list(action="runs.deleted").items
    assert [e.actor_name for e in events] == ["dev", "dev"]
    assert {n for e in events for n in (e.details or {}).get("names", [])} == {"run-v", "still-going"}


def test_rest_store_tags_raise_on_what_it_may_not_change(world: World) -> None:
    key = world.store.auth.create_api_key(world.store.users.get("vic").id, "t").key
    with serve(world.app) as url, RestStore(url, key) as rest:
        with pytest.raises(StoreError, match="run:update"):
            rest.tags.change("run", [world.data["a"].run_id], add=["x"], remove=[])
        with pytest.raises(NotFoundError):
            rest.tags.change("run", [world.data["v"].run_id], add=["x"], remove=[])
    key = world.store.auth.create_api_key(world.store.users.get("dev").id, "t").key
    with serve(world.app) as url, RestStore(url, key) as rest:
        got = rest.tags.change("run", [world.data["v"].run_id], add=["x"], remove=["tag-v"])
        assert got == {world.data["v"].run_id: ["x"]}


def test_pipelines_show_and_filter_by_their_tags(world: World, client: TestClient) -> None:
    pipe = str(world.data["d"].pipeline_id)
    body = {"resource": "pipeline", "ids": [pipe], "add": ["team-a"]}
    assert _outcomes(client.post(f"{API}/tags/bulk", json=body)) == {pipe: "ok"}
    assert client.get(f"{API}/pipelines/{pipe}").json()["tags"] == ["team-a"]
    found = client.get(f"{API}/pipelines", params={"q": "tag:team-a"}).json()
    assert [p["id"] for p in found["items"]] == [pipe]
    assert client.get(f"{API}/pipelines", params={"q": "-tag:team-a"}).json()["total"] == 2


def test_deleted_runs_leave_no_tags_behind(world: World, client: TestClient) -> None:
    one, other = str(world.data["d"].run_id), str(world.data["a"].run_id)
    assert client.get(f"{API}/runs/suggest", params={"key": "tag", "prefix": "tag-"}).json()["values"] == [
        "tag-a",
        "tag-d",
        "tag-v",
    ]
    assert client.delete(f"{API}/runs/{one}").status_code == 204
    assert _outcomes(client.post(f"{API}/runs/delete", json={"ids": [other]})) == {other: "ok"}
    assert client.get(f"{API}/runs/suggest", params={"key": "tag", "prefix": "tag-"}).json()["values"] == ["tag-v"]
    with world.store.sessions.read_conn() as c:
        left = c.execute(db.tag_links.select().where(db.tag_links.c.resource_type == "run")).all()
    assert {row.resource_id for row in left} == {world.data["v"].run_id}
