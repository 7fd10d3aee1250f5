"""ZenML's failure and success hooks, ported from its documentation's examples with only the imports changed:
hooks on steps (the exception given to on_failure), on the pipeline, given as "module.function", and a hook
reading the step's context."""

from __future__ import annotations

import pytest

from waypost import get_step_context, pipeline, step
from waypost.client import Client
from waypost.exceptions import StepFailedError


def on_failure(exception: BaseException) -> None:
    print(f"Step failed: {str(exception)}")  # noqa: RUF010 - as the ZenML example writes it


def on_success() -> None:
    print("Step succeeded!")


@step(on_failure=on_failure)
def my_failing_step() -> int:
    """Returns an integer."""
    raise ValueError("Error")


@step(on_success=on_success)
def my_successful_step() -> int:
    """Returns an integer."""
    return 1


@step
def plain_step() -> int:
    return 1


@step
def plain_failing_step() -> int:
    raise ValueError("Error")


def _log(run_id: object, name: str) -> list[str]:
    return [line["m"] for line in Client().get_step_logs(run_id, name)]  # type: ignore[arg-type]


def test_step_hooks_print_into_the_steps_logs() -> None:
    @pipeline
    def my_pipeline() -> None:
        my_successful_step()

    run = my_pipeline()
    assert _log(run.id, "my_successful_step") == ["Step succeeded!"]

    @pipeline
    def failing_pipeline() -> None:
        my_failing_step()

    with pytest.raises(StepFailedError):
        failing_pipeline()
    failed = Client().list_pipeline_runs().items[0]
    assert _log(failed.id, "my_failing_step")[-1] == "Step failed: Error"


def test_pipeline_level_hooks(capsys: pytest.CaptureFixture[str]) -> None:
    @pipeline(on_failure=on_failure, on_success=on_success)
    def my_pipeline() -> None:
        plain_step()
        plain_step()

    my_pipeline()
    assert capsys.readouterr().out.splitlines().count("Step succeeded!") == 1  # once for the run

    @pipeline(on_failure=on_failure)
    def my_failing_pipeline() -> None:
        plain_failing_step()

    with pytest.raises(StepFailedError):
        my_failing_pipeline()
    assert capsys.readouterr().out.splitlines().count("Step failed: Error") == 1


def test_a_hook_given_as_module_and_function_name() -> None:
    @step(on_failure=f"{__name__}.on_failure")
    def my_step() -> None:
        raise ValueError("from a source string")

    @pipeline
    def my_pipeline() -> None:
        my_step()

    with pytest.raises(StepFailedError):
        my_pipeline()
    run = Client().list_pipeline_runs().items[0]
    assert _log(run.id, "my_step")[-1] == "Step failed: from a source string"


def test_a_hook_reads_the_steps_context() -> None:
    def on_failure(exception: BaseException) -> None:
        context = get_step_context()
        print(context.step_run.name)
        print(context.step_run.config.parameters)
        print(type(exception))
        print("Step failed!")

    @step(on_failure=on_failure)
    def my_step(some_parameter: int) -> None:
        raise ValueError("My exception")

    @pipeline
    def my_pipeline() -> None:
        my_step(some_parameter=1)

    with pytest.raises(StepFailedError):
        my_pipeline()
    run = Client().list_pipeline_runs().items[0]
    assert _log(run.id, "my_step")[-4:] == ["my_step", "{'some_parameter': 1}", "<class 'ValueError'>", "Step failed!"]
