"""Remote runs and uploads put files under the artifact prefix of the workspace they are recorded in (issue 10).

A client against a live server, recording into ``research/vision``, finds its files under
``<server store>/research/`` whether it writes them itself or uploads them through the server;
the server picks the folder of an upload or log chunk from the project the request records
into (or the run's or version's, once recorded), and reads them back from there. Runs of the
default workspace keep the paths they always had, and planted links stay refused.
"""

from __future__ import annotations

import io
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import httpx
import pytest
from server_support import assert_one_line

from live_server import LiveServer
from waypost import pipeline, step
from waypost.client import Client
from waypost.enums import ExecutionStatus
from waypost.execution import runtime
from waypost.execution.server_artifacts import ServerArtifactStore
from waypost.schemas import RunRead

API = "/api/v1"
PROJECT = "research/vision"
OCTETS = {"Content-Type": "application/octet-stream"}


@step
def produce(n: int) -> Annotated[list[int], "produced"]:
    print(f"producing {n} values")
    return list(range(n))


@step
def combine(values: list[int]) -> Annotated[int, "combined"]:
    print(f"combining {len(values)} values")
    return sum(values)


@pipeline(enable_cache=False)
def prefixed(n: int = 4) -> None:
    combine(produce(n))


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    """A live server with a workspace ``research`` holding project ``vision``; this process records into it."""
    server = LiveServer(tmp_path / "server").start()
    server.store.access.create_workspace("research")
    server.store.access.create_project("vision", workspace="research")
    monkeypatch.setenv("WAYPOST_STORE__URL", server.url)
    monkeypatch.setenv("WAYPOST_STORE__API_KEY", server.api_key)
    monkeypatch.setenv("WAYPOST_PROJECT", PROJECT)
    runtime.reset()
    yield server
    runtime.reset()
    server.stop()


