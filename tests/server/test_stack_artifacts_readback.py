"""The dashboard API reads back what a run on an S3 stack wrote: a table page, the file list, a
download, a visualization and the step's logs, from the bucket, with the component's secret keys.

A real app over the same SQLite store the run recorded into, and a real moto S3 server on
127.0.0.1 checking credentials (the stacks tests' shared one). The server's own artifact store
(a local folder) never holds these files. Secret values appear in no response.
"""

from __future__ import annotations

import io
import json
import socket
import sys
import uuid
import zipfile
from pathlib import Path
from typing import Annotated, Any

import pandas as pd  # type: ignore[import-untyped]  # pandas-stubs is not a dependency
import pytest
from _api_helpers import share_stores
from fastapi.testclient import TestClient
from server_support import BASE_URL

from waypost import pipeline, step
from waypost.client import Client
from waypost.execution import launcher
from waypost.schemas import RunRead
from waypost.schemas.stacks import ComponentCreate, ComponentType, ComponentUpdate, SecretCreate, StackCreate
from waypost.sdk.compiler import compile_pipeline
from waypost.server.services import tables
from waypost.settings import WaypostSettings
from waypost.store.sql.store import SqlStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "stacks"))  # the stacks tests' moto server
from moto_s3 import S3Server, shared_s3_server

API = "/api/v1"
ORCH, ART = ComponentType.ORCHESTRATOR, ComponentType.ARTIFACT_STORE
CSV = "city;population;area\nParis;2102650;105.4\nLyon;522250;47.87\nNice;348085;71.92\n"


def frame() -> pd.DataFrame:
    return pd.DataFrame({"city": ["Paris", "Lyon", "Nice"], "population": [2102650, 522250, 348085]})


@step
def make_frame() -> Annotated[pd.DataFrame, "cities"]:
    print("making the cities frame")
    print("the needle is here")
    return frame()


@step
def make_text() -> Annotated[str, "cities_csv"]:
    return CSV


@pipeline(enable_cache=False)
def cities_pipeline() -> None:
    make_frame()
    make_text()


@pytest.fixture(autouse=True)
def _setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server_settings: WaypostSettings) -> None:
    """Runs record into the app's store; no stack chosen by the environment or a folder; cold table caches."""
    share_stores(monkeypatch, server_settings)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("WAYPOST_STACK", raising=False)
    tables.clear_caches()


@pytest.fixture
def s3() -> S3Server:
    return shared_s3_server()


def lake_config(s3: S3Server, prefix: str, endpoint: str | None = None) -> dict[str, str]:
    return {
        "path": f"s3://{s3.bucket}/{prefix}",
        "endpoint_url": endpoint or s3.endpoint_url,
        "region": "us-east-1",
        "key": "{{secret.lake-keys.key}}",
        "secret": "{{secret.lake-keys.secret}}",
    }


def run_on_s3(s3: S3Server) -> tuple[RunRead, str, dict[str, str]]:
    """A run of the pipeline on a stack whose artifact store is a fresh prefix of the bucket."""
    store: SqlStore = Client().store  # type: ignore[assignment]
    prefix = f"api-{uuid.uuid4().hex[:8]}"
    store.stacks.create_secret(SecretCreate(name="lake-keys", values={"key": s3.access_key, "secret": s3.secret_key}))
    store.stacks.create_component(ComponentCreate(name="lake", type=ART, flavor="s3", config=lake_config(s3, prefix)))
    store.stacks.create_stack(StackCreate(name="cloud", components={ORCH: "default", ART: "lake"}))
    built = compile_pipeline(cities_pipeline, (), {})
    run = launcher.launch(built.spec, built.functions, stack="cloud")
    versions = {}
    for step_run in Client().list_step_runs(run.id):
        for av_id in step_run.outputs.values():
            versions[Client().get_artifact_version(av_id).name] = str(av_id)
    return run, prefix, versions


def member(download: Any, name: str) -> bytes:
    """A file of a downloaded version: the body itself, or the named member of its zip."""
    if download.headers["content-type"] != "application/zip":
        return bytes(download.content)
    with zipfile.ZipFile(io.BytesIO(download.content)) as zf:
        return zf.read(name)


def secrets_absent(s3: S3Server, *responses: Any) -> None:
    for response in responses:
        body = response.content
        assert s3.secret_key.encode() not in body
        assert s3.access_key.encode() not in body


