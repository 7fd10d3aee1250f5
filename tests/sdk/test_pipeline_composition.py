"""A pipeline called inside another pipeline's function: its steps join the outer run (one run, one DAG)."""

from __future__ import annotations

import pytest

from waypost import pipeline, step
from waypost.client import Client
from waypost.enums import ExecutionStatus
from waypost.schemas import StepRunRead


@step
def load(mode: str) -> list[int]:
    return [1, 2, 3] if mode == "train" else [10, 20]


@step
def double(values: list[int]) -> list[int]:
    return [v * 2 for v in values]


@step
def fit(data: list[int], lr: float = 0.1) -> float:
    return sum(data) * lr


@step
def score(model: float, data: list[int]) -> float:
    return model + len(data)


@pipeline(enable_cache=False)
def loading(mode: str = "train"):
    return double(load(mode=mode))


@pipeline(enable_cache=False)
def training(lr: float = 0.5):
    train = loading(mode="train")
    model = fit(train, lr=lr)
    test = loading("test")
    score(model, test)


def _steps(run_id: object) -> dict[str, StepRunRead]:
    return {s.name: s for s in Client().list_step_runs(run_id)}  # type: ignore[arg-type]


def test_the_inner_pipelines_steps_run_in_the_outer_run_with_their_edges() -> None:
    run = training(lr=0.25)

    client = Client()
    assert run.status == ExecutionStatus.COMPLETED
    assert client.list_pipeline_runs().total == 1  # one run: the inner pipeline is not run on its own
    assert [p.name for p in client.list_pipelines().items] == ["training"]
    steps = _steps(run.id)
    # Named as repeated calls are: the second call's steps get _2.
    assert set(steps) == {"load", "double", "fit", "load_2", "double_2", "score"}
    assert steps["load"].parameters == {"mode": "train"}
    assert steps["load_2"].parameters == {"mode": "test"}  # passed through positionally
    assert steps["fit"].parameters == {"lr": 0.25}  # the outer pipeline's parameter
    # The edges, as the store recorded them: each input is the version its upstream wrote.
    assert steps["double"].upstream == ["load"]
    assert steps["double_2"].upstream == ["load_2"]
    assert steps["fit"].inputs == {"data": steps["double"].outputs["output"]}
    assert steps["score"].inputs == {
        "model": steps["fit"].outputs["output"],
        "data": steps["double_2"].outputs["output"],
    }
    assert sorted(steps["score"].upstream) == ["double_2", "fit"]
    assert client.get_step_output(run.id, "double_2") == [20, 40]
    assert client.get_step_output(run.id, "score") == pytest.approx(3.0 + 2)
    # The default artifact names are the outer pipeline's.
    assert client.get_artifact_version("training::double_2::output").load() == [20, 40]
    snapshot = client.store.pipelines.snapshot_spec(run.snapshot_id)  # type: ignore[attr-defined]
    assert {s["name"] for s in snapshot["steps"]} == set(steps)


def test_a_pipeline_calling_itself_is_refused_in_one_line() -> None:
    @pipeline
    def looping(n: int = 1):
        load(mode="train")
        looping(n)

    with pytest.raises(TypeError, match="calls itself \\(looping -> looping\\)"):
        looping()


def test_wrong_arguments_to_an_inner_pipeline_name_both_pipelines() -> None:
    @pipeline
    def outer():
        loading(mode="train", extra=1)

    with pytest.raises(TypeError, match="Pipeline 'loading', called inside pipeline 'outer', got wrong arguments"):
        outer()
