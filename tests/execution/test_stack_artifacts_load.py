"""Reading back what a run on an S3 stack wrote: Client.load_artifact, step logs, and later runs' steps.

A real moto S3 server on 127.0.0.1 that checks credentials (the stacks tests' shared one); its
keys live in an encrypted secret the artifact store component refers to. The configured
artifact store (a local folder) never holds these files: each read has to find the stack's store.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Annotated

import pandas as pd  # type: ignore[import-untyped]  # pandas-stubs is not a dependency
import pytest

from waypost import pipeline, step
from waypost.client import Client
from waypost.enums import ExecutionStatus
from waypost.exceptions import ArtifactStoreError
from waypost.execution import launcher
from waypost.schemas import RunRead
from waypost.schemas.stacks import ComponentCreate, ComponentType, ComponentUpdate, SecretCreate, StackCreate
from waypost.sdk.compiler import compile_pipeline
from waypost.store.sql.store import SqlStore

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "stacks"))  # the stacks tests' moto server
from moto_s3 import S3Server, client, shared_s3_server

ORCH, ART = ComponentType.ORCHESTRATOR, ComponentType.ARTIFACT_STORE
CSV = "city;population\nParis;2102650\nLyon;522250\n"


def frame() -> pd.DataFrame:
    return pd.DataFrame({"city": ["Paris", "Lyon", "Nice"], "population": [2102650, 522250, 348085]})


@step
def make_frame() -> Annotated[pd.DataFrame, "cities"]:
    print("making the cities frame")
    return frame()


@step
def make_text() -> Annotated[str, "cities_csv"]:
    return CSV


@step
def biggest(cities: pd.DataFrame, bonus: int = 0) -> Annotated[int, "biggest"]:
    return int(cities["population"].max()) + bonus


@pipeline(enable_cache=False)
def cities_pipeline() -> None:
    make_frame()
    make_text()


@pipeline(enable_cache=True)
def cached_pipeline(bonus: int = 0) -> None:
    biggest(make_frame(), bonus=bonus)


@step
def load_by_id(version_id: str) -> Annotated[int, "rows"]:
    loaded = Client().load_artifact(uuid.UUID(version_id))
    return len(loaded)


@pipeline(enable_cache=False)
def consumer_pipeline(version_id: str) -> None:
    load_by_id(version_id=version_id)


@pytest.fixture(autouse=True)
def _no_chosen_stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("WAYPOST_STACK", raising=False)


@pytest.fixture
def s3() -> S3Server:
    return shared_s3_server()


@pytest.fixture
def store() -> SqlStore:
    return Client().store  # type: ignore[return-value]


def s3_stack(store: SqlStore, s3: S3Server, name: str = "cloud") -> str:
    """A stack whose artifact store is a fresh prefix of the moto bucket, keys from a secret; its prefix."""
    prefix = f"load-{uuid.uuid4().hex[:8]}"
    keys = {"key": s3.access_key, "secret": s3.secret_key}
    store.stacks.create_secret(SecretCreate(name=f"{name}-keys", values=keys))
    store.stacks.create_component(
        ComponentCreate(name=f"{name}-lake", type=ART, flavor="s3", config=lake_config(s3, prefix, f"{name}-keys"))
    )
    store.stacks.create_stack(StackCreate(name=name, components={ORCH: "default", ART: f"{name}-lake"}))
    return prefix


def lake_config(s3: S3Server, prefix: str, secret: str, endpoint: str | None = None) -> dict[str, str]:
    return {
        "path": f"s3://{s3.bucket}/{prefix}",
        "endpoint_url": endpoint or s3.endpoint_url,
        "region": "us-east-1",
        "key": f"{{{{secret.{secret}.key}}}}",
        "secret": f"{{{{secret.{secret}.secret}}}}",
    }


def launch(p: object, stack: str | None, *args: object) -> RunRead:
    built = compile_pipeline(p, args, {})  # type: ignore[arg-type]
    return launcher.launch(built.spec, built.functions, stack=stack)


def outputs(run: RunRead) -> dict[str, uuid.UUID]:
    return {name: av for s in Client().list_step_runs(run.id) for name, av in _named(s).items()}


def _named(step_run: object) -> dict[str, uuid.UUID]:
    found = {}
    for av_id in step_run.outputs.values():  # type: ignore[attr-defined]
        found[Client().get_artifact_version(av_id).name] = av_id
    return found


def test_client_loads_what_a_run_on_an_s3_stack_wrote(store: SqlStore, s3: S3Server, waypost_home: Path) -> None:
    prefix = s3_stack(store, s3)
    run = launch(cities_pipeline, "cloud")
    made = outputs(run)
    cities = Client().get_artifact_version(made["cities"])
    assert cities.uri.startswith(f"{s3.bucket}/{prefix}/artifacts/")  # not in the configured store
    assert not any((waypost_home / "artifacts").rglob("data.parquet"))

    # A fresh process's view: nothing opened yet.
    from waypost.execution import runtime

    runtime.reset()
    pd.testing.assert_frame_equal(Client().load_artifact(made["cities"]), frame())
    assert Client().load_artifact(made["cities_csv"]) == CSV
    assert Client().get_step_output(run.id, "make_text") == CSV
    lines = [line["m"] for line in Client().get_step_logs(run.id, "make_frame")]
    assert "making the cities frame" in lines


def test_a_later_run_on_the_default_stack_uses_artifacts_of_the_s3_stack(store: SqlStore, s3: S3Server) -> None:
    s3_stack(store, s3)
    first = launch(cities_pipeline, "cloud")
    version = outputs(first)["cities"]

    # A step that loads the artifact by id, on the default stack.
    second = launch(consumer_pipeline, None, str(version))
    assert second.status == ExecutionStatus.COMPLETED
    rows = Client().get_artifact_version(outputs(second)["rows"])
    assert rows.uri.startswith(str(Client()._rt.artifact_store.root))  # the default stack's store
    assert Client().load_artifact(rows.id) == 3

    # A cached step's output stays in the bucket; the next step of a default-stack run reads it there.
    launch(cached_pipeline, "cloud", 0)
    again = launch(cached_pipeline, None, 5)
    steps = {s.name: s for s in Client().list_step_runs(again.id)}
    assert steps["make_frame"].status == ExecutionStatus.CACHED
    assert steps["biggest"].status == ExecutionStatus.COMPLETED
    assert Client().get_step_output(again.id, "biggest") == 2102650 + 5


def test_reading_back_fails_in_one_line_without_secrets(store: SqlStore, s3: S3Server) -> None:
    prefix = s3_stack(store, s3)
    run = launch(cities_pipeline, "cloud")
    version = outputs(run)["cities"]

    # The endpoint moves away (nothing listens there): one line naming the store, no secret in it.
    dead = f"http://127.0.0.1:{_free_port()}"
    store.stacks.update_component(
        "cloud-lake", ComponentUpdate(config=lake_config(s3, prefix, "cloud-keys", endpoint=dead)), type=ART
    )
    with pytest.raises(ArtifactStoreError) as err:
        Client().load_artifact(version)
    message = str(err.value)
    assert "\n" not in message
    assert f"s3://{s3.bucket}/{prefix}" in message
    assert "cannot be read" in message
    assert s3.secret_key not in message
    assert s3.access_key not in message

    # Back where it was: readable again (the store is reopened for the component's new version).
    store.stacks.update_component("cloud-lake", ComponentUpdate(config=lake_config(s3, prefix, "cloud-keys")), type=ART)
    pd.testing.assert_frame_equal(Client().load_artifact(version), frame())

    # No component holds the bucket any more: the one-line error names the URI and what to configure.
    store.stacks.delete_stack("cloud")
    store.stacks.delete_component("cloud-lake", type=ART)
    with pytest.raises(ArtifactStoreError) as err:
        Client().load_artifact(version)
    message = str(err.value)
    assert "\n" not in message
    assert f"'{s3.bucket}/{prefix}/artifacts/" in message
    assert "WAYPOST_ARTIFACT_STORE__URI" in message
    assert s3.secret_key not in message

    # The files are still in the bucket: nothing was deleted by the failed reads.
    listed = client(s3).list_objects_v2(Bucket=s3.bucket, Prefix=f"{prefix}/artifacts/")
    assert listed.get("KeyCount", 0) > 0


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_an_fsspec_stack_is_found_by_its_url(store: SqlStore) -> None:
    root = f"memory://waypost-{uuid.uuid4().hex[:8]}"
    store.stacks.create_component(ComponentCreate(name="mem", type=ART, flavor="fsspec", config={"uri": root}))
    store.stacks.create_stack(StackCreate(name="memory", components={ORCH: "default", ART: "mem"}))
    run = launch(cities_pipeline, "memory")
    made = outputs(run)
    assert Client().get_artifact_version(made["cities"]).uri.startswith(root.removeprefix("memory:/"))
    pd.testing.assert_frame_equal(Client().load_artifact(made["cities"]), frame())
    assert Client().load_artifact(made["cities_csv"]) == CSV
