"""on_failure / on_success hooks of steps and pipelines: when they are called, with what, in which context,
and that a hook's own failure changes no status."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from waypost import get_step_context, log_metadata, pipeline, step
from waypost.client import Client
from waypost.enums import ExecutionStatus
from waypost.exceptions import StepFailedError

calls: list[tuple[str, Any]] = []


@pytest.fixture(autouse=True)
def _fresh_calls() -> None:
    calls.clear()


def record_failure(exception: BaseException) -> None:
    calls.append(("failure", exception))


def record_failure_without_arguments() -> None:
    calls.append(("failure", None))


def record_success() -> None:
    context = get_step_context()
    calls.append(("success", (context.step_run.name, context.pipeline_run.id)))
    log_metadata(metadata={"hook": "on_success"})  # attaches to the step, as inside it


def broken_hook() -> None:
    raise RuntimeError("the alerting service is down\nsecond line")


@step(on_failure=record_failure, enable_cache=False)
def fails(x: int = 1) -> int:
    raise ValueError(f"bad value {x}")


@step(on_success=record_success)
def works(x: int = 1) -> int:
    print("working")
    return x + 1


def test_on_failure_gets_the_exception_the_step_raised() -> None:
    @pipeline
    def failing() -> None:
        fails(x=7)

    with pytest.raises(StepFailedError):
        failing()
    assert len(calls) == 1
    kind, exc = calls[0]
    assert kind == "failure"
    assert isinstance(exc, ValueError)
    assert str(exc) == "bad value 7"


def test_on_failure_without_arguments_and_given_as_a_source_string() -> None:
    @pipeline
    def failing() -> None:
        fails.with_options(on_failure=f"{__name__}.record_failure_without_arguments")()

    with pytest.raises(StepFailedError):
        failing()
    assert calls == [("failure", None)]
    run = Client().list_pipeline_runs().items[0]
    config = Client().get_step_run(run.id, "fails").config
    assert config["on_failure"] == f"{__name__}.record_failure_without_arguments"


def test_on_success_runs_in_the_steps_context_and_not_when_served_from_the_cache() -> None:
    @pipeline
    def working() -> None:
        works(x=2)

    run = working()
    step_run = Client().get_step_run(run.id, "works")
    assert calls == [("success", ("works", run.id))]
    assert {m.key: m.value for m in Client().get_metadata(run.id, "works")}["hook"] == "on_success"
    assert step_run.config["on_success"] == f"{__name__}.record_success"

    again = working()
    assert Client().get_step_run(again.id, "works").status == ExecutionStatus.CACHED
    assert len(calls) == 1  # a cached step did not run, and neither does its hook


def test_a_failing_hook_is_one_logged_line_and_changes_no_status(caplog: pytest.LogCaptureFixture) -> None:
    @pipeline(enable_cache=False)
    def working() -> None:
        works.with_options(on_success=broken_hook)(x=3)

    with caplog.at_level(logging.WARNING, logger="waypost.hooks"):
        run = working()
    assert run.status == ExecutionStatus.COMPLETED
    client = Client()
    assert client.get_step_run(run.id, "works").status == ExecutionStatus.COMPLETED
    assert client.get_step_output(run.id, "works") == 4
    warned = [r.getMessage() for r in caplog.records if r.name == "waypost.hooks"]
    assert warned == [
        f"The on_success hook '{__name__}.broken_hook' of step 'works' raised RuntimeError: the alerting service "
        "is down second line; the status is unchanged."
    ]
    logged = [(line["l"], line["m"]) for line in client.get_step_logs(run.id, "works")]
    assert logged[0] == (None, "working")
    assert [(level, m) for level, m in logged[1:]] == [("WARNING", f"waypost.hooks: {warned[0]}")]

    # A failing on_failure hook leaves the step failed for its own reason.
    @pipeline
    def failing() -> None:
        fails.with_options(on_failure=broken_hook)()

    with pytest.raises(StepFailedError, match="ValueError: bad value 1"):
        failing()
    last = client.list_pipeline_runs().items[0]
    assert last.status == ExecutionStatus.FAILED
    assert client.get_step_run(last.id, "fails").error_type == "ValueError"


def test_on_failure_runs_once_after_the_last_retry() -> None:
    @pipeline
    def retried() -> None:
        fails.with_options(retry={"max_retries": 2, "delay": 0})()

    with pytest.raises(StepFailedError):
        retried()
    assert [kind for kind, _ in calls] == ["failure"]


def test_pipeline_hooks_run_once_for_the_run() -> None:
    seen: list[tuple[str, Any]] = []

    def run_failed(exception: BaseException) -> None:
        seen.append(("failed", exception))

    def run_succeeded() -> None:
        seen.append(("succeeded", None))

    @pipeline(on_failure=run_failed, on_success=run_succeeded, enable_cache=False)
    def two_steps(fail: bool = False) -> None:
        works()
        if fail:
            fails()
        works(id="works_again")

    run = two_steps()
    assert seen == [("succeeded", None)]
    assert Client().get_pipeline_run(run.id).config["on_success"].endswith("run_succeeded")

    seen.clear()
    with pytest.raises(StepFailedError):
        two_steps(fail=True)
    assert len(seen) == 1
    assert seen[0][0] == "failed"
    assert isinstance(seen[0][1], ValueError)  # the failed step's exception

    seen.clear()
    with pytest.raises(StepFailedError):
        two_steps.with_options(on_failure=broken_hook)(fail=True)  # still the step's failure, not the hook's
    assert seen == []


def test_a_hook_that_takes_arguments_it_is_not_given_is_refused_in_one_line() -> None:
    def needs_two(a: int, b: int) -> None: ...

    @pipeline
    def bad() -> None:
        works.with_options(on_success=needs_two)()

    with pytest.raises(TypeError, match="The on_success hook of step 'works', 'needs_two', needs a, b; an on_success"):
        bad()

    @pipeline
    def missing() -> None:
        works.with_options(on_failure="no_such_module.hook")()

    with pytest.raises(ValueError, match=r"'no_such_module\.hook', cannot be imported"):
        missing()
    assert Client().list_pipeline_runs().total == 0


def test_a_run_config_sets_hooks_under_zenmls_names(tmp_path: Path) -> None:
    config = tmp_path / "run.yaml"
    config.write_text(
        f"failure_hook_source: {__name__}.record_failure\n"
        "steps:\n"
        "  works:\n"
        f"    success_hook_source: {{module: {__name__}, attribute: record_success}}\n"
        "  fails:\n"
        f"    failure_hook_source: {__name__}.record_failure_without_arguments\n"
    )

    @pipeline(enable_cache=False)
    def configured() -> None:
        works()
        fails()  # its own hook is record_failure: the file's wins

    with pytest.raises(StepFailedError):
        configured.with_options(config_path=config)()
    kinds = [(kind, type(value).__name__) for kind, value in calls]
    assert sorted(kinds) == [("failure", "NoneType"), ("failure", "ValueError"), ("success", "tuple")]
    run = Client().list_pipeline_runs().items[0]
    assert run.config["on_failure"] == f"{__name__}.record_failure"
    assert Client().get_step_run(run.id, "fails").config["on_failure"].endswith("record_failure_without_arguments")
