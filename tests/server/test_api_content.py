"""Artifact content and step logs over the API: by version id only, hardened, with Range."""

from __future__ import annotations

import io
import uuid
import zipfile

import pytest
from _api_helpers import HTML_REPORT, run_numbers, share_stores
from fastapi.testclient import TestClient

from waypost.schemas import ArtifactVersionCreate, RunRead
from waypost.settings import WaypostSettings
from waypost.store.sql.store import SqlStore

API = "/api/v1"


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, server_settings: WaypostSettings, client: TestClient) -> RunRead:
    share_stores(monkeypatch, server_settings)
    return run_numbers(count=5)


def _version(client: TestClient, run: RunRead, name: str) -> dict[str, object]:
    versions = client.get(f"{API}/artifact-versions", params={"q": f"run:{run.id} name:{name}"}).json()
    found: dict[str, object] = versions["items"][0]
    return found


def test_files_download_and_range(client: TestClient, run: RunRead) -> None:
    version = _version(client, run, "numbers")
    files = client.get(f"{API}/artifact-versions/{version['id']}/files").json()
    assert files
    assert all(not f["path"].startswith("/") and ".." not in f["path"] for f in files)
    r = client.get(f"{API}/artifact-versions/{version['id']}/download")
    assert r.status_code == 200, r.text
    assert r.headers["x-content-type-options"] == "nosniff"
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "/" not in disposition
    assert ":" not in disposition
    if len(files) > 1:
        assert r.headers["content-type"] == "application/zip"
        assert sorted(zipfile.ZipFile(io.BytesIO(r.content)).namelist()) == sorted(f["path"] for f in files)
    else:
        assert r.headers["content-type"] == "application/octet-stream"
        assert len(r.content) == files[0]["size"]


def test_html_visualization_is_sandboxed_and_ranged(client: TestClient, run: RunRead) -> None:
    version = _version(client, run, "report_html")
    kinds = [v["type"] for v in version["visualizations"]]  # type: ignore[union-attr]
    index = kinds.index("html")
    url = f"{API}/artifact-versions/{version['id']}/visualizations/{index}"
    r = client.get(url)
    assert r.status_code == 200, r.text
    assert r.text == HTML_REPORT
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["content-security-policy"] == "sandbox allow-scripts"
    assert "allow-same-origin" not in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    part = client.get(url, headers={"Range": "bytes=6-11"})
    assert part.status_code == 206
    assert part.content == HTML_REPORT.encode()[6:12]
    assert part.headers["content-range"] == f"bytes 6-11/{len(HTML_REPORT.encode())}"
    suffix = client.get(url, headers={"Range": "bytes=-7"})
    assert suffix.status_code == 206
    assert suffix.content == HTML_REPORT.encode()[-7:]
    bad = client.get(url, headers={"Range": "bytes=999999-"})
    assert bad.status_code == 416
    assert bad.headers["content-range"].startswith("bytes */")
    assert client.get(f"{API}/artifact-versions/{version['id']}/visualizations/99").status_code == 404


def test_a_stored_uri_outside_the_artifact_store_is_refused(
    client: TestClient, run: RunRead, server_store: SqlStore, tmp_path: object
) -> None:
    outside = ArtifactVersionCreate(
        id=uuid.uuid4(),
        name="escapee",
        uri="/etc",
        data_type="builtins.str",
        materializer="x",
        materializer_version="1",
        size=1,
        content_hash="0" * 64,
        visualizations=[{"type": "text", "path": "passwd"}],  # type: ignore[list-item]
    )
    sneaky = outside.model_copy(update={"id": uuid.uuid4(), "name": "sneaky"})
    version = _version(client, run, "numbers")
    sneaky.uri = f"{version['uri']}/../../../../../etc"
    server_store.artifacts.register([outside, sneaky])
    for av in (outside, sneaky):
        for path in ("files", "download", "visualizations/0"):
            r = client.get(f"{API}/artifact-versions/{av.id}/{path}")
            assert r.status_code == 409, (path, r.text)
            assert "outside the artifact store" in r.json()["detail"]


def test_logs_lines_tail_search_and_stream(client: TestClient, run: RunRead) -> None:
    base = f"{API}/runs/{run.id}/steps/make_numbers/logs"
    lines = client.get(base, params={"offset": 1, "limit": 3}).json()
    assert [line["n"] for line in lines] == [1, 2, 3]
    assert lines[0]["m"].startswith("progress line 0")
    tail = client.get(f"{base}/tail", params={"n": 1}).json()
    assert "needle" in tail[0]["m"]
    hits = client.get(f"{base}/search", params={"q": "NEEDLE", "context": 2}).json()
    assert len(hits) == 1
    assert [line["m"].strip() for line in hits[0]["before"]] == ["progress line 38", "progress line 39"]
    regex = client.get(f"{base}/search", params={"q": r"line 3\d$", "regex": True}).json()
    assert len(regex) == 10
    assert client.get(f"{base}/search", params={"q": "(", "regex": True}).status_code == 400
    assert client.get(f"{base}", params={"limit": 10**6}).status_code == 422
    stream = client.get(f"{base}/stream", params={"offset": 40})
    assert stream.headers["content-type"].startswith("text/event-stream")
    assert "event: line" in stream.text
    assert "needle" in stream.text
    assert stream.text.endswith("event: end\ndata: {}\n\n")
