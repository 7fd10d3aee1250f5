"""Browser protections: Host allow-list, CORS, JSON-only bodies, body limit, the login link, errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from server_support import ADMIN_PASSWORD, BASE_URL

from waypost.artifacts.store import ArtifactStore
from waypost.server import app as app_module
from waypost.server.app import create_app
from waypost.server.deps import public
from waypost.settings import WaypostSettings
from waypost.store.sql.store import SqlStore

HEALTH = "/api/v1/health"


def make_app(settings: WaypostSettings, store: SqlStore, tmp_path: Path, **server: object) -> FastAPI:
    changed = settings.model_copy(update={"server": settings.server.model_copy(update=server)})
    return create_app(changed, store, ArtifactStore(str(tmp_path / "artifacts")))


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8742", "127.0.0.2", "localhost.evil.example"])
def test_unknown_host_gets_400(anon_client: TestClient, host: str) -> None:
    r = anon_client.get(HEALTH, headers={"Host": host})
    assert r.status_code == 400
    assert "Host not allowed" in r.json()["detail"]


@pytest.mark.parametrize("host", ["127.0.0.1:8742", "localhost", "LOCALHOST:1", "[::1]:8742"])
def test_loopback_hosts_are_allowed(anon_client: TestClient, host: str) -> None:
    assert anon_client.get(HEALTH, headers={"Host": host}).status_code == 200


def test_configured_host_is_allowed(server_settings: WaypostSettings, server_store: SqlStore, tmp_path: Path) -> None:
    app = make_app(server_settings, server_store, tmp_path, allowed_hosts=["waypost.internal"])
    with TestClient(app, base_url="http://waypost.internal") as c:
        assert c.get(HEALTH).status_code == 200


def test_no_cors_unless_configured(
    anon_client: TestClient, server_settings: WaypostSettings, server_store: SqlStore, tmp_path: Path
) -> None:
    origin = {"Origin": "https://evil.example"}
    assert "access-control-allow-origin" not in anon_client.get(HEALTH, headers=origin).headers
    app = make_app(server_settings, server_store, tmp_path, cors_origins=["https://ui.example"])
    with TestClient(app, base_url=BASE_URL) as c:
        assert c.get(HEALTH, headers={"Origin": "https://ui.example"}).headers["access-control-allow-origin"] == (
            "https://ui.example"
        )
        assert "access-control-allow-origin" not in c.get(HEALTH, headers=origin).headers


@pytest.mark.parametrize(
    ("content", "ctype"),
    [
        ("username=admin&password=x", "application/x-www-form-urlencoded"),
        ('{"username": "a"}', "text/plain"),
        ("{}", None),
    ],
)
def test_non_json_body_gets_415(anon_client: TestClient, content: str, ctype: str | None) -> None:
    headers = {"Content-Type": ctype} if ctype else {}
    r = anon_client.post("/api/v1/auth/login", content=content, headers=headers)
    assert r.status_code == 415, r.text
    assert "application/json" in r.json()["detail"]


def test_non_json_body_gets_415_with_bearer_too(client: TestClient) -> None:
    r = client.post("/api/v1/auth/service-accounts", content="name=x", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415


def test_malformed_json_gets_one_line_422(anon_client: TestClient) -> None:
    r = anon_client.post("/api/v1/auth/login", content="{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert "\n" not in r.json()["detail"]


def test_oversized_body_gets_413(
    server_settings: WaypostSettings, server_store: SqlStore, tmp_path: Path, admin_key: str
) -> None:
    app = make_app(server_settings, server_store, tmp_path, max_body_bytes=2048)
    with TestClient(app, base_url=BASE_URL) as c:
        big = {"username": "x" * 4096, "password": "y"}
        r = c.post("/api/v1/auth/login", json=big)
        assert r.status_code == 413
        assert "2048" in r.json()["detail"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it streams
            yield b'{"username": "'
            yield b"x" * 4096
            yield b'", "password": "y"}'

        r = c.post("/api/v1/auth/login", content=chunks(), headers={"Content-Type": "application/json"})
        assert r.status_code == 413
        assert c.post("/api/v1/auth/login", json={"username": "x", "password": "y"}).status_code == 401


def test_login_link_works_once(server_app: FastAPI, server_store: SqlStore, admin_user_id: str) -> None:
    token = server_store.auth.create_login_token(server_store.users.get("admin").id)
    c = TestClient(server_app, base_url=BASE_URL, follow_redirects=False)
    r = c.get(f"/login?token={token}")
    assert r.status_code == 303
    assert r.headers["location"] == "/"
    assert c.get("/api/v1/auth/me").json()["user"]["name"] == "admin"
    again = TestClient(server_app, base_url=BASE_URL, follow_redirects=False).get(f"/login?token={token}")
    assert again.status_code == 401
    assert "does not work" in again.text
    assert "set-cookie" not in again.headers


def test_login_token_exchange_over_api(anon_client: TestClient, server_store: SqlStore, admin_user_id: str) -> None:
    token = server_store.auth.create_login_token(server_store.users.get("admin").id)
    r = anon_client.post("/api/v1/auth/exchange", json={"token": token})
    assert r.status_code == 200
    assert r.json()["csrf_token"]
    assert anon_client.post("/api/v1/auth/exchange", json={"token": token}).status_code == 401


def test_expired_login_link_is_refused(server_app: FastAPI, server_store: SqlStore, admin_user_id: str) -> None:
    token = server_store.auth.create_login_token(server_store.users.get("admin").id, ttl_s=-1)
    assert TestClient(server_app, base_url=BASE_URL).get(f"/login?token={token}").status_code == 401


def test_dashboard_not_built_page(server_settings: WaypostSettings, server_store: SqlStore, tmp_path: Path) -> None:
    empty = tmp_path / "no-build"
    empty.mkdir()
    app = make_app(server_settings, server_store, tmp_path, dashboard_dir=empty)
    r = TestClient(app, base_url=BASE_URL).get("/")
    assert r.status_code == 200
    assert "no dashboard build was found" in r.text


def test_dashboard_build_is_served(
    server_settings: WaypostSettings, server_store: SqlStore, tmp_path: Path, admin_user_id: str
) -> None:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<html>the app</html>")
    (dist / "assets" / "app-123.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("do not serve")
    app = make_app(server_settings, server_store, tmp_path, dashboard_dir=dist)
    with TestClient(app, base_url=BASE_URL) as c:
        assert c.get("/").text == "<html>the app</html>"
        assert c.get("/runs/123").text == "<html>the app</html>"  # client-side route
        js = c.get("/assets/app-123.js")
        assert js.headers["content-type"].startswith("text/javascript")
        assert "immutable" in js.headers["cache-control"]
        assert c.get("/assets/missing.js").status_code == 404
        assert "do not serve" not in c.get("/..%2fsecret.txt").text
        assert c.get("/api/v1/nope").status_code in (401, 404)


def test_base_path_scopes_routes_and_cookies(
    server_settings: WaypostSettings, server_store: SqlStore, tmp_path: Path, admin_user_id: str
) -> None:
    app = make_app(server_settings, server_store, tmp_path, base_path="/waypost")
    with TestClient(app, base_url=BASE_URL) as c:
        assert c.get("/waypost/api/v1/health").status_code == 200
        r = c.post("/waypost/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
        assert all("Path=/waypost" in h for h in r.headers.get_list("set-cookie"))


def test_openapi_needs_authentication(anon_client: TestClient, client: TestClient) -> None:
    assert anon_client.get("/openapi.json").status_code == 401
    assert client.get("/openapi.json").json()["info"]["title"] == "Waypost"


def test_unexpected_error_is_a_generic_500(
    server_settings: WaypostSettings,
    server_store: SqlStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    boom = APIRouter()

    @boom.get("/boom", dependencies=[public()])
    def explode() -> None:
        raise RuntimeError("secret internals at /srv/db")

    monkeypatch.setattr(app_module, "ROUTERS", [*app_module.ROUTERS, boom])
    app = make_app(server_settings, server_store, tmp_path)
    with TestClient(app, base_url=BASE_URL, raise_server_exceptions=False) as c:
        r = c.get("/api/v1/boom")
    assert r.status_code == 500
    assert r.json() == {"detail": "Internal server error; the server log has the details."}
    assert "secret internals" in caplog.text  # logged server-side only


def test_not_found_error_maps_to_404(client: TestClient) -> None:
    r = client.get(f"/api/v1/auth/service-accounts/{datetime.now(UTC).strftime('%Y')}-x/api-keys")
    assert r.status_code == 422  # not a UUID
    r = client.get("/api/v1/auth/service-accounts/00000000-0000-0000-0000-000000000000/api-keys")
    assert r.status_code == 404
    assert "\n" not in r.json()["detail"]
