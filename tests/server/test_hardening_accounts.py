"""Accounts hardening: authorship from credentials, user suggestions, one's own API keys, per-port cookies."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from server_support import ADMIN_PASSWORD, BASE_URL, assert_one_line, serve

from waypost.artifacts.store import ArtifactStore
from waypost.server.app import create_app
from waypost.settings import load_settings
from waypost.store.sql.store import SqlStore
from waypost.testing import make_run, make_spec

API = "/api/v1"
KEYS = f"{API}/auth/api-keys"
BOB_PASSWORD = "bob's long enough password"


@pytest.fixture
def bob(server_store: SqlStore) -> tuple[uuid.UUID, str]:
    """A non-admin user ``bob`` and an API key of his."""
    user = server_store.users.create("bob", password=BOB_PASSWORD)
    return user.id, server_store.auth.create_api_key(user.id, "bob's laptop").key


def as_key(app: FastAPI, key: str) -> TestClient:
    return TestClient(app, base_url=BASE_URL, headers={"Authorization": f"Bearer {key}"})


def run_body(client: TestClient, **extra: object) -> dict[str, object]:
    pipeline = client.post(f"{API}/pipelines", json={"name": "authored"}).json()
    spec = make_spec("authored").model_dump(mode="json")
    snapshot = client.post(f"{API}/pipelines/{pipeline['id']}/snapshots", json=spec).json()
    return {
        "name": f"run-{uuid.uuid4().hex[:8]}",
        "pipeline_id": pipeline["id"],
        "snapshot_id": snapshot["id"],
        **extra,
    }


# -- authorship ---------------------------------------------------------------------------
def test_a_run_is_by_the_caller_whoever_the_body_names(
    server_app: FastAPI, client: TestClient, admin_user_id: str, bob: tuple[uuid.UUID, str]
) -> None:
    bob_id, bob_key = bob
    with as_key(server_app, bob_key) as bob_client:
        r = bob_client.post(f"{API}/runs", json=run_body(bob_client, user_id=admin_user_id))
        assert_one_line(r, 400)
        assert r.json()["detail"] == "user_id is set by the server from your credentials; leave it out."

        r = bob_client.post(f"{API}/runs", json=run_body(bob_client))
        assert r.status_code == 201, r.text
        assert r.json()["user_id"] == str(bob_id)
        assert r.json()["user_name"] == "bob"

        r = bob_client.post(f"{API}/runs", json=run_body(bob_client, user_id=str(bob_id)))  # one's own id is fine
        assert r.status_code == 201, r.text
        assert r.json()["user_id"] == str(bob_id)

    r = client.post(f"{API}/runs", json=run_body(client))  # the admin's key: the admin
    assert r.json()["user_id"] == admin_user_id


def test_a_service_accounts_runs_are_its_own(client: TestClient, server_app: FastAPI) -> None:
    robot = client.post(f"{API}/auth/service-accounts", json={"name": "ci-robot"}).json()
    key = client.post(f"{API}/auth/service-accounts/{robot['id']}/api-keys", json={"name": "ci"}).json()["key"]
    with as_key(server_app, key) as robot_client:
        r = robot_client.post(f"{API}/runs", json=run_body(robot_client))
    assert r.status_code == 201, r.text
    assert (r.json()["user_id"], r.json()["user_name"]) == (robot["id"], "ci-robot")


# -- user suggestions ---------------------------------------------------------------------
def test_user_suggestions_name_only_users_who_ran_something(
    server_app: FastAPI, server_store: SqlStore, client: TestClient, bob: tuple[uuid.UUID, str]
) -> None:
    server_store.users.create("carol", password=BOB_PASSWORD)  # never ran anything
    client.post(f"{API}/runs", json=run_body(client))  # a run by admin
    make_run(server_store)  # a run by nobody in particular
    with as_key(server_app, bob[1]) as bob_client:
        r = bob_client.get(f"{API}/runs/suggest", params={"key": "user"})
    assert r.status_code == 200, r.text
    assert r.json()["values"] == ["admin"]


# -- one's own API keys -------------------------------------------------------------------
def test_users_list_and_revoke_their_own_keys_only(
    server_app: FastAPI, client: TestClient, bob: tuple[uuid.UUID, str]
) -> None:
    bob_id, bob_key = bob
    admin_keys = client.get(KEYS).json()
    with as_key(server_app, bob_key) as bob_client:
        made = bob_client.post(KEYS, json={"name": "ci job"})
        assert made.status_code == 201, made.text
        second = made.json()
        listed = bob_client.get(KEYS)
        assert listed.status_code == 200, listed.text
        keys = listed.json()
        assert [k["name"] for k in keys] == ["ci job", "bob's laptop"]  # newest first
        assert {k["user_id"] for k in keys} == {str(bob_id)}
        for k in keys:
            assert {"id", "name", "prefix", "created_at", "expires_at", "last_used_at"} <= k.keys()
            assert "key" not in k
            assert "key_hash" not in k
            assert k["prefix"] in (second["key"] if k["name"] == "ci job" else bob_key)

        r = bob_client.delete(f"{KEYS}/{admin_keys[0]['id']}")  # the admin's key: as if it did not exist
        assert_one_line(r, 404)
        r = bob_client.delete(f"{KEYS}/{uuid.uuid4()}")
        assert_one_line(r, 404)
        assert client.get(f"{API}/auth/me").status_code == 200  # the admin's key still works

        assert bob_client.delete(f"{KEYS}/{second['id']}").status_code == 204
        assert bob_client.delete(f"{KEYS}/{second['id']}").status_code == 204  # twice is harmless
        assert [k["name"] for k in bob_client.get(KEYS).json()] == ["bob's laptop"]
    with as_key(server_app, second["key"]) as revoked:
        assert_one_line(revoked.get(f"{API}/auth/me"), 401)


def test_revoking_the_key_in_use_ends_it_at_once(server_app: FastAPI, bob: tuple[uuid.UUID, str]) -> None:
    with as_key(server_app, bob[1]) as bob_client:
        (only,) = bob_client.get(KEYS).json()
        assert bob_client.delete(f"{KEYS}/{only['id']}").status_code == 204
        assert_one_line(bob_client.get(KEYS), 401)


def test_last_used_at_is_kept_but_written_at_most_once_a_minute(
    server_app: FastAPI, server_store: SqlStore, bob: tuple[uuid.UUID, str]
) -> None:
    bob_id, bob_key = bob
    (before,) = server_store.auth.list_api_keys(bob_id)
    assert before.last_used_at is None
    with as_key(server_app, bob_key) as bob_client:
        first = bob_client.get(KEYS).json()[0]["last_used_at"]
        assert first is not None
        used = datetime.fromisoformat(first)
        assert abs((datetime.now(UTC) - used).total_seconds()) < 30
        for _ in range(3):
            assert bob_client.get(f"{API}/auth/me").status_code == 200
        assert bob_client.get(KEYS).json()[0]["last_used_at"] == first  # no write per request
    # A minute later the next request writes again.
    with server_store.sessions.write_conn() as conn:
        conn.exec_driver_sql("UPDATE api_keys SET last_used_at = ?", (datetime.now(UTC) - timedelta(minutes=5),))
    with as_key(server_app, bob_key) as bob_client:
        again = datetime.fromisoformat(bob_client.get(KEYS).json()[0]["last_used_at"])
    assert again > datetime.now(UTC) - timedelta(seconds=30)


@pytest.mark.parametrize(
    "expires_at", [datetime.now(UTC) - timedelta(days=1), datetime.now(UTC) - timedelta(seconds=1)]
)
def test_a_key_expired_at_birth_is_refused(client: TestClient, expires_at: datetime) -> None:
    r = client.post(KEYS, json={"name": "late", "expires_at": expires_at.isoformat()})
    assert_one_line(r, 400)
    assert "expires_at is in the past" in r.json()["detail"]
    robot = client.post(f"{API}/auth/service-accounts", json={"name": "late-robot"}).json()
    r = client.post(
        f"{API}/auth/service-accounts/{robot['id']}/api-keys",
        json={"name": "late", "expires_at": expires_at.isoformat()},
    )
    assert_one_line(r, 400)
    assert client.get(f"{API}/auth/service-accounts/{robot['id']}/api-keys").json() == []  # nothing half-made
    future = datetime.now(UTC) + timedelta(days=1)
    assert client.post(KEYS, json={"name": "fine", "expires_at": future.isoformat()}).status_code == 201


def test_key_routes_need_credentials(anon_client: TestClient) -> None:
    assert_one_line(anon_client.get(KEYS), 401)
    assert_one_line(anon_client.delete(f"{KEYS}/{uuid.uuid4()}"), 401)


# -- cookies per port ---------------------------------------------------------------------
@contextmanager
def served(root: Path) -> Iterator[str]:
    """A fresh server (its own SQLite store, an admin) on a free loopback port; yields its URL."""
    settings = load_settings(
        store={"url": f"sqlite:///{root / 'server.db'}"}, artifact_store={"uri": str(root / "artifacts")}
    )
    store = SqlStore(settings.store_url)
    store.users.create("admin", password=ADMIN_PASSWORD, is_admin=True)
    try:
        with serve(create_app(settings, store, ArtifactStore(settings.artifact_store_uri))) as url:
            yield url
    finally:
        store.close()


def test_two_servers_on_one_host_keep_their_sessions_apart(tmp_path: Path) -> None:
    # One cookie jar, as a browser has: cookies are per host, whatever the port.
    with served(tmp_path / "a") as a, served(tmp_path / "b") as b, httpx.Client(timeout=20) as browser:
        for url in (a, b):
            r = browser.post(f"{url}{API}/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
            assert r.status_code == 200, r.text
            port = url.rsplit(":", 1)[1]
            names = {c.split("=", 1)[0] for c in r.headers.get_list("set-cookie")}
            assert names == {f"waypost_session_{port}", f"waypost_csrf_{port}"}
        # Logging in to b did not replace a's session cookie: both sessions live on.
        for url in (a, b):
            assert browser.get(f"{url}{API}/auth/me").status_code == 200, url
        # The CSRF token goes with its own server's cookie.
        port_a = a.rsplit(":", 1)[1]
        csrf = browser.cookies.get(f"waypost_csrf_{port_a}")
        r = browser.post(f"{a}{API}/auth/logout", headers={"X-CSRF-Token": csrf or ""})
        assert r.status_code == 204, r.text
        assert browser.get(f"{a}{API}/auth/me").status_code == 401
        assert browser.get(f"{b}{API}/auth/me").status_code == 200
