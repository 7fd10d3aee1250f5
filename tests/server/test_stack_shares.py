"""A stack shared with one person: they read it (and its workspace's name), nothing more, until it is taken back."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from server_support import BASE_URL, assert_one_line

from waypost.store.sql.store import SqlStore

API = "/api/v1"
PASSWORD = "a long enough password"


def _as(app: FastAPI, store: SqlStore, name: str) -> TestClient:
    user = store.users.create(name, password=PASSWORD, is_admin=False)
    key = store.auth.create_api_key(user.id, "tests").key
    return TestClient(app, base_url=BASE_URL, headers={"Authorization": f"Bearer {key}"})


def test_a_shared_stack_is_readable_alone_with_a_workspace_role(
    client: TestClient, server_app: FastAPI, server_store: SqlStore
) -> None:
    assert client.post(f"{API}/workspaces", json={"name": "ml"}).status_code == 201
    stack = client.get(f"{API}/stacks/default", params={"workspace": "ml"}).json()
    with _as(server_app, server_store, "bea") as bea:
        assert_one_line(bea.get(f"{API}/stacks/default", params={"workspace": "ml"}), 404)  # ml is closed to her

        # Stacks take workspace roles: a project role is refused in one line.
        runner = {"name": "Runner", "level": "project", "permissions": ["run:read"]}
        assert client.post(f"{API}/roles", json=runner).status_code == 201
        refused = client.post(f"{API}/shares/stack/{stack['id']}", json={"role": "Runner", "user": "bea"})
        assert_one_line(refused, 422)
        assert "workspace role" in refused.json()["detail"]
        made = client.post(f"{API}/shares/stack/{stack['id']}", json={"role": "Viewer", "user": "bea"})
        assert made.status_code == 201, made.text

        got = bea.get(f"{API}/stacks/default", params={"workspace": "ml"})
        assert got.status_code == 200, got.text
        assert got.json()["id"] == stack["id"]
        listed = bea.get(f"{API}/stacks", params={"workspace": "ml"}).json()
        assert [s["name"] for s in listed["items"]] == ["default"]
        # Reading one stack is not changing it, nor sharing it on.
        change = bea.patch(f"{API}/stacks/default", params={"workspace": "ml"}, json={"description": "mine"})
        assert_one_line(change, 403)
        reshare = bea.post(f"{API}/shares/stack/{stack['id']}", json={"role": "Viewer", "user": "admin"})
        assert_one_line(reshare, 403)
        assert "'stack:share' permission in workspace 'ml'" in reshare.json()["detail"]

        holders = client.get(f"{API}/access/resources/stack/{stack['id']}").json()
        assert [s["principal"] for s in holders["shares"]] == ["bea"]

        assert client.delete(f"{API}/shares/{made.json()['id']}").status_code == 204
        assert_one_line(bea.get(f"{API}/stacks/default", params={"workspace": "ml"}), 404)
    assert [e.action for e in server_store.audit.list(action="share.", size=10).items] == [
        "share.revoked",
        "share.created",
    ]
