"""The example pipelines run end to end, in-process, against the test's own store."""

from __future__ import annotations

import importlib
from itertools import combinations
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest
from sklearn.base import BaseEstimator

from waypost.client import Client
from waypost.enums import ExecutionStatus, VisualizationType
from waypost.schemas import StepRunRead

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FOREST_BRANCH = {"train_random_forest", "evaluate_random_forest", "select_best_model"}


@pytest.fixture
def examples(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The ``iris_training`` module, imported the way ``python examples/...`` imports it."""
    monkeypatch.syspath_prepend(str(EXAMPLES))
    return importlib.import_module("iris_training")


def overlap(a: StepRunRead, b: StepRunRead) -> bool:
    """True when the two steps were running at the same moment."""
    if a.started_at is None or a.ended_at is None or b.started_at is None or b.ended_at is None:
        return False
    return a.started_at < b.ended_at and b.started_at < a.ended_at


def test_iris_training_records_steps_metadata_artifacts_and_model(examples: ModuleType) -> None:
    # Four slots, so the branches run side by side even where the machine has one core.
    pipeline = examples.iris_training.with_options(max_parallel_steps=4)
    run = pipeline()
    client = Client()

    assert run.status == ExecutionStatus.COMPLETED
    steps = {s.name: s for s in client.list_step_runs(run.id)}
    assert len(steps) >= 6
    assert {s.status for s in steps.values()} == {ExecutionStatus.COMPLETED}
    parallel = [(a.name, b.name) for a, b in combinations(steps.values(), 2) if overlap(a, b)]
    assert parallel, "no two steps ran at the same time"

    accuracy = [m.value for m in client.get_metadata(run.id, "evaluate_random_forest") if m.key == "accuracy"]
    assert len(accuracy) == 1
    assert 0.5 < accuracy[0] <= 1.0

    versions = client.list_artifact_versions(f"run:{run.id}", size=100).items
    by_name = {av.name: av for av in versions}
    assert isinstance(client.load_artifact(by_name["iris_dataset"]), pd.DataFrame)
    assert by_name["X_train"].data_type.endswith("DataFrame")
    profile = by_name["data_profile"]
    assert profile.data_type == "builtins.str"
    assert [v.type for v in profile.visualizations] == [VisualizationType.HTML]
    assert "<table>" in client.load_artifact(profile)
    figures = [av for av in versions if av.name == "confusion_matrix"]
    assert len(figures) == 2
    assert all(VisualizationType.IMAGE in {v.type for v in av.visualizations} for av in figures)
    matrices = [av for av in versions if av.name == "confusion"]
    assert [v.type for v in matrices[0].visualizations] == [VisualizationType.CONFUSION_MATRIX]
    report = client.load_artifact(next(av for av in versions if av.name == "classification_report"))
    assert 0.5 < report.accuracy <= 1.0

    best = client.get_step_output(run.id, "select_best_model")
    assert isinstance(best, BaseEstimator)
    mv = client.get_model_version("iris_classifier", "latest")
    assert mv.id == run.model_version_id
    assert run.id in mv.run_ids
    assert by_name["best_model"].id in mv.artifact_version_ids

    logged = " ".join(line["m"] for line in client.get_step_logs(run.id, "train_random_forest"))
    assert "Random forest of 50 trees" in logged
    printed = " ".join(line["m"] for line in client.get_step_logs(run.id, "evaluate_logistic_regression"))
    assert "logistic_regression: accuracy=" in printed

    again = pipeline()
    assert again.status == ExecutionStatus.COMPLETED
    assert again.step_counts == {"cached": len(steps)}
    assert {s.cached_from_run_id for s in client.list_step_runs(again.id)} == {run.id}


def test_changing_a_parameter_reruns_only_the_steps_it_affects(examples: ModuleType) -> None:
    examples.iris_training()
    run = examples.iris_training(n_estimators=20)

    steps = {s.name: s for s in Client().list_step_runs(run.id)}
    rerun = {name for name, s in steps.items() if s.status == ExecutionStatus.COMPLETED}
    assert rerun == FOREST_BRANCH
    assert {s.status for name, s in steps.items() if name not in rerun} == {ExecutionStatus.CACHED}
    assert steps["train_random_forest"].cache_miss_reason == "Parameter 'n_estimators' changed (50 -> 20)."


def test_make_run_exits_zero_and_prints_the_inspect_commands(
    examples: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    run_examples = importlib.import_module("run_examples")

    assert run_examples.main() == 0
    out = capsys.readouterr().out
    assert "waypost runs list" in out
    assert "waypost runs show iris_training-" in out
    assert "hit: outputs of run 1" in out
