"""DESIGN.md §1, the user's contract: the example runs as written and its runs can be listed.

The module-level code below is the §1 example with tiny real bodies filled in; the tests run
it and query its runs through the Client the way the dashboard and the CLI do.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated

import pandas as pd
import pytest

from waypost import Model, get_step_context, log_metadata, pipeline, step
from waypost.client import Client
from waypost.enums import ExecutionStatus, ModelStages
from waypost.exceptions import StepFailedError


@step
def load_data() -> pd.DataFrame:
    return pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0], "y": [0, 0, 1, 1]})


@step
def train_model(df: pd.DataFrame, lr: float = 0.1) -> Annotated[object, "model"]:
    if lr <= 0:
        raise ValueError(f"lr must be positive, got {lr}")
    return {"threshold": float(df["x"].mean()), "lr": lr}


@step
def evaluate(model: object, df: pd.DataFrame) -> float:
    accuracy = 0.95 if model["lr"] <= 0.1 else 0.8  # type: ignore[index]
    log_metadata(metadata={"accuracy": accuracy, "precision": 0.9, "recall": 0.85, "f1_score": 0.93})
    assert get_step_context().model is not None
    return accuracy


@pipeline(model=Model(name="iris_classifier", version="1.0.5"), tags=["baseline"])
def training_pipeline(lr: float = 0.1):
    df = load_data()
    model = train_model(df, lr=lr)
    evaluate(model, df)


def _names(page: object) -> list[str]:
    return [r.name for r in page.items]  # type: ignore[attr-defined]


def test_the_example_runs_and_records_every_step() -> None:
    run = training_pipeline(lr=0.05)

    assert run.status == ExecutionStatus.COMPLETED
    assert run.pipeline_name == "training_pipeline"
    assert run.parameters == {"lr": 0.05}
    assert run.tags == ["baseline"]
    client = Client()
    steps = {s.name: s for s in client.list_step_runs(run.id)}
    assert set(steps) == {"load_data", "train_model", "evaluate"}
    assert all(s.status == ExecutionStatus.COMPLETED for s in steps.values())
    assert steps["train_model"].parameters == {"lr": 0.05}
    assert client.get_step_output(run.id, "train_model", "model") == {"threshold": 1.5, "lr": 0.05}
    assert client.get_step_output(run.id, "evaluate") == 0.95
    frame = client.get_step_output(run.id, "load_data")
    pd.testing.assert_frame_equal(frame, load_data.entrypoint())
    metadata = {m.key: m.value for m in client.get_metadata(run.id, "evaluate")}
    assert metadata == {"accuracy": 0.95, "precision": 0.9, "recall": 0.85, "f1_score": 0.93}
    version = client.get_model_version("iris_classifier", "1.0.5")
    assert run.id in version.run_ids
    assert version.stage == ModelStages.NONE


@pytest.fixture
def four_runs() -> dict[str, object]:
    """Four runs of the example: good, worse, failed, and good with an extra tag."""
    uncached = training_pipeline.with_options(enable_cache=False)
    good = uncached(lr=0.05)
    worse = uncached(lr=0.5)
    with pytest.raises(StepFailedError):
        uncached(lr=-1.0)
    failed = Client().list_pipeline_runs(pipeline_name="training_pipeline", status="failed").items[0]
    time.sleep(0.01)
    between = datetime.now(UTC)
    tagged = uncached.with_options(tags=["baseline", "candidate"])(lr=0.01)
    return {"good": good, "worse": worse, "failed": failed, "tagged": tagged, "between": between}


def test_runs_are_listed_newest_first_and_paged(four_runs: dict[str, object]) -> None:
    client = Client()
    expected = [four_runs[k].name for k in ("tagged", "failed", "worse", "good")]  # type: ignore[attr-defined]

    everything = client.list_pipeline_runs(pipeline_name="training_pipeline")
    first = client.list_pipeline_runs(pipeline_name="training_pipeline", size=3)
    second = client.list_pipeline_runs(pipeline_name="training_pipeline", size=3, page=2)

    assert _names(everything) == expected
    assert (first.total, first.pages, second.total) == (4, 2, 4)
    assert _names(first) + _names(second) == expected
    assert _names(client.list_pipeline_runs(pipeline_name="training_pipeline", sort="created")) == expected[::-1]


def test_runs_filter_by_status_tags_time_and_metadata(four_runs: dict[str, object]) -> None:
    client = Client()
    name = {k: getattr(v, "name", None) for k, v in four_runs.items()}

    def listed(**kwargs: object) -> list[str]:
        return _names(client.list_pipeline_runs(pipeline_name="training_pipeline", **kwargs))  # type: ignore[arg-type]

    assert listed(status="failed") == [name["failed"]]
    assert listed(status=["completed"]) == [name["tagged"], name["worse"], name["good"]]
    assert listed(tags=["candidate"]) == [name["tagged"]]
    assert len(listed(tags=["baseline"])) == 4
    assert listed(created_after=four_runs["between"]) == [name["tagged"]]
    assert listed(created_before=four_runs["between"]) == [name["failed"], name["worse"], name["good"]]
    assert listed(query="metadata.accuracy>0.9") == [name["tagged"], name["good"]]
    assert listed(query="metadata.accuracy>0.9 metadata.f1_score>=0.93 tag:candidate") == [name["tagged"]]
    assert listed(query="status:completed metadata.recall<0.5") == []


def test_a_failed_run_of_the_example_says_which_step_and_why(four_runs: dict[str, object]) -> None:
    failed = four_runs["failed"]
    client = Client()

    train = client.get_step_run(failed.id, "train_model")  # type: ignore[attr-defined]
    evaluate_run = client.get_step_run(failed.id, "evaluate")  # type: ignore[attr-defined]

    assert failed.status == ExecutionStatus.FAILED  # type: ignore[attr-defined]
    assert "train_model" in failed.status_reason  # type: ignore[attr-defined]
    assert train.status == ExecutionStatus.FAILED
    assert (train.error_type, train.error_message) == ("ValueError", "ValueError: lr must be positive, got -1.0")
    assert evaluate_run.status == ExecutionStatus.SKIPPED
