"""A dashboard on another origin (server.cors_origins) may send the project it works in."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from server_support import BASE_URL

from waypost.artifacts.store import ArtifactStore
from waypost.schemas.access import PROJECT_HEADER
from waypost.server.app import create_app
from waypost.settings import WaypostSettings
from waypost.store.sql.store import SqlStore


def test_a_preflight_allows_the_project_header(
    server_settings: WaypostSettings, server_store: SqlStore, tmp_path: Path
) -> None:
    server = server_settings.server.model_copy(update={"cors_origins": ["https://ui.example"]})
    app = create_app(
        server_settings.model_copy(update={"server": server}), server_store, ArtifactStore(str(tmp_path / "a"))
    )
    with TestClient(app, base_url=BASE_URL) as c:
        r = c.options(
            "/api/v1/runs",
            headers={
                "Origin": "https://ui.example",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": f"authorization, {PROJECT_HEADER.lower()}",
            },
        )
    assert r.status_code == 200, r.text
    assert PROJECT_HEADER.lower() in r.headers["access-control-allow-headers"].lower()
