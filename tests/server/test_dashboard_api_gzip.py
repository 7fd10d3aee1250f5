"""gzip: the dashboard's precompressed files, and ApiCompression for the API (never for the event streams)."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from server_support import BASE_URL

from waypost.artifacts.store import ArtifactStore
from waypost.server.app import create_app
from waypost.server.web import ApiCompression, accepts_gzip
from waypost.settings import WaypostSettings
from waypost.store.sql.store import SqlStore
from waypost.testing import make_pipeline, make_run

SCRIPT = "console.log('the dashboard');\n" * 200  # well over 1 KB


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    """A dashboard build as vite.config.ts writes it: hashed assets with .gz beside the big ones."""
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<html>the app</html>")
    (dist / "assets" / "app-123.js").write_text(SCRIPT)
    (dist / "assets" / "app-123.js.gz").write_bytes(gzip.compress(SCRIPT.encode()))
    (dist / "assets" / "app-123.css").write_text("body{}")  # too small to have been compressed
    (tmp_path / "secret.txt").write_text("do not serve")
    (tmp_path / "secret.txt.gz").write_bytes(gzip.compress(b"do not serve"))
    return dist


@pytest.fixture
def web(server_settings: WaypostSettings, server_store: SqlStore, tmp_path: Path, dist: Path) -> Iterator[TestClient]:
    settings = server_settings.model_copy(
        update={"server": server_settings.server.model_copy(update={"dashboard_dir": dist})}
    )
    app = create_app(settings, server_store, ArtifactStore(str(tmp_path / "artifacts")))
    with TestClient(app, base_url=BASE_URL) as c:
        yield c


def test_an_asset_is_sent_gzipped_to_a_client_that_accepts_it(web: TestClient) -> None:
    r = web.get("/assets/app-123.js", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert r.status_code == 200
    assert r.headers["content-encoding"] == "gzip"
    assert r.headers["vary"] == "Accept-Encoding"
    assert r.headers["content-type"].startswith("text/javascript")
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert int(r.headers["content-length"]) < len(SCRIPT)
    assert r.text == SCRIPT  # httpx decodes the gzip body


def test_a_client_that_refuses_gzip_gets_the_plain_file(web: TestClient) -> None:
    for refusal in ("identity", "gzip;q=0, br", "*;q=0", "br"):
        r = web.get("/assets/app-123.js", headers={"Accept-Encoding": refusal})
        assert "content-encoding" not in r.headers, refusal
        assert r.headers["vary"] == "Accept-Encoding"
        assert int(r.headers["content-length"]) == len(SCRIPT)
        assert r.content == SCRIPT.encode()


def test_small_files_and_index_html(web: TestClient) -> None:
    css = web.get("/assets/app-123.css", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in css.headers
    assert css.text == "body{}"
    for path in ("/", "/index.html", "/runs/123?x=1"):  # the page itself, and the SPA fallback
        page = web.get(path, headers={"Accept-Encoding": "gzip"})
        assert page.status_code == 200
        assert page.text == "<html>the app</html>"
        assert page.headers["cache-control"] == "no-cache"
        assert page.headers["content-type"].startswith("text/html")
        policy = page.headers["content-security-policy"]
        assert "script-src 'self';" in policy  # no inline or foreign scripts in the dashboard itself
        assert "frame-ancestors 'none'" in policy  # nobody frames it (clickjacking)
    assert "content-security-policy" not in css.headers


def test_no_path_escapes_the_build(web: TestClient) -> None:
    for path in ("/..%2fsecret.txt", "/assets/..%2f..%2fsecret.txt", "/%2e%2e/secret.txt"):
        r = web.get(path, headers={"Accept-Encoding": "gzip"})
        assert "do not serve" not in r.text
    assert web.get("/assets/missing.js", headers={"Accept-Encoding": "gzip"}).status_code == 404


def test_a_deep_link_with_a_dot_opens_the_dashboard_a_missing_file_does_not(web: TestClient) -> None:
    for path in ("/models/iris/versions/1.0.5", "/artifacts/report.v2", "/runs/a.b/steps/train"):
        page = web.get(path)  # a version named 1.0.5 is a page, not a file
        assert (page.status_code, page.text) == (200, "<html>the app</html>"), path
    for path in ("/favicon.ico", "/missing.js", "/assets/app-999", "/robots.txt"):
        assert web.get(path).status_code == 404, path


@pytest.mark.parametrize(
    ("header", "gzip_ok"),
    [
        ("gzip", True),
        ("gzip, deflate, br, zstd", True),
        ("GZIP;q=0.5", True),
        ("*", True),
        ("", False),
        ("identity", False),
        ("gzip;q=0", False),
        ("gzip;q=0.0, *", False),
        ("br;q=1, *;q=0", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_accept_encoding(header: str, gzip_ok: bool) -> None:
    assert accepts_gzip(header) is gzip_ok


@pytest.fixture
def compressed(server_app: FastAPI, admin_key: str) -> Iterator[TestClient]:
    with TestClient(server_app, base_url=BASE_URL, headers={"Authorization": f"Bearer {admin_key}"}) as c:
        yield c


def test_big_api_answers_are_gzipped_small_ones_are_not(compressed: TestClient, server_store: SqlStore) -> None:
    pipe = make_pipeline(server_store)
    for _ in range(10):
        make_run(server_store, pipe)
    big = compressed.get("/api/v1/runs", headers={"Accept-Encoding": "gzip"})
    assert big.headers["content-encoding"] == "gzip"
    assert big.json()["total"] == 10
    plain = compressed.get("/api/v1/runs", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.json() == big.json()
    small = compressed.get("/api/v1/health", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers


def test_streams_and_ranges_are_never_compressed() -> None:
    gz = ApiCompression(FastAPI(), prefix="/waypost")

    def compressible(path: str, *headers: tuple[bytes, bytes]) -> bool:
        return gz._compressible({"type": "http", "path": path, "headers": list(headers)})

    assert compressible("/waypost/api/v1/runs")
    assert compressible("/waypost/openapi.json")
    assert not compressible("/waypost/api/v1/events")
    assert not compressible("/waypost/api/v1/runs/r/steps/s/logs/stream")
    assert not compressible("/waypost/api/v1/runs/r/steps/s/logs", (b"range", b"bytes=0-99"))
    assert not compressible("/waypost/assets/app.js")  # precompressed by the build instead


def test_the_event_stream_arrives_uncompressed_and_unbuffered(server_app: FastAPI, admin_key: str) -> None:
    server = uvicorn.Server(uvicorn.Config(server_app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        headers = {"Authorization": f"Bearer {admin_key}", "Accept-Encoding": "gzip"}
        with (
            httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=10) as http,
            http.stream("GET", "/api/v1/events") as response,
        ):
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            assert "content-encoding" not in response.headers
            started = time.monotonic()
            first = next(response.iter_raw())  # the stream's opening bytes come at once, not at a buffer's end
            assert first
            assert time.monotonic() - started < 5
    finally:
        server.should_exit = True
        thread.join(timeout=10)
