"""Parameters from the call and from a YAML run config (``with_options(config_path=...)``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from waypost import pipeline, step
from waypost.client import Client
from waypost.enums import ExecutionStatus
from waypost.exceptions import ConfigurationError, ParameterError


@step
def load(rows: int = 2) -> list[int]:
    return list(range(rows))


@step
def fit(data: list[int], lr: float = 0.1, epochs: int = 1) -> float:
    return round(sum(data) * lr * epochs, 6)


@pipeline
def training(rows: int = 2):
    fit(load(rows=rows))


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "run.yaml"
    path.write_text(text)
    return path


def _one_line(exc: pytest.ExceptionInfo[BaseException]) -> str:
    message = str(exc.value)
    assert "\n" not in message
    return message


def test_call_parameters_reach_the_steps() -> None:
    run = training(rows=5)

    assert run.parameters == {"rows": 5}
    assert Client().get_step_run(run.id, "load").parameters == {"rows": 5}
    assert Client().get_step_output(run.id, "fit") == 1.0


def test_run_config_sets_pipeline_and_step_parameters_and_settings(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        """
parameters:
  rows: 4
steps:
  fit:
    parameters:
      lr: 0.5
      epochs: 2
    enable_cache: false
""",
    )
    configured = training.with_options(config_path=config)

    first = configured()
    second = configured()

    client = Client()
    assert first.parameters == {"rows": 4}
    assert client.get_step_run(first.id, "fit").parameters == {"lr": 0.5, "epochs": 2}
    assert client.get_step_output(first.id, "fit") == 6.0
    steps = {s.name: s for s in client.list_step_runs(second.id)}
    assert steps["load"].status == ExecutionStatus.CACHED
    assert steps["fit"].status == ExecutionStatus.COMPLETED  # enable_cache: false from the config
    assert steps["fit"].config["enable_cache"] is False


def test_the_same_value_in_code_and_config_is_no_conflict(tmp_path: Path) -> None:
    config = _config(tmp_path, "parameters:\n  rows: 3\n")

    run = training.with_options(config_path=config)(rows=3)

    assert run.parameters == {"rows": 3}


def test_a_parameter_set_in_code_and_config_differently_is_a_one_line_error(tmp_path: Path) -> None:
    config = _config(tmp_path, "parameters:\n  rows: 4\n")

    with pytest.raises(ParameterError) as exc:
        training.with_options(config_path=config)(rows=7)

    message = _one_line(exc)
    assert "'rows'" in message
    assert "(7)" in message
    assert "(4)" in message
    assert "keep one" in message
    assert Client().list_pipeline_runs().total == 0


def test_a_step_parameter_set_in_code_and_config_differently_is_a_one_line_error(tmp_path: Path) -> None:
    config = _config(tmp_path, "steps:\n  fit:\n    parameters:\n      lr: 0.2\n")

    @pipeline
    def explicit():
        fit(load(), lr=0.3)

    with pytest.raises(ParameterError) as exc:
        explicit.with_options(config_path=config)()

    assert "Step 'fit' gets 'lr' both in code (0.3) and in the run config (0.2)" in _one_line(exc)


def test_config_parameters_the_pipeline_does_not_take_are_rejected(tmp_path: Path) -> None:
    config = _config(tmp_path, "parameters:\n  batch: 4\n")

    with pytest.raises(ParameterError) as exc:
        training.with_options(config_path=config)()

    assert "'batch'" in _one_line(exc)
    assert "['rows']" in str(exc.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("steps:\n  nope:\n    enable_cache: false\n", "step 'nope', which pipeline 'training' does not call"),
        ("parameters: [1, 2\n", "not valid YAML"),
        ("steps:\n  fit:\n    retry: {max_retries: -1}\n", "invalid setting 'retry.max_retries'"),
    ],
)
# Unknown keys warn and the run goes on (ZenML's files carry keys such as `schedule`): tests/sdk/test_run_settings.py.
def test_a_bad_run_config_is_a_one_line_configuration_error(tmp_path: Path, text: str, expected: str) -> None:
    config = _config(tmp_path, text)

    with pytest.raises(ConfigurationError) as exc:
        training.with_options(config_path=config)()

    assert expected in _one_line(exc)
    assert Client().list_pipeline_runs().total == 0


def test_a_missing_run_config_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"does not exist; check the path"):
        training.with_options(config_path=tmp_path / "absent.yaml")()
