"""ZenML's run configuration examples (settings, Docker and resource settings, retries, substitutions,
the enable_* switches, configure, YAML files), ported with `zenml` changed to `waypost` in the imports,
each read back from a real run. Sleeps are shortened (`delay`) so the suite stays fast."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pytest

from waypost import pipeline, step
from waypost.client import Client
from waypost.config import DockerSettings, ResourceSettings, SettingsWarning
from waypost.config.retry_config import StepRetryConfig
from waypost.enums import ExecutionStatus
from waypost.exceptions import ConfigurationError

NO_CONTAINERS = "DockerSettings are recorded but not applied: the local orchestrator runs no containers"


def _warned(record: pytest.WarningsRecorder) -> list[str]:
    return [str(w.message) for w in record if issubclass(w.category, SettingsWarning)]


# --- "Docker settings on a step" -------------------------------------------------------------------------------


@step(settings={"docker": DockerSettings(parent_image="pytorch/pytorch:1.12.1-cuda11.3-cudnn8-runtime")})
def training() -> int:
    return 1


@pipeline
def docker_step_pipeline():
    training()


def test_docker_settings_on_a_step_in_code() -> None:
    with pytest.warns(SettingsWarning) as record:
        run = docker_step_pipeline()

    assert _warned(record) == [NO_CONTAINERS]
    assert run.steps["training"].config.settings["docker"] == {
        "parent_image": "pytorch/pytorch:1.12.1-cuda11.3-cudnn8-runtime"
    }


def test_docker_settings_on_a_step_in_a_configuration_file(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        """
steps:
  training:
    settings:
      docker:
        parent_image: pytorch/pytorch:2.2.0-cuda11.8-cudnn8-runtime
        required_integrations:
          - gcp
          - github
        requirements:
          - zenml  # Make sure to include ZenML for other parent images
          - numpy
"""
    )

    with pytest.warns(SettingsWarning):
        run = docker_step_pipeline.with_options(config_path=str(config))()

    assert run.steps["training"].config.settings["docker"] == {
        "parent_image": "pytorch/pytorch:2.2.0-cuda11.8-cudnn8-runtime",
        "required_integrations": ["gcp", "github"],
        "requirements": ["zenml", "numpy"],
    }


# --- "Specify pip dependencies and apt packages" ---------------------------------------------------------------


def test_docker_settings_on_a_pipeline() -> None:
    docker_settings = DockerSettings(requirements=["torch==1.12.0", "torchvision"])

    @pipeline(settings={"docker": docker_settings})
    def my_pipeline():
        training()

    frozen = DockerSettings(replicate_local_python_environment="pip_freeze", apt_packages=["git"])

    with pytest.warns(SettingsWarning):
        run = my_pipeline()
    with pytest.warns(SettingsWarning):
        again = my_pipeline.with_options(settings={"docker": frozen})()

    assert run.config["settings"]["docker"] == {"requirements": ["torch==1.12.0", "torchvision"]}
    assert again.config["settings"]["docker"] == {
        "requirements": ["torch==1.12.0", "torchvision"],
        "replicate_local_python_environment": "pip_freeze",
        "apt_packages": ["git"],
    }


# --- "Resource configuration" -------------------------------------------------------------------------------


@step(
    settings={
        "resources": ResourceSettings(
            cpu_count=4,
            memory="8GB",
            gpu_count=0,
        )
    }
)
def train_model(data: dict) -> dict:
    """Train model with 4 CPUs and 8GB RAM."""
    # Training logic here
    return {"model": "trained"}


@step
def load() -> dict:
    return {"rows": 3}


@pipeline(
    settings={
        "resources": ResourceSettings(
            cpu_count=2,
            memory="4GB",
        )
    }
)
def ml_pipeline():
    """All steps get 2 CPUs and 4GB RAM by default."""
    train_model(load())


def test_resource_settings_on_a_step_and_a_pipeline() -> None:
    run = ml_pipeline()

    assert run.status == ExecutionStatus.COMPLETED
    assert run.steps["load"].config.resources == {"cpu_count": 2.0, "gpu_count": None, "memory": "4GB"}
    assert run.steps["train_model"].config.resources == {"cpu_count": 4.0, "gpu_count": 0, "memory": "8GB"}
    assert ResourceSettings(cpu_count=2, memory="4GB").get_memory(unit="MB") == 4000


# --- "Automatically retry steps" -------------------------------------------------------------------------------


def test_retry_config_on_the_step_decorator() -> None:
    calls: list[int] = []

    @step(
        retry=StepRetryConfig(
            max_retries=3,
            delay=0.01,
            backoff=2,
        ),
        enable_cache=False,
    )
    def my_step() -> None:
        calls.append(1)
        raise Exception("This is a test exception")

    @pipeline
    def retrying():
        my_step()

    with pytest.raises(Exception, match="This is a test exception"):
        retrying()

    assert len(calls) == 4  # the first attempt and three retries
    step_run = Client().get_pipeline(retrying.name).last_run.steps["my_step"]
    assert step_run.status == ExecutionStatus.FAILED
    assert step_run.config.retry == {"max_retries": 3, "delay": 0.01, "backoff": 2.0}


def test_retry_config_in_a_configuration_file(tmp_path: Path) -> None:
    @step
    def my_step() -> int:
        return 1

    @pipeline
    def retrying():
        my_step()

    config = tmp_path / "config.yaml"
    config.write_text("steps:\n  my_step:\n    retry:\n      max_retries: 3\n      delay: 10\n      backoff: 2\n")

    run = retrying.with_options(config_path=config)()

    assert run.steps["my_step"].config.retry == {"max_retries": 3, "delay": 10.0, "backoff": 2.0}


# --- "Name your pipeline runs" ---------------------------------------------------------------------------------


@pipeline(substitutions={"experiment_name": "baseline"})
def training_pipeline():
    load()


def test_run_names_with_custom_and_standard_placeholders() -> None:
    named = training_pipeline.with_options(run_name="custom_pipeline_run_name_{experiment_name}_{date}_{time}")
    run = named()

    started = run.started_at
    assert run.name.startswith(f"custom_pipeline_run_name_baseline_{started:%Y_%m_%d}_{started:%H_%M_%S}")


# --- "Artifacts naming" ----------------------------------------------------------------------------------------


@step(substitutions={"custom_placeholder": "some_substitute"})
def dynamic_single_string_custom() -> Annotated[str, "name_{custom_placeholder}_{time}"]:
    return "null"


@step
def dynamic_single_string_standard() -> Annotated[str, "name_{date}_{time}"]:
    return "null"


@pipeline(substitutions={"custom_placeholder": "other_substitute"}, enable_cache=False)
def artifact_naming_pipeline():
    dynamic_single_string_custom()
    dynamic_single_string_standard()


def test_artifact_names_with_custom_placeholders() -> None:
    run = artifact_naming_pipeline()

    custom = run.steps["dynamic_single_string_custom"].output
    standard = run.steps["dynamic_single_string_standard"].output
    assert custom.name.startswith("name_some_substitute_")  # the step's substitution wins over the pipeline's
    assert standard.name.startswith(f"name_{run.started_at:%Y_%m_%d}_")
    assert custom.load() == "null"


# --- "What can be configured" ----------------------------------------------------------------------------------


@step
def load_data(dataset_name: str) -> dict:
    return {"dataset": dataset_name}


@step
def train(data: dict, learning_rate: float = 0.01) -> float:
    return learning_rate


@pipeline
def configured_pipeline(dataset_name: str = "my_dataset"):
    train(load_data(dataset_name))


def test_a_sample_configuration_file(tmp_path: Path) -> None:
    config = tmp_path / "run.yaml"
    config.write_text(
        """
