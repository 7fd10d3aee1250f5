"""Run configuration (ZenML's names): ``settings=`` (resources applied, docker and component settings
recorded with one warning each), substitutions, retries, the artifact metadata and visualization switches,
``configure``, and unknown run config keys, each read back from real runs."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import pytest
from sqlalchemy import select

from waypost import pipeline, step
from waypost.client import Client
from waypost.config import DockerSettings, ResourceSettings, SettingsWarning, StepRetryConfig
from waypost.enums import ExecutionStatus
from waypost.exceptions import ConfigurationError, StepFailedError
from waypost.store.sql import tables as db


@step
def table() -> Annotated[pd.DataFrame, "table"]:
    return pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [0, 1, 1]})


@step
def count(df: pd.DataFrame) -> int:
    return len(df)


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "run.yaml"
    path.write_text(text)
    return path


def _extracted(version_id: uuid.UUID) -> dict[str, Any]:
    """The metadata the materializer extracted, as the version's row holds it."""
    with Client().store.sessions.read() as conn:
        meta = conn.execute(select(db.artifact_versions.c.meta).where(db.artifact_versions.c.id == version_id)).scalar()
    return dict(meta or {})


def _messages(record: pytest.WarningsRecorder) -> list[str]:
    return [str(w.message) for w in record if issubclass(w.category, SettingsWarning)]


# --- settings: resources applied, the rest recorded, one warning per key -------------------------------------


def test_resources_from_the_pipeline_are_every_steps_default_and_a_step_overrides_them() -> None:
    @step(settings={"resources": ResourceSettings(gpu_count=1, memory="2GB")})
    def heavy(df: pd.DataFrame) -> int:
        return len(df)

    @pipeline(settings={"resources": ResourceSettings(cpu_count=2, memory="4GB")}, enable_cache=False)
    def sized():
        heavy(table())

    run = sized()

    client = Client()
    assert client.get_step_run(run.id, "table").config["resources"] == {
        "cpu_count": 2.0,
        "gpu_count": None,
        "memory": "4GB",
    }
    assert client.get_step_run(run.id, "heavy").config["resources"] == {
        "cpu_count": 2.0,
        "gpu_count": 1,
        "memory": "2GB",
    }
    assert run.config["settings"]["resources"] == {"cpu_count": 2.0, "memory": "4GB"}


def test_docker_settings_are_recorded_and_warn_once_naming_the_orchestrator() -> None:
    docker = DockerSettings(parent_image="pytorch/pytorch:2.2.0", requirements=["numpy"], apt_packages=["curl"])

    @step(settings={"docker": DockerSettings(parent_image="python:3.12-slim")})
    def pinned(df: pd.DataFrame) -> int:
        return len(df)

    @pipeline(settings={"docker": docker})
    def containerized():
        pinned(table())

    with pytest.warns(SettingsWarning) as record:
        run = containerized()

    assert run.status == ExecutionStatus.COMPLETED
    assert _messages(record) == [
        "DockerSettings are recorded but not applied: the local orchestrator runs no containers"
    ]
    assert run.config["settings"]["docker"] == {
        "parent_image": "pytorch/pytorch:2.2.0",
        "requirements": ["numpy"],
        "apt_packages": ["curl"],
    }
    step_config = Client().get_step_run(run.id, "pinned").config
    assert step_config["settings"] == {"docker": {"parent_image": "python:3.12-slim"}}


