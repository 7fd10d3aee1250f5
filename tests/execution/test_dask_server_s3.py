"""The dask orchestrator as a team runs it: a 1 → 20 → 1 pipeline on a LocalCluster of 3 worker
processes, launched against a live Waypost server on PostgreSQL whose artifact store is a bucket
on a local moto S3 server (127.0.0.1, checking credentials).

The launcher talks to the server as its user; the workers report to the same server with a
service account's API key, which the stack's orchestrator takes from a secret of the stack (the
server hands it to the launcher, who may run on the stack). Artifacts and logs go to the bucket.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from waypost.client import Client
from waypost.client.stacks import open_stacks
from waypost.enums import ExecutionStatus
from waypost.execution import runtime
from waypost.schemas.stacks import ComponentCreate, ComponentType, SecretCreate, StackCreate

pytest.importorskip("distributed")
pytest.importorskip("moto")
from dask_pipelines import wide

from live_server import LiveServer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "stacks"))  # the stacks tests' moto server
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))
from moto_s3 import REGION, shared_s3_server
from server_support import store_databases

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("dask")]

ORCH, ART = ComponentType.ORCHESTRATOR, ComponentType.ARTIFACT_STORE


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[LiveServer, str, str, uuid.UUID]]:
    """A live server on a fresh PostgreSQL database with an S3 artifact store; this process its client.

    Yields the server, its artifact store's URI, and the service account's API key and id."""
    dbs = store_databases()
    url = dbs.create_postgres_database()
    s3 = shared_s3_server()
    root = f"s3://{s3.bucket}/team-{uuid.uuid4().hex[:8]}"
    # The server, this process and the workers (spawned later, with this environment) reach the bucket so.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", s3.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", s3.secret_key)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3.endpoint_url)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    server = LiveServer(tmp_path / "server", store_url=url, artifact_store_uri=root).start()
    robot = server.store.users.create("dask-workers", is_service_account=True)
    robot_key = server.store.auth.create_api_key(robot.id, "workers").key
    monkeypatch.setenv("WAYPOST_STORE__URL", server.url)
    monkeypatch.setenv("WAYPOST_STORE__API_KEY", server.api_key)
    runtime.reset()
    try:
        yield server, root, robot_key, robot.id
    finally:
        from waypost.execution.orchestrators.dask import close_local_clusters

        close_local_clusters()
        runtime.reset()
        server.stop()
        dbs.drop_postgres_database(url)


def test_a_wide_pipeline_runs_on_three_worker_processes_reporting_to_the_server(
    team: tuple[LiveServer, str, str, uuid.UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, root, robot_key, robot_id = team
    s3 = shared_s3_server()
    with open_stacks() as stacks:
        stacks.create_secret(SecretCreate(name="workers", values={"api_key": robot_key}))
        stacks.create_component(
            ComponentCreate(
                name="bucket", type=ART, flavor="s3", config={"path": root, "endpoint_url": s3.endpoint_url}
            )
        )
        stacks.create_component(
            ComponentCreate(
                name="cluster",
                type=ORCH,
                flavor="dask",
                config={"n_workers": 3, "worker_api_key": "{{secret.workers.api_key}}"},
            )
        )
        stacks.create_stack(StackCreate(name="team", components={ORCH: "cluster", ART: "bucket"}))

    monkeypatch.setenv("WAYPOST_STACK", "team")
    run = wide(7)
    assert run.status == ExecutionStatus.COMPLETED, run.status_reason
    client = Client()
    assert client.get_pipeline_run(run.id).orchestrator == "dask"
    steps = client.list_step_runs(run.id)
    assert len(steps) == 22
    assert all(s.status == ExecutionStatus.COMPLETED for s in steps)

    # Every step ran in a worker process; the three of them took work.
    pids = set()
    for s in steps:
        worker = {m.key: m.value for m in client.get_metadata(run.id, s.name) if m.key.startswith("worker.")}
        assert worker["worker.pid"] != os.getpid()
        pids.add(worker["worker.pid"])
        # Its logs and resource samples reached the server, from the bucket.
        assert s.resource_samples, s.name
        if s.name.startswith("part_"):
            lines = [line["m"] for line in client.get_step_logs(run.id, s.name)]
            assert any(f"branch {s.name[5:]} ran in process {worker['worker.pid']}" in m for m in lines), lines
    assert len(pids) == 3
    got = client.get_step_output(run.id, "total")
    assert got == [700 + i for i in range(20)]
    # The files are in the bucket, under the server's artifact store.
    import boto3

    bucket = boto3.client("s3", endpoint_url=s3.endpoint_url, region_name=REGION)
    prefix = root.split("/", 3)[3]
    keys = [o["Key"] for o in bucket.list_objects_v2(Bucket=s3.bucket, Prefix=prefix).get("Contents", [])]
    assert any("/logs/" in k or "logs" in k for k in keys)
    assert len(keys) > 22

    # The workers wrote as the service account: its key was used; the launcher's user created the run.
    keys_used = server.store.auth.list_api_keys(robot_id)
    assert keys_used[0].last_used_at is not None

    # The same pipeline on the default stack (threads of this process) gives the same outputs.
    monkeypatch.delenv("WAYPOST_STACK")
    local = wide.with_options(enable_cache=False)(7)
    assert client.get_pipeline_run(local.id).orchestrator == "local"
    assert client.get_step_output(local.id, "total") == got

    # Caching works as locally: a second run on the cluster is served from the cache.
    monkeypatch.setenv("WAYPOST_STACK", "team")
    again = wide(7)
    assert again.step_counts == {"cached": 22}
