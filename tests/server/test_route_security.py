"""Every route of the app, including ones added later, refuses callers without credentials."""

from __future__ import annotations

import re

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient

from waypost.exceptions import ConfigurationError
from waypost.server import app as app_module
from waypost.server.app import api_routes, check_routes
from waypost.server.deps import StoreDep, auth_markers, public, require

#: The only routes anyone may call: health, login, and the static dashboard.
PUBLIC = {
    ("GET", "/api/v1/health"),
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/exchange"),
    ("GET", "/login"),
    ("GET", "/"),
    ("GET", "/{path:path}"),
}
DUMMY_ID = "00000000-0000-0000-0000-000000000000"


def fill(path: str) -> str:
    """A concrete URL for a route path: every parameter gets a dummy value."""
    return re.sub(r"\{[^}]+\}", lambda m: "x" if ":path" in m.group() else DUMMY_ID, path)


def endpoints(app: FastAPI) -> list[tuple[str, str, bool]]:
    """(method, path, public) for every route and method of the app."""
    out = []
    for route in api_routes(app):
        marks = auth_markers(route.dependant)
        for method in sorted(route.methods or {"GET"}):
            if method != "HEAD":
                out.append((method, route.path, marks == {"public"}))
    return out


def test_there_are_routes_to_check(server_app: FastAPI) -> None:
    assert len(endpoints(server_app)) > 10


def test_public_routes_are_only_health_login_and_static(server_app: FastAPI) -> None:
    public_routes = {(m, p) for m, p, is_public in endpoints(server_app) if is_public}
    assert public_routes <= PUBLIC


def test_every_other_route_answers_401_without_credentials(server_app: FastAPI, anon_client: TestClient) -> None:
    checked = 0
    for method, path, is_public in endpoints(server_app):
        if is_public:
            continue
        r = anon_client.request(method, fill(path), json={} if method in ("POST", "PUT", "PATCH") else None)
        assert r.status_code == 401, f"{method} {path} answered {r.status_code}: {r.text[:200]}"
        assert "\n" not in r.json()["detail"]
        checked += 1
    assert checked > 5


def test_every_other_route_answers_401_with_a_bad_key(server_app: FastAPI) -> None:
    bad = TestClient(server_app, base_url="http://127.0.0.1", headers={"Authorization": "Bearer wpk_0_bad"})
    for method, path, is_public in endpoints(server_app):
        if not is_public:
            r = bad.request(method, fill(path), json={} if method in ("POST", "PUT", "PATCH") else None)
            assert r.status_code == 401, f"{method} {path} answered {r.status_code}"


def _app_with(router: APIRouter, monkeypatch: pytest.MonkeyPatch, server_app: FastAPI) -> None:
    monkeypatch.setattr(app_module, "ROUTERS", [*app_module.ROUTERS, router])
    state = server_app.state
    app_module.create_app(state.settings, state.store, state.artifact_store)


def test_a_route_without_a_declaration_is_refused(monkeypatch: pytest.MonkeyPatch, server_app: FastAPI) -> None:
    router = APIRouter()

    @router.get("/leaky/{item_id}")
    def leaky(item_id: str, store: StoreDep) -> str:
        return item_id

    with pytest.raises(ConfigurationError, match=r"GET /api/v1/leaky/\{item_id\}"):
        _app_with(router, monkeypatch, server_app)


def test_declarations_on_a_router_count(monkeypatch: pytest.MonkeyPatch, server_app: FastAPI) -> None:
    router = APIRouter(dependencies=[Depends(require("admin"))])

    @router.get("/admin-thing")
    def admin_thing() -> str:
        return "ok"

    _app_with(router, monkeypatch, server_app)  # does not raise


def test_check_routes_sees_websockets_and_mounts(server_app: FastAPI) -> None:
    extra = FastAPI()

    @extra.websocket("/ws")
    async def ws(websocket: object) -> None: ...

    extra.mount("/files", FastAPI())
    with pytest.raises(ConfigurationError, match="/ws"):
        check_routes(extra)

    with pytest.raises(ConfigurationError, match="/docs"):  # FastAPI's own docs routes declare nothing
        check_routes(FastAPI())
    fine = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @fine.get("/ok", dependencies=[public()])
    def ok() -> str:
        return "ok"

    check_routes(fine)


def test_unknown_permission_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="Unknown permission"):
        require("superuser")