def one_line(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    detail: str = response.json()["detail"]
    assert "\n" not in detail
    assert "Traceback" not in detail
    return detail


def test_the_dashboard_api_reads_a_run_on_an_s3_stack(
    client: TestClient, s3: S3Server, server_settings: WaypostSettings
) -> None:
    run, prefix, versions = run_on_s3(s3)
    cities = client.get(f"{API}/artifact-versions/{versions['cities']}").json()
    assert cities["uri"].startswith(f"{s3.bucket}/{prefix}/artifacts/")
    assert not list(Path(server_settings.artifact_store_uri).rglob("data.parquet"))  # not in the server's store

    table = client.get(f"{API}/artifact-versions/{versions['cities']}/table", params={"sort": "population"})
    assert table.status_code == 200, table.text
    body = table.json()
    assert [c["name"] for c in body["columns"]] == ["city", "population"]
    assert body["rows"] == [["Nice", 348085], ["Lyon", 522250], ["Paris", 2102650]]
    assert body["total"] == 3

    text_table = client.get(f"{API}/artifact-versions/{versions['cities_csv']}/table")
    assert text_table.status_code == 200, text_table.text
    assert text_table.json()["rows"][0] == ["Paris", 2102650, 105.4]

    files = client.get(f"{API}/artifact-versions/{versions['cities']}/files")
    assert files.status_code == 200, files.text
    listed = {f["path"]: f["size"] for f in files.json()}
    assert "data.parquet" in listed
    assert listed["data.parquet"] > 0

    download = client.get(f"{API}/artifact-versions/{versions['cities']}/download")
    assert download.status_code == 200, download.text
    assert download.headers["content-disposition"].startswith('attachment; filename="cities-v1')
    pd.testing.assert_frame_equal(pd.read_parquet(io.BytesIO(member(download, "data.parquet"))), frame())

    text = client.get(f"{API}/artifact-versions/{versions['cities_csv']}/download")
    assert text.status_code == 200, text.text
    assert json.loads(member(text, "data.json")) == CSV

    shown = []
    for i, _ in enumerate(cities["visualizations"]):
        shown.append(client.get(f"{API}/artifact-versions/{versions['cities']}/visualizations/{i}"))
        assert shown[-1].status_code == 200, shown[-1].text

    logs = client.get(f"{API}/runs/{run.id}/steps/make_frame/logs")
    assert logs.status_code == 200, logs.text
    assert "making the cities frame" in [line["m"] for line in logs.json()]
    tail = client.get(f"{API}/runs/{run.id}/steps/make_frame/logs/tail", params={"n": 1})
    assert [line["m"] for line in tail.json()] == ["the needle is here"]
    search = client.get(f"{API}/runs/{run.id}/steps/make_frame/logs/search", params={"q": "needle"})
    assert search.status_code == 200, search.text
    assert search.headers["X-Total-Hits"] == "1"
    log_file = client.get(f"{API}/runs/{run.id}/steps/make_frame/logs/download")
    assert log_file.status_code == 200
    assert "the needle is here" in log_file.text

    secrets_absent(s3, table, text_table, files, download, text, *shown, logs, tail, search, log_file)
    stack = client.get(f"{API}/runs/{run.id}/stack")
    assert stack.status_code == 200
    secrets_absent(s3, stack)


def test_someone_who_may_not_read_the_run_gets_nothing_from_the_bucket(
    client: TestClient, s3: S3Server, server_store: SqlStore, server_app: Any
) -> None:
    run, _, versions = run_on_s3(s3)
    outsider = server_store.users.create("outsider", password="Correct-Horse-9", is_admin=False)
    for grant in server_store.access.list_grants(user=outsider.id):
        if grant.scope_type.value != "organization":
            server_store.access.revoke(grant.id)
    key = server_store.auth.create_api_key(outsider.id, "t").key
    with TestClient(server_app, base_url=BASE_URL, headers={"Authorization": f"Bearer {key}"}) as them:
        for path in (
            f"/artifact-versions/{versions['cities']}/table",
            f"/artifact-versions/{versions['cities']}/files",
            f"/artifact-versions/{versions['cities']}/download",
            f"/runs/{run.id}/steps/make_frame/logs",
        ):
            response = them.get(API + path)
            one_line(response, 404)
            secrets_absent(s3, response)


def test_an_unreachable_or_unknown_bucket_is_one_line_never_a_500(client: TestClient, s3: S3Server) -> None:
    run, prefix, versions = run_on_s3(s3)
    store: SqlStore = Client().store  # type: ignore[assignment]
    assert client.get(f"{API}/artifact-versions/{versions['cities']}/files").status_code == 200  # opened once

    # The component now points at a port nothing listens on: a 502 naming the store, no secrets.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    store.stacks.update_component("lake", ComponentUpdate(config=lake_config(s3, prefix, endpoint=dead)), type=ART)
    paths = [
        f"/artifact-versions/{versions['cities']}/files",
        f"/artifact-versions/{versions['cities']}/table",
        f"/artifact-versions/{versions['cities']}/download",
        f"/runs/{run.id}/steps/make_frame/logs",
        f"/runs/{run.id}/steps/make_frame/logs/tail",
    ]
    for path in paths:
        response = client.get(API + path)
        detail = one_line(response, 502)
        assert "cannot be read" in detail
        assert f"s3://{s3.bucket}/{prefix}" in detail
        secrets_absent(s3, response)

    # A wrong secret key: refused by S3, still one line without the secret.
    store.stacks.update_secret("lake-keys", _secret_update(s3.access_key, "not-the-real-secret"))
    store.stacks.update_component("lake", ComponentUpdate(config=lake_config(s3, prefix)), type=ART)
    response = client.get(f"{API}/artifact-versions/{versions['cities']}/files")
    detail = one_line(response, 502)
    assert "not-the-real-secret" not in detail
    secrets_absent(s3, response)

    # No component holds the bucket any more: the location is not served (409), as any outside one.
    store.stacks.delete_stack("cloud")
    store.stacks.delete_component("lake", type=ART)
    for path in paths[:3]:
        response = client.get(API + path)
        one_line(response, 409)
        secrets_absent(s3, response)


def _secret_update(key: str, secret: str) -> Any:
    from waypost.schemas.stacks import SecretUpdate

    return SecretUpdate(values={"key": key, "secret": secret})
