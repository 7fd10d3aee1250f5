"""User management (admin only): list, create, read, change, deactivate."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from server_support import BASE_URL, assert_one_line

from waypost.store.sql.store import SqlStore

USERS = "/api/v1/users"
PASSWORD = "a long enough password"


def test_create_list_get_update(client: TestClient) -> None:
    r = client.post(USERS, json={"name": "carol", "password": PASSWORD, "full_name": "Carol C", "email": "c@x.org"})
    assert r.status_code == 201, r.text
    carol = r.json()
    assert carol["full_name"] == "Carol C"
    assert not carol["is_admin"]
    assert carol["is_active"]
    assert "password" not in r.text
    assert "hash" not in r.text
    names = [u["name"] for u in client.get(USERS).json()["items"]]
    assert names == ["admin", "carol"]
    assert client.get(f"{USERS}/carol").json()["id"] == carol["id"]
    assert client.get(f"{USERS}/{carol['id']}").json()["name"] == "carol"
    r = client.patch(f"{USERS}/carol", json={"email": "carol@x.org", "is_admin": True})
    assert r.status_code == 200, r.text
    assert r.json()["email"] == "carol@x.org"
    assert r.json()["is_admin"]
    assert r.json()["full_name"] == "Carol C"


def test_no_short_empty_or_duplicate_passwords_and_names(client: TestClient) -> None:
    for password in ("", "eleven char", None):
        assert_one_line(client.post(USERS, json={"name": "dave", "password": password}), 422)
    assert_one_line(client.post(USERS, json={"name": "dave"}), 422)
    assert client.post(USERS, json={"name": "dave", "password": PASSWORD}).status_code == 201
    assert_one_line(client.post(USERS, json={"name": "dave", "password": PASSWORD}), 409)
    assert_one_line(client.post(USERS, json={"name": "../etc", "password": PASSWORD}), 422)


def test_deactivation_ends_sessions_and_keys_at_once(
    client: TestClient, server_app: FastAPI, server_store: SqlStore
) -> None:
    client.post(USERS, json={"name": "erin", "password": PASSWORD})
    erin = server_store.users.get("erin")
    key = server_store.auth.create_api_key(erin.id, "erin's key").key
    browser = TestClient(server_app, base_url=BASE_URL)
    assert browser.post("/api/v1/auth/login", json={"username": "erin", "password": PASSWORD}).status_code == 200
    bearer = TestClient(server_app, base_url=BASE_URL, headers={"Authorization": f"Bearer {key}"})
    assert browser.get("/api/v1/auth/me").status_code == 200
    assert bearer.get("/api/v1/runs").status_code == 200
    r = client.post(f"{USERS}/erin/deactivate")
    assert r.status_code == 200
    assert not r.json()["is_active"]
    assert_one_line(browser.get("/api/v1/auth/me"), 401)
    assert_one_line(bearer.get("/api/v1/runs"), 401)
    assert_one_line(
        TestClient(server_app, base_url=BASE_URL).post(
            "/api/v1/auth/login", json={"username": "erin", "password": PASSWORD}
        ),
        401,
    )
    assert all(k.revoked_at is not None for k in server_store.auth.list_api_keys(erin.id))


def test_admins_cannot_lock_themselves_out(client: TestClient) -> None:
    assert_one_line(client.post(f"{USERS}/admin/deactivate"), 409)
    assert_one_line(client.patch(f"{USERS}/admin", json={"is_admin": False}), 409)


def test_unknown_users_are_404(client: TestClient) -> None:
    assert_one_line(client.get(f"{USERS}/nobody"), 404)
    assert_one_line(client.patch(f"{USERS}/00000000-0000-0000-0000-000000000000", json={"email": "x"}), 404)
    assert_one_line(client.post(f"{USERS}/nobody/deactivate"), 404)


def test_only_admins_manage_users(server_app: FastAPI, server_store: SqlStore, client: TestClient) -> None:
    client.post(USERS, json={"name": "frank", "password": PASSWORD})
    key = server_store.auth.create_api_key(server_store.users.get("frank").id, "k").key
    frank = TestClient(server_app, base_url=BASE_URL, headers={"Authorization": f"Bearer {key}"})
    assert frank.get(USERS).status_code == 200  # an organization Member holds member:read (issue 10)
    assert_one_line(frank.post(USERS, json={"name": "gina", "password": PASSWORD}), 403)
    assert_one_line(frank.post(f"{USERS}/admin/deactivate"), 403)
