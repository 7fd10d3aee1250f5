"""ZenML's pipeline composition and fan-in, ported from its documentation's examples with only the imports
changed: a pipeline called inside another adds its steps to the outer run; steps fanned out and combined."""

from __future__ import annotations

from waypost import get_step_context, pipeline, step
from waypost.client import Client


@step
def training_data_loader_step() -> list[float]:
    return [1.0, 2.0, 3.0]


@step
def test_data_loader_step() -> list[float]:
    return [4.0, 5.0]


test_data_loader_step.__test__ = False  # type: ignore[attr-defined]  # for pytest: a step named test_…, not a test


@step
def preprocessing_step(data: list[float]) -> list[float]:
    top = max(data)
    return [x / top for x in data]


@step
def training_step(data: list[float]) -> float:
    return sum(data) / len(data)


@step
def evaluation_step(model: float, data: list[float]) -> float:
    return sum(abs(x - model) for x in data) / len(data)


@pipeline
def data_loading_pipeline(mode: str):
    if mode == "train":
        data = training_data_loader_step()
    else:
        data = test_data_loader_step()

    processed_data = preprocessing_step(data)
    return processed_data


@pipeline
def training_pipeline():
    training_data = data_loading_pipeline(mode="train")
    model = training_step(data=training_data)
    test_data = data_loading_pipeline(mode="test")
    evaluation_step(model=model, data=test_data)


def test_a_pipeline_called_in_a_pipeline_adds_its_steps() -> None:
    run = training_pipeline()
    client = Client()
    assert [p.name for p in client.list_pipelines().items] == ["training_pipeline"]  # only the parent is seen
    assert set(run.steps) == {
        "training_data_loader_step",
        "preprocessing_step",
        "training_step",
        "test_data_loader_step",
        "preprocessing_step_2",
        "evaluation_step",
    }
    model = run.steps["training_step"].output.load()
    assert model == (1 / 3 + 2 / 3 + 1) / 3
    assert run.steps["evaluation_step"].inputs["data"].id == run.steps["preprocessing_step_2"].output.id


@step
def load_step() -> str:
    return "Hello from Waypost!"


@step
def process_step(input_data: str) -> str:
    return input_data


@step
def combine_step(step_prefix: str, output_name: str) -> str:
    run_name = get_step_context().pipeline_run.name
    run = Client().get_pipeline_run(run_name)

    processed_results = {}
    for step_name, step_info in run.steps.items():
        if step_name.startswith(step_prefix):
            output = step_info.outputs[output_name][0]
            processed_results[step_info.name] = output.load()

    return ",".join([f"{k}: {v}" for k, v in processed_results.items()])


@pipeline(enable_cache=False)
def fan_out_fan_in_pipeline(parallel_count: int) -> None:
    input_data = load_step()

    after = []
    for i in range(parallel_count):
        artifact = process_step(input_data, id=f"process_{i}")
        after.append(artifact)

    combine_step(step_prefix="process_", output_name="output", after=after)


def test_fan_out_and_fan_in() -> None:
    run = fan_out_fan_in_pipeline(parallel_count=3)
    combined = run.steps["combine_step"].output.load()
    assert sorted(combined.split(",")) == [f"process_{i}: Hello from Waypost!" for i in range(3)]
    assert sorted(run.steps["combine_step"].upstream) == ["process_0", "process_1", "process_2"]
