"""Saved views through the real app: create, list, open by link, change and delete; private ones invisible to
others, shared ones open to the project's readers but not to outsiders; one-line errors for duplicates, large
states and unknown views."""

from __future__ import annotations

from typing import Any

import pytest
from _access_world import World, build, person
from fastapi import FastAPI
from server_support import assert_one_line

from waypost.schemas.saved_views import MAX_VIEW_STATE_BYTES
from waypost.store.sql.store import SqlStore

API = "/api/v1"
STATE = {"filters": "status:completed", "columns": ["loss", "accuracy"], "axes": {"x": "created", "y": "loss"}}


@pytest.fixture
def world(server_store: SqlStore, server_app: FastAPI, admin_user_id: str) -> World:
    """The access world plus ``ann`` (Viewer of default/alpha, like vic) and ``boss`` (Admin of default/alpha)."""
    world = build(server_store, server_app)
    person(server_store, "ann")
    server_store.access.grant("Viewer", user="ann", project="default/alpha")
    person(server_store, "boss")
    server_store.access.grant("Admin", user="boss", project="default/alpha")
    return world


def _create(world: World, who: str, project: str = "default/alpha", **body: Any) -> dict[str, Any]:
    with world.client(who) as c:
        r = c.post(
            f"{API}/views", json={"kind": "metadata", "state": STATE, **body}, headers={"X-Waypost-Project": project}
        )
    assert r.status_code == 201, r.text
    view: dict[str, Any] = r.json()
    return view


def _names(world: World, who: str, **params: Any) -> list[str]:
    with world.client(who) as c:
        r = c.get(f"{API}/views", params=params)
    assert r.status_code == 200, r.text
    return [v["name"] for v in r.json()["items"]]


def test_a_view_round_trips_and_lists_newest_first(world: World) -> None:
    first = _create(world, "vic", name="loss over time")
    assert (first["project"], first["owner"], first["kind"], first["shared"]) == (
        "default/alpha",
        "vic",
        "metadata",
        False,
    )
    assert first["state"] == STATE
    assert first["editable"] is True
    _create(world, "vic", name="side by side", kind="compare")
    assert _names(world, "vic") == ["side by side", "loss over time"]
    assert _names(world, "vic", kind="metadata") == ["loss over time"]
    with world.client("vic") as c:
        opened = c.get(f"{API}/views/{first['id']}").json()
        assert opened["state"] == STATE
        changed = c.patch(f"{API}/views/{first['id']}", json={"name": "loss", "state": {"columns": ["loss"]}})
        assert changed.status_code == 200, changed.text
        assert (changed.json()["name"], changed.json()["state"]) == ("loss", {"columns": ["loss"]})
        assert changed.json()["updated_at"] > first["updated_at"]
        assert c.delete(f"{API}/views/{first['id']}").status_code == 204
        assert_one_line(c.get(f"{API}/views/{first['id']}"), 404)
    assert _names(world, "vic") == ["side by side"]


def test_private_views_are_their_owners_alone(world: World) -> None:
    view = _create(world, "vic", name="mine")
    for who in ("ann", "boss", "nobody", "dev"):
        assert _names(world, who) == []
        with world.client(who) as c:
            r = c.get(f"{API}/views/{view['id']}")
            assert_one_line(r, 404)
            assert_one_line(c.patch(f"{API}/views/{view['id']}", json={"name": "taken"}), 404)
            assert_one_line(c.delete(f"{API}/views/{view['id']}"), 404)
    # Word for word what an id that never existed gets, so a link reveals nothing.
    with world.client("ann") as c:
        hidden = c.get(f"{API}/views/{view['id']}").json()["detail"]
    assert hidden == f"No saved view '{view['id']}' exists; `GET /api/v1/views` lists the ones you can open."


def test_shared_views_open_for_project_readers_only(world: World) -> None:
    view = _create(world, "vic", name="team view", shared=True)
    assert _names(world, "ann") == ["team view"]
    assert _names(world, "ann", project="default/alpha") == ["team view"]
    for outsider in ("nobody", "dev"):
        assert _names(world, outsider) == []
        with world.client(outsider) as c:
            assert_one_line(c.get(f"{API}/views/{view['id']}"), 404)
    with world.client("ann") as c:
        opened = c.get(f"{API}/views/{view['id']}").json()
        assert (opened["owner"], opened["editable"]) == ("vic", False)
        r = c.patch(f"{API}/views/{view['id']}", json={"state": {}})
        assert_one_line(r, 403)
        assert "vic" in r.json()["detail"]
        assert_one_line(c.delete(f"{API}/views/{view['id']}"), 403)
    with world.client("boss") as c:  # a project admin may tidy shared views
        assert c.get(f"{API}/views/{view['id']}").json()["editable"] is True
        assert c.patch(f"{API}/views/{view['id']}", json={"name": "renamed"}).status_code == 200
    with world.client("vic") as c:  # unshared: gone for the others
        assert c.patch(f"{API}/views/{view['id']}", json={"shared": False}).json()["shared"] is False
    assert _names(world, "ann") == []
    with world.client("boss") as c:
        assert_one_line(c.delete(f"{API}/views/{view['id']}"), 404)


def test_bad_input_gets_one_line(world: World) -> None:
    _create(world, "vic", name="dup")
    _create(world, "vic", name="dup", kind="runs")  # another page's views have their own names
    _create(world, "ann", name="dup")  # and other people's
    with world.client("vic") as c:
        alpha = {"X-Waypost-Project": "default/alpha"}
        r = c.post(f"{API}/views", json={"name": "dup", "kind": "metadata"}, headers=alpha)
        assert_one_line(r, 409)
        assert "'dup'" in r.json()["detail"]
        other = c.post(f"{API}/views", json={"name": "other", "kind": "metadata"}, headers=alpha).json()
        assert_one_line(c.patch(f"{API}/views/{other['id']}", json={"name": "dup"}), 409)
        big = {"columns": ["x" * 1000] * (MAX_VIEW_STATE_BYTES // 1000 + 1)}
        r = c.post(f"{API}/views", json={"name": "big", "kind": "metadata", "state": big}, headers=alpha)
        assert_one_line(r, 413)
        assert "64 KB" in r.json()["detail"]
        assert_one_line(c.patch(f"{API}/views/{other['id']}", json={"state": big}), 413)
        assert_one_line(c.post(f"{API}/views", json={"name": "x", "kind": "dashboard"}, headers=alpha), 422)
        assert_one_line(c.post(f"{API}/views", json={"name": "", "kind": "runs"}, headers=alpha), 422)
        assert_one_line(c.get(f"{API}/views/00000000-0000-0000-0000-000000000000"), 404)
        assert_one_line(c.get(f"{API}/views/not-an-id"), 422)
        # A project the caller cannot read is not revealed.
        assert_one_line(
            c.post(f"{API}/views", json={"name": "v", "kind": "runs"}, headers={"X-Waypost-Project": "ml/vision"}), 404
        )