def test_settings_for_a_flavor_the_stack_lacks_warn_naming_it_and_the_run_goes_on() -> None:
    @step(settings={"step_operator.vertex": {"accelerator_count": 1}})
    def trained(df: pd.DataFrame) -> int:
        return len(df)

    @pipeline(settings={"orchestrator.sagemaker": {"instance_type": "ml.m5.large"}, "orchestrator.local": {}})
    def cloudy():
        trained(table())

    with pytest.warns(SettingsWarning) as record:
        run = cloudy()

    assert run.status == ExecutionStatus.COMPLETED
    messages = _messages(record)
    assert messages == [
        "Settings 'orchestrator.sagemaker' are recorded but not applied: "
        "the run's orchestrator is local, not sagemaker",
        "Settings 'step_operator.vertex' are recorded but not applied: the run's stack 'default' has no step operator",
    ]
    assert all("\n" not in m for m in messages)
    assert run.config["settings"]["orchestrator.sagemaker"] == {"instance_type": "ml.m5.large"}
    assert Client().get_step_run(run.id, "trained").config["settings"] == {
        "step_operator.vertex": {"accelerator_count": 1}
    }


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"colour": {"a": 1}}, "unknown settings key 'colour'"),
        ({"docker": {"parent_img": "x"}}, "settings 'docker' field 'parent_img' is invalid"),
        ({"resources": {"memory": "4 gigs"}}, "settings 'resources' field 'memory' is invalid"),
    ],
)
def test_bad_settings_are_a_one_line_error_before_the_run(
    settings: dict[str, dict[str, object]], expected: str
) -> None:
    @pipeline(settings=settings)
    def bad():
        count(table())

    with pytest.raises(ConfigurationError) as exc:
        bad()

    assert expected in str(exc.value)
    assert "\n" not in str(exc.value)
    assert Client().list_pipeline_runs().total == 0


def test_settings_in_a_run_config_reach_the_pipeline_and_its_steps(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        """
settings:
  resources: {cpu_count: 3}
steps:
  count:
    settings:
      resources: {memory: 1GiB}
""",
    )

    @pipeline
    def configured():
        count(table())

    run = configured.with_options(config_path=config)()

    resources = Client().get_step_run(run.id, "count").config["resources"]
    assert resources == {"cpu_count": 3.0, "gpu_count": None, "memory": "1GiB"}


# --- ResourceSettings ------------------------------------------------------------------------------------------


def test_resource_settings_memory_in_units() -> None:
    settings = ResourceSettings(cpu_count=1, memory="2GiB")

    assert settings.get_memory("MiB") == 2048
    assert settings.get_memory("GB") == pytest.approx(2.147483648)
    assert ResourceSettings().get_memory() is None
    assert ResourceSettings().empty
    assert not settings.empty
    with pytest.raises(ValueError):
        settings.get_memory("gigs")


# --- substitutions ---------------------------------------------------------------------------------------------


def test_substitutions_fill_the_run_name_and_artifact_names(tmp_path: Path) -> None:
    @step(substitutions={"split": "train"})
    def named() -> Annotated[list[int], "rows_{split}_{experiment}"]:
        return [1, 2]

    @pipeline(
        substitutions={"experiment": "baseline"}, run_name="training_{experiment}_{date}_{time}", enable_cache=False
    )
    def named_runs():
        named()

    run = named_runs()
    assert run.name.startswith("training_baseline_")
    assert Client().get_artifact_version("rows_train_baseline").load() == [1, 2]

    config = _config(tmp_path, "substitutions:\n  experiment: tuned\n")
    again = named_runs.with_options(config_path=config, run_name="run_{experiment}")()
    assert again.name == "run_tuned"
    assert again.config["substitutions"] == {"experiment": "tuned"}
    assert Client().get_artifact_version("rows_train_tuned").load() == [1, 2]


def test_an_unknown_placeholder_is_a_one_line_error() -> None:
    @pipeline(run_name="training_{experiment}")
    def unnamed():
        count(table())

    with pytest.raises(ConfigurationError) as exc:
        unnamed()

    assert "placeholder {experiment}" in str(exc.value)
    assert "substitutions={'experiment': ...}" in str(exc.value)


# --- retries ---------------------------------------------------------------------------------------------------


def test_step_retry_config_runs_a_failing_step_again() -> None:
    attempts: list[int] = []

    @step(retry=StepRetryConfig(max_retries=2, delay=0, backoff=0), enable_cache=False)
    def flaky() -> int:
        attempts.append(1)
        if len(attempts) < 3:
            raise RuntimeError("resources not free yet")
        return len(attempts)

    @pipeline
    def retried():
        flaky()

    run = retried()

    assert run.status == ExecutionStatus.COMPLETED
    assert len(attempts) == 3
    assert Client().get_step_run(run.id, "flaky").config["retry"] == {"max_retries": 2, "delay": 0.0, "backoff": 0.0}


