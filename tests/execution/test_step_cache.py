"""Step caching across runs: hits link the original artifacts; every miss says why."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from waypost import BaseStep, pipeline, step
from waypost.client import Client
from waypost.enums import ExecutionStatus
from waypost.exceptions import StepFailedError
from waypost.schemas import StepRunRead


@step
def load(n: int = 1, offset: int = 0) -> list[int]:
    return [n + offset] * 3


@step
def positive(values: list[int]) -> bool:
    return all(v > 0 for v in values)


@step
def report(flag: bool) -> str:
    return f"positive={flag}"


@step
def total(values: list[int]) -> int:
    return sum(values)


@step
def unrelated() -> str:
    return "same every time"


@pipeline
def chain(n: int = 1, offset: int = 0):
    values = load(n=n, offset=offset)
    report(positive(values))
    total(values)
    unrelated()


def _steps(run_id: object) -> dict[str, StepRunRead]:
    return {s.name: s for s in Client().list_step_runs(run_id)}  # type: ignore[arg-type]


def _statuses(run_id: object) -> dict[str, str]:
    return {name: s.status.value for name, s in _steps(run_id).items()}


def test_an_identical_second_run_is_served_entirely_from_the_cache() -> None:
    first = chain()
    second = chain()

    one, two = _steps(first.id), _steps(second.id)
    assert set(_statuses(second.id).values()) == {"cached"}
    assert second.status == ExecutionStatus.COMPLETED
    assert second.step_counts == {"cached": 5}
    for name, cached in two.items():
        original = one[name]
        assert cached.outputs == original.outputs  # the very same artifact versions
        assert cached.inputs == original.inputs
        assert cached.cached_from_run_id == first.id
        assert cached.cached_from_step_run_id == original.id
        assert cached.cache_key == original.cache_key
    assert Client().list_artifact_versions("name:chain::load::output").total == 1
    assert Client().get_step_output(second.id, "report") == "positive=True"


def test_changing_one_parameter_reruns_exactly_the_steps_whose_inputs_changed() -> None:
    first = chain(n=1)
    second = chain(n=2)

    assert _statuses(second.id) == {
        "load": "completed",  # its parameter changed
        "positive": "completed",  # its input's content changed
        "report": "cached",  # positive() returned True again: same input content
        "total": "completed",
        "unrelated": "cached",
    }
    steps = _steps(second.id)
    assert steps["load"].cache_miss_reason == "Parameter 'n' changed (1 -> 2)."
    assert steps["positive"].cache_miss_reason == "Input 'values' has different content."
    assert steps["total"].cache_miss_reason == "Input 'values' has different content."
    assert steps["report"].cached_from_run_id == first.id
    assert Client().get_step_output(second.id, "total") == 6


def test_going_back_to_earlier_parameters_hits_the_run_that_had_them() -> None:
    first = chain(n=1)
    chain(n=2)
    third = chain(n=1)

    assert set(_statuses(third.id).values()) == {"cached"}
    assert _steps(third.id)["load"].cached_from_run_id == first.id


def test_a_reason_names_every_parameter_that_changed() -> None:
    chain(n=1, offset=0)
    second = chain(n=2, offset=5)

    assert _steps(second.id)["load"].cache_miss_reason == (
        "Parameter 'n' changed (1 -> 2); parameter 'offset' changed (0 -> 5)."
    )


def test_the_first_run_explains_its_misses() -> None:
    run = chain()

    reasons = {s.cache_miss_reason for s in _steps(run.id).values()}
    assert reasons == {"No earlier run of this step has the same code, parameters and inputs."}


def _module(tmp_path: Path, name: str, body: str) -> ModuleType:
    """Import a real module file, as if the user had edited their step and re-run."""
    path = tmp_path / f"{name}.py"
    path.write_text("from waypost import step\n\n" + textwrap.dedent(body))
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _with_transform(transform: BaseStep) -> object:
    @pipeline(name="edited")
    def edited():
        report(transform(load()))

    return edited


def test_changing_a_steps_code_reruns_that_step(tmp_path: Path) -> None:
    v1 = _module(
        tmp_path,
        "transform_v1",
        """
        @step
        def transform(values: list[int]) -> bool:
            return len(values) > 0
        """,
    )
    v2 = _module(
        tmp_path,
        "transform_v2",
        """
        @step
        def transform(values: list[int]) -> bool:
            return bool(values)  # same result, new code
        """,
    )
    try:
        _with_transform(v1.transform)()  # type: ignore[operator]
        again = _with_transform(v1.transform)()  # type: ignore[operator]
        edited = _with_transform(v2.transform)()  # type: ignore[operator]
    finally:
        sys.modules.pop("transform_v1", None)
        sys.modules.pop("transform_v2", None)

    assert set(_statuses(again.id).values()) == {"cached"}
    assert _statuses(edited.id) == {"load": "cached", "transform": "completed", "report": "cached"}
    sr = _steps(edited.id)["transform"]
    assert sr.cache_miss_reason == "The step's code changed."
    assert "return bool(values)" in sr.source_code


def test_deleted_artifact_files_make_the_step_run_again() -> None:
    first = chain()
    for s in _steps(first.id).values():
        for av_id in s.outputs.values():
            shutil.rmtree(Client().get_artifact_version(av_id).uri)

    second = chain()

    steps = _steps(second.id)
    assert {s.status for s in steps.values()} == {ExecutionStatus.COMPLETED}
    assert steps["load"].cache_miss_reason == "The cached outputs are missing from the artifact store."
    assert Client().get_step_output(second.id, "report") == "positive=True"
    # The third run is served from the second, whose files exist.
    third = chain()
    assert {s.cached_from_run_id for s in _steps(third.id).values()} == {second.id}


def test_a_failed_step_is_never_served_from_the_cache(tmp_path: Path) -> None:
    flag = tmp_path / "fail"
    flag.write_text("yes")

    @step
    def sometimes(path: str) -> int:
        if Path(path).exists():
            raise RuntimeError("told to fail")
        return 1

    @pipeline
    def p(path: str):
        sometimes(path=path)

    with pytest.raises(StepFailedError):
        p(path=str(flag))
    flag.unlink()

    second = p(path=str(flag))

    sr = _steps(second.id)["sometimes"]
    assert sr.status == ExecutionStatus.COMPLETED
    assert sr.cache_miss_reason == "The earlier run with the same key did not complete, or its outputs are gone."
