"""Bad input gets a 4xx with a one-line reason: never a 500, never a traceback in the body."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from server_support import BASE_URL, assert_one_line

from waypost.artifacts.store import ArtifactStore
from waypost.server.app import api_routes, create_app
from waypost.settings import load_settings
from waypost.store.sql.store import SqlStore

JSON = {"Content-Type": "application/json"}
UNKNOWN = "00000000-0000-0000-0000-000000000000"
TRAVERSALS = ("..", "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..\\..\\win.ini")


def test_malformed_json(client: TestClient) -> None:
    for body in ('{"name": "x", ', "not json", "[1, 2", '{"name": "\x00"'):
        r = client.post("/api/v1/users", content=body, headers=JSON)
        assert_one_line(r, 422)
        assert "JSON" in r.json()["detail"]


def test_wrong_types(client: TestClient) -> None:
    assert_one_line(client.post("/api/v1/users", json={"name": 5, "password": ["a list"]}), 422)
    assert_one_line(client.post("/api/v1/users", json=["not", "an", "object"]), 422)
    assert_one_line(client.patch(f"/api/v1/users/{UNKNOWN}", json={"is_admin": "perhaps"}), 422)
    assert_one_line(client.post("/api/v1/users", json={"name": "x", "password": "p" * 20, "extra": 1}), 422)
    assert_one_line(client.get("/api/v1/runs", params={"page": "one"}), 422)
    assert_one_line(client.get("/api/v1/users", params={"service_accounts": "sometimes"}), 422)


@pytest.mark.parametrize("path", ["/api/v1/runs", "/api/v1/pipelines", "/api/v1/artifacts", "/api/v1/users"])
def test_huge_or_silly_paging(client: TestClient, path: str) -> None:
    for params in ({"size": 10**9}, {"size": 0}, {"size": -1}, {"page": 0}, {"page": 10**30}):
        assert_one_line(client.get(path, params=params), (400, 422))


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/runs/no-such-run",
        f"/api/v1/runs/{UNKNOWN}",
        f"/api/v1/runs/{UNKNOWN}/steps",
        "/api/v1/pipelines/no-such-pipeline",
        "/api/v1/artifacts/no-such-artifact",
        f"/api/v1/artifact-versions/{UNKNOWN}",
        f"/api/v1/artifact-versions/{UNKNOWN}/download",
        "/api/v1/models/no-such-model/versions",
        "/api/v1/users/no-such-user",
        f"/api/v1/users/{UNKNOWN}",
    ],
)
def test_unknown_ids_are_404(client: TestClient, path: str) -> None:
    assert_one_line(client.get(path), 404)


@pytest.mark.parametrize(
    "query",
    [
        'name:"unclosed',
        "created>not-a-date",
        "metadata.accuracy>high",
        "nosuchfield:1",
        "status:exploded",
        ":",
        "created>>2026-01-01",
        "tag:",
    ],
)
def test_bad_filters_are_400(client: TestClient, query: str) -> None:
    for path in ("/api/v1/runs", "/api/v1/pipelines", "/api/v1/artifacts"):
        r = client.get(path, params={"q": query})
        assert_one_line(r, 400)


def _concrete(path: str, value: str) -> Iterator[str]:
    """``path`` with ``value`` in each parameter in turn (the others a dummy id)."""
    names = re.findall(r"\{([^}:]+)(?::path)?\}", path)
    for name in names:
        url = path
        for other in names:
            fill = value if other == name else UNKNOWN
            url = re.sub(r"\{" + other + r"(?::path)?\}", lambda _, fill=fill: fill, url)
        yield url


def test_path_traversal_in_every_path_parameter(client: TestClient, server_app: FastAPI) -> None:
    checked = 0
    for route in api_routes(server_app):
        if "{" not in route.path:
            continue
        for method in sorted(route.methods or {"GET"}):
            if method == "HEAD":
                continue
            for value in TRAVERSALS:
                for url in _concrete(route.path, value):
                    r = client.request(method, url, json={} if method in ("POST", "PUT", "PATCH") else None)
                    checked += 1
                    assert "root:" not in r.text, url
                    assert "[fonts]" not in r.text, url
                    sent = r.request.url.raw_path.decode().lower()
                    if ".." not in sent and "%2e" not in sent and r.status_code < 300:
                        continue  # the client resolved the "..": the server saw another, real route
                    if route.path.startswith("/api/"):
                        assert 400 <= r.status_code < 500, f"{method} {url} answered {r.status_code}"
                        assert "Traceback" not in r.text
                    else:  # the dashboard's own routes: a page or a 4xx, never a file from outside it
                        assert r.status_code < 500, f"{method} {url} answered {r.status_code}"
    assert checked > 50


@pytest.fixture
def small_app(tmp_path: Path, server_store: SqlStore) -> FastAPI:
    """An app whose JSON bodies may be 2 KiB at most."""
    settings = load_settings(
        store={"url": f"sqlite:///{tmp_path / 'server.db'}"},
        artifact_store={"uri": str(tmp_path / "artifacts")},
        server={"max_body_bytes": 2048},
    )
    return create_app(settings, server_store, ArtifactStore(settings.artifact_store_uri))


def test_oversized_bodies_are_413(small_app: FastAPI, admin_key: str) -> None:
    c = TestClient(small_app, base_url=BASE_URL, headers={"Authorization": f"Bearer {admin_key}"})
    big = {"name": "big", "password": "p" * 4096}
    assert_one_line(c.post("/api/v1/users", json=big), 413)

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds for streamed bodies too
        yield b'{"name": "big", "password": "'
        for _ in range(8):
            yield b"p" * 1024
        yield b'"}'

    assert_one_line(c.post("/api/v1/users", content=chunks(), headers=JSON), 413)
    assert_one_line(c.post("/api/v1/users", content=b"{}", headers={**JSON, "Content-Length": "lots"}), 400)
    assert c.get("/api/v1/users").status_code == 200


def test_expired_revoked_and_deactivated_keys_are_401(
    server_app: FastAPI, server_store: SqlStore, admin_key: str
) -> None:
    robot = server_store.users.create("robot", is_service_account=True)
    expired = server_store.auth.create_api_key(robot.id, "old", expires_at=datetime.now(UTC) - timedelta(seconds=1))
    revoked = server_store.auth.create_api_key(robot.id, "revoked")
    server_store.auth.revoke_api_key(revoked.id)
    person = server_store.users.create("gone", password="a long enough password")
    gone = server_store.auth.create_api_key(person.id, "gone")
    server_store.users.deactivate(person.id)
    for key in (expired.key, revoked.key, gone.key, "wpk_nope_nope", "not-even-a-key", revoked.key + "x"):
        c = TestClient(server_app, base_url=BASE_URL, headers={"Authorization": f"Bearer {key}"})
        r = c.get("/api/v1/runs")
        assert_one_line(r, 401)
        assert r.headers["www-authenticate"] == "Bearer"
    c = TestClient(server_app, base_url=BASE_URL, headers={"Authorization": "Basic YWRtaW46YWRtaW4="})
    assert_one_line(c.get("/api/v1/runs"), 401)
