"""A pipeline run against a live server (WAYPOST_STORE__URL) is recorded exactly as a local run is."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import pytest

from live_server import LiveServer
from waypost import log_metadata, pipeline, step
from waypost.client import Client
from waypost.enums import ExecutionStatus
from waypost.exceptions import NotFoundError
from waypost.execution import runtime
from waypost.execution.server_artifacts import ServerArtifactStore
from waypost.store.rest import RestStore


@step
def load(n: int) -> Annotated[list[int], "numbers"]:
    print(f"loading {n} numbers")
    return list(range(n))


@step
def total(numbers: list[int]) -> Annotated[int, "total"]:
    log_metadata(metadata={"count": len(numbers), "mean": sum(numbers) / len(numbers)})
    print("summed")
    return sum(numbers)


@pipeline
def remote_sum(n: int = 5):
    total(load(n))


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server").start()
    monkeypatch.setenv("WAYPOST_STORE__URL", server.url)
    monkeypatch.setenv("WAYPOST_STORE__API_KEY", server.api_key)
    runtime.reset()
    yield server
    runtime.reset()
    server.stop()


def _record(client: Client, run_id: object) -> dict[str, object]:
    run = client.get_pipeline_run(str(run_id))
    steps = {s.name: s for s in client.list_step_runs(run.id)}
    return {
        "status": run.status,
        "steps": {name: (s.status, sorted(s.outputs)) for name, s in steps.items()},
        "total": client.get_step_output(run.id, "total"),
        "numbers": client.get_step_output(run.id, "load"),
        "metadata": sorted((m.key, m.value) for m in client.get_metadata(run.id, "total")),
        "logs": [line["m"] for line in client.get_step_logs(run.id, "total")],
    }


def test_a_remote_run_is_recorded_as_a_local_run_is(live: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    run = remote_sum(n=5)

    client = Client()
    assert isinstance(client.store, RestStore)
    assert not isinstance(client._rt.artifact_store, ServerArtifactStore), "this machine reaches the store"
    remote = _record(client, run.id)
    assert remote["status"] == ExecutionStatus.COMPLETED
    assert remote["total"] == 10
    assert remote["metadata"] == [("count", 5), ("mean", 2.0)]
    assert any("summed" in line for line in remote["logs"])  # type: ignore[attr-defined]
    # Written to the server's artifact store, registered in the server's database.
    version = client.get_artifact_version("total")
    assert version.uri.startswith(live.settings.artifact_store_uri)
    with RestStore(live.url, live.api_key) as store:
        assert store.runs.get(run.id).status == ExecutionStatus.COMPLETED

    # The same pipeline run locally records the same things.
    monkeypatch.delenv("WAYPOST_STORE__URL")
    runtime.reset()
    local_run = remote_sum(n=5)
    local = _record(Client(), local_run.id)
    assert local == remote


def test_a_second_remote_run_hits_the_cache(live: LiveServer) -> None:
    first = remote_sum(n=3)
    second = remote_sum(n=3)
    client = Client()
    steps = {s.name: s for s in client.list_step_runs(second.id)}
    assert {s.status for s in steps.values()} == {ExecutionStatus.CACHED}
    assert client.get_step_output(second.id, "total") == client.get_step_output(first.id, "total") == 3


_restart: list[LiveServer] = []


@step
def restart_server(numbers: list[int]) -> Annotated[int, "after_restart"]:
    _restart[0].restart()  # the server goes away and comes back while this step runs
    return len(numbers)


@pipeline
def survives_restart():
    restart_server(load(4))


def test_a_server_restart_mid_run_loses_nothing_committed(live: LiveServer) -> None:
    _restart.append(live)
    try:
        run = survives_restart()
    finally:
        _restart.clear()
    client = Client()
    assert client.get_pipeline_run(run.id).status == ExecutionStatus.COMPLETED
    steps = {s.name: s.status for s in client.list_step_runs(run.id)}
    assert steps == {"load": ExecutionStatus.COMPLETED, "restart_server": ExecutionStatus.COMPLETED}
    assert client.get_step_output(run.id, "load") == [0, 1, 2, 3]
    assert client.get_step_output(run.id, "restart_server") == 4


def test_a_machine_that_cannot_reach_the_artifact_store_goes_through_the_server(
    live: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WAYPOST_STORE__ARTIFACT_TRANSFER", "upload")
    runtime.reset()
    run = remote_sum(n=4)

    client = Client()
    assert isinstance(client._rt.artifact_store, ServerArtifactStore)
    remote = _record(client, run.id)
    assert remote["status"] == ExecutionStatus.COMPLETED
    assert remote["total"] == 6
    assert remote["numbers"] == [0, 1, 2, 3]
    assert remote["metadata"] == [("count", 4), ("mean", 1.5)]
    assert any("summed" in line for line in remote["logs"])  # type: ignore[attr-defined]
    # The files are where a direct write puts them, so a client that can reach the store reads them too.
    version = client.get_artifact_version("total")
    assert Path(version.uri).is_dir()
    assert version.uri.startswith(live.settings.artifact_store_uri)
    monkeypatch.setenv("WAYPOST_STORE__ARTIFACT_TRANSFER", "auto")
    runtime.reset()
    direct = Client()
    assert not isinstance(direct._rt.artifact_store, ServerArtifactStore)
    assert _record(direct, run.id) == remote


@step(enable_cache=False)
def ticking(n: int = 6) -> int:
    import time

    for i in range(n):
        print(f"tick {i}", flush=True)
        time.sleep(0.4)
    return n


@pipeline
def ticker() -> None:
    ticking()


def test_following_logs_against_a_server_streams_lines_while_the_step_runs(live: LiveServer) -> None:
    import threading
    import time

    done = threading.Event()
    worker = threading.Thread(target=lambda: (ticker(), done.set()), daemon=True)
    worker.start()
    client = Client()
    assert client.store.capabilities.streams_logs
    deadline = time.monotonic() + 20
    step_run = None
    while step_run is None and time.monotonic() < deadline:
        runs = client.list_pipeline_runs(query="pipeline:ticker").items
        with contextlib.suppress(NotFoundError):  # the run exists, its step has not started yet
            step_run = client.get_step_run(runs[0].id, "ticking") if runs else None
        time.sleep(0.1)
    assert step_run is not None
    seen: list[tuple[str, bool]] = []
    for line in client.follow_step_logs(step_run.run_id, "ticking"):
        seen.append((line["m"], done.is_set()))
    worker.join(20)
    assert [m for m, _ in seen] == [f"tick {i}" for i in range(6)]
    assert not all(finished for _, finished in seen), "lines arrived while the step was still running"
