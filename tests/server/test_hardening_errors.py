"""Error answers hide the server's insides; NUL characters and damaged log chunks are refused or shown, never 500s."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from _api_helpers import run_numbers, share_stores
from fastapi.testclient import TestClient
from server_support import assert_one_line, store_databases

from live_server import LiveServer
from waypost.settings import WaypostSettings
from waypost.store.sql.store import SqlStore
from waypost.testing import make_spec

API = "/api/v1"
NUL_DETAIL = "The request contains a NUL character"


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server").start()
    yield server
    server.stop()


@pytest.fixture
def live_pg(tmp_path: Path) -> Iterator[LiveServer]:
    db = store_databases()
    url = db.create_postgres_database()
    server = LiveServer(tmp_path / "server", store_url=url).start()
    try:
        yield server
    finally:
        server.stop()
        db.drop_postgres_database(url)


def http(server: LiveServer) -> httpx.Client:
    return httpx.Client(base_url=server.url + API, headers={"Authorization": f"Bearer {server.api_key}"}, timeout=30)


def assert_hides_insides(r: httpx.Response, server: LiveServer, *secrets: str) -> str:
    """A one-line 4xx/5xx whose detail names neither the database nor a path of the server."""
    detail = r.json()["detail"]
    assert isinstance(detail, str)
    assert "\n" not in detail
    assert r.status_code >= 400, r.text
    for secret in (str(server.folder), server.settings.store_url, "server.db", "Traceback", "Error(", *secrets):
        assert secret not in detail, (secret, detail)
    return str(detail)


# -- no leaks ------------------------------------------------------------------------------
def test_sqlite_server_errors_name_no_paths(live: LiveServer) -> None:
    with http(live) as c:
        r = c.get("/runs", params={"q": "bogus:1"})  # a bad filter
        assert r.status_code == 400
        assert_hides_insides(r, live)

        artifacts = live.settings.artifact_store_uri
        r = c.post("/artifact-versions", json=[{"name": "x", "uri": "/etc/passwd", "data_type": "builtins.str"}])
        assert r.status_code in (400, 422), r.text
        assert_hides_insides(r, live, artifacts)

        r = c.get("/runs/no-such-run")
        assert r.status_code == 404
        assert_hides_insides(r, live)


def test_a_missing_artifact_file_is_reported_without_its_path(
    client: TestClient, server_settings: WaypostSettings, server_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    share_stores(monkeypatch, server_settings)
    run_numbers()
    (version,) = server_store.artifacts.list_versions("name:numbers").items
    shutil.rmtree(version.uri)
    r = client.get(f"{API}/artifact-versions/{version.id}/table")
    assert_one_line(r, 410)
    detail = r.json()["detail"]
    assert server_settings.artifact_store_uri not in detail
    assert "<artifact store>" in detail  # still says where, inside the store
    assert "/tmp" not in detail


@pytest.mark.postgres
def test_a_database_error_names_no_url(live_pg: LiveServer) -> None:
    with http(live_pg) as c:
        pipeline = c.post("/pipelines", json={"name": "p"}).json()
        snapshot = c.post(f"/pipelines/{pipeline['id']}/snapshots", json=make_spec("p").model_dump(mode="json")).json()
        body = {"name": "r" * 300, "pipeline_id": pipeline["id"], "snapshot_id": snapshot["id"]}
        r = c.post("/runs", json=body)  # longer than the column: PostgreSQL refuses it
        assert r.status_code == 400, r.text
        detail = assert_hides_insides(r, live_pg, "postgres", "127.0.0.1:5432", "waypost_test_")
        assert "<database>" in detail
        assert "too long" in detail  # still says what went wrong


# -- NUL characters ------------------------------------------------------------------------
def nul_requests(c: httpx.Client) -> list[httpx.Response]:
    pipeline = c.post("/pipelines", json={"name": "nul"}).json()
    snapshot = c.post(f"/pipelines/{pipeline['id']}/snapshots", json=make_spec("nul").model_dump(mode="json")).json()
    run = {"pipeline_id": pipeline["id"], "snapshot_id": snapshot["id"]}
    return [
        c.get("/runs", params={"q": "name:a\x00b"}),  # a filter
        c.get("/runs/a%00b"),  # a path parameter
        c.get("/runs/x/steps/a%00b/logs"),
        c.get("/runs/suggest", params={"key": "pipeline", "prefix": "\x00"}),
        c.post("/pipelines", json={"name": "a\x00b"}),  # a JSON string
        c.post("/runs", json={**run, "name": "run\x00name"}),  # a run name
        c.post("/runs", json={**run, "name": "ok", "parameters": {"k\x00ey": 1}}),  # a key deep inside
        c.post("/runs", json={**run, "name": "ok", "tags": ["a" * 40 + "\x00"]}),
    ]


def test_nul_characters_are_a_one_line_400(live: LiveServer) -> None:
    with http(live) as c:
        for r in nul_requests(c):
            assert r.status_code == 400, (r.request.url, r.text)
            assert r.json()["detail"].startswith(NUL_DETAIL)
        assert c.get("/runs").json()["total"] == 0  # nothing half-written
        # An escaped backslash before "u0000" is plain text, not a NUL.
        r = c.post(
            "/pipelines", content=b'{"name": "back\\\\u0000slash"}', headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 200, r.text
        assert r.json()["name"] == "back\\u0000slash"


@pytest.mark.postgres
def test_nul_characters_are_a_one_line_400_on_postgres(live_pg: LiveServer) -> None:
    with http(live_pg) as c:
        for r in nul_requests(c):
            assert r.status_code == 400, (r.request.url, r.text)
            assert r.json()["detail"].startswith(NUL_DETAIL)


# -- damaged log chunks --------------------------------------------------------------------
def test_a_damaged_log_chunk_is_shown_marked_not_a_500(
    client: TestClient, server_settings: WaypostSettings, server_store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    share_stores(monkeypatch, server_settings)
    run = run_numbers()
    step = server_store.steps.get(run.id, "make_numbers")
    assert step.log_uri is not None
    logs = f"{API}/runs/{run.id}/steps/make_numbers/logs"
    good = client.get(logs, params={"limit": 1000}).json()
    count = len(good)
    garbage = b'not json at all\n\xff\xfe invalid utf-8\n{"n": "no"}\n[1, 2]\n'
    (Path(step.log_uri) / f"{count:012d}.jsonl").write_bytes(garbage)

    r = client.get(logs, params={"limit": 1000})
    assert r.status_code == 200, r.text
    lines = r.json()
    assert r.headers["X-Total-Lines"] == str(count + 4)
    assert [line["n"] for line in lines] == list(range(count + 4))
    damaged = lines[count:]
    assert all(line["m"].startswith("[unreadable log line]") for line in damaged)
    assert "not json at all" in damaged[0]["m"]
    assert lines[:count] == good

    r = client.get(f"{logs}/tail", params={"n": 2})
    assert r.status_code == 200, r.text
    assert [line["n"] for line in r.json()] == [count + 2, count + 3]
    for path, params in (
        ("/search", {"q": "needle"}),
        ("/search", {"q": "json"}),
        ("/download", {}),
        ("/first-error", {}),
    ):
        r = client.get(logs + path, params=params)
        assert r.status_code == 200, (path, r.text)
    r = client.get(f"{API}/runs/{run.id}/steps/make_numbers")
    assert r.status_code == 200, r.text