def test_step_retry_config_defaults_to_one_retry_and_gives_up_after_it() -> None:
    attempts: list[int] = []

    @step(retry=StepRetryConfig(), enable_cache=False)
    def broken() -> int:
        attempts.append(1)
        raise RuntimeError("always")

    @pipeline
    def gives_up():
        broken()

    with pytest.raises(StepFailedError):
        gives_up()
    assert len(attempts) == 2


# --- artifact metadata and visualizations ----------------------------------------------------------------------


@pytest.mark.parametrize("where", ["step", "pipeline", "config"])
def test_disabled_metadata_and_visualizations_are_not_made(where: str, tmp_path: Path) -> None:
    flags = {"enable_artifact_metadata": False, "enable_artifact_visualization": False}
    made = table.with_options(**flags) if where == "step" else table

    @pipeline(enable_cache=False, **(flags if where == "pipeline" else {}))
    def quiet():
        count(made())

    @pipeline(enable_cache=False)
    def loud():
        count(table())

    runnable = quiet
    if where == "config":
        yaml = "enable_artifact_metadata: false\nenable_artifact_visualization: false\n"
        runnable = quiet.with_options(config_path=_config(tmp_path, yaml))
    bare = runnable().steps["table"].outputs["table"][0]
    full = loud().steps["table"].outputs["table"][0]

    assert bare.visualizations == []
    assert _extracted(bare.id) == {}
    assert bare.run_metadata == {}
    assert bare.load()["x"].tolist() == [1.0, 2.0, 3.0]
    assert full.visualizations  # the same output with the switches on has both
    assert _extracted(full.id)


# --- configure -------------------------------------------------------------------------------------------------


def test_pipeline_configure_merges_by_default_and_replaces_with_merge_false() -> None:
    @pipeline(settings={"docker": {"parent_image": "a"}}, extra={"team": "ml"}, tags=["x"])
    def shaped():
        count(table())

    assert (
        shaped.configure(settings={"docker": {"requirements": ["numpy"]}}, extra={"owner": "me"}, tags=["y"]) is shaped
    )
    assert shaped.settings == {"docker": {"parent_image": "a", "requirements": ["numpy"]}}
    assert shaped.extra == {"team": "ml", "owner": "me"}
    assert shaped.tags == ["x", "y"]

    shaped.configure(settings={"resources": ResourceSettings(cpu_count=1)}, extra={"only": 1}, merge=False)
    assert shaped.settings == {"resources": {"cpu_count": 1.0}}
    assert shaped.extra == {"only": 1}

    shaped.configure(enable_cache=False, enable_artifact_visualization=False)
    with pytest.raises(TypeError, match="Unknown pipeline option 'cache'"):
        shaped.configure(cache=False)
    run = shaped()
    assert run.config["enable_cache"] is False
    assert run.config["enable_artifact_visualization"] is False


def test_step_configure_merges_settings_and_with_options_leaves_the_original() -> None:
    @step(settings={"resources": {"cpu_count": 1}})
    def sized() -> int:
        return 1

    copy = sized.with_options(settings={"resources": {"memory": "1GB"}})
    assert copy.settings["settings"] == {"resources": {"cpu_count": 1, "memory": "1GB"}}
    assert sized.settings["settings"] == {"resources": {"cpu_count": 1}}

    sized.configure(settings={"docker": DockerSettings(parent_image="x")}, merge=False)
    assert sized.settings["settings"] == {"docker": {"parent_image": "x"}}


# --- unknown run config keys -----------------------------------------------------------------------------------


def test_unknown_run_config_keys_warn_naming_key_and_file_and_the_run_goes_on(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        """
schedule:
  cron_expression: "* * * * *"
enable_cache: false
steps:
  count:
    step_operator: vertex
    parameters: {}
""",
    )

    @pipeline
    def scheduled():
        count(table())

    with pytest.warns(SettingsWarning) as record:
        run = scheduled.with_options(config_path=config)()

    assert run.status == ExecutionStatus.COMPLETED
    assert run.config["enable_cache"] is False
    top, step_key = _messages(record)
    assert top.startswith(f"unknown key 'schedule' in {config}: ignored; known keys: enable_artifact_metadata, ")
    assert step_key.startswith(f"unknown key 'step_operator' under steps.count in {config}: ignored; known keys: ")
    assert "\n" not in top + step_key
