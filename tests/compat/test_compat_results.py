"""ZenML's result shapes, only imports changed: ``run.steps[...]``, ``outputs[name][0].load()``, ``last_run`` …"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import pytest
from sqlalchemy import event

from live_server import LiveServer
from waypost import log_metadata, pipeline, step
from waypost.client import Client
from waypost.execution import runtime
from waypost.sdk.results import PipelineRun
from waypost.store.rest import RestStore
from waypost.store.sql.store import SqlStore
from waypost.testing import assert_one_line


@step
def load_data(rows: int = 4) -> Annotated[list[int], "dataset"]:
    return list(range(rows))


@step
def split(data: list[int]) -> tuple[Annotated[list[int], "train"], Annotated[list[int], "test"]]:
    return data[:-1], data[-1:]


@step
def trainer(train: list[int], lr: float = 0.1) -> Annotated[dict[str, float], "model"]:
    log_metadata({"accuracy": 0.93}, infer_artifact=True)
    return {"weight": sum(train) * lr}


@pipeline(name="results_pipeline")
def results_pipeline(rows: int = 4) -> None:
    data = load_data(rows=rows)
    train, _ = split(data)
    trainer(train, lr=0.5)


def test_steps_outputs_inputs_and_config_read_like_zenml() -> None:
    run = results_pipeline(rows=5)

    assert list(run.steps) == ["load_data", "split", "trainer"]
    trained = run.steps["trainer"]
    assert trained.status.value == "completed"
    assert trained.outputs["model"][0].load() == {"weight": 3.0}  # (0+1+2+3) * 0.5
    assert trained.output.load() == {"weight": 3.0}
    assert trained.output.run_metadata == {"accuracy": 0.93}
    assert trained.inputs["train"].load() == [0, 1, 2, 3]
    assert trained.config.parameters == {"lr": 0.5}
    assert run.steps["load_data"].config.parameters == {"rows": 5}
    assert run.steps["split"].outputs["test"][0].load() == [4]
    assert sorted(run.steps["split"].outputs) == ["test", "train"]

    again = Client().get_pipeline_run(run.name)
    assert again.id == run.id
    assert again.steps["trainer"].outputs["model"][0].id == trained.outputs["model"][0].id


def test_a_step_with_two_outputs_names_them_and_an_unknown_step_lists_the_steps() -> None:
    run = results_pipeline()
    with pytest.raises(ValueError) as err:
        _ = run.steps["split"].output
    assert_one_line(err.value, "'test'", "'train'", 'outputs["NAME"][0]')

    with pytest.raises(KeyError) as missing:
        run.steps["train"]
    assert_one_line(missing.value, "no step 'train'", "'load_data', 'split', 'trainer'")


def test_last_run_and_runs_of_a_pipeline_and_of_its_record() -> None:
    first = results_pipeline(rows=3)
    second = results_pipeline.with_options(enable_cache=False)(rows=6)

    assert results_pipeline.last_run.id == second.id
    assert [r.id for r in results_pipeline.runs] == [second.id, first.id]
    record = Client().get_pipeline("results_pipeline")
    assert record.last_run.id == second.id
    assert record.last_successful_run.id == second.id
    assert record.last_run.steps["trainer"].outputs["model"][0].load() == {"weight": 5.0}  # 0..4 * 0.5


def test_a_cached_steps_outputs_load_from_the_run_that_made_them() -> None:
    first = results_pipeline(rows=7)
    cached = results_pipeline(rows=7)
    assert cached.steps["trainer"].status.value == "cached"
    assert cached.steps["trainer"].output.id == first.steps["trainer"].output.id
    assert cached.steps["trainer"].output.load() == {"weight": 7.5}  # (0+…+5) * 0.5


def test_get_artifact_version_by_name_latest_or_number() -> None:
    results_pipeline(rows=2)
    results_pipeline(rows=3)
    client = Client()
    latest = client.get_artifact_version("dataset")
    assert latest.load() == [0, 1, 2]
    first = client.get_artifact_version("dataset", version=latest.version - 1)
    assert first.load() == [0, 1]
    assert client.get_artifact_version(str(first.id)).version == first.version
    with pytest.raises(KeyError) as err:
        client.get_artifact_version("dataset", version="latest-ish")
    assert_one_line(err.value, "not a number")


def test_a_pipeline_that_never_ran_has_no_last_run() -> None:
    @pipeline(name=f"never_{uuid.uuid4().hex[:6]}")
    def never() -> None:
        load_data()

    with pytest.raises(KeyError) as err:
        _ = never.last_run
    assert_one_line(err.value, "has no runs yet")


def test_the_servers_openapi_is_unchanged(tmp_path: Path) -> None:
    """The result views live in the client: the wire schemas, so the OpenAPI document, stay as they were."""
    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "openapi.json"
    subprocess.run([sys.executable, str(root / "scripts" / "gen_openapi.py"), str(out)], check=True, cwd=root)
    made = json.loads(out.read_text())["components"]["schemas"]
    committed = json.loads((root / "dashboard" / "openapi.json").read_text())["components"]["schemas"]
    for wire in ("RunRead", "StepRunRead", "ArtifactVersionRead", "PipelineRead", "ModelRead", "ModelVersionRead"):
        assert made[wire] == committed[wire], wire
    assert not {"PipelineRun", "PipelineView", "ArtifactVersion", "StepRun"} & made.keys()


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server").start()
    monkeypatch.setenv("WAYPOST_STORE__URL", server.url)
    monkeypatch.setenv("WAYPOST_STORE__API_KEY", server.api_key)
    runtime.reset()
    yield server
    runtime.reset()
    server.stop()


def test_the_views_read_the_same_from_a_server(live: LiveServer) -> None:
    run = results_pipeline(rows=5)
    assert isinstance(Client().store, RestStore)
    trained = Client().get_pipeline("results_pipeline").last_run.steps["trainer"]
    assert trained.outputs["model"][0].load() == {"weight": 3.0}
    assert trained.inputs["train"].load() == [0, 1, 2, 3]
    assert trained.output.run_metadata == {"accuracy": 0.93}
    assert run.steps["split"].outputs["test"][0].load() == [4]


@step
def one(x: int) -> Annotated[int, "value"]:
    return x + 1


def _chain(length: int) -> PipelineRun:
    @pipeline(name=f"chain_{length}", enable_cache=False)
    def chain() -> None:
        value = one(0)
        for _ in range(length - 1):
            value = one(value)

    return chain()


def test_reading_every_steps_inputs_and_outputs_takes_as_many_queries_for_3_steps_as_for_12() -> None:
    store = Client().store
    assert isinstance(store, SqlStore)
    statements: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    def read_all(run: PipelineRun) -> tuple[int, list[int]]:
        statements.clear()
        fresh = Client().get_pipeline_run(run.id)
        values = [step.output.load() for step in fresh.steps.values()]
        _ = [step.inputs for step in fresh.steps.values()]
        return len(statements), values

    short, long = _chain(3), _chain(12)
    engine = store.engines.read
    event.listen(engine, "before_cursor_execute", count)
    try:
        short_queries, short_values = read_all(short)
        long_queries, long_values = read_all(long)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert short_values == [1, 2, 3]
    assert long_values == list(range(1, 13))
    assert 0 < long_queries == short_queries
