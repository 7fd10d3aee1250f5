"""A cached step that logged metrics on its run's model version gives them to the new run's version too."""

from __future__ import annotations

from waypost import Model, log_metadata, pipeline, step
from waypost.client import Client


@step
def evaluate(seed: int) -> float:
    accuracy = 0.9 + seed / 100
    log_metadata(metadata={"accuracy": accuracy, "algorithm": "forest"}, infer_model=True)
    return accuracy


@pipeline(model=Model(name="cached_scorer"))
def training(seed: int = 1) -> None:
    evaluate(seed)


def _metrics(version: str) -> dict[str, object]:
    store = Client().store
    mv = store.models.get_version("cached_scorer", version)
    return {m.key: m.value for m in store.metadata.list(model_version_id=mv.id)}


def test_a_cached_steps_model_metadata_lands_on_the_new_version() -> None:
    first = training(1)
    second = training(1)
    assert second.step_counts == {"cached": 1}
    assert _metrics("1") == {"accuracy": 0.91, "algorithm": "forest"}
    assert _metrics("2") == {"accuracy": 0.91, "algorithm": "forest"}  # not empty: the step was not rerun
    assert first.id != second.id
    # The run-level copy is still there for filters over runs.
    assert Client().list_pipeline_runs(query="metadata.accuracy>=0.9").total == 2
