"""Steps as a user writes them: typed inputs, defaults, several outputs, repeated calls, settings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pytest

from waypost import pipeline, step
from waypost.client import Client
from waypost.enums import ExecutionStatus
from waypost.exceptions import NotFoundError


@step
def numbers(n: int = 3) -> list[int]:
    return list(range(n))


@step
def scale(values: list[int], factor: float = 2.0) -> list[float]:
    return [v * factor for v in values]


@step
def stats(values: list[float]) -> tuple[Annotated[float, "total"], Annotated[int, "count"]]:
    return sum(values), len(values)


def _steps(run_id: object) -> dict[str, object]:
    return {s.name: s for s in Client().list_step_runs(run_id)}  # type: ignore[arg-type]


def test_inputs_flow_between_steps_and_defaults_are_recorded_as_parameters() -> None:
    @pipeline
    def typed():
        stats(scale(numbers(n=4)))

    run = typed()

    client = Client()
    steps = _steps(run.id)
    assert steps["numbers"].parameters == {"n": 4}  # type: ignore[attr-defined]
    assert steps["scale"].parameters == {"factor": 2.0}  # type: ignore[attr-defined]
    assert client.get_step_output(run.id, "scale") == [0.0, 2.0, 4.0, 6.0]
    assert client.get_step_output(run.id, "stats", "total") == 12.0
    assert client.get_step_output(run.id, "stats", "count") == 4
    assert set(steps["scale"].inputs) == {"values"}  # type: ignore[attr-defined]
    assert steps["scale"].inputs["values"] == steps["numbers"].outputs["output"]  # type: ignore[attr-defined]


def test_each_annotated_output_is_its_own_artifact_named_by_the_annotation() -> None:
    @pipeline
    def two_outputs():
        stats(scale(numbers()))

    run = two_outputs()

    client = Client()
    outputs = _steps(run.id)["stats"].outputs  # type: ignore[attr-defined]
    assert set(outputs) == {"total", "count"}
    total = client.get_artifact_version(outputs["total"])
    count = client.get_artifact_version(outputs["count"])
    assert (total.name, total.version, total.data_type) == ("total", 1, "builtins.float")
    assert (count.name, count.version, count.data_type) == ("count", 1, "builtins.int")
    assert client.load_artifact("total") == 6.0
    assert client.load_artifact("count:1") == 3
    # Unannotated outputs are named pipeline::step::output.
    assert client.get_artifact_version(_steps(run.id)["numbers"].outputs["output"]).name == (  # type: ignore[attr-defined]
        "two_outputs::numbers::output"
    )


def test_the_same_step_called_several_times_becomes_separate_nodes() -> None:
    @pipeline
    def repeated():
        numbers(n=1)
        numbers(n=2)
        numbers(n=3, id="three")
        scale(numbers(n=4), factor=0.5)

    spec = repeated.compile()
    run = repeated()

    assert [s.name for s in spec.steps] == ["numbers", "numbers_2", "three", "numbers_3", "scale"]
    assert {s.step_name for s in spec.steps[:4]} == {"numbers"}
    client = Client()
    assert client.get_step_output(run.id, "numbers") == [0]
    assert client.get_step_output(run.id, "numbers_2") == [0, 1]
    assert client.get_step_output(run.id, "three") == [0, 1, 2]
    assert client.get_step_output(run.id, "scale") == [0.0, 0.5, 1.0, 1.5]
    assert _steps(run.id)["three"].step_name == "numbers"  # type: ignore[attr-defined]


def test_two_calls_with_one_id_are_rejected() -> None:
    @pipeline
    def clash():
        numbers(id="x")
        numbers(id="x")

    with pytest.raises(ValueError, match="unique id"):
        clash()


def test_custom_step_and_pipeline_names() -> None:
    @step(name="make_numbers")
    def make() -> int:
        return 7

    @pipeline(name="named_pipeline")
    def p():
        make()

    run = p()

    assert run.pipeline_name == "named_pipeline"
    assert Client().get_step_output(run.id, "make_numbers") == 7
    assert Client().get_pipeline("named_pipeline").run_count == 1


def test_a_step_outside_a_pipeline_is_its_plain_function() -> None:
    assert scale([1, 2], factor=3.0) == [3.0, 6.0]
    assert Client().list_pipeline_runs().total == 0


# -- settings ----------------------------------------------------------------------------
def test_enable_cache_false_reruns_the_step_every_time() -> None:
    @step(enable_cache=False)
    def fresh() -> int:
        return 1

    @pipeline
    def p():
        fresh()
        numbers()

    p()
    second = p()

    steps = _steps(second.id)
    assert steps["fresh"].status == ExecutionStatus.COMPLETED  # type: ignore[attr-defined]
    assert steps["fresh"].cache_miss_reason == "Caching is disabled for this step."  # type: ignore[attr-defined]
    assert steps["numbers"].status == ExecutionStatus.CACHED  # type: ignore[attr-defined]


def test_pipeline_enable_cache_false_applies_to_every_step() -> None:
    @pipeline(enable_cache=False)
    def p():
        scale(numbers())

    p()
    second = p()

    assert {s.status for s in Client().list_step_runs(second.id)} == {ExecutionStatus.COMPLETED}


def test_retry_with_backoff_records_every_attempt(tmp_path: Path) -> None:
    @step(retry={"max_retries": 2, "delay": 0.01, "backoff": 2})
    def flaky(counter: str) -> int:
        path = Path(counter)
        tries = int(path.read_text()) + 1 if path.exists() else 1
        path.write_text(str(tries))
        if tries < 3:
            raise ConnectionError(f"try {tries} failed")
        return tries

    @pipeline
    def p(counter: str):
        flaky(counter=counter)

    run = p(counter=str(tmp_path / "tries"))

    sr = Client().get_step_run(run.id, "flaky")
    assert run.status == ExecutionStatus.COMPLETED
    assert sr.status == ExecutionStatus.COMPLETED
    assert [(a.number, a.status) for a in sr.attempts] == [
        (1, ExecutionStatus.FAILED),
        (2, ExecutionStatus.FAILED),
        (3, ExecutionStatus.COMPLETED),
    ]
    assert sr.attempts[0].error == "ConnectionError: try 1 failed"
    # The second wait (delay * backoff) is at least 0.02 s.
    assert (sr.attempts[2].started_at - sr.attempts[1].ended_at).total_seconds() >= 0.02
    assert Client().get_step_output(run.id, "flaky") == 3
    assert [hit["line"]["m"] for hit in Client().search_step_logs(run.id, "flaky", "retrying")] == [
        "Attempt 1 of 3 failed (ConnectionError: try 1 failed); retrying.",
        "Attempt 2 of 3 failed (ConnectionError: try 2 failed); retrying.",
    ]


def test_retries_run_out_and_the_step_fails(tmp_path: Path) -> None:
    @step(retry={"max_retries": 1, "delay": 0})
    def always_fails() -> None:
        raise RuntimeError("still broken")

    @pipeline
    def p():
        always_fails()

    from waypost.exceptions import StepFailedError

    with pytest.raises(StepFailedError, match="still broken"):
        p()
    run = Client().list_pipeline_runs(pipeline_name="p").items[0]
    sr = Client().get_step_run(run.id, "always_fails")
    assert sr.status == ExecutionStatus.FAILED
    assert [a.status for a in sr.attempts] == [ExecutionStatus.FAILED, ExecutionStatus.FAILED]


def test_resources_and_extra_settings_are_recorded_on_the_step_run() -> None:
    @step(resources={"cpu_count": 2, "memory": "4GB"}, extra={"owner": "team-a"})
    def heavy() -> int:
        return 1

    @pipeline
    def p():
        heavy()

    run = p()

    config = Client().get_step_run(run.id, "heavy").config
    assert config["resources"] == {"cpu_count": 2.0, "gpu_count": None, "memory": "4GB"}
    assert config["extra"] == {"owner": "team-a"}


def test_pipeline_tags_are_on_every_run_and_with_options_changes_them() -> None:
    @pipeline(tags=["nightly"])
    def p():
        numbers()

    first = p()
    second = p.with_options(tags=["nightly", "prod"])()

    assert first.tags == ["nightly"]
    assert second.tags == ["nightly", "prod"]
    assert [r.id for r in Client().list_pipeline_runs(pipeline_name="p", tags=["prod"]).items] == [second.id]


def test_enable_step_logs_false_stores_no_logs() -> None:
    @step(enable_step_logs=False)
    def quiet() -> int:
        print("this line is not stored")
        return 1

    @step
    def chatty() -> int:
        print("this line is stored")
        return 2

    @pipeline
    def p():
        quiet()
        chatty()

    run = p()

    client = Client()
    assert [line["m"] for line in client.get_step_logs(run.id, "chatty")] == ["this line is stored"]
    with pytest.raises(NotFoundError, match="enable_step_logs"):
        client.get_step_logs(run.id, "quiet")
    assert client.get_step_run(run.id, "quiet").log_uri is None


def test_with_options_on_a_step_leaves_the_original_unchanged() -> None:
    uncached = numbers.with_options(enable_cache=False)

    @pipeline
    def p():
        uncached(id="fresh")
        numbers()

    p()
    second = p()

    steps = _steps(second.id)
    assert steps["fresh"].status == ExecutionStatus.COMPLETED  # type: ignore[attr-defined]
    assert steps["numbers"].status == ExecutionStatus.CACHED  # type: ignore[attr-defined]
    assert numbers.settings["enable_cache"] is None


def test_unknown_step_setting_names_the_valid_ones() -> None:
    with pytest.raises(TypeError, match="Unknown step setting 'cache'"):
        numbers.with_options(cache=False)
