"""The main GET routes and the auth flow on PostgreSQL and MariaDB (a fresh database per module each).

Skipped, with the reason shown, when a server is not reachable on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from _api_helpers import run_numbers, share_stores
from fastapi import FastAPI
from fastapi.testclient import TestClient
from server_support import ADMIN_PASSWORD, BASE_URL, assert_one_line, store_databases

from waypost.artifacts.store import ArtifactStore
from waypost.execution import runtime
from waypost.schemas import RunRead
from waypost.server.app import create_app
from waypost.settings import load_settings
from waypost.store.sql.store import SqlStore

API = "/api/v1"


@dataclass
class Served:
    """An app over a server database holding real runs, with an admin API key."""

    app: FastAPI
    store: SqlStore
    key: str
    runs: list[RunRead]

    def client(self, **headers: str) -> TestClient:
        return TestClient(self.app, base_url=BASE_URL, headers=headers)


@pytest.fixture(
    scope="module",
    params=[pytest.param("postgres", marks=pytest.mark.postgres), pytest.param("mysql", marks=pytest.mark.mysql)],
)
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    db = store_databases()
    backend: str = request.param
    url = db.create_postgres_database() if backend == "postgres" else db.create_mysql_database()
    root = tmp_path_factory.mktemp(backend)
    settings = load_settings(store={"url": url}, artifact_store={"uri": str(root / "artifacts")})
    store = SqlStore(settings.store_url)
    try:
        admin = store.users.create("admin", password=ADMIN_PASSWORD, is_admin=True)
        key = store.auth.create_api_key(admin.id, "tests").key
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("WAYPOST_DATA_DIR", str(root / "home"))
            mp.setenv("WAYPOST_EXECUTION__SHOW_PROGRESS", "false")
            share_stores(mp, settings)
            runs = [run_numbers(count=n) for n in (1, 2)]
            runtime.reset()
        yield Served(create_app(settings, store, ArtifactStore(settings.artifact_store_uri)), store, key, runs)
    finally:
        store.close()
        (db.drop_postgres_database if backend == "postgres" else db.drop_mysql_database)(url)


@pytest.fixture
def client(served: Served) -> TestClient:
    return served.client(Authorization=f"Bearer {served.key}")


def test_runs_and_steps(client: TestClient, served: Served) -> None:
    first, second = served.runs
    page = client.get(f"{API}/runs", params={"size": 1}).json()
    assert page["total"] == 2
    assert page["items"][0]["id"] == str(second.id)
    assert (
        client.get(f"{API}/runs", params={"q": "status:completed tag:nightly metadata.accuracy>0.9"}).json()["total"]
        == 2
    )
    assert client.get(f"{API}/runs", params={"sort": "created"}).json()["items"][0]["id"] == str(first.id)
    assert client.get(f"{API}/runs/{first.name}").json()["step_counts"] == {"completed": 2}
    steps = client.get(f"{API}/runs/{first.id}/steps").json()
    assert [s["name"] for s in steps["items"]] == ["make_numbers", "report"]
    assert client.get(f"{API}/runs/{first.id}/steps/make_numbers").json()["status"] == "completed"
    logs = client.get(f"{API}/runs/{first.id}/steps/make_numbers/logs/search", params={"q": "needle"}).json()
    assert any("needle" in hit["line"]["m"] for hit in logs)
    assert_one_line(client.get(f"{API}/runs/no-such-run"), 404)
    assert_one_line(client.get(f"{API}/runs", params={"q": "created>nonsense"}), 400)


def test_pipelines_artifacts_metadata_models(client: TestClient, served: Served) -> None:
    first = served.runs[0]
    pipes = client.get(f"{API}/pipelines").json()
    assert [p["name"] for p in pipes["items"]] == ["numbers_pipeline"]
    assert pipes["items"][0]["run_count"] == 2
    snaps = client.get(f"{API}/pipelines/numbers_pipeline/snapshots").json()
    assert snaps["total"] == 1
    assert client.get(f"{API}/artifacts/numbers").json()["latest_version"] == 2
    assert client.get(f"{API}/artifacts/numbers/versions").json()["total"] == 2
    version = client.get(f"{API}/artifact-versions/numbers:1").json()
    assert client.get(f"{API}/artifact-versions/{version['id']}/download").status_code == 200
    consumers = client.get(f"{API}/artifact-versions/{version['id']}/consumers").json()
    assert [s["name"] for s in consumers["items"]] == ["report"]
    md = client.get(f"{API}/metadata", params={"run_id": str(first.id)}).json()
    assert ("accuracy", 0.93) in {(m["key"], m["value"]) for m in md["items"]}
    assert client.get(f"{API}/models/numbers_model/versions/latest").json()["number"] == 2


def test_auth_flow(served: Served) -> None:
    browser = served.client()
    assert_one_line(browser.get(f"{API}/runs"), 401)
    assert_one_line(browser.post(f"{API}/auth/login", json={"username": "admin", "password": "wrong password"}), 401)
    r = browser.post(f"{API}/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
    assert r.status_code == 200, r.text
    csrf = r.json()["csrf_token"]
    assert browser.get(f"{API}/auth/me").json()["user"]["name"] == "admin"
    admin = served.client(Authorization=f"Bearer {served.key}")
    password = "a long enough password"
    assert admin.post(f"{API}/users", json={"name": "jo", "password": password}).status_code == 201
    jo = served.client()
    assert jo.post(f"{API}/auth/login", json={"username": "jo", "password": password}).status_code == 200
    account = admin.post(f"{API}/auth/service-accounts", json={"name": "ci-bot"}).json()
    key = admin.post(f"{API}/auth/service-accounts/{account['id']}/api-keys", json={"name": "ci"}).json()
    bot = served.client(Authorization=f"Bearer {key['key']}")
    assert bot.get(f"{API}/runs").status_code == 200
    admin.delete(f"{API}/auth/service-accounts/{account['id']}/api-keys/{key['id']}")
    assert_one_line(bot.get(f"{API}/runs"), 401)
    assert admin.post(f"{API}/users/jo/deactivate").json()["is_active"] is False
    assert_one_line(jo.get(f"{API}/auth/me"), 401)
    assert browser.post(f"{API}/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert_one_line(browser.get(f"{API}/auth/me"), 401)
