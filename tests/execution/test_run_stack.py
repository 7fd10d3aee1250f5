"""Runs on stacks: which stack a run uses, what it records of it, and where its artifacts go.

Against the local SQLite store and, for S3, a real moto server on 127.0.0.1 that checks
credentials (the stacks tests' shared one), its keys kept in an encrypted secret.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest

from waypost import pipeline, step
from waypost.client import Client
from waypost.exceptions import ArtifactStoreError, NotFoundError
from waypost.execution import launcher
from waypost.execution.stacks import write_folder_config
from waypost.schemas import RunRead
from waypost.schemas.stacks import (
    ComponentCreate,
    ComponentType,
    ComponentUpdate,
    SecretCreate,
    SecretUpdate,
    StackCreate,
)
from waypost.sdk.compiler import compile_pipeline
from waypost.settings import write_config
from waypost.store.sql.store import SqlStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "stacks"))  # the stacks tests' moto server
from moto_s3 import S3Server, client, shared_s3_server

ORCH, ART = ComponentType.ORCHESTRATOR, ComponentType.ARTIFACT_STORE


@step
def numbers(n: int = 3) -> list[int]:
    print(f"counting to {n}")  # a log line: step logs go to the stack's artifact store too
    return list(range(n))


@step
def total(xs: list[int]) -> int:
    return sum(xs)


@pipeline(enable_cache=False)
def counting(n: int = 3) -> None:
    total(numbers(n))


@pytest.fixture(autouse=True)
def _no_chosen_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No stack named by the environment, and no project folder above the current one."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("WAYPOST_STACK", raising=False)


@pytest.fixture
def store() -> SqlStore:
    return Client().store  # type: ignore[return-value]


def run_on(stack: str | None = None, n: int = 3) -> RunRead:
    if stack is None:
        return counting(n)
    built = compile_pipeline(counting, (n,), {})
    return launcher.launch(built.spec, built.functions, stack=stack)


def stack_of(run: RunRead) -> tuple[str | None, dict[str, dict]]:
    client = Client()
    snapshot = client.store.runs.stack_snapshot(run.id)  # type: ignore[attr-defined]
    assert snapshot is not None
    read = client.get_pipeline_run(run.id)
    assert read.stack_id == snapshot.id
    return read.stack_name, {
        t.value: {"name": c.name, "flavor": c.flavor, **c.config} for t, c in snapshot.components.items()
    }


def local_stack(store: SqlStore, name: str, folder: Path, **orchestrator: object) -> None:
    store.stacks.create_component(ComponentCreate(name=f"{name}-o", type=ORCH, flavor="local", config=orchestrator))
    store.stacks.create_component(
        ComponentCreate(name=f"{name}-a", type=ART, flavor="local", config={"path": str(folder)})
    )
    store.stacks.create_stack(StackCreate(name=name, components={ORCH: f"{name}-o", ART: f"{name}-a"}))


def artifact_files(folder: Path) -> list[Path]:
    return sorted(p for p in (folder / "artifacts").rglob("*") if p.is_file()) if folder.exists() else []


def test_a_run_records_the_default_stack_and_writes_where_it_always_did(waypost_home: Path) -> None:
    run = counting()
    name, components = stack_of(run)
    assert name == "default"
    assert components == {
        "orchestrator": {"name": "default", "flavor": "local"},
        "artifact_store": {"name": "default", "flavor": "local"},
    }
    assert artifact_files(waypost_home / "artifacts")


def test_a_run_on_another_stack_records_it_as_it_was(store: SqlStore, tmp_path: Path) -> None:
    local_stack(store, "fast", tmp_path / "fast-arts", max_parallel_steps=2)
    run = run_on("fast")
    name, components = stack_of(run)
    assert name == "fast"
    assert components["orchestrator"] == {"name": "fast-o", "flavor": "local", "max_parallel_steps": 2}
    assert components["artifact_store"]["path"] == str(tmp_path / "fast-arts")
    assert artifact_files(tmp_path / "fast-arts")  # its artifacts went to the stack's store
    loaded = Client().get_pipeline_run(run.id)
    assert loaded.status.value == "completed"

    # Later edits do not rewrite what the run recorded.
    store.stacks.update_component("fast-o", ComponentUpdate(config={"max_parallel_steps": 8}), type=ORCH)
    assert stack_of(run)[1]["orchestrator"]["max_parallel_steps"] == 2
    assert stack_of(run_on("fast"))[1]["orchestrator"]["max_parallel_steps"] == 8


def test_the_argument_the_environment_the_folder_and_the_user_choose_in_that_order(
    store: SqlStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("mine", "folder", "env", "arg"):
        local_stack(store, name, tmp_path / f"{name}-arts")
    write_config({"stack": "mine"})  # `waypost stack set mine` outside a project folder
    assert stack_of(counting())[0] == "mine"
    project = tmp_path / "project"
    (project / "deep").mkdir(parents=True)
    write_folder_config(project, {"stack": "folder"})
    monkeypatch.chdir(project / "deep")
    assert stack_of(counting())[0] == "folder"
    monkeypatch.setenv("WAYPOST_STACK", "env")
    assert stack_of(counting())[0] == "env"
    assert stack_of(run_on("arg"))[0] == "arg"

    monkeypatch.setenv("WAYPOST_STACK", "gone")
    before = Client().list_pipeline_runs().total
    with pytest.raises(NotFoundError) as err:
        counting()
    assert str(err.value) == (
        "Stack 'gone' is named by WAYPOST_STACK but does not exist in this workspace; unset WAYPOST_STACK or "
        "register it."
    )
    assert Client().list_pipeline_runs().total == before  # no run recorded


@pytest.fixture
def s3() -> S3Server:
    return shared_s3_server()


def test_a_run_on_an_s3_stack_writes_its_artifacts_to_the_bucket(store: SqlStore, s3: S3Server) -> None:
    prefix = f"runs-{uuid.uuid4().hex[:8]}"
    store.stacks.create_secret(SecretCreate(name="moto", values={"key": s3.access_key, "secret": s3.secret_key}))
    store.stacks.create_component(
        ComponentCreate(
            name="lake",
            type=ART,
            flavor="s3",
            config={
                "path": f"s3://{s3.bucket}/{prefix}",
                "endpoint_url": s3.endpoint_url,
                "region": "us-east-1",
                "key": "{{secret.moto.key}}",
                "secret": "{{secret.moto.secret}}",
            },
        )
    )
    store.stacks.create_stack(StackCreate(name="cloud", components={ORCH: "default", ART: "lake"}))

    run = run_on("cloud", n=4)
    listed = client(s3).list_objects_v2(Bucket=s3.bucket, Prefix=f"{prefix}/")
    keys = [o["Key"] for o in listed.get("Contents", [])]
    assert any(k.startswith(f"{prefix}/artifacts/") for k in keys), keys
    assert any(k.startswith(f"{prefix}/logs/{run.id.hex}/") for k in keys), keys
    name, components = stack_of(run)
    assert name == "cloud"
    assert components["artifact_store"]["key"] == "{{secret.moto.key}}"  # the reference, never the value
    snapshot = Client().store.runs.stack_snapshot(run.id)  # type: ignore[attr-defined]
    assert snapshot is not None
    assert s3.secret_key not in snapshot.model_dump_json()
    steps = {s.name: s for s in Client().list_step_runs(run.id)}
    output = Client().get_artifact_version(steps["total"].outputs["output"])
    assert output.uri.startswith(f"{s3.bucket}/{prefix}/artifacts/")

    # Wrong credentials: one line naming the S3 error before anything is recorded.
    store.stacks.update_secret("moto", SecretUpdate(values={"secret": "not-the-secret"}))
    store.stacks.create_component(
        ComponentCreate(
            name="lake2",
            type=ART,
            flavor="s3",
            config={
                "path": f"s3://{s3.bucket}/{prefix}-2",
                "endpoint_url": s3.endpoint_url,
                "key": "{{secret.moto.key}}",
                "secret": "{{secret.moto.secret}}",
            },
        )
    )
    store.stacks.create_stack(StackCreate(name="cloud2", components={ORCH: "default", ART: "lake2"}))
    before = Client().list_pipeline_runs().total
    with pytest.raises(ArtifactStoreError) as err:
        run_on("cloud2")
    message = str(err.value)
    assert "\n" not in message
    assert "stack 'cloud2'" in message
    assert "not-the-secret" not in message
    assert Client().list_pipeline_runs().total == before


@step
def leaky() -> int:
    import os

    print(f"connecting with {os.environ['LEAKED_VALUE']} to the bucket")  # a careless step
    return 1


@pipeline(enable_cache=False)
def careless() -> None:
    leaky()


def test_a_secret_value_a_step_prints_is_masked_in_its_logs(
    store: SqlStore, s3: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.stacks.create_secret(SecretCreate(name="moto", values={"key": s3.access_key, "secret": s3.secret_key}))
    config = {
        "path": f"s3://{s3.bucket}/masked-{uuid.uuid4().hex[:8]}",
        "endpoint_url": s3.endpoint_url,
        "region": "us-east-1",
        "key": "{{secret.moto.key}}",
        "secret": "{{secret.moto.secret}}",
    }
    store.stacks.create_component(ComponentCreate(name="lake", type=ART, flavor="s3", config=config))
    store.stacks.create_stack(StackCreate(name="cloud", components={ORCH: "default", ART: "lake"}))
    monkeypatch.setenv("LEAKED_VALUE", s3.secret_key)
    built = compile_pipeline(careless, (), {})
    run = launcher.launch(built.spec, built.functions, stack="cloud")
    lines = [line["m"] for line in Client().get_step_logs(run.id, "leaky")]
    assert lines == ["connecting with ******** to the bucket"]