@pytest.fixture
def http(live: LiveServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {live.api_key}"}
    with httpx.Client(base_url=live.url + API, headers=headers, timeout=60) as client:
        yield client


def _root(live: LiveServer) -> Path:
    return Path(live.settings.artifact_store_uri)


def _assert_under(live: LiveServer, run: RunRead, prefix: Path) -> None:
    """Each step's output and logs are recorded, and lie, under ``prefix`` of the server's store."""
    for s in live.store.steps.list(run.id):
        (version_id,) = s.outputs.values()
        uri = Path(live.store.artifacts.get_version(version_id).uri)
        assert uri.parent.parent == prefix / "artifacts", uri
        assert uri.is_dir()
        assert any(uri.iterdir())
        assert Path(s.log_uri or "") == prefix / "logs" / run.id.hex / s.name
        assert list(Path(s.log_uri or "").glob("*.jsonl")), f"step {s.name} stored no log chunk"


def _assert_readable(client: Client, http: httpx.Client, run: RunRead) -> None:
    """Outputs and logs read back through the client, and through the server's log routes."""
    assert client.get_step_output(run.id, "combine") == 6
    assert client.get_step_output(run.id, "produce") == [0, 1, 2, 3]
    assert [line["m"] for line in client.get_step_logs(run.id, "combine")] == ["combining 4 values"]
    base = f"/runs/{run.id}/steps/produce/logs"
    page = http.get(base)
    assert page.status_code == 200, page.text
    assert [line["m"] for line in page.json()] == ["producing 4 values"]
    assert http.get(f"{base}/tail", params={"n": 1}).json()[0]["m"] == "producing 4 values"
    assert "producing 4 values" in http.get(f"{base}/download").text


def test_a_remote_run_writing_directly_puts_its_files_under_the_workspace_prefix(
    live: LiveServer, http: httpx.Client
) -> None:
    run = prefixed(n=4)

    client = Client()
    assert not isinstance(client._rt.artifact_store, ServerArtifactStore), "this machine reaches the store"
    assert run.status == ExecutionStatus.COMPLETED
    _assert_under(live, run, _root(live) / "research")
    assert not (_root(live) / "artifacts").exists()
    assert not (_root(live) / "logs").exists()
    _assert_readable(client, http, run)


def test_a_remote_run_uploading_through_the_server_puts_its_files_under_the_workspace_prefix(
    live: LiveServer, http: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WAYPOST_STORE__ARTIFACT_TRANSFER", "upload")
    runtime.reset()
    run = prefixed(n=4)

    client = Client()
    assert isinstance(client._rt.artifact_store, ServerArtifactStore)
    assert run.status == ExecutionStatus.COMPLETED
    _assert_under(live, run, _root(live) / "research")
    assert not (_root(live) / "artifacts").exists()
    assert not (_root(live) / "logs").exists()
    _assert_readable(client, http, run)  # the client fetches files and log chunks through the server

    # A client that reaches the store reads the same files where they were recorded.
    monkeypatch.setenv("WAYPOST_STORE__ARTIFACT_TRANSFER", "auto")
    runtime.reset()
    direct = Client()
    assert not isinstance(direct._rt.artifact_store, ServerArtifactStore)
    _assert_readable(direct, http, run)


def test_a_service_account_of_the_workspace_finds_the_prefix_too(
    live: LiveServer, http: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not only an admin: a service account holding only its workspace's Developer role."""
    workspace = live.store.access.get_workspace("research")
    robot = live.store.users.create("robot", is_service_account=True, workspace_id=workspace.id)
    monkeypatch.setenv("WAYPOST_STORE__API_KEY", live.store.auth.create_api_key(robot.id, "ci").key)
    monkeypatch.setenv("WAYPOST_STORE__ARTIFACT_TRANSFER", "upload")
    runtime.reset()
    run = prefixed(n=4)

    assert run.status == ExecutionStatus.COMPLETED
    _assert_under(live, run, _root(live) / "research")
    _assert_readable(Client(), http, run)


def test_a_remote_run_in_the_default_project_keeps_the_paths_it_always_had(
    live: LiveServer, http: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WAYPOST_PROJECT")
    monkeypatch.setenv("WAYPOST_STORE__ARTIFACT_TRANSFER", "upload")
    runtime.reset()
    run = prefixed(n=4)

    assert run.status == ExecutionStatus.COMPLETED
    _assert_under(live, run, _root(live))
    assert not (_root(live) / "research").exists()
    _assert_readable(Client(), http, run)


def _tar(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_uploads_and_log_chunks_land_under_the_prefix_of_the_project_they_are_recorded_into(
    live: LiveServer, http: httpx.Client
) -> None:
    version_id = uuid.uuid4()
    research = {"X-Waypost-Project": PROJECT}
    body = _tar({"data.txt": b"research data"})
    r = http.put(
        f"/artifact-versions/{version_id}/upload", params={"name": "table"}, content=body, headers=OCTETS | research
    )
    assert r.status_code == 200, r.text
    folder = _root(live) / "research" / "artifacts" / "table" / version_id.hex
    assert r.json()["uri"] == str(folder)
    assert (folder / "data.txt").read_bytes() == b"research data"
    # Fetched back from the same project; from another project it is not there (its workspace's folder).
    archive = http.get(f"/artifact-versions/{version_id}/archive", params={"name": "table"}, headers=research)
    assert archive.status_code == 200, archive.text
    with tarfile.open(fileobj=io.BytesIO(archive.content), mode="r:gz") as tar:
        assert tar.getnames() == ["data.txt"]
    elsewhere = http.get(f"/artifact-versions/{version_id}/archive", params={"name": "table"})
    assert_one_line(elsewhere, 404)

    # A log chunk of a run not recorded yet goes where the request's project keeps its logs.
    run_id = uuid.uuid4()
    line = b'{"n": 0, "t": 0, "s": "stdout", "l": "INFO", "m": "hello"}\n'
    chunk = f"/runs/{run_id}/log-chunks/train/000000000000.jsonl"
    assert http.put(chunk, content=line, headers=OCTETS | research).status_code == 204
    assert (_root(live) / "research" / "logs" / run_id.hex / "train" / "000000000000.jsonl").read_bytes() == line
    assert http.get(chunk, headers=research).content == line
    assert http.get(f"/runs/{run_id}/log-chunks/train", headers=research).json() == ["000000000000.jsonl"]
    assert http.get(f"/runs/{run_id}/log-chunks/train").json() == [], "the default project's logs hold none"


def test_a_planted_link_in_a_prefixed_log_folder_is_not_served(
    live: LiveServer, http: httpx.Client, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the secret outside the store")
    run = prefixed(n=4)
    log_folder = Path(live.store.steps.get(run.id, "produce").log_uri or "")
    assert log_folder.parent.parent.parent == _root(live) / "research"
    chunks = sorted(log_folder.iterdir())
    chunks[0].unlink()
    chunks[0].symlink_to(secret)
    base = f"/runs/{run.id}/steps/produce/logs"
    transfer = f"/runs/{run.id}/log-chunks/produce"
    for response in (
        http.get(base),
        http.get(f"{base}/tail"),
        http.get(f"{base}/download"),
        http.get(transfer),
        http.get(f"{transfer}/{chunks[0].name}"),
    ):
        assert_one_line(response, 403)
        assert b"the secret" not in response.content
        assert "symbolic link" in response.json()["detail"]
