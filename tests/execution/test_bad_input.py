"""Mistakes a user makes get a one-line error that names the problem and the fix, and
leave no half-written record behind."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from waypost import pipeline, step
from waypost.client import Client
from waypost.exceptions import (
    ArtifactStoreError,
    CycleError,
    MissingInputError,
    NotFoundError,
    ParameterError,
    WaypostError,
)
from waypost.execution import runtime


@step
def load() -> list[int]:
    return [1, 2, 3]


@step
def train(data: list[int], lr: float = 0.1) -> float:
    return sum(data) * lr


@step
def tick() -> None:
    return None


def _message(exc: pytest.ExceptionInfo[WaypostError]) -> str:
    text = str(exc.value)
    assert "\n" not in text
    return text


def _nothing_recorded(home: Path) -> None:
    client = Client()
    assert client.list_pipelines().total == 0
    assert client.list_pipeline_runs().total == 0
    assert client.list_artifact_versions().total == 0
    artifacts = home / "artifacts"
    assert not artifacts.exists() or not any(p.is_file() for p in artifacts.rglob("*"))


def test_a_dataframe_passed_as_a_step_parameter(waypost_home: Path) -> None:
    frame = pd.DataFrame({"a": [1]})

    @pipeline
    def p():
        train(data=frame)  # type: ignore[arg-type]

    with pytest.raises(ParameterError) as exc:
        p()

    message = _message(exc)
    assert "Parameter 'data' of step 'train' is a DataFrame, which cannot be stored as a JSON parameter" in message
    assert "pass it as the output of a step" in message
    _nothing_recorded(waypost_home)


def test_a_dataframe_passed_as_a_pipeline_parameter(waypost_home: Path) -> None:
    @pipeline
    def p(frame: object = None):
        train(load())

    with pytest.raises(ParameterError) as exc:
        p(frame=pd.DataFrame({"a": [1]}))

    assert "Pipeline parameter 'frame' is a DataFrame" in _message(exc)
    _nothing_recorded(waypost_home)


def test_a_non_finite_float_parameter_is_rejected(waypost_home: Path) -> None:
    @pipeline
    def p():
        train(load(), lr=float("nan"))

    with pytest.raises(ParameterError, match="Parameter 'lr' of step 'train' is a float"):
        p()
    _nothing_recorded(waypost_home)


def test_steps_whose_after_dependencies_form_a_loop(waypost_home: Path) -> None:
    @pipeline
    def loop():
        tick(id="a", after="c")
        tick(id="b", after="a")
        tick(id="c", after="b")

    with pytest.raises(CycleError) as exc:
        loop()

    message = _message(exc)
    assert "The steps form a cycle (" in message
    assert all(name in message for name in ("a", "b", "c"))
    assert "remove one of the `after` dependencies" in message
    _nothing_recorded(waypost_home)


def test_after_naming_an_unknown_step(waypost_home: Path) -> None:
    @pipeline
    def p():
        tick(after="ghost")

    with pytest.raises(MissingInputError) as exc:
        p()

    assert _message(exc) == "Step 'tick' runs after unknown step 'ghost'; name a step called in this pipeline."
    _nothing_recorded(waypost_home)


def test_a_missing_input(waypost_home: Path) -> None:
    @pipeline
    def p():
        train()  # type: ignore[call-arg]

    with pytest.raises(MissingInputError) as exc:
        p()

    message = _message(exc)
    assert "Step 'train' is missing input 'data'" in message
    assert "train(data=...)" in message
    _nothing_recorded(waypost_home)


def test_wrong_arguments_to_a_step(waypost_home: Path) -> None:
    @pipeline
    def p():
        train(load(), 0.1, 0.2)  # type: ignore[call-arg]

    with pytest.raises(TypeError, match="Step 'train' was called with wrong arguments: too many positional"):
        p()
    _nothing_recorded(waypost_home)


def test_a_pipeline_that_calls_no_steps(waypost_home: Path) -> None:
    @pipeline
    def empty():
        pass

    with pytest.raises(ParameterError, match="calls no steps; call at least one @step function in it"):
        empty()
    _nothing_recorded(waypost_home)


def test_listing_runs_of_an_unknown_pipeline() -> None:
    @pipeline
    def real():
        tick()

    real()

    with pytest.raises(NotFoundError) as exc:
        Client().list_pipeline_runs(pipeline_name="nope")

    message = _message(exc)  # type: ignore[arg-type]
    assert "'nope'" in message
    assert "waypost" in message  # it says which command lists what exists


def test_a_read_only_artifact_store_fails_the_run_before_anything_is_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, waypost_home: Path
) -> None:
    blocker = tmp_path / "a-regular-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("WAYPOST_ARTIFACT_STORE__URI", str(blocker / "artifacts"))
    runtime.reset()

    @pipeline
    def p():
        train(load())

    with pytest.raises(ArtifactStoreError) as exc:
        p()

    message = _message(exc)
    assert str(blocker / "artifacts") in message
    assert "is not writable" in message
    assert "WAYPOST_ARTIFACT_STORE__URI" in message
    assert blocker.read_text() == "not a folder"
    _nothing_recorded(waypost_home)
