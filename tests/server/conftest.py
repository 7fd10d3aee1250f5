"""Fixtures of the server tests: a real app over a real SQLite store, a real admin and API key.

``client`` is authenticated as an admin with ``Authorization: Bearer <admin_key>``;
``anon_client`` sends no credentials. Both send an allowed Host (127.0.0.1).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from server_support import ADMIN_PASSWORD, BASE_URL

with warnings.catch_warnings():
    # Starlette prefers the httpx2 fork; the locked environment has httpx, which works the same.
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient

from waypost.artifacts.store import ArtifactStore
from waypost.server.app import create_app
from waypost.settings import WaypostSettings, load_settings
from waypost.store.sql.store import SqlStore


@pytest.fixture
def server_settings(tmp_path: Path) -> WaypostSettings:
    """Settings whose store and artifact store live in this test's folder."""
    return load_settings(
        store={"url": f"sqlite:///{tmp_path / 'server.db'}"},
        artifact_store={"uri": str(tmp_path / "artifacts")},
    )


@pytest.fixture
def server_store(server_settings: WaypostSettings) -> Iterator[SqlStore]:
    """The app's SqlStore (closed after the test)."""
    store = SqlStore(server_settings.store_url)
    yield store
    store.close()


@pytest.fixture
def server_artifact_store(server_settings: WaypostSettings) -> ArtifactStore:
    """The app's artifact store."""
    return ArtifactStore(server_settings.artifact_store_uri)


@pytest.fixture
def server_app(
    server_settings: WaypostSettings, server_store: SqlStore, server_artifact_store: ArtifactStore
) -> FastAPI:
    """A real app over the SqlStore and artifact store of this test."""
    return create_app(server_settings, server_store, server_artifact_store)


@pytest.fixture
def admin_user_id(server_store: SqlStore) -> str:
    """An admin user ``admin`` with password ``ADMIN_PASSWORD``; returns its id."""
    return str(server_store.users.create("admin", password=ADMIN_PASSWORD, is_admin=True).id)


@pytest.fixture
def admin_key(server_store: SqlStore, admin_user_id: str) -> str:
    """A real API key of the admin user."""
    return server_store.auth.create_api_key(server_store.users.get("admin").id, "tests").key


@pytest.fixture
def client(server_app: FastAPI, admin_key: str) -> Iterator[TestClient]:
    """A client authenticated as the admin by bearer API key."""
    with TestClient(server_app, base_url=BASE_URL, headers={"Authorization": f"Bearer {admin_key}"}) as c:
        yield c


@pytest.fixture
def anon_client(server_app: FastAPI) -> Iterator[TestClient]:
    """A client without credentials."""
    with TestClient(server_app, base_url=BASE_URL) as c:
        yield c