# Build ID (i.e. which Docker image to use)
build: dcd6fafb-c200-4e85-8328-428bef98d804

# Enable flags (boolean flags that control behavior)
enable_artifact_metadata: True
enable_artifact_visualization: False
enable_cache: False
enable_step_logs: True

# Extra dictionary to pass in arbitrary values
extra:
  any_param: 1
  another_random_key: "some_string"

# Parameters of the pipeline
parameters:
  dataset_name: "another_dataset"

# Name of the run
run_name: "my_great_run"

# Schedule, if supported on the orchestrator
schedule:
  catchup: true
  cron_expression: "* * * * *"

# Real-time settings for Docker and resources
settings:
  # Controls Docker building
  docker:
    apt_packages: ["curl"]
    copy_files: True
    dockerfile: "Dockerfile"
    dockerignore: ".dockerignore"
    environment:
      ZENML_LOGGING_VERBOSITY: DEBUG
    parent_image: "zenml-io/zenml-cuda"
    requirements: ["torch"]
    skip_build: False

  # Control resources for the entire pipeline
  resources:
    cpu_count: 2
    gpu_count: 1
    memory: "4Gb"

steps:
  train:
    parameters:
      learning_rate: 0.001
    enable_cache: True
    settings:
      resources:
        memory: "8GB"
"""
    )

    configured = configured_pipeline.with_options(config_path=config)
    with pytest.warns(SettingsWarning), pytest.raises(ConfigurationError, match="field 'memory' is invalid"):
        configured()  # ZenML refuses "4Gb" too: memory units are KB, KiB, MB, MiB, GB, GiB …

    config.write_text(config.read_text().replace('memory: "4Gb"', 'memory: "4GB"'))
    with pytest.warns(SettingsWarning) as record:
        run = configured()

    assert sorted(m.split(" in ")[0] for m in _warned(record) if m.startswith("unknown key")) == [
        "unknown key 'build'",
        "unknown key 'schedule'",
    ]
    assert NO_CONTAINERS in _warned(record)
    assert run.name == "my_great_run"
    assert run.parameters == {"dataset_name": "another_dataset"}
    assert run.config["enable_cache"] is False
    assert run.config["enable_artifact_visualization"] is False
    assert run.config["extra"] == {"any_param": 1, "another_random_key": "some_string"}
    assert run.config["settings"]["docker"]["parent_image"] == "zenml-io/zenml-cuda"
    train_run = run.steps["train"]
    assert train_run.config.parameters == {"learning_rate": 0.001}
    assert train_run.config.resources == {"cpu_count": 2.0, "gpu_count": 1, "memory": "8GB"}
    assert run.steps["load_data"].outputs["output"][0].visualizations == []


# --- "How to apply configuration": on the instance ----------------------------------------------------------


def test_configure_on_the_step_and_pipeline_instances() -> None:
    @step
    def my_step() -> int:
        return 1

    @pipeline
    def my_pipeline():
        my_step()

    my_pipeline()
    my_pipeline.configure(enable_cache=False)
    my_step.configure(enable_cache=False)
    run = my_pipeline()

    assert run.steps["my_step"].status == ExecutionStatus.COMPLETED  # not served from the cache
    assert run.config["enable_cache"] is False
